"""grpc.aio's poller thread, held for the asyncio tests that compare threads around close().

grpc.aio serves every channel of the process from one poller thread of its own: started with
the first channel, ended when no grpc.aio object is referenced any more. A closed asyncio
client keeps its closed channels until it is dropped, so while a test holds the client the
thread outlives ``close()``; and whether it already ran when the test began depends on the
tests before it (and on when the garbage collector freed their clients). An unused channel
opened before the test's thread baseline and closed at its end makes the thread part of the
baseline either way. The thread is grpc's, not the client's.
"""

from __future__ import annotations

import grpc.aio


def hold_grpc_aio_poller() -> grpc.aio.Channel:
    """An unused grpc.aio channel (it never connects); close it at the end of the test."""
    return grpc.aio.insecure_channel("127.0.0.1:1")
