"""The asyncio ``Event`` of ``etcd3._acompat``, ``wait_event``, ``acquire_within`` and
``uninterrupted``: waits with a deadline, and cleanups a cancellation does not cut short."""

from __future__ import annotations

import asyncio
import time

import pytest

from etcd3._acompat import Event, acquire_within, uninterrupted, wait_event


async def test_a_set_event_returns_at_once() -> None:
    event = Event()
    event.set()
    assert event.is_set()
    assert await event.wait(0.001)
    assert await wait_event(event, 0)


async def test_a_wait_with_a_timeout_returns_false_when_it_passes() -> None:
    event = Event()
    start = time.monotonic()
    assert not await event.wait(0.05)
    assert time.monotonic() - start >= 0.04
    assert not await wait_event(event, 0.01)
    assert not await wait_event(event, 0)  # already expired: no wait at all
    assert event._waiters == []  # every expired wait left


async def test_set_wakes_every_waiter_and_clear_rearms() -> None:
    event = Event()
    waiters = [asyncio.ensure_future(wait_event(event, timeout)) for timeout in (None, 5.0, 5.0)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    event.set()
    assert await asyncio.gather(*waiters) == [True, True, True]
    assert event._waiters == []
    event.clear()
    assert not event.is_set()
    assert not await event.wait(0.01)


async def test_a_cancelled_wait_leaves_no_waiter_and_stays_cancelled() -> None:
    event = Event()
    task = asyncio.ensure_future(event.wait(5.0))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert event._waiters == []
    event.set()  # nothing left to wake: no error
    assert event.is_set()


async def test_set_during_a_timed_wait_wins_over_the_timer() -> None:
    event = Event()
    loop = asyncio.get_running_loop()
    loop.call_later(0.01, event.set)
    start = time.monotonic()
    assert await event.wait(5.0)
    assert time.monotonic() - start < 4.0


async def test_a_free_lock_is_acquired_at_once_whatever_the_timeout() -> None:
    lock = asyncio.Lock()
    for timeout in (None, 0.0, 1.0):
        assert await acquire_within(lock, timeout)
        assert lock.locked()
        lock.release()


async def test_a_held_lock_is_acquired_when_released_within_the_timeout() -> None:
    lock = asyncio.Lock()
    await lock.acquire()
    asyncio.get_running_loop().call_later(0.02, lock.release)
    assert await acquire_within(lock, 5.0)
    assert lock.locked()


async def test_a_lock_held_past_the_timeout_is_given_up_and_left_to_its_holder() -> None:
    lock = asyncio.Lock()
    await lock.acquire()
    start = time.monotonic()
    assert not await acquire_within(lock, 0.05)
    assert time.monotonic() - start >= 0.04
    assert not await acquire_within(lock, 0)  # no wait at all
    lock.release()
    await asyncio.sleep(0.01)  # the given-up acquisition ran its course: nobody holds the lock
    assert not lock.locked()
    assert await acquire_within(lock, 0)


@pytest.mark.parametrize("steps", range(6))
async def test_a_waiter_cancelled_as_the_lock_is_granted_leaves_it_free(steps: int) -> None:
    # Cancelled at each step of the hand-over: whether the acquisition had completed or not,
    # the lock ends up free.
    lock = asyncio.Lock()
    await lock.acquire()
    waiter = asyncio.ensure_future(acquire_within(lock, 5.0))
    await asyncio.sleep(0.01)
    lock.release()
    for _ in range(steps):
        await asyncio.sleep(0)
    waiter.cancel()
    try:
        if await waiter:
            lock.release()
    except asyncio.CancelledError:
        pass
    await asyncio.sleep(0.01)
    assert not lock.locked()


async def test_a_cancelled_acquisition_leaves_the_lock_free() -> None:
    lock = asyncio.Lock()
    await lock.acquire()
    waiter = asyncio.ensure_future(acquire_within(lock, 5.0))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    lock.release()
    await asyncio.sleep(0.01)
    assert not lock.locked()


async def test_uninterrupted_work_runs_to_its_end_before_the_cancellation() -> None:
    ended: list[str] = []

    async def cleanup() -> None:
        await asyncio.sleep(0.05)
        ended.append("cleanup")

    async def cancelled_during_cleanup() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            await uninterrupted(cleanup)

    task = asyncio.create_task(cancelled_during_cleanup())
    await asyncio.sleep(0)
    for _ in range(3):  # the first cancellation starts the cleanup, the others hit it
        task.cancel()
        await asyncio.sleep(0.01)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ended == ["cleanup"]


async def test_uninterrupted_work_returns_or_raises_as_it_would() -> None:
    async def answer() -> int:
        return 42

    async def fail() -> None:
        raise ValueError("cleanup failed")

    assert await uninterrupted(answer) == 42
    with pytest.raises(ValueError, match="cleanup failed"):
        await uninterrupted(fail)
