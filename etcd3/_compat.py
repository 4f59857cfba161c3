"""Concurrency helpers of the sync client: the thread-based twins of ``etcd3._acompat``."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Final

__all__ = ["ASYNC", "Event", "Lock", "Queue", "Worker", "sleep", "spawn"]

ASYNC: Final = False

Event = threading.Event
Lock = threading.Lock
Queue = queue.Queue
Worker = threading.Thread
sleep = time.sleep


def spawn(work: Callable[[], object], *, name: str) -> threading.Thread:
    """Run ``work`` in a started daemon thread."""
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    return thread
