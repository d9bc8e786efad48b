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
from typing import Any

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
    "Forbidden",
    "MethodNotAllowed",
    "NotAcceptable",
    "PayloadTooLarge",
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


def _wants_html(request: Request) -> bool:
    return choose(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html"


def _respond(request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request) and request.method in ("GET", "HEAD"):
        pages = getattr(request.app.state, "pages", None)
        if pages is not None:
            return HTMLResponse(pages.error_page(request, status, body), status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


async def _input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    return _respond(request, 400, exc.to_dict())


async def _parameter_error(request: Request, exc: Exception) -> Response:
    """A query parameter with a value that cannot be used: 422, naming the parameter."""
    assert isinstance(exc, ParameterError)
    return _respond(request, 422, exc.to_dict())


async def _unit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnitError)
    return _respond(request, 400, {"error": "input", "message": str(exc)})


async def _validation_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationFailed)
    body = {"error": "validation", "message": str(exc), "report": exc.report.to_dict()}
    return _respond(request, 422, body)


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFound)
    return _respond(request, 404, {"error": "not-found", "message": str(exc), "kind": exc.kind, "id": exc.what})


async def _query_error(request: Request, exc: Exception) -> Response:
    body: dict[str, Any] = {"error": "query", "message": str(exc)}
    position = error_position(str(exc))
    if position is not None:
        body["line"], body["column"] = position
    return _respond(request, 400, body)


async def _query_timeout(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QueryTimeout)
    body = {"error": "timeout", "message": str(exc), "limit-seconds": exc.seconds}
    return _respond(request, 503, body, {"Retry-After": "1"})


async def _store_unavailable(request: Request, exc: Exception) -> Response:
    log.error("store unavailable: %s", exc)
    return _respond(request, 503, {"error": "store-unavailable", "message": str(exc)}, {"Retry-After": "5"})


async def _store_error(request: Request, exc: Exception) -> Response:
    # A store that cannot write (a full disk, a read-only directory) or read: the service
    # is unavailable for the request, not broken; the message names the store's path.
    log.error("store error: %s", exc)
    return _respond(request, 503, {"error": "store", "message": str(exc)}, {"Retry-After": "30"})


async def _store_not_empty(request: Request, exc: Exception) -> Response:
    return _respond(request, 409, {"error": "store-not-empty", "message": str(exc)})


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    return _respond(request, exc.status, {"error": exc.code, "message": exc.message}, exc.headers)


async def _broker_busy(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BrokerBusy)
    return _respond(request, 503, {"error": "broker-busy", "message": str(exc)}, {"Retry-After": str(exc.seconds)})


async def _broker_conflict(request: Request, exc: Exception) -> Response:
    return _respond(request, 409, {"error": "session-phase", "message": str(exc)})


Handler = Callable[[Request, Exception], Awaitable[Response]]

#: Error class -> handler. Starlette picks the most specific class of an error's MRO.
HANDLERS: dict[type[Exception], Handler] = {
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


def register_handlers(app: FastAPI) -> None:
    """Install the handler table on an app."""
    for error, handler in HANDLERS.items():
        app.add_exception_handler(error, handler)
