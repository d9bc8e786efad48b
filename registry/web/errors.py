"""The one place where errors become HTTP responses: a table from error class to
status, registered on the app by the factory.

Core code raises :mod:`registry.errors`; the web layer adds a few errors of its
own (a missing token, a body too large, no acceptable format). A store that fails
(a full disk, a read-only directory) gives 503. Anything else is a bug and gets
FastAPI's plain 500, never a 400.

Error bodies are JSON (``{"error": ..., "message": ...}``, and the whole SHACL
report for 422); a browser that asks for HTML gets the same message on a page.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from registry.errors import (
    BrokerBusy,
    BrokerConflict,
    InputError,
    NotFound,
    ParameterError,
    QueryError,
    QueryTimeout,
    StoreError,
    StoreNotEmpty,
    StoreUnavailable,
    UnitError,
    ValidationFailed,
)
from registry.sparql import error_position
from registry.web.negotiation import choose

__all__ = [
    "HANDLERS",
    "ErrorPage",
    "Forbidden",
    "MethodNotAllowed",
    "NotAcceptable",
    "PayloadTooLarge",
    "Problem",
    "Unauthorized",
    "UnsupportedMediaType",
    "WebError",
    "register_handlers",
]

log = logging.getLogger("registry.web")


class WebError(Exception):
    """An error of the HTTP layer itself, with its status.

    :param message: what is wrong, in plain words.
    """

    status = 400
    code = "request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


class Unauthorized(WebError):
    """A write without a valid bearer token."""

    status = 401
    code = "unauthorized"


class Forbidden(WebError):
    """A write to a read-only service (no token configured)."""

    status = 403
    code = "read-only"


class MethodNotAllowed(WebError):
    """An operation sent with the wrong HTTP method."""

    status = 405
    code = "method"


class NotAcceptable(WebError):
    """No format the client accepts can be given."""

    status = 406
    code = "not-acceptable"


class PayloadTooLarge(WebError):
    """A request body beyond the configured limit."""

    status = 413
    code = "too-large"


class UnsupportedMediaType(WebError):
    """A request body of a type the endpoint does not read."""

    status = 415
    code = "unsupported-media-type"


class Problem(NamedTuple):
    """What an error is answered with: its status, its JSON body and any headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] | None = None


#: Renders an error as an HTML page: (request, status, the JSON body) -> the page.
ErrorPage = Callable[[Request, int, dict[str, Any]], str]
Handler = Callable[[Request, Exception], Awaitable[Response]]


def _wants_html(request: Request) -> bool:
    return choose(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html"


def _input_error(exc: Exception) -> Problem:
    assert isinstance(exc, InputError)
    return Problem(400, exc.to_dict())


def _parameter_error(exc: Exception) -> Problem:
    """A query parameter with a value that cannot be used: 422, naming the parameter."""
    assert isinstance(exc, ParameterError)
    return Problem(422, exc.to_dict())


def _unit_error(exc: Exception) -> Problem:
    assert isinstance(exc, UnitError)
    return Problem(400, {"error": "input", "message": str(exc)})


def _validation_failed(exc: Exception) -> Problem:
    assert isinstance(exc, ValidationFailed)
    body = {"error": "validation", "message": str(exc), "report": exc.report.to_dict()}
    return Problem(422, body)


def _not_found(exc: Exception) -> Problem:
    assert isinstance(exc, NotFound)
    return Problem(404, {"error": "not-found", "message": str(exc), "kind": exc.kind, "id": exc.what})


def _query_error(exc: Exception) -> Problem:
    body: dict[str, Any] = {"error": "query", "message": str(exc)}
    position = error_position(str(exc))
    if position is not None:
        body["line"], body["column"] = position
    return Problem(400, body)


def _query_timeout(exc: Exception) -> Problem:
    assert isinstance(exc, QueryTimeout)
    body = {"error": "timeout", "message": str(exc), "limit-seconds": exc.seconds}
    return Problem(503, body, {"Retry-After": "1"})


def _store_unavailable(exc: Exception) -> Problem:
    log.error("store unavailable: %s", exc)
    return Problem(503, {"error": "store-unavailable", "message": str(exc)}, {"Retry-After": "5"})


def _store_error(exc: Exception) -> Problem:
    # A store that cannot write (a full disk, a read-only directory) or read: the service
    # is unavailable for the request, not broken; the message names the store's path.
    log.error("store error: %s", exc)
    return Problem(503, {"error": "store", "message": str(exc)}, {"Retry-After": "30"})


def _store_not_empty(exc: Exception) -> Problem:
    return Problem(409, {"error": "store-not-empty", "message": str(exc)})


def _web_error(exc: Exception) -> Problem:
    assert isinstance(exc, WebError)
    return Problem(exc.status, {"error": exc.code, "message": exc.message}, exc.headers)


def _broker_busy(exc: Exception) -> Problem:
    assert isinstance(exc, BrokerBusy)
    return Problem(503, {"error": "broker-busy", "message": str(exc)}, {"Retry-After": str(exc.seconds)})


def _broker_conflict(exc: Exception) -> Problem:
    return Problem(409, {"error": "session-phase", "message": str(exc)})


#: Error class -> what it answers. Starlette picks the most specific class of an error's MRO.
HANDLERS: dict[type[Exception], Callable[[Exception], Problem]] = {
    InputError: _input_error,
    ParameterError: _parameter_error,
    UnitError: _unit_error,
    ValidationFailed: _validation_failed,
    NotFound: _not_found,
    QueryError: _query_error,
    QueryTimeout: _query_timeout,
    StoreUnavailable: _store_unavailable,
    StoreError: _store_error,
    StoreNotEmpty: _store_not_empty,
    WebError: _web_error,
    BrokerBusy: _broker_busy,
    BrokerConflict: _broker_conflict,
}


def register_handlers(app: FastAPI, error_page: ErrorPage | None = None) -> None:
    """Install the handler table on an app.

    :param error_page: renders the page a browser gets (a ``GET`` or ``HEAD`` that asks for
        HTML) from the status and the JSON body; without it every error is answered as JSON.
    """
    for error, describe in HANDLERS.items():
        app.add_exception_handler(error, _handler(describe, error_page))


def _handler(describe: Callable[[Exception], Problem], error_page: ErrorPage | None) -> Handler:
    """The app's handler of one row of the table: the problem as JSON, or as a page."""

    async def handle(request: Request, exc: Exception) -> Response:
        status, body, headers = describe(exc)
        if error_page is not None and _wants_html(request) and request.method in ("GET", "HEAD"):
            return HTMLResponse(error_page(request, status, body), status_code=status, headers=headers)
        return JSONResponse(body, status_code=status, headers=headers)

    return handle
