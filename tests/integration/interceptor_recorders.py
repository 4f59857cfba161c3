"""grpc client interceptors for the interceptor tests: sync (``Recorder``) and grpc.aio
(``AsyncRecorder``) twins that record each call's method and kind, and add a metadata
entry (as a tracing interceptor adds its trace context).

Handwritten in both flavours (grpc's sync and aio interceptor APIs differ in shape), so the
async test source names ``AsyncRecorder`` and its generated twin ``Recorder``.
``SyncRecorder`` and ``AioRecorder`` name each flavour in both (for giving a client
the wrong one).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

import grpc
import grpc.aio

__all__ = ["TRACE_KEY", "AioRecorder", "AsyncRecorder", "Recorder", "SyncRecorder"]

TRACE_KEY = "x-etcd3-test-trace"
"""The metadata key the recorders add to every call."""

Req = TypeVar("Req")
Resp = TypeVar("Resp")


class _Details(grpc.ClientCallDetails):
    """Call details with extra metadata (grpc's sync API has no public constructor for them)."""

    def __init__(self, base: grpc.ClientCallDetails, extra: tuple[str, str]) -> None:
        self.method = base.method
        self.timeout = base.timeout
        self.metadata = (*(base.metadata or ()), extra)
        self.credentials = base.credentials
        self.wait_for_ready = base.wait_for_ready
        self.compression = base.compression


class _Recording:
    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[tuple[str, str]] = []
        """(method path, kind) of each call, in order; kind is e.g. ``"unary_unary"``."""
        self.metadata_seen: list[tuple[str, str]] = []
        """The metadata keys already on each call when this interceptor saw it (with the
        method): an earlier interceptor's additions show up here."""

    def _note(
        self, method: str | bytes, kind: str, keys: Iterable[str | tuple[str, str]]
    ) -> tuple[str, str]:
        path = method.decode() if isinstance(method, bytes) else method
        self.calls.append((path, kind))
        # grpc.aio's Metadata iterates over keys; grpcio 1.62's over (key, value) pairs.
        self.metadata_seen.extend((path, key[0] if isinstance(key, tuple) else key) for key in keys)
        return (TRACE_KEY, self.name)


class Recorder(
    _Recording,
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """A sync interceptor of all four kinds that records calls and adds ``TRACE_KEY``."""

    @property
    def interceptors(self) -> list[grpc.UnaryUnaryClientInterceptor]:
        """The interceptors to give the client: this one (``grpc.intercept_channel`` files
        an object under every kind it implements)."""
        return [self]

    def _details(self, details: grpc.ClientCallDetails, kind: str) -> _Details:
        keys = [key for key, _ in details.metadata or ()]
        return _Details(details, self._note(details.method, kind, keys))

    def intercept_unary_unary(  # type: ignore[override]
        self,
        continuation: Callable[[grpc.ClientCallDetails, Req], grpc.Future[Resp]],
        client_call_details: grpc.ClientCallDetails,
        request: Req,
    ) -> grpc.Future[Resp]:
        return continuation(self._details(client_call_details, "unary_unary"), request)

    def intercept_unary_stream(  # type: ignore[override]
        self,
        continuation: Callable[[grpc.ClientCallDetails, Req], Iterator[Resp]],
        client_call_details: grpc.ClientCallDetails,
        request: Req,
    ) -> Iterator[Resp]:
        return continuation(self._details(client_call_details, "unary_stream"), request)

    def intercept_stream_unary(  # type: ignore[override]
        self,
        continuation: Callable[[grpc.ClientCallDetails, Iterator[Req]], grpc.Future[Resp]],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[Req],
    ) -> grpc.Future[Resp]:
        return continuation(self._details(client_call_details, "stream_unary"), request_iterator)

    def intercept_stream_stream(  # type: ignore[override]
        self,
        continuation: Callable[[grpc.ClientCallDetails, Iterator[Req]], Iterator[Resp]],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[Req],
    ) -> Iterator[Resp]:
        return continuation(self._details(client_call_details, "stream_stream"), request_iterator)


class _AioInterceptor:
    def __init__(self, recording: _Recording) -> None:
        self._recording = recording

    def _details(
        self, details: grpc.aio.ClientCallDetails, kind: str
    ) -> grpc.aio.ClientCallDetails:
        metadata = grpc.aio.Metadata(*(details.metadata or ()))
        key, value = self._recording._note(details.method, kind, metadata.keys())
        metadata.add(key, value)
        return grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
        )


class _AioUnaryUnary(_AioInterceptor, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self,
        continuation: Callable[
            [grpc.aio.ClientCallDetails, Req], Awaitable[grpc.aio.UnaryUnaryCall[Req, Resp]]
        ],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Req,
    ) -> grpc.aio.UnaryUnaryCall[Req, Resp]:
        return await continuation(self._details(client_call_details, "unary_unary"), request)


class _AioUnaryStream(_AioInterceptor, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(
        self,
        continuation: Callable[
            [grpc.aio.ClientCallDetails, Req], Awaitable[grpc.aio.UnaryStreamCall[Req, Resp]]
        ],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Req,
    ) -> grpc.aio.UnaryStreamCall[Req, Resp]:
        return await continuation(self._details(client_call_details, "unary_stream"), request)


class _AioStreamStream(_AioInterceptor, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(
        self,
        continuation: Callable[
            [grpc.aio.ClientCallDetails, AsyncIterable[Req] | Iterable[Req]],
            Awaitable[grpc.aio.StreamStreamCall[Req, Resp]],
        ],
        client_call_details: grpc.aio.ClientCallDetails,
        request_iterator: AsyncIterable[Req] | Iterable[Req],
    ) -> AsyncIterator[Resp] | grpc.aio.StreamStreamCall[Req, Resp]:
        details = self._details(client_call_details, "stream_stream")
        return await continuation(details, request_iterator)


class AsyncRecorder(_Recording):
    """grpc.aio interceptors (the kinds etcd uses) recording calls here and adding ``TRACE_KEY``.

    grpc.aio files an interceptor object under the first kind it implements only, so this is
    one object per kind, sharing the recording: pass ``interceptors``.
    """

    @property
    def interceptors(self) -> list[grpc.aio.ClientInterceptor]:
        """The interceptors to give the client."""
        return [_AioUnaryUnary(self), _AioUnaryStream(self), _AioStreamStream(self)]


AioRecorder = AsyncRecorder
"""The grpc.aio recorder under a name the sync-twin generator leaves alone."""
SyncRecorder = Recorder
"""The sync recorder under a name that reads as such in the asyncio tests."""
