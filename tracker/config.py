"""Configuration: defaults, then ``instance/config.py``, then the environment.

``TRACKER_ENV=production`` makes the checks strict: the app refuses to start
without an explicit, strong ``SECRET_KEY`` or with debugging on, and serves
over HTTPS (``__Host-`` cookie, HSTS) unless ``TRACKER_HTTPS=0`` says the
deployment has no TLS at all.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

PRODUCTION = "production"
MIN_SECRET_KEY_LENGTH = 32

# Keys copied from tutorials, examples and our own test suite: a deployment
# that uses one signs its sessions with a key the world knows.
KNOWN_WEAK_SECRET_KEYS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "changeme",
        "change-me",
        "change_me",
        "default",
        "test",
        "testing",
        "test-secret-key-not-for-production",
        "your-secret-key",
        "your_secret_key",
        "supersecret",
        "super-secret",
        "super secret key",
        "flask",
        "upp",
        "tracker",
        "upp-tracker",
        "demo-password-1",
    }
)


class ConfigurationError(RuntimeError):
    """The configuration is unsafe to run with; the message says how to fix it."""


def default_config(instance_path: str) -> dict[str, Any]:
    """Settings that hold unless the instance file or the environment says otherwise."""
    return {
        "TRACKER_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///"
        + str(Path(instance_path) / "tracker.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Sessions: 30 minutes idle (the signed cookie's max age), 12 hours in all.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
        "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=12),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_NAME": "tracker_session",
        # Remember-me is off: no login ever sets the cookie, and were one
        # forged it would expire at once.
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "ARGON2_PARALLELISM": 4,
        "LOCKOUT_THRESHOLD": 5,
        "LOCKOUT_DURATION": timedelta(minutes=15),
        "PASSWORD_LINK_MAX_AGE": timedelta(hours=24),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per client IP; the account lockout adds a per-account limit.
        "RATELIMIT_LOGIN": "10 per minute;100 per hour",
        "RATELIMIT_PASSWORD_SET": "10 per minute;50 per hour",
        "RATELIMIT_TESTIMONIAL": "10 per minute;60 per hour",
        # Per bearer token, for API clients.
        "RATELIMIT_API_TOKEN": "120 per minute;5000 per hour",
        "HTTPS": False,
        # Aggregate figures computed once per change of the data (tracker.cache).
        "DATA_CACHE": True,
        # Read-only pages replayed until the next write (tracker.cache.cached_page),
        # at most this many bytes of them per process.
        "PAGE_CACHE": True,
        "PAGE_CACHE_BYTES": 32 * 1024 * 1024,
        # Reverse proxies in front of the app (0: clients connect directly).
        "PROXY_HOPS": 0,
        # Who may read /metrics (tracker.observability): networks, comma-separated.
        "METRICS_ALLOW_FROM": "127.0.0.0/8,::1/128",
        # One JSON line per request on the "tracker.requests" logger.
        "REQUEST_LOG": True,
        # Where links in e-mails point ("https://tracker.example.org"); unset,
        # the address of the request that queued the message (README: E-mail).
        "BASE_URL": "",
        # E-mail (tracker.outbox). No MAIL_SERVER: messages stay queued.
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,  # STARTTLS after connecting (port 587)
        "MAIL_USE_SSL": False,  # TLS from the start (port 465)
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_FROM": "UPP Tracker <tracker@localhost>",
        "MAIL_TIMEOUT": 30,
        "MAIL_MAX_ATTEMPTS": 8,
        # Back-off after a failed attempt: base x 2^(attempt - 1), capped.
        "MAIL_RETRY_BASE_SECONDS": 60,
        "MAIL_RETRY_MAX_SECONDS": 6 * 3600,
        # At most this many messages an hour to one address; the rest wait.
        "MAIL_RATE_PER_HOUR": 30,
        "MAIL_BATCH_SIZE": 20,
        # How long a worker holds a claimed message before another may resend.
        "MAIL_LEASE_SECONDS": 600,
        "MAIL_POLL_SECONDS": 5,
        # Reminders go this many days before an event (flask outbox remind).
        "MAIL_REMINDER_DAYS": 7,
        # Years after a person's last activity before `flask retention run`
        # anonymises them; None: no retention period, nothing is purged.
        "RETENTION_YEARS": None,
        # When the retention timer runs (deploy/systemd), shown on the admin page.
        "RETENTION_RUNS_AT": "03:15 UTC",
        # Attachments (tracker.documents; README: Documents). The store:
        # "filesystem" (under DOCUMENTS_PATH, default instance/documents) or "s3".
        "DOCUMENTS_STORAGE": "filesystem",
        "DOCUMENTS_PATH": "",
        "DOCUMENTS_S3_BUCKET": "",
        "DOCUMENTS_S3_PREFIX": "documents/",
        "DOCUMENTS_S3_ENDPOINT_URL": "",
        "DOCUMENTS_S3_REGION": "",
        # One file, and a whole upload request (MAX_CONTENT_LENGTH for the
        # upload URLs only; every other URL keeps MAX_CONTENT_LENGTH).
        "DOCUMENTS_MAX_FILE_SIZE": 20 * 1024 * 1024,
        "DOCUMENTS_MAX_REQUEST_SIZE": 21 * 1024 * 1024,
    }


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, tests."""
    app.config.from_mapping(default_config(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _read_environment(app)
    else:
        app.config.update(test_config)
    if app.config["HTTPS"]:
        # __Host- cookies must be Secure, path /, and carry no Domain.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-tracker_session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
    check_mail(app.config, production=app.config["TRACKER_ENV"] == PRODUCTION)
    if app.config["TRACKER_ENV"] == PRODUCTION:
        check_production(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _read_environment(app: Flask) -> None:
    environ = os.environ
    config = app.config
    if env := environ.get("TRACKER_ENV"):
        config["TRACKER_ENV"] = env.strip().lower()
    if url := environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = url
    if key_file := environ.get("SECRET_KEY_FILE"):
        config["SECRET_KEY"] = Path(key_file).read_text().strip()
    if key := environ.get("SECRET_KEY"):
        config["SECRET_KEY"] = key
    if fallbacks := environ.get("SECRET_KEY_FALLBACKS"):
        # Old keys, comma-separated: sessions and links signed with them stay
        # valid while the new key takes over (rotation without signing
        # everybody out).
        config["SECRET_KEY_FALLBACKS"] = [
            key.strip() for key in fallbacks.split(",") if key.strip()
        ]
    if storage := environ.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = storage
    if prefix := environ.get("RATELIMIT_KEY_PREFIX"):
        # Several deployments (or test runs) sharing one Redis keep apart.
        config["RATELIMIT_KEY_PREFIX"] = prefix
    if allowed := environ.get("METRICS_ALLOW_FROM"):
        config["METRICS_ALLOW_FROM"] = allowed
    if (request_log := environ.get("TRACKER_REQUEST_LOG")) is not None:
        config["REQUEST_LOG"] = request_log == "1"
    if (page_cache := environ.get("TRACKER_PAGE_CACHE")) is not None:
        config["PAGE_CACHE"] = page_cache == "1"
    for name in ("RATELIMIT_API_TOKEN", "RATELIMIT_API_IP"):
        if limit := environ.get(name):
            config[name] = limit
    _read_mail_environment(environ, config)
    for name in DOCUMENTS_TEXT_SETTINGS:
        if (value := environ.get(name)) is not None:
            config[name] = value
    for name in ("DOCUMENTS_MAX_FILE_SIZE", "DOCUMENTS_MAX_REQUEST_SIZE"):
        if size := environ.get(name):
            config[name] = int(size)
    https = environ.get("TRACKER_HTTPS")
    if https is not None:
        config["HTTPS"] = https == "1"
    elif config["TRACKER_ENV"] == PRODUCTION:
        config["HTTPS"] = True
    if hops := environ.get("TRACKER_PROXY_HOPS"):
        config["PROXY_HOPS"] = int(hops)
    if years := environ.get("TRACKER_RETENTION_YEARS"):
        config["RETENTION_YEARS"] = int(years)


DOCUMENTS_TEXT_SETTINGS = (
    "DOCUMENTS_STORAGE",
    "DOCUMENTS_PATH",
    "DOCUMENTS_S3_BUCKET",
    "DOCUMENTS_S3_PREFIX",
    "DOCUMENTS_S3_ENDPOINT_URL",
    "DOCUMENTS_S3_REGION",
)
MAIL_TEXT_SETTINGS = ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM")
MAIL_FLAGS = ("MAIL_USE_TLS", "MAIL_USE_SSL")


def _read_mail_environment(environ, config) -> None:
    """MAIL_* settings, and TRACKER_BASE_URL, from the environment."""
    for name in MAIL_TEXT_SETTINGS:
        if (value := environ.get(name)) is not None:
            config[name] = value
    if password_file := environ.get("MAIL_PASSWORD_FILE"):
        config["MAIL_PASSWORD"] = Path(password_file).read_text().strip()
    for name in MAIL_FLAGS:
        if (flag := environ.get(name)) is not None:
            config[name] = flag == "1"
    if port := environ.get("MAIL_PORT"):
        config["MAIL_PORT"] = int(port)
    if base_url := environ.get("TRACKER_BASE_URL"):
        config["BASE_URL"] = base_url


def check_mail(config: dict[str, Any], *, production: bool) -> None:
    """Refuse mail settings that cannot work or would leak the password."""
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        raise ConfigurationError(
            "Set MAIL_USE_TLS (STARTTLS, port 587) or MAIL_USE_SSL (port 465), "
            "not both."
        )
    if production and config.get("MAIL_SERVER") and not config.get("BASE_URL"):
        raise ConfigurationError(
            "With MAIL_SERVER set, production needs TRACKER_BASE_URL (the address "
            "users reach the app at): links in e-mails must not take the host "
            "from a request."
        )
    if (
        production
        and config.get("MAIL_USERNAME")
        and not (config.get("MAIL_USE_TLS") or config.get("MAIL_USE_SSL"))
    ):
        raise ConfigurationError(
            "MAIL_USERNAME without MAIL_USE_TLS or MAIL_USE_SSL would send the "
            "mail password unencrypted; turn one of them on."
        )


def check_production(config: dict[str, Any]) -> None:
    """Refuse to run production with settings that would make it unsafe."""
    key = config.get("SECRET_KEY")
    if not key:
        raise ConfigurationError(
            "TRACKER_ENV=production needs an explicit SECRET_KEY (or "
            "SECRET_KEY_FILE). Generate one with: "
            'python -c "import secrets; print(secrets.token_hex(32))"'
        )
    for candidate in [key, *(config.get("SECRET_KEY_FALLBACKS") or [])]:
        if is_weak_secret_key(candidate):
            raise ConfigurationError(
                "The SECRET_KEY (or one of SECRET_KEY_FALLBACKS) is a known or "
                f"short key; use at least {MIN_SECRET_KEY_LENGTH} random characters."
            )
    # Flask takes DEBUG from FLASK_DEBUG when the app is built.
    if config.get("DEBUG"):
        raise ConfigurationError(
            "TRACKER_ENV=production refuses to run with DEBUG on: the debugger "
            "would let anyone run code on the server."
        )


def is_weak_secret_key(key: str) -> bool:
    return (
        len(key) < MIN_SECRET_KEY_LENGTH
        or key.strip().lower() in KNOWN_WEAK_SECRET_KEYS
        or len(set(key)) < 8
    )


def _instance_secret_key(instance_path: Path) -> str:
    """Read the key generated on first start, or generate and keep it (mode 600)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
