"""Callbacks that are coroutine functions, on real etcd: the asyncio client awaits what they
return; the sync client has no event loop to run them in, so it refuses them at the call
site, before anything is sent, rather than dropping their coroutines unrun."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Coroutine

import pytest

import etcd3
from etcd3 import LeaseLostError, WatchResponse
from etcd3.errors import EtcdError

_REFUSED = r"is a coroutine function, which the sync client cannot run"


async def on_response(response: WatchResponse | EtcdError) -> None:
    del response


async def on_lost(error: LeaseLostError) -> None:
    del error


class OnResponse:
    async def __call__(self, response: WatchResponse | EtcdError) -> None:
        del response


def lease_ids(client: etcd3.Etcd3Client) -> set[int]:
    return {status.ID for status in client.leases().leases}


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
    with pytest.raises(TypeError, match="^callback " + _REFUSED):
        client.add_watch_callback(prefix, OnResponse())  # an async __call__
    before = lease_ids(client)
    with pytest.raises(TypeError, match="^on_lost " + _REFUSED):
        client.lease(5, keep_alive=True, on_lost=on_lost)
    assert lease_ids(client) <= before  # refused before the grant
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


def test_the_sync_client_closes_a_coroutine_a_plain_callback_returns(
    client: etcd3.Etcd3Client, prefix: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    # A plain function that returns a coroutine cannot be told apart when it is given: the
    # coroutine is closed when it comes back (Python then has no unawaited one to warn of)
    # and the callback is named in an error.
    returned: list[Coroutine[None, None, None]] = []

    def deliver(response: WatchResponse | EtcdError) -> Coroutine[None, None, None]:
        returned.append(on_response(response))
        return returned[-1]

    watch_id = client.add_watch_callback(prefix, deliver)
    client.put(prefix, b"v")
    until = time.monotonic() + 5
    while not any("returned a coroutine" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < until
        time.sleep(0.01)
    client.cancel_watch(watch_id)
    assert [inspect.getcoroutinestate(coro) for coro in returned] == [inspect.CORO_CLOSED]
    record = next(r for r in caplog.records if "returned a coroutine" in r.getMessage())
    assert record.levelname == "ERROR"
    assert record.getMessage().startswith(f"watch callback {deliver!r} returned a coroutine")


def test_the_sync_client_closes_a_coroutine_an_on_lost_callback_returns(
    client: etcd3.Etcd3Client, caplog: pytest.LogCaptureFixture
) -> None:
    returned: list[Coroutine[None, None, None]] = []

    def told(error: LeaseLostError) -> Coroutine[None, None, None]:
        returned.append(on_lost(error))
        return returned[-1]

    lease = client.lease(3, keep_alive=True, on_lost=told)
    client.revoke_lease(lease.id)  # behind the keep-alive's back: lost at the next renewal
    assert lease.wait_lost(timeout=5) is True
    until = time.monotonic() + 5
    while not any("returned a coroutine" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < until
        time.sleep(0.01)
    assert [inspect.getcoroutinestate(coro) for coro in returned] == [inspect.CORO_CLOSED]
    record = next(r for r in caplog.records if "returned a coroutine" in r.getMessage())
    assert record.levelname == "ERROR"
    assert record.getMessage().startswith(f"on_lost callback {told!r} returned a coroutine")


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
