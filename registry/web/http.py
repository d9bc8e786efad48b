"""Small HTTP helpers shared by the routes: the write token, bounded request bodies,
the body's format and content negotiation. Each takes what it checks against; the
services themselves reach the routes through :mod:`registry.web.dependencies`."""

from __future__ import annotations

import hmac

from fastapi import Request

from registry.web.errors import Forbidden, NotAcceptable, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from registry.web.negotiation import choose

__all__ = [
    "BEARER_SCHEME",
    "OPTIONAL_WRITE_SECURITY",
    "WRITE_SECURITY",
    "body_format",
    "check_token",
    "media_type",
    "negotiate",
    "read_body",
]

#: Request content types read as documents -> the format name of :func:`registry.readers.load_document`.
DOCUMENT_TYPES = {
    "application/json": "json",
    "application/ld+json": "json",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


#: The OpenAPI security scheme of writes (added to the description by the app factory).
BEARER_SCHEME = {
    "bearerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The write token the operator configured (serve --token-file, or $ESAP_REGISTRY_TOKEN).",
    }
}
#: The OpenAPI security requirement of an operation that writes.
WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearerToken": []}]
#: ... of one that writes only sometimes (``POST /sparql``: updates need the token, queries do not).
OPTIONAL_WRITE_SECURITY: list[dict[str, list[str]]] = [{}, {"bearerToken": []}]


def check_token(request: Request, expected: str | None) -> None:
    """Allow a write only with the bearer token expected, compared in constant time.

    :param expected: the configured token; ``None``: none is, and the service is read-only.
    :raises Forbidden: when no token is configured (the service is read-only).
    :raises Unauthorized: when the request carries no token or another one.
    """
    if expected is None:
        raise Forbidden("this registry is read-only: its operator has configured no write token")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized(
            "writing needs a bearer token (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": 'Bearer realm="esap-registry"'},
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8")):
        raise Unauthorized(
            "the bearer token is not valid",
            headers={"WWW-Authenticate": 'Bearer realm="esap-registry", error="invalid_token"'},
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read no further than the limit.

    :param limit: the largest body read, in bytes (the operator's ``Settings.max_body_bytes``).
    :raises PayloadTooLarge: when the body (as announced or as sent) is larger than the limit.
    """
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > limit:
        raise PayloadTooLarge(f"the body of {announced} bytes is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request) -> str:
    """The request's content type, without parameters, in lower case ('' when absent)."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def body_format(request: Request) -> str | None:
    """The document format named by the request's content type (``None``: guess from the body).

    :raises UnsupportedMediaType: for a content type that is no document format.
    """
    kind = media_type(request)
    if not kind or kind in ("text/plain", "application/octet-stream"):
        return None
    if kind not in DOCUMENT_TYPES:
        raise UnsupportedMediaType(
            f"cannot read a body of type {kind}: send JSON (application/json), JSON-LD (application/ld+json) "
            "or Turtle (text/turtle)"
        )
    return DOCUMENT_TYPES[kind]


def negotiate(request: Request, offered: list[str]) -> str:
    """The offered media type the client accepts best.

    :raises NotAcceptable: when it accepts none of them.
    """
    chosen = choose(request.headers.get("accept"), offered)
    if chosen is None:
        raise NotAcceptable(f"none of the formats given here is acceptable: {', '.join(offered)}")
    return chosen
