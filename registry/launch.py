"""Launch URLs: a platform's launch template (``{url}v2/git/{repository}/{ref}...``)
filled from its URL and an executable's location, plain names only."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from string import Formatter
from urllib.parse import quote

__all__ = ["fill_template", "launch_url", "launch_values"]


def launch_values(location: Mapping[str, str]) -> dict[str, str] | None:
    """The executable's location as launch template values (URL-quoted), worked out once
    per plan; None when it gives no location."""
    if not location:
        return None
    return {
        "repository": quote(location.get("repository", ""), safe=""),
        "ref": quote(location.get("ref", "HEAD"), safe=""),
        "path": quote(location.get("path", ""), safe="/"),
    }


def launch_url(template: str | None, url: str | None, location: Mapping[str, str] | None) -> str | None:
    """A platform's launch template filled from its URL and the executable's location (as
    :func:`launch_values` gives it), or None when either is missing or the template names
    a field the location does not give."""
    if not template or not location:
        return None
    if "{repository}" in template and not location["repository"]:
        return None
    return fill_template(template, {"url": url or "", **location})


def fill_template(template: str, values: Mapping[str, str]) -> str | None:
    """``template`` with each ``{name}`` replaced by its value (``{{`` and ``}}`` are braces).

    Only plain names are filled: a template written by a platform's author is never a
    Python format string, so no ``{url.attribute}``, ``{url[0]}``, ``{url!r}`` nor
    ``{url:>999999999}``. None when it names anything else or is malformed.
    """
    pieces = _template_pieces(template)
    if pieces is None:
        return None
    out: list[str] = []
    for literal, name in pieces:
        out.append(literal)
        if name is None:
            continue
        if name not in values:
            return None
        out.append(values[name])
    return "".join(out)


@lru_cache(maxsize=4096)
def _template_pieces(template: str) -> tuple[tuple[str, str | None], ...] | None:
    """A launch template as (text, field name or None) pairs, read once per template;
    None when it is malformed or uses a format spec or conversion."""
    pieces: list[tuple[str, str | None]] = []
    try:
        for literal, name, spec, conversion in Formatter().parse(template):
            if name is not None and (spec or conversion):
                return None
            pieces.append((literal, name))
    except ValueError:
        return None
    return tuple(pieces)
