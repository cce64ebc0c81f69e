"""Friendly error pages (HTML) and error objects (API), registered in one loop."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db
from tracker.translation import lazy_gettext as _l

# Lazy: each error reads in the reader's language.
MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Sign in or send a valid token."),
    403: _l("You do not have permission to do that."),
    404: _l("There is nothing here."),
    405: _l("That method is not allowed here."),
    409: _l("The record was changed by someone else."),
    413: _l("The upload is too large."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. It has been logged."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, code: str | None = None):
    """Render an error as JSON for the API and as a page elsewhere."""
    message = str(message or MESSAGES.get(status) or _("Error."))
    if wants_json():
        code = code or {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "too_large",
            429: "rate_limited",
            500: "server_error",
        }.get(status, "error")
        return make_response(
            jsonify({"error": {"code": code, "message": message}}), status
        )
    template = (
        f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    )
    return make_response(
        render_template(template, status=status, message=message), status
    )


def register(app: Flask) -> None:
    def handle_http(error: HTTPException):
        status = error.code or 500
        response = error_response(status)
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    for status in MESSAGES:
        if status != 500:
            app.register_error_handler(status, handle_http)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        app.logger.warning("CSRF failure on %s %s", request.method, request.path)
        return error_response(
            400, _("The form expired or was sent from elsewhere. Please try again.")
        )

    @app.errorhandler(500)
    def handle_server_error(error):
        # Generic on purpose: no traceback, SQL or configuration leaves the server.
        db.session.rollback()
        return error_response(500)
