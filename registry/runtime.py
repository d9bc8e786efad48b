"""Process-level tuning used around the registry's bulk work: the collector paused,
independent reads run at once."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

__all__ = ["READ_WORKERS", "collector_paused", "gather"]

#: How many reads :func:`gather` runs at once, for all the process's callers together.
READ_WORKERS = max(2, min(4, os.cpu_count() or 1))

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_busy = 0  # calls submitted to the pool that have not ended
_inside = threading.local()


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


def _reader() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(READ_WORKERS, thread_name_prefix="esap-read", initializer=_mark_reader)
        return _pool


def _mark_reader() -> None:
    _inside.reader = True


def _forget_pool() -> None:
    """In a forked child: the parent's pool threads are not there, so make a pool anew."""
    global _pool, _pool_lock, _busy
    _pool, _pool_lock, _busy = None, threading.Lock(), 0


os.register_at_fork(after_in_child=_forget_pool)


def gather(*calls: Callable[[], Any], at_once: bool) -> list[Any]:
    """The answers of independent reads, in the order given.

    With ``at_once`` (a store whose engine answers several queries at once and lets go
    of Python's lock meanwhile: :attr:`registry.store.Store.parallel_reads`), the calls
    run on a pool of :data:`READ_WORKERS` threads shared by the whole process, so a plan's
    queries use every core: its summary, matches and rejections are each a pass over
    the planning classes, and on two cores two run in the time of one. The first call
    runs here, and so does every call for which no pool thread is idle (one after
    another, after the first): when many callers gather at once (plans served to many
    users), their reads do not queue behind each other's, and the cores are busy anyway.
    Otherwise, or when called from one of those threads (no call waits for the pool it
    runs on), they run one after another here.

    Every call has ended when this returns or raises, so none outlives the store.

    :raises Exception: the first error of the calls, in the order given (the error a
        run one after another would have raised first, though the later calls ran too).
    """
    if not at_once or len(calls) < 2 or getattr(_inside, "reader", False):
        return [call() for call in calls]
    futures: list[Future[Any]] = []
    for call in calls[1:]:
        if not _claim_worker():
            break
        future = _reader().submit(call)
        future.add_done_callback(_release_worker)  # also when cancelled
        futures.append(future)
    rest = calls[1 + len(futures) :]  # no pool thread was idle for these: they run here, after the first
    try:
        first = calls[0]()
    except BaseException:
        for future in futures:  # the first call raised: those not started need not run
            future.cancel()
        wait(futures)  # none outlives this call
        raise
    try:
        after = [call() for call in rest]
    except BaseException:
        wait(futures)
        for future in futures:  # a call in the pool came before: its error comes first
            future.result()
        raise
    wait(futures)
    return [first, *(future.result() for future in futures), *after]


def _claim_worker() -> bool:
    """Whether a pool thread is idle, counting it busy from now on when it is."""
    global _busy
    with _pool_lock:
        if _busy >= READ_WORKERS:
            return False
        _busy += 1
        return True


def _release_worker(_: Future[Any]) -> None:
    global _busy
    with _pool_lock:
        _busy -= 1
