"""Process-level tuning used around the registry's bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one bulk step (a plan, a batch of
    documents parsed, validated and stored).

    Such a step makes tens or hundreds of thousands of container objects that it keeps
    until it ends (rows, dicts, the graphs of a batch of documents), and the collector's
    full passes over them and over every long-lived object (the vocabulary, the shapes)
    cost a fifth to a third of the step while finding nothing to free. It is switched back
    on afterwards, unless it was off already; what the step leaves is collected then.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
