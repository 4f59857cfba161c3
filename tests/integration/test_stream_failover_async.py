"""An asyncio stream whose endpoint is declared failed while a write to it is in flight: the
writer gets the failure that readers get (if the write had not gone through yet), never a bare
``CancelledError`` it did not ask for."""

from __future__ import annotations

import asyncio

import pytest

from etcd3._connection_async import AsyncConnection
from etcd3.errors import ConnectionFailedError
from etcd3.rpc.etcdserverpb import WatchCreateRequest, WatchRequest
from etcd3.testing import EtcdServer


@pytest.mark.parametrize("steps", range(5))
async def test_a_write_in_flight_when_its_endpoint_fails_raises_the_failure(
    etcd_server: EtcdServer, steps: int
) -> None:
    async with AsyncConnection(etcd_server.endpoint, timeout=10) as conn:
        stream = conn.rpc.watch.watch(timeout=None)
        await stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"/moved/k")))
        assert (await stream.__anext__()).created
        # Large enough to be still on its way after a few steps of the event loop.
        write = asyncio.ensure_future(
            stream.send(WatchRequest(create_request=WatchCreateRequest(key=b"k" * 1_000_000)))
        )
        for _ in range(steps):
            await asyncio.sleep(0)
        conn.caller.stream_stalled(stream)  # as an owner whose answers stopped coming
        # The write went through before the call ended (older grpc finishes it at once), or it
        # raises the endpoint's failure; never the cancellation of the call itself.
        (outcome,) = await asyncio.gather(write, return_exceptions=True)
        assert outcome is None or isinstance(outcome, ConnectionFailedError), repr(outcome)
