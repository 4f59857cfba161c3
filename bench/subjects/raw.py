"""The floor: raw grpcio stubs sending the project's own message classes, nothing around them.

Each scenario is written as a careful user of plain grpc would write it: one request
message per call, the response's fields read directly, one watch stream read by the thread
(or task) that consumes it, events dispatched by watch id without a hand-off.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import grpc
import grpc.aio
from google.protobuf.message import Message

from bench.harness import VALUE, Setup, Subject, WatchRun
from etcd3 import range_end_for_key
from etcd3.rpc import etcdserverpb as pb
from etcd3.rpc.mvccpb import KeyValue

_PUT = "/etcdserverpb.KV/Put"
_RANGE = "/etcdserverpb.KV/Range"
_WATCH = "/etcdserverpb.Watch/Watch"


def _requests(pending: queue.SimpleQueue[pb.WatchRequest | None]) -> Iterator[pb.WatchRequest]:
    """The request side of a sync watch stream: what is queued, until ``None``."""
    while (request := pending.get()) is not None:
        yield request


def _create(key: bytes, *, prefix: bool) -> pb.WatchRequest:
    end = range_end_for_key(key) if prefix else b""
    return pb.WatchRequest(create_request=pb.WatchCreateRequest(key=key, range_end=end))


class Raw(Subject):
    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(setup, loop)
        self._channel = grpc.insecure_channel(setup.endpoint)
        self._put = self._channel.unary_unary(
            _PUT,
            request_serializer=pb.PutRequest.SerializeToString,
            response_deserializer=pb.PutResponse.FromString,
        )
        self._range = self._channel.unary_unary(
            _RANGE,
            request_serializer=pb.RangeRequest.SerializeToString,
            response_deserializer=pb.RangeResponse.FromString,
        )
        self._watch = self._channel.stream_stream(
            _WATCH,
            request_serializer=pb.WatchRequest.SerializeToString,
            response_deserializer=pb.WatchResponse.FromString,
        )
        self._achannel: grpc.aio.Channel | None = None

    def version(self) -> str:
        return f"grpcio {grpc.__version__}"

    def close(self) -> None:
        self._channel.close()
        if self._achannel is not None:
            self.loop.run_until_complete(self._achannel.close())

    # -- sync -------------------------------------------------------------------------------

    def put(self, key: bytes) -> None:
        self._put(pb.PutRequest(key=key, value=VALUE))

    def get(self, key: bytes) -> bytes | None:
        return _first_value(self._range(pb.RangeRequest(key=key)))

    def range_values(self, prefix: bytes) -> int:
        response = self._range(pb.RangeRequest(key=prefix, range_end=range_end_for_key(prefix)))
        size = 0
        for kv in response.kvs:
            size += len(kv.value)
        return len(response.kvs)

    def paged_values(self, prefix: bytes, page_size: int) -> int:
        start, end = prefix, range_end_for_key(prefix)
        count = size = 0
        while True:
            response = self._range(pb.RangeRequest(key=start, range_end=end, limit=page_size))
            for kv in response.kvs:
                size += len(kv.value)
            count += len(response.kvs)
            if not response.more:
                return count
            start = response.kvs[-1].key + b"\0"

    def _open(
        self, keys: list[bytes], *, prefix: bool
    ) -> tuple[Iterator[pb.WatchResponse], list[int], Callable[[], None]]:
        pending: queue.SimpleQueue[pb.WatchRequest | None] = queue.SimpleQueue()
        for key in keys:
            pending.put(_create(key, prefix=prefix))
        stream = self._watch(_requests(pending))
        ids = [next(stream).watch_id for _ in keys]

        def cancel() -> None:
            pending.put(None)
            stream.cancel()

        return stream, ids, cancel

    def watch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        stream, _ids, cancel = self._open([prefix], prefix=True)
        run.go()
        try:
            for response in stream:
                for event in response.events:
                    if run.add(event.kv.value):
                        return
        finally:
            cancel()

    def fan_out(self, keys: list[bytes], run: WatchRun) -> None:
        stream, ids, cancel = self._open(keys, prefix=False)
        handlers = dict.fromkeys(ids, run.add)
        run.created()
        run.go()
        try:
            for response in stream:
                handler = handlers[response.watch_id]
                for event in response.events:
                    if handler(event.kv.value):
                        return
        finally:
            cancel()

    # -- asyncio ----------------------------------------------------------------------------

    def _aio(self) -> grpc.aio.Channel:
        # The same three methods as the sync channel's: grpc.aio's channel is another class
        # with other call types, so the stubs are made again, once, on the worker's loop.
        if self._achannel is None:
            self._achannel = grpc.aio.insecure_channel(self.setup.endpoint)
            self._aput = self._achannel.unary_unary(
                _PUT,
                request_serializer=pb.PutRequest.SerializeToString,
                response_deserializer=pb.PutResponse.FromString,
            )
            self._arange = self._achannel.unary_unary(
                _RANGE,
                request_serializer=pb.RangeRequest.SerializeToString,
                response_deserializer=pb.RangeResponse.FromString,
            )
            self._awatch = self._achannel.stream_stream(
                _WATCH,
                request_serializer=pb.WatchRequest.SerializeToString,
                response_deserializer=pb.WatchResponse.FromString,
            )
        return self._achannel

    async def aput(self, key: bytes) -> None:
        self._aio()
        await self._aput(pb.PutRequest(key=key, value=VALUE))

    async def aget(self, key: bytes) -> bytes | None:
        self._aio()
        return _first_value(await self._arange(pb.RangeRequest(key=key)))

    async def arange_values(self, prefix: bytes) -> int:
        self._aio()
        response = await self._arange(
            pb.RangeRequest(key=prefix, range_end=range_end_for_key(prefix))
        )
        size = 0
        for kv in response.kvs:
            size += len(kv.value)
        return len(response.kvs)

    async def _aopen(
        self, keys: list[bytes], *, prefix: bool
    ) -> tuple[grpc.aio.StreamStreamCall[Message, pb.WatchResponse], list[int]]:
        self._aio()
        call = self._awatch()
        ids = []
        for key in keys:
            await call.write(_create(key, prefix=prefix))
        for _ in keys:
            created = await call.read()
            assert isinstance(created, pb.WatchResponse)
            ids.append(created.watch_id)
        return call, ids

    async def awatch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        call, _ids = await self._aopen([prefix], prefix=True)
        run.go()
        try:
            while True:
                response = await call.read()
                assert isinstance(response, pb.WatchResponse)
                for event in response.events:
                    if run.add(event.kv.value):
                        return
        finally:
            call.cancel()

    async def afan_out(self, keys: list[bytes], run: WatchRun) -> None:
        call, ids = await self._aopen(keys, prefix=False)
        handlers = dict.fromkeys(ids, run.add)
        run.created()
        run.go()
        try:
            while True:
                response = await call.read()
                assert isinstance(response, pb.WatchResponse)
                handler = handlers[response.watch_id]
                for event in response.events:
                    if handler(event.kv.value):
                        return
        finally:
            call.cancel()


_HASLEADER = (("hasleader", "true"),)
_AIO_HASLEADER = grpc.aio.Metadata(*_HASLEADER)
_READ_DEADLINE = 60.0
"""Our reads' attempts have a 2 s deadline; grpc's cost of one does not depend on its length,
and a long one lets the control run under callgrind (50x slower) without expiring."""


def _first_value(response: pb.RangeResponse) -> bytes | None:
    """The value of a get: what every client reads out of the response for its caller."""
    kvs = response.kvs
    return kvs[0].value if kvs else None


def _read_values(response: pb.RangeResponse) -> int:
    """Read every value of a range response, as the range rows do; the number of keys."""
    size = 0
    for kv in response.kvs:
        size += len(kv.value)
    return len(response.kvs)


class RawWire(Raw):
    """A control: raw grpcio sending what our client puts on the wire with its defaults.

    Our client sends ``hasleader`` metadata on every call (``require_leader=True``) and gives
    each attempt of a read a deadline (``RetryPolicy.attempt_timeout``); grpc's own cost of
    both is in this subject too (the asyncio calls hand grpc one prebuilt metadata object, as
    ours do). What ours costs above it is our Python layer and our channel options
    (keepalive). Not a row of the table: ``python -m bench --control raw_wire``, or
    ``python -m bench.instructions SCENARIO --subject raw_wire``.
    """

    def version(self) -> str:
        return f"grpcio {grpc.__version__} (hasleader, read deadline)"

    def put(self, key: bytes) -> None:
        self._put(pb.PutRequest(key=key, value=VALUE), metadata=_HASLEADER)

    def get(self, key: bytes) -> bytes | None:
        return _first_value(
            self._range(pb.RangeRequest(key=key), timeout=_READ_DEADLINE, metadata=_HASLEADER)
        )

    def range_values(self, prefix: bytes) -> int:
        request = pb.RangeRequest(key=prefix, range_end=range_end_for_key(prefix))
        return _read_values(self._range(request, timeout=_READ_DEADLINE, metadata=_HASLEADER))

    async def aput(self, key: bytes) -> None:
        self._aio()
        await self._aput(pb.PutRequest(key=key, value=VALUE), metadata=_AIO_HASLEADER)

    async def aget(self, key: bytes) -> bytes | None:
        self._aio()
        return _first_value(
            await self._arange(
                pb.RangeRequest(key=key), timeout=_READ_DEADLINE, metadata=_AIO_HASLEADER
            )
        )

    async def arange_values(self, prefix: bytes) -> int:
        self._aio()
        request = pb.RangeRequest(key=prefix, range_end=range_end_for_key(prefix))
        response = await self._arange(request, timeout=_READ_DEADLINE, metadata=_AIO_HASLEADER)
        return _read_values(response)


class MinimalView:
    """The least a view of one key can be: an object that holds the key's message."""

    __slots__ = ("kv",)  # and no __init__: calling the class runs no Python frame
    kv: KeyValue


def read_through_views(response: pb.RangeResponse) -> int:
    """Read every value of ``response`` through one ``MinimalView`` per key, made in this
    loop; the number of value bytes."""
    size = 0
    for kv in response.kvs:
        view = MinimalView()
        view.kv = kv
        size += len(view.kv.value)
    return size


class RawViews(Raw):
    """A control: raw grpcio that makes the least any per-key view costs, on the range rows.

    One object per key (``MinimalView``: one slot, the key's message), made in the loop
    itself (no generator, no frame per key), and the value read through it. Every client
    that hands out one object per key pays at least this above raw grpc; our views pay it
    and their fields. On the asyncio drop-in row, where the client's API is ``async for``,
    the views come from an asynchronous generator, the step per key that ``async for``
    costs any client. Not a row of the table: ``python -m bench --control raw_views``.
    """

    def version(self) -> str:
        return f"grpcio {grpc.__version__} (one object per key)"

    def range_values(self, prefix: bytes) -> int:
        response = self._range(pb.RangeRequest(key=prefix, range_end=range_end_for_key(prefix)))
        read_through_views(response)
        return len(response.kvs)

    async def arange_values(self, prefix: bytes) -> int:
        self._aio()
        response = await self._arange(
            pb.RangeRequest(key=prefix, range_end=range_end_for_key(prefix))
        )
        read_through_views(response)
        return len(response.kvs)

    async def arange_dropin_values(self, prefix: bytes) -> int:
        self._aio()
        response = await self._arange(
            pb.RangeRequest(key=prefix, range_end=range_end_for_key(prefix))
        )
        size = 0
        async for view in _each_view(response.kvs):
            size += len(view.kv.value)
        return len(response.kvs)


async def _each_view(kvs: Iterable[KeyValue]) -> AsyncIterator[MinimalView]:
    for kv in kvs:
        view = MinimalView()
        view.kv = kv
        yield view
