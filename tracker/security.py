"""Response headers every page carries, deny-by-default routing, rate limits.

The headers are set in one ``after_request`` hook, so they are on every
response Flask produces: pages, redirects, static files, and the 404, 405,
429 and 500 pages alike (``tests/test_security_headers.py`` checks each).
"""

import logging

from flask import Flask, abort, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.permissions import refuse_undeclared_endpoints

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
# Pages that carry a secret in their URL or form, cached nowhere even for
# anonymous visitors.
NO_STORE_ENDPOINTS = frozenset({"auth.set_password", "auth.login"})

# Denied and throttled requests, one line each (ASVS 16.3.2). Failed logins,
# lockouts and password events go to the audit trail; CSRF failures are
# logged by the error handler.
security_log = logging.getLogger("tracker.security")
LOGGED_STATUSES = {401: "unauthenticated", 403: "denied", 429: "throttled"}


def one_line(text: str, limit: int = 300) -> str:
    """Text fit for a log line: no CR, LF or other control characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:limit]


def refuse_nul_bytes() -> None:
    """Answer 400 to any parameter or form value holding a NUL character.

    No text of ours may contain one, PostgreSQL refuses it in text columns,
    and a NUL that reached a query would end as a 500 instead of a message.
    """
    values = [*request.args.values(), *request.args.keys()]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        values += [*request.form.values(), *request.form.keys()]
    if any("\x00" in value for value in values):
        abort(400)


def init_app(app: Flask) -> None:
    if hops := app.config["PROXY_HOPS"]:
        # Trust exactly as many X-Forwarded-* hops as there are proxies, so the
        # rate limits and the audit trail see the real client address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.before_request(refuse_undeclared_endpoints)
    app.before_request(refuse_nul_bytes)
    _limit_api()

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config["HTTPS"]:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint in NO_STORE_ENDPOINTS or (
            request.endpoint != "static" and current_user.is_authenticated
        ):
            # Pages for signed-in users never stay in shared or browser caches.
            headers["Cache-Control"] = "no-store"
            headers["Vary"] = "Cookie"
        if response.status_code in LOGGED_STATUSES:
            _log_refusal(response.status_code)
        return response


def _log_refusal(status: int) -> None:
    """Who was refused what, from where; UTC time comes from the log format."""
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        who = f"user={user.id} role={user.role}"
    else:
        who = "user=anonymous"
    security_log.warning(
        "%s status=%d %s method=%s path=%s ip=%s",
        LOGGED_STATUSES[status],
        status,
        who,
        one_line(request.method, 10),
        one_line(request.path),
        one_line(request.remote_addr or ""),
    )


def _limit_api() -> None:
    from tracker.api.core import bp as api_bp
    from tracker.auth.ratelimits import limit_bearer_requests

    limit_bearer_requests(api_bp)
