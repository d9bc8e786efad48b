"""The IVOA ExecutionBroker operations (Calycopis-openapi v1.0): ``POST /requests``,
``GET /offersets/{uuid}``, ``GET`` and ``POST /sessions/{uuid}``, ``POST /direct``.

Requests are JSON or YAML by ``Content-Type`` (XML is 415); answers are JSON, YAML or
an HTML page by ``Accept``. A request needs no token: a read-only service still
answers, writing only offer state (with a cap on open offer sets); a session update
needs the write token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from registry.broker import Broker, parse_body
from registry.web.dependencies import get_broker, get_pages, get_settings, require_token
from registry.web.errors import UnsupportedMediaType
from registry.web.http import WRITE_SECURITY, media_type, negotiate, read_body
from registry.web.pages import Pages
from registry.web.settings import Settings

__all__ = ["router"]

router = APIRouter(tags=["broker"])

#: What the broker answers with, in its order of preference.
_ANSWER_TYPES = ["application/json", "application/yaml", "text/html"]
_YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
_JSON_TYPES = {"application/json", "text/json"}
_BODY = {"requestBody": {"required": True, "content": {t: {"schema": {"type": "object"}} for t in ("application/json", "application/yaml")}}}
_BROKER = Depends(get_broker)
_PAGES = Depends(get_pages)
_SETTINGS = Depends(get_settings)
_TOKEN = [Depends(require_token)]


def _format(request: Request) -> str | None:
    """``json`` or ``yaml`` by the request's content type (``None``: guess).

    :raises UnsupportedMediaType: for XML or any other type.
    """
    kind = media_type(request)
    if kind in _JSON_TYPES or kind.endswith("+json"):
        return "json"
    if kind in _YAML_TYPES or kind.endswith("+yaml"):
        return "yaml"
    if not kind or kind in ("text/plain", "application/octet-stream"):
        return None
    if kind in ("application/xml", "text/xml"):
        raise UnsupportedMediaType("this broker reads ExecutionRequests as JSON (application/json) or YAML (application/yaml), not XML")
    raise UnsupportedMediaType(f"cannot read a body of type {kind}: send JSON (application/json) or YAML (application/yaml)")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _answer(
    request: Request,
    pages: Pages,
    body: dict[str, Any],
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    where: Callable[[], dict[str, str]] | None = None,
    **context: Any,
) -> Response:
    """The body as JSON, YAML or an HTML page by Accept; ``where`` gives more of the page's
    context (read only for a page)."""
    chosen = negotiate(request, _ANSWER_TYPES)
    headers = {"Vary": "Accept", **(headers or {})}
    if chosen == "text/html":
        page = pages.render(template, request, **context, **(where() if where else {}))
        return HTMLResponse(page, status_code=status, headers=headers)
    if chosen == "application/yaml":
        text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
        return Response(text.encode("utf-8"), status_code=status, media_type="application/yaml", headers=headers)
    return Response(json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8"), status_code=status, media_type="application/json", headers=headers)


@router.post(
    "/requests",
    summary="ExecutionBroker: ask for offers to run an executable (303 to the offer set)",
    status_code=303,
    openapi_extra=_BODY,
    responses={303: {"description": "See Other: the offer set at Location (its JSON in the body too)"}, 415: {"description": "not JSON or YAML"}},
)
async def execution_request(
    request: Request, broker: Broker = _BROKER, pages: Pages = _PAGES, settings: Settings = _SETTINGS
) -> Response:
    """An ExecutionRequest (JSON or YAML) answered with an offer set of the best platforms
    of the registry (YES), or the planner's reasons (NO); no token needed. 400 for a
    malformed request (with its JSON path); 503 when the cap of open offer sets is reached."""
    fmt = _format(request)
    body = await read_body(request, settings.max_body_bytes)
    base = _base(request)

    def work() -> dict[str, Any]:
        return broker.request(parse_body(body, fmt), base)

    offerset = await run_in_threadpool(work)
    location = offerset["meta"]["url"]
    return _answer(request, pages, offerset, "offerset.html", status=303, headers={"Location": location}, offerset=offerset)


@router.post(
    "/direct",
    summary="ExecutionBroker: the best offer, already accepted (303 to the session)",
    status_code=303,
    openapi_extra={**_BODY, "security": WRITE_SECURITY},
    responses={303: {"description": "See Other: the accepted session"}, 400: {"description": "no platform can run it: a FAILED session with the reasons"}},
    dependencies=_TOKEN,
)
async def direct_execution(
    request: Request, broker: Broker = _BROKER, pages: Pages = _PAGES, settings: Settings = _SETTINGS
) -> Response:
    """Accepts the best offer at once, so it needs the write token."""
    fmt = _format(request)
    body = await read_body(request, settings.max_body_bytes)
    base = _base(request)

    def work() -> tuple[bool, dict[str, Any]]:
        return broker.direct(parse_body(body, fmt), base)

    ok, session = await run_in_threadpool(work)
    if not ok:
        return _answer(request, pages, session, "session.html", status=400, session=session, platform="", offerset="")
    return _answer(
        request, pages, session, "session.html", status=303, headers={"Location": session["meta"]["url"]}, session=session,
        where=lambda: broker.context_of(session["meta"]["uuid"]),
    )


@router.get("/offersets/{uuid}", summary="ExecutionBroker: an offer set (JSON, YAML or HTML)")
def offerset(request: Request, uuid: str, broker: Broker = _BROKER, pages: Pages = _PAGES) -> Response:
    """Offers past their expiry read EXPIRED. 404 when there is none (or it was purged)."""
    body = broker.offerset(uuid)
    return _answer(request, pages, body, "offerset.html", offerset=body)


@router.get("/sessions/{uuid}", summary="ExecutionBroker: an execution session (JSON, YAML or HTML)")
def session(request: Request, uuid: str, broker: Broker = _BROKER, pages: Pages = _PAGES) -> Response:
    """One offer, with its phase; an accepted one has a connector (the platform's launch URL)."""
    body = broker.session(uuid)
    return _answer(request, pages, body, "session.html", session=body, where=lambda: broker.context_of(uuid))


@router.post(
    "/sessions/{uuid}",
    summary="ExecutionBroker: accept, reject or cancel an offer (needs the token)",
    openapi_extra={**_BODY, "security": WRITE_SECURITY},
    dependencies=_TOKEN,
)
async def session_update(
    request: Request, uuid: str, broker: Broker = _BROKER, pages: Pages = _PAGES, settings: Settings = _SETTINGS
) -> Response:
    """``{"kind": "uri:enum-value-update", "path": "/phase", "value": "ACCEPTED"}``
    (or REJECTED, CANCELLED). Accepting one offer rejects its siblings. 409 when the
    phase does not allow it (an expired offer)."""
    fmt = _format(request)
    body = await read_body(request, settings.max_body_bytes)

    def work() -> dict[str, Any]:
        return broker.update(uuid, parse_body(body, fmt))

    updated = await run_in_threadpool(work)
    return _answer(request, pages, updated, "session.html", session=updated, where=lambda: broker.context_of(uuid))
