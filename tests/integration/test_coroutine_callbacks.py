"""Callbacks that are coroutine functions, on real etcd: the asyncio client awaits what they
return; the sync client has no event loop to run them in, so it refuses them at the call
site, before anything is sent, rather than dropping their coroutines unrun."""

from __future__ import annotations

import asyncio
import time

import pytest

import etcd3
from etcd3 import LeaseLostError, WatchResponse
from etcd3.errors import EtcdError

_REFUSED = r"is a coroutine function, which the sync client cannot run"


async def on_response(response: WatchResponse | EtcdError) -> None:
    del response


async def on_lost(error: LeaseLostError) -> None:
    del error


def lease_count(client: etcd3.Etcd3Client) -> int:
    return len(client.leases().leases)


def test_the_sync_client_refuses_coroutine_callbacks_before_sending_anything(
    client: etcd3.Etcd3Client, prefix: bytes
) -> None:
    with pytest.raises(TypeError, match="^callback " + _REFUSED):
        client.add_watch_callback(prefix, on_response)
    with pytest.raises(TypeError, match="^callback " + _REFUSED):
        client.add_watch_prefix_callback(prefix, on_response)
    with pytest.raises(TypeError, match="^callback " + _REFUSED):
        client.watcher(prefix, callback=on_response)
    with pytest.raises(TypeError, match="^callback " + _REFUSED):
        client.watchers([prefix], callback=on_response)
    leases = lease_count(client)
    with pytest.raises(TypeError, match="^on_lost " + _REFUSED):
        client.lease(5, keep_alive=True, on_lost=on_lost)
    assert lease_count(client) == leases  # refused before the grant
    with client.lease(5) as lease:
        with pytest.raises(TypeError, match="^on_lost " + _REFUSED):
            lease.start_keep_alive(on_lost=on_lost)
        with pytest.raises(ValueError, match="not kept alive"):
            lease.wait_lost(0)  # refused before keep-alive started
    with pytest.raises(TypeError, match="^on_lost " + _REFUSED):
        client.session(5, on_lost=on_lost)
    # A plain function is what the sync client calls.
    seen: list[WatchResponse | EtcdError] = []
    watch_id = client.add_watch_callback(prefix, seen.append)
    client.put(prefix, b"v")
    until = time.monotonic() + 5
    while not seen:
        assert time.monotonic() < until
        time.sleep(0.01)
    client.cancel_watch(watch_id)


async def test_the_asyncio_client_awaits_coroutine_callbacks(
    async_client: etcd3.AsyncEtcd3Client, prefix: bytes
) -> None:
    seen: list[bytes] = []
    finished: list[bytes] = []

    async def deliver(response: WatchResponse | EtcdError) -> None:
        assert isinstance(response, WatchResponse)
        values = [event.value for event in response.events]
        seen.extend(values)
        await asyncio.sleep(0.01)  # suspends: only an awaited coroutine gets past this
        finished.extend(values)

    watch_id = await async_client.add_watch_callback(prefix, deliver)
    for i in range(3):
        await async_client.put(prefix, b"%d" % i)
    until = time.monotonic() + 5
    while len(finished) < 3:
        assert time.monotonic() < until
        await asyncio.sleep(0.01)
    assert finished == seen == [b"0", b"1", b"2"]
    await async_client.cancel_watch(watch_id)
