"""Configuration: defaults, then ``instance/config.py``, then the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask


def default_config(instance_path: str) -> dict[str, Any]:
    """Settings that hold unless the instance file or the environment says otherwise."""
    return {
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
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "ARGON2_PARALLELISM": 4,
        "LOCKOUT_THRESHOLD": 5,
        "LOCKOUT_DURATION": timedelta(minutes=15),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "HTTPS": False,
    }


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, tests."""
    app.config.from_mapping(default_config(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if url := os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = url
        if key := os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = key
        if storage := os.environ.get("RATELIMIT_STORAGE_URI"):
            app.config["RATELIMIT_STORAGE_URI"] = storage
        if os.environ.get("TRACKER_HTTPS") == "1":
            app.config["HTTPS"] = True
    else:
        app.config.update(test_config)
    if app.config["HTTPS"]:
        # __Host- cookies must be Secure, path /, and carry no Domain.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-tracker_session"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


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
