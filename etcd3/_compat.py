"""Concurrency helpers of the sync client: the thread-based twins of ``etcd3._acompat``."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Final, TypeAlias, TypeVar

__all__ = [
    "ASYNC",
    "CALLBACK_ERRORS",
    "Event",
    "Job",
    "Lock",
    "StateLock",
    "Worker",
    "acquire_within",
    "current_worker",
    "join_workers",
    "sleep",
    "spawn",
    "uninterrupted",
    "wait_event",
]

ASYNC: Final = False
CALLBACK_ERRORS: Final[tuple[type[BaseException], ...]] = (
    Exception,
    KeyboardInterrupt,
    SystemExit,
)
"""What an application callback (watch, ``on_lost``) may raise and have logged, the client
going on. A callback here runs on one of the client's worker threads, where
``KeyboardInterrupt`` or ``SystemExit`` cannot stop the program and would only end the worker
(and drop what it was delivering). Other exceptions outside ``Exception``, such as gevent's
``GreenletExit``, still end the worker, as they are meant to."""

T = TypeVar("T")

Event = threading.Event
Lock = threading.Lock
Worker = threading.Thread
StateLock = threading.Lock
Job: TypeAlias = threading.Thread
"""A started worker that returns nothing: a thread here, a task in the asyncio twin."""
sleep = time.sleep


def spawn(work: Callable[[], object], *, name: str) -> threading.Thread:
    """Run ``work`` in a started daemon thread."""
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    return thread


def acquire_within(lock: threading.Lock, timeout: float | None) -> bool:
    """Acquire ``lock``, waiting at most ``timeout`` seconds (``None``: no limit).

    Returns:
        Whether it is held now (the caller then releases it).
    """
    return lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout))


def wait_event(event: threading.Event, timeout: float | None) -> bool:
    """Wait until ``event`` is set or ``timeout`` seconds pass (``None``: no limit).

    Returns:
        Whether the event is set.
    """
    return event.wait(timeout)


def current_worker() -> threading.Thread | None:
    """The running thread (the running task in the asyncio twin)."""
    return threading.current_thread()


def join_workers(workers: Iterable[threading.Thread], timeout: float) -> None:
    """Wait up to ``timeout`` seconds in all for ``workers`` to end (never the current thread).

    Threads cannot be cancelled: one still running after ``timeout`` (a callback that never
    returns) is logged on the ``etcd3`` logger and left to finish on its own (it is a daemon).
    """
    me = threading.current_thread()
    deadline = time.monotonic() + timeout
    for thread in workers:
        if thread is me:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            logging.getLogger("etcd3").warning("thread %s did not stop in time", thread.name)


def uninterrupted(work: Callable[[], T]) -> T:
    """Call ``work`` (in the asyncio twin, a cancellation of the task waits for its end)."""
    return work()
