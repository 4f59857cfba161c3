"""grpc.aio call metadata on real etcd: built once per token and shared by calls, except on
channels with interceptors, which may change a call's metadata in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import grpc.aio

import etcd3
from etcd3.testing import EtcdServer

Req = TypeVar("Req")
Resp = TypeVar("Resp")

MARK = "x-etcd3-test-mark"


class _AddsInPlace(grpc.aio.UnaryUnaryClientInterceptor):
    """Adds a key to the call's own metadata object, as some tracing interceptors do."""

    def __init__(self) -> None:
        self.marks_seen: list[int] = []

    async def intercept_unary_unary(
        self,
        continuation: Callable[
            [grpc.aio.ClientCallDetails, Req], Awaitable[grpc.aio.UnaryUnaryCall[Req, Resp]]
        ],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Req,
    ) -> grpc.aio.UnaryUnaryCall[Req, Resp]:
        metadata = client_call_details.metadata
        if not isinstance(metadata, grpc.aio.Metadata):
            # Older grpc (1.42) hands interceptors the caller's tuple, which no interceptor can
            # change in place.
            assert isinstance(metadata, tuple)
            self.marks_seen.append(sum(1 for key, _ in metadata if key == MARK))
            return await continuation(client_call_details, request)
        self.marks_seen.append(len(metadata.get_all(MARK)))
        metadata.add(MARK, "1")
        return await continuation(client_call_details, request)


async def test_calls_share_one_metadata_object_until_the_token_changes(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=10) as client:
        await client.put(prefix + b"k", b"v")
        metadata = client._conn.caller._metadata
        shared = metadata.leader
        assert isinstance(shared, grpc.aio.Metadata)
        assert list(shared) == [("hasleader", "true")]
        assert (await client.get(prefix + b"k"))[0] == b"v"
        assert metadata.leader is shared
        client._conn.caller.set_token("t")
        assert list(metadata.leader or ()) == [("token", "t"), ("hasleader", "true")]
        client._conn.caller.set_token(None)
        assert metadata.leader is not shared
        assert list(metadata.leader or ()) == [("hasleader", "true")]
        assert (await client.get(prefix + b"k"))[0] == b"v"


async def test_an_interceptor_changing_metadata_in_place_never_reaches_the_next_call(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    interceptor = _AddsInPlace()
    async with etcd3.async_client(
        etcd_server.host, etcd_server.port, timeout=10, interceptors=[interceptor]
    ) as client:
        for _ in range(3):
            await client.put(prefix + b"k", b"v")
            assert (await client.get(prefix + b"k"))[0] == b"v"
    assert interceptor.marks_seen == [0] * 6
