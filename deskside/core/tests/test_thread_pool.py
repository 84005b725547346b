"""core/asgi_wsgi.ThreadPool: calls run on its threads, never more than ``workers`` at once, and
each outcome reaches the coroutine that awaits it, or nobody when that coroutine is gone."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from deskside.core.asgi_wsgi import ThreadPool

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own: a browser test's loop may be running on this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture
def pool():  # type: ignore[no-untyped-def]
    made = ThreadPool(3, "test-pool")
    yield made
    made.shutdown()


def test_a_result_and_an_exception_reach_the_awaiting_coroutine(pool: ThreadPool) -> None:
    def fail() -> None:
        raise LookupError("no such row")

    async def main() -> tuple[str, str]:
        name = await pool.run(lambda: threading.current_thread().name)
        with pytest.raises(LookupError, match="no such row"):
            await pool.run(fail)
        return name, threading.current_thread().name

    worker, loop_thread = run(main())
    assert worker.startswith("test-pool_")
    assert worker != loop_thread


def test_calls_one_after_another_reuse_one_thread(pool: ThreadPool) -> None:
    async def main() -> set[str]:
        return {await pool.run(lambda: threading.current_thread().name) for _ in range(20)}

    assert len(run(main())) == 1
    assert pool.threads == 1


def test_never_more_than_workers_calls_run_at_once_and_the_rest_wait(pool: ThreadPool) -> None:
    running, most, lock = 0, 0, threading.Lock()

    def work(index: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return index

    async def main() -> list[int]:
        return list(await asyncio.gather(*(pool.run(lambda n=n: work(n)) for n in range(12))))

    assert run(main()) == list(range(12))
    assert most == 3
    assert pool.threads == 3


def test_a_call_whose_coroutine_was_cancelled_settles_nothing(pool: ThreadPool) -> None:
    release = threading.Event()
    errors: list[dict[str, Any]] = []

    async def main() -> int:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: errors.append(ctx))
        waiting = asyncio.ensure_future(pool.run(lambda: release.wait(5)))
        await asyncio.sleep(0.01)
        waiting.cancel()
        release.set()
        # The pool's thread is free again and the loop met no error settling the cancelled call.
        return await pool.run(lambda: 7)

    assert run(main()) == 7
    assert errors == []


def test_a_call_that_outlives_its_loop_does_not_stop_the_thread(pool: ThreadPool) -> None:
    release = threading.Event()
    finished = threading.Event()

    def slow() -> None:
        release.wait(5)
        finished.set()

    async def start_and_leave() -> None:
        pool.run(slow)

    run(start_and_leave())  # the loop closes with the call still running
    release.set()
    assert finished.wait(5)

    async def again() -> str:
        return await pool.run(lambda: "still serving")

    assert run(again()) == "still serving"
    assert pool.threads == 1


def test_shutdown_finishes_queued_calls_and_joins_the_threads() -> None:
    pool = ThreadPool(2, "test-pool")
    done: list[int] = []

    async def main() -> None:
        for n in range(6):
            pool.run(lambda n=n: (time.sleep(0.01), done.append(n)))
        await asyncio.sleep(0)

    run(main())
    pool.shutdown()
    assert sorted(done) == list(range(6))
    assert pool.threads == 0


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        ThreadPool(0, "none")
