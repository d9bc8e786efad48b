"""Plain-text tables for the command line: left-aligned columns under a header and a rule."""

from __future__ import annotations

__all__ = ["table"]


def table(header: list[str], rows: list[tuple[str, ...]]) -> str:
    """``rows`` under ``header``, each column as wide as its widest cell."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([line.rstrip(), rule, *body])
