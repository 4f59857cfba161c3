# async-to-sync: source
"""A watch on one member catches up after a restart whose first connection is never answered.

A member that accepts a TCP connection (the kernel does) and never answers its HTTP/2 handshake
(frozen, overloaded, or a connection lost on the way) holds grpc's connection attempt for the
whole connect timeout, ``grpc.min_reconnect_backoff_ms``: a watch with no other endpoint can be
re-opened only after that attempt has timed out and the next one connected. The member's fault
proxy refuses connections while the member is down, swallows the first connection made once it
is back, and forwards the later ones; writes land while the watch is down and while it
reconnects. The watch must then deliver every one of them, once and in order, within the connect
timeout and the reconnection backoffs.
"""

from __future__ import annotations

import time

import pytest
from faults.fault_support import Change, Collector

import etcd3
from etcd3._acompat import sleep
from etcd3._backoff import Backoff
from etcd3._connection_settings import CONNECT_TIMEOUT_MS, MAX_RECONNECT_BACKOFF_MS
from etcd3.testing import EtcdFactory, EtcdServer

pytestmark = pytest.mark.slow

CONNECT_TIMEOUT_S = CONNECT_TIMEOUT_MS / 1000
SLACK_S = 2.0
"""Room for a loaded test host (several suites share its cores)."""
CATCH_UP_BOUND_S = CONNECT_TIMEOUT_S + MAX_RECONNECT_BACKOFF_MS / 1000 + Backoff().cap + SLACK_S
"""The swallowed attempt's connect timeout, grpc's wait before its next attempt and the watch's
wait before its next re-open (each at most its backoff cap), and the slack."""
DOWN_S = 1.0
"""Seconds the member stays down: the watch's re-opens are refused, its backoff grows."""
WRITES = 3
"""Writes per phase: before the restart, while the watch is down, while it reconnects."""
PREFIX = b"/swallowed-reconnect/"


@pytest.fixture
def server(etcd_factory: EtcdFactory) -> EtcdServer:
    return etcd_factory(fault_proxy=True)


async def write(server: EtcdServer, phase: bytes) -> list[Change]:
    """Put WRITES keys of ``phase`` straight to the member (not through its proxy)."""
    target = server.network.client_proxy(server.name).target_port
    written: list[Change] = []
    async with etcd3.async_client(server.host, target, timeout=5) as writer:
        for index in range(WRITES):
            key, value = PREFIX + phase + b"/%d" % index, phase + b"-%d" % index
            response = await writer.put(key, value)
            written.append(Change(response.header.revision, key, value))
    return written


async def wait_for_changes(live: Collector, count: int, bound: float, what: str) -> float:
    """Seconds until ``live`` holds ``count`` changes (or an error); fails after ``bound``."""
    start = time.monotonic()
    while True:
        changes, errors = live.snapshot()
        if len(changes) >= count or errors:
            return time.monotonic() - start
        if time.monotonic() - start > bound:
            raise AssertionError(f"{what}: {len(changes)} of {count} changes after {bound} s")
        await sleep(0.01)


async def test_a_watch_catches_up_within_the_connect_timeout_after_a_swallowed_connection(
    server: EtcdServer,
) -> None:
    proxy = server.network.client_proxy(server.name)
    live = Collector()
    async with etcd3.async_client(server.host, server.port, timeout=5) as client:
        await client.add_watch_prefix_callback(PREFIX, live)
        expected = await write(server, b"before")
        await wait_for_changes(live, len(expected), 5, "the watch before the restart")

        proxy.refuse()
        server.kill()
        await sleep(DOWN_S)
        server.restart()
        expected += await write(server, b"down")
        back = time.monotonic()
        proxy.swallow(1)
        expected += await write(server, b"back")
        await wait_for_changes(live, len(expected), CATCH_UP_BOUND_S, "the watch's catch-up")
        catch_up = time.monotonic() - back

        await sleep(0.2)  # a duplicate would arrive right behind the last change
        delivered, errors = live.snapshot()
    assert errors == []
    assert delivered == expected
    assert proxy.stats().swallowed == 1
    # The watch could resume only on a connection made after the swallowed attempt gave up:
    # the catch-up is the connect timeout's doing, not the restart's.
    assert CONNECT_TIMEOUT_S <= catch_up <= CATCH_UP_BOUND_S
