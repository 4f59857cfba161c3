# async-to-sync: source
"""The caller behind a namespaced client: ``AsyncNamespacedCaller``.

A thin wrapper of the client's failover caller that rewrites each request and response with
``etcd3._namespace_core.Namespace``, so the generated stubs of a namespaced client, and all that
is built on them, follow the namespace. It loads with the first namespaced client.
"""

from __future__ import annotations

from types import TracebackType
from typing import Generic, TypeVar

from google.protobuf.message import Message
from typing_extensions import Self

from etcd3._namespace_core import REWRITES, Namespace
from etcd3._runtime import (
    AsyncDuplexStream,
    AsyncServerStream,
    Metadata,
    MethodInfo,
    Timeout,
)
from etcd3._transport import AsyncGrpcCaller

__all__ = ["AsyncNamespacedCaller"]

ReqT = TypeVar("ReqT", bound=Message)
RespT = TypeVar("RespT", bound=Message)


class AsyncNamespacedCaller:
    """A caller that runs every call of ``caller`` inside ``namespace``.

    Calls of methods without keys go to ``caller`` untouched, streams included.

    Args:
        caller: The caller to delegate to (the client's transport).
        namespace: The key prefix and its rewrite rules.
    """

    __slots__ = ("_caller", "namespace")

    def __init__(self, caller: AsyncGrpcCaller, namespace: Namespace) -> None:
        self._caller = caller
        self.namespace = namespace
        """The namespace of every call."""

    async def unary(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> RespT:
        """Send ``request`` inside the namespace and return the response stripped of it."""
        if method.path not in REWRITES:
            return await self._caller.unary(method, request, timeout, metadata)
        ns = self.namespace
        response = await self._caller.unary(method, ns.request(method, request), timeout, metadata)
        return ns.response(method, response)

    def server_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        request: ReqT,
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncServerStream[RespT]:
        """Start a server-streaming call inside the namespace."""
        if method.path not in REWRITES:
            return self._caller.server_stream(method, request, timeout, metadata)
        ns = self.namespace
        inner = self._caller.server_stream(method, ns.request(method, request), timeout, metadata)
        return _AsyncNamespacedServerStream(inner, ns, method)

    def bidi_stream(
        self,
        method: MethodInfo[ReqT, RespT],
        timeout: Timeout,
        metadata: Metadata | None,
    ) -> AsyncDuplexStream[ReqT, RespT]:
        """Open a bidirectional stream whose requests and responses are rewritten."""
        if method.path not in REWRITES:
            return self._caller.bidi_stream(method, timeout, metadata)
        inner = self._caller.bidi_stream(method, timeout, metadata)
        return _AsyncNamespacedDuplexStream(inner, self.namespace, method)


class _AsyncNamespacedServerStream(Generic[RespT]):
    __slots__ = ("_inner", "_method", "_ns")

    def __init__(
        self,
        inner: AsyncServerStream[RespT],
        ns: Namespace,
        method: MethodInfo[Message, RespT],
    ) -> None:
        self._inner = inner
        self._ns = ns
        self._method = method

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the underlying stream (for the transport's stall reports)."""
        endpoint = getattr(self._inner, "endpoint", None)
        return endpoint if isinstance(endpoint, str) else None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> RespT:
        return self._ns.response(self._method, await self._inner.__anext__())

    def cancel(self) -> None:
        self._inner.cancel()

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._inner.__aexit__(t, v, tb)


class _AsyncNamespacedDuplexStream(_AsyncNamespacedServerStream[RespT], Generic[ReqT, RespT]):
    __slots__ = ("_duplex", "_request_method")

    def __init__(
        self,
        inner: AsyncDuplexStream[ReqT, RespT],
        ns: Namespace,
        method: MethodInfo[ReqT, RespT],
    ) -> None:
        super().__init__(inner, ns, method)
        self._duplex = inner
        self._request_method = method

    async def send(self, request: ReqT) -> None:
        await self._duplex.send(self._ns.request(self._request_method, request))

    async def done_writing(self) -> None:
        await self._duplex.done_writing()
