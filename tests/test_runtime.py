"""registry.runtime.gather: independent reads run at once where the store gains by it,
answers in the order asked, the first error in that order, and no call outliving it."""

from __future__ import annotations

import os
import select
import signal
import threading
import time

import pytest

from registry.runtime import READ_WORKERS, gather


def test_answers_come_in_the_order_asked_whether_at_once_or_not() -> None:
    calls = [lambda i=i: (time.sleep(0.02 * (3 - i)), i)[1] for i in range(4)]
    assert gather(*calls, at_once=True) == [0, 1, 2, 3]
    assert gather(*calls, at_once=False) == [0, 1, 2, 3]
    assert gather(at_once=True) == []


def test_at_once_the_calls_run_side_by_side() -> None:
    """Two calls that each wait for the other finish only when they run at the same time."""
    assert READ_WORKERS >= 2
    meeting = threading.Barrier(2, timeout=5)
    assert gather(meeting.wait, meeting.wait, at_once=True) is not None
    alone = threading.Barrier(2, timeout=0.2)
    with pytest.raises(threading.BrokenBarrierError):
        gather(alone.wait, alone.wait, at_once=False)


def test_the_first_error_in_the_order_asked_is_raised_after_every_call_ended() -> None:
    ended: list[str] = []

    def slow() -> None:
        time.sleep(0.2)
        ended.append("slow")

    def late_error() -> None:
        raise KeyError("second")

    def first_error() -> None:
        time.sleep(0.05)
        raise LookupError("first")

    with pytest.raises(LookupError, match="first"):
        gather(first_error, late_error, slow, at_once=True)
    assert ended == ["slow"]  # the slow call had ended when the error came back
    with pytest.raises(KeyError):
        gather(lambda: 1, late_error, slow, at_once=True)
    assert ended == ["slow", "slow"]


def test_a_call_gathering_reads_of_its_own_runs_them_in_its_thread() -> None:
    """A gather inside the pool's threads runs one call after another there: with every
    worker busy, waiting for the pool would never end."""
    inner_threads: list[set[str]] = []

    def inner() -> int:
        names = gather(*(lambda: threading.current_thread().name for _ in range(3)), at_once=True)
        inner_threads.append({threading.current_thread().name, *names})
        return len(names)

    answers: list[list[int]] = []
    outer = threading.Thread(
        target=lambda: answers.append(gather(*(inner for _ in range(READ_WORKERS + 2)), at_once=True)), daemon=True
    )
    outer.start()
    outer.join(timeout=20)
    assert not outer.is_alive(), "the reads waited for a pool whose every worker waited for them"
    assert answers == [[3] * (READ_WORKERS + 2)]
    # the calls the pool ran (one a worker, the pool idle when asked) ran their reads in their own thread
    in_pool = [names for names in inner_threads if any(name.startswith("esap-read") for name in names)]
    assert len(in_pool) >= READ_WORKERS and all(len(names) == 1 for names in in_pool)


def test_a_call_for_which_no_pool_thread_is_idle_runs_in_the_callers_thread() -> None:
    """Many callers gathering at once (plans served to many users) do not queue their
    reads behind each other's: with every pool thread busy, the calls run here."""
    release = threading.Event()
    busy = threading.Thread(
        target=lambda: gather(
            lambda: release.wait(10), *(lambda: release.wait(10) for _ in range(READ_WORKERS)), at_once=True
        ),
        daemon=True,
    )
    busy.start()
    try:
        deadline = time.monotonic() + 5
        names: list[str] = []
        while time.monotonic() < deadline:  # until the busy gather holds every pool thread
            names = gather(
                lambda: threading.current_thread().name, lambda: threading.current_thread().name, at_once=True
            )
            if names[1] == threading.current_thread().name:
                break
            time.sleep(0.01)
        assert names == [threading.current_thread().name] * 2
        assert not release.is_set()  # answered while the pool was still busy
    finally:
        release.set()
        busy.join(timeout=10)
    assert gather(lambda: 1, lambda: threading.current_thread().name, at_once=True)[1].startswith("esap-read")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_reads_at_once_on_a_pool_of_its_own() -> None:
    """A child forked after the pool was made (a server's worker, say) has none of its
    threads: it makes its own instead of waiting for threads that are not there."""
    assert gather(lambda: 1, lambda: 2, at_once=True) == [1, 2]  # the parent's pool exists
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            answer = gather(lambda: 1, lambda: threading.current_thread().name, at_once=True)
            os.write(writer, repr(answer).encode())
        finally:
            os._exit(0)
    os.close(writer)
    done = select.select([reader], [], [], 20)[0]
    if not done:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    assert done, "the child waited for the parent's pool threads"
    answer = os.read(reader, 1000).decode()
    os.close(reader)
    assert answer.startswith("[1, 'esap-read")
