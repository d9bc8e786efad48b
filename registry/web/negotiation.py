"""Content negotiation by the ``Accept`` header (RFC 9110), q-values honoured."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MediaRange", "choose", "parse_accept"]


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header: ``type/subtype;q=0.8``."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 3 exact (with parameters),
        2 exact, 1 ``type/*``, 0 ``*/*``, -1 no match."""
        kind, _, rest = media_type.partition("/")
        subtype = rest.split(";", 1)[0].strip()
        if self.type == "*":
            return 0
        if self.type != kind.lower():
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != subtype.lower():
            return -1
        return 3 if self.params else 2


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped."""
    ranges: list[MediaRange] = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        kind, slash, subtype = pieces[0].partition("/")
        if not slash or not kind or not subtype:
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            name = name.strip().lower()
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif name:
                params.append((name, value.strip().strip('"')))
        ranges.append(MediaRange(kind.strip().lower(), subtype.strip().lower(), q, tuple(params)))
    return ranges


def choose(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or ``None`` when it accepts none.

    Each offered type takes the q-value of the most specific range matching it; the
    highest q wins and ties go to the order of ``offered`` (the server's preference).
    Without an ``Accept`` header the first offered type is chosen.
    """
    if not offered:
        return None
    ranges = parse_accept(header)
    if not header or not header.strip() or not ranges:
        return offered[0]
    best: str | None = None
    best_q = 0.0
    for media_type in offered:
        specificity, q = -1, 0.0
        for media_range in ranges:
            score = media_range.matches(media_type)
            if score > specificity:
                specificity, q = score, media_range.q
        if specificity >= 0 and q > best_q:
            best, best_q = media_type, q
    return best
