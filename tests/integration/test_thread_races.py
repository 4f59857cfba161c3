"""Threads racing on one sync client: the first watches started at once, then ``close()``."""

from __future__ import annotations

import threading
import time

import etcd3
from etcd3._watch import WatchHandle
from etcd3.testing import EtcdServer

THREADS = 6


def _etcd3_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("etcd3")}


def _drain(events: WatchHandle, outcomes: list[str]) -> None:
    try:
        for _ in events:
            pass
        outcomes.append("ended")
    except Exception as exc:
        outcomes.append(type(exc).__name__)


def _first_watches_at_once(client: etcd3.Etcd3Client, prefix: str) -> list[WatchHandle]:
    barrier = threading.Barrier(THREADS)
    handles: list[WatchHandle] = []

    def first_watch(index: int) -> None:
        barrier.wait()
        events, _cancel = client.watch(f"{prefix}{index}")
        handles.append(events)

    starters = [threading.Thread(target=first_watch, args=(i,)) for i in range(THREADS)]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join(10)
    return handles


def test_first_watches_from_many_threads_share_the_client_and_end_with_it(
    etcd_server: EtcdServer,
) -> None:
    before = _etcd3_threads()
    for round_ in range(5):
        client = etcd3.client(**etcd_server.client_options(), timeout=10)
        client.get("/race/warm")  # connected, no watch yet
        handles = _first_watches_at_once(client, f"/race/{round_}/")
        assert len(handles) == THREADS
        client.close()
        # close() ends every watch of the client, whichever thread started it.
        outcomes: list[str] = []
        drains = [threading.Thread(target=_drain, args=(h, outcomes), daemon=True) for h in handles]
        for thread in drains:
            thread.start()
        for thread in drains:
            thread.join(5)
        assert outcomes == ["ended"] * THREADS, f"round {round_}"
    until = time.monotonic() + 5
    while _etcd3_threads() - before and time.monotonic() < until:
        time.sleep(0.05)
    assert _etcd3_threads() - before == set()
