"""An asyncio client used outside the event loop of its first call, on real etcd.

Each ``asyncio.run()`` closes its loop, and a grpc.aio channel belongs to the loop it was
opened in: every later call, stream or lease from another loop must raise the typed
``WrongEventLoopError`` (never asyncio's raw ``RuntimeError``), and nothing is sent.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine

import pytest

import etcd3
from etcd3.errors import ConnectionClosedError, WrongEventLoopError
from etcd3.testing import EtcdServer


async def _get(client: etcd3.AsyncEtcd3Client, key: bytes) -> object:
    return await client.get(key)


async def _put(client: etcd3.AsyncEtcd3Client, key: bytes) -> object:
    return await client.put(key, b"second loop")


async def _watch(client: etcd3.AsyncEtcd3Client, key: bytes) -> object:
    events, cancel = await client.watch(key)
    async for event in events:
        await cancel()
        return event
    return None


async def _lease(client: etcd3.AsyncEtcd3Client, key: bytes) -> object:
    return await client.lease(30)


def _run_in_another_thread(calls: list[Coroutine[object, object, object]]) -> list[BaseException]:
    """Run each of ``calls`` with ``asyncio.run`` in a thread of its own: what each raised."""
    errors: list[BaseException] = []

    def other_thread() -> None:
        for call in calls:
            try:
                asyncio.run(asyncio.wait_for(call, 10))
            except BaseException as exc:
                errors.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(30)
    return errors


CALLS: dict[str, Callable[[etcd3.AsyncEtcd3Client, bytes], Awaitable[object]]] = {
    "get": _get,
    "put": _put,
    "watch": _watch,
    "lease": _lease,
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_call_in_a_later_asyncio_run_raises_the_typed_error(
    etcd_server: EtcdServer, prefix: bytes, call: str
) -> None:
    client = etcd3.async_client(etcd_server.host, etcd_server.port, timeout=5)
    key = prefix + b"k"
    asyncio.run(client.put(key, b"first loop"))

    with pytest.raises(WrongEventLoopError) as caught:
        asyncio.run(asyncio.wait_for(CALLS[call](client, key), 10))

    error = caught.value
    assert isinstance(error, ConnectionClosedError)
    assert "event loop" in str(error)
    assert not error.outcome_unknown
    with etcd3.client(etcd_server.host, etcd_server.port, timeout=5) as check:
        assert check.get(key)[0] == b"first loop"  # the put of the second loop was not sent


def test_a_call_from_another_running_loop_raises_the_typed_error(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    loop = asyncio.new_event_loop()
    client = etcd3.async_client(etcd_server.host, etcd_server.port, timeout=5)
    key = prefix + b"k"
    try:
        loop.run_until_complete(client.put(key, b"v"))
        errors = _run_in_another_thread([client.get(key)])
        assert [type(e) for e in errors] == [WrongEventLoopError]
        # The client still works in its own loop.
        assert loop.run_until_complete(client.get(key))[0] == b"v"
    finally:
        loop.run_until_complete(client.close())
        loop.close()


def test_a_client_created_outside_any_loop_binds_to_its_first_call(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    client = etcd3.async_client(etcd_server.host, etcd_server.port, timeout=5)

    async def use_and_close() -> bytes | None:
        async with client:
            await client.put(prefix + b"k", b"v")
            return (await client.get(prefix + b"k"))[0]

    assert asyncio.run(use_and_close()) == b"v"


def test_a_watch_from_another_loop_than_the_first_watchs_raises_the_typed_error(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    loop = asyncio.new_event_loop()
    client = etcd3.async_client(etcd_server.host, etcd_server.port, timeout=5)
    key = prefix + b"k"
    try:
        events, cancel = loop.run_until_complete(client.watch(key))  # the watcher's loop
        errors = _run_in_another_thread([client.watch(key), client.watch_once(key, timeout=1)])
        assert [type(e) for e in errors] == [WrongEventLoopError] * 2
        # The first loop's watch goes on.
        revision = loop.run_until_complete(client.put(key, b"v")).header.revision
        event = loop.run_until_complete(asyncio.wait_for(anext(events), 10))
        assert (event.value, event.mod_revision) == (b"v", revision)
        loop.run_until_complete(cancel())
    finally:
        loop.run_until_complete(client.close())
        loop.close()
