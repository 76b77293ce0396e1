"""API errors: always JSON `{"error": {"code", "message", "field"}}` with the right HTTP status.

`code` is stable (clients branch on it); `message` is for people, in Chinese or English as the
request's `Accept-Language` asks (Chinese by default); `field` names the request field at fault.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, default_exceptions

from ..extensions import db
from . import bp

PREFIX = "/api/"

# Stable codes and their human messages.
MESSAGES = {
    "validation_error": _l("The request is not valid."),
    "bad_request": _l("The request is not valid."),
    "invalid_json": _l("The request body must be a JSON object."),
    "request_too_large": _l("The request is too large."),
    "token_missing": _l("This needs a bearer token: send the header Authorization: Bearer <token>."),
    "token_invalid": _l("The token is unknown, expired or revoked: ask for a new one."),
    "bad_credentials": _l("Wrong username or password."),
    "forbidden": _l("Your account is not allowed to do this."),
    "not_found": _l("There is no such resource."),
    "method_not_allowed": _l("This method is not allowed here."),
    "not_linked": _l("Your account is not linked to a person of a station yet: ask your planner."),
    "slot_full": _l("Sorry, this patrol is full."),
    "already_signed_up": _l("You are already signed up for this patrol."),
    "not_signed_up": _l("You were not signed up for this patrol."),
    "signup_closed": _l("Sign-up for this patrol has closed."),
    "deadline_passed": _l("The deadline for this week has passed: your availability can no longer be changed."),
    "solve_running": _l("A roster for this week is already being generated. Wait for it or stop it first."),
    "still_used": _l("This row is still used by other rows: change or delete those first."),
    "roster_published": _l("This version is already published and cannot change."),
    "rate_limited": _l("Too many attempts from your network. Please wait a minute and try again."),
    "internal_error": _l("The server could not finish this request. Please try again."),
}
STATUS_CODES = {400: "bad_request", 401: "token_missing", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "request_too_large", 429: "rate_limited"}


class ApiError(Exception):
    """Raised by API views; answered as the JSON error with `status`."""

    def __init__(self, status: int, code: str, message: str | None = None, field: str | None = None,
                 **extra) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.field, self.extra = status, code, message, field, extra


def invalid(field: str, message: str) -> ApiError:
    """A 400 validation error naming the field (`message` a lazy string, translated when answered)."""
    return ApiError(400, "validation_error", message, field)


def api_locale() -> str:
    """The API's language: only `Accept-Language` (never the browser session's language switch)."""
    languages = current_app.config["LANGUAGES"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def error_response(status: int, code: str, message: str | None = None, field: str | None = None, **extra):
    with force_locale(api_locale()):  # messages are lazy strings: translated here
        text = str(message if message is not None else MESSAGES.get(code, MESSAGES["internal_error"]))
    body = {"code": code, "message": text, "field": field} | extra
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pingan"'
    return response


def _answer_api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, error.field, **error.extra)


def _answer_http_error(error: HTTPException):
    status = error.code or 500
    code = STATUS_CODES.get(status) or ("bad_request" if status < 500 else "internal_error")
    response = error_response(status, code)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _answer_server_error(error: Exception):
    db.session.rollback()
    return error_response(500, "internal_error")


# JSON answers for every error raised inside an API view. By code, not by HTTPException: the app's
# handler for a code (an HTML page) would come before a blueprint's catch-all.
bp.register_error_handler(ApiError, _answer_api_error)
for _code in default_exceptions:
    bp.register_error_handler(_code, _answer_server_error if _code == 500 else _answer_http_error)


def register_app_errors(app: Flask) -> None:
    """JSON also for /api/ URLs no view matched (unknown path, wrong method), which reach the app's handlers."""
    for code in (404, 405):
        _json_under_prefix(app, code)


def _json_under_prefix(app: Flask, code: int) -> None:
    """Routing errors have no blueprint, so the app's handler (an HTML page) answers them: wrap it for /api/."""
    handlers = app.error_handler_spec[None][code]
    page = next(iter(handlers.values()), None)

    def handler(error: HTTPException):
        if request.path.startswith(PREFIX):
            return _answer_http_error(error)
        return page(error) if page is not None else error

    app.register_error_handler(code, handler)
