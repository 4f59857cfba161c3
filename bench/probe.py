"""What a benchmark reads about its own process: CPU, wall time, RSS, threads (stdlib only).

Client CPU is ``time.process_time()``: every thread of this process, grpc's C threads
included, and nothing of the etcd server or the writer process. Memory is RSS from
``/proc/self/status``: ``tracemalloc`` cannot see upb's arenas or grpc's C allocations.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_TASKS = Path("/proc/self/task")


def status_kib(name: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``, ...)."""
    for line in _STATUS.read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{name} is not in {_STATUS}")


def _trim_heap() -> None:
    """Give free heap memory back to the kernel (glibc), so RSS shows only live memory.

    Without it, memory that an earlier round freed stays resident and is reused: the next
    round's peak RSS would barely grow, whatever it allocates.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


def rss_kib() -> int:
    """Resident memory now, after a full garbage collection and a heap trim."""
    gc.collect()
    _trim_heap()
    return status_kib("VmRSS")


def reset_peak_rss() -> int:
    """Reset the kernel's peak-RSS mark (``VmHWM``) to the current RSS and return that RSS."""
    gc.collect()
    _trim_heap()
    Path("/proc/self/clear_refs").write_text("5")
    return status_kib("VmRSS")


def peak_rss_kib() -> int:
    """The highest RSS since the last ``reset_peak_rss``."""
    return status_kib("VmHWM")


def os_threads() -> int:
    """Threads of this process as the kernel counts them (grpc's C threads included)."""
    return len(os.listdir(_TASKS))


def python_threads() -> int:
    """Threads the ``threading`` module knows (the main thread included)."""
    return threading.active_count()


@dataclass
class Stopwatch:
    """Wall time and process CPU between ``start`` and ``stop``."""

    seconds: float = 0.0
    cpu: float = 0.0
    _t0: float = 0.0
    _c0: float = 0.0

    def start(self) -> None:
        self._t0, self._c0 = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.cpu = time.process_time() - self._c0
