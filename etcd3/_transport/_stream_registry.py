"""What a caller knows of its running streams, and what their failures teach it.

A stream's failure says something about its endpoint or its token: a connection-level error or
a member without a leader puts the endpoint in quarantine (the owner's next stream opens
elsewhere) and ends the other streams running there, so their owners move on now rather than
when keepalive notices; an expired token is renewed before the next stream opens. A stream on a
paused or partitioned member fails nothing: only its owner notices that answers stopped coming,
and reports it (``StreamRegistry.stalled``).

Streams talk to the registry through their public surface (``TrackedStream``); the
registry keeps its own bookkeeping (which streams run, which failures were reported).
"""

from __future__ import annotations

import abc
import time
import weakref
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import grpc
from google.protobuf.message import Message

from etcd3._retry_core import is_auth_expired, is_endpoint_failure
from etcd3._runtime import MethodInfo
from etcd3._transport._deadline import final_error
from etcd3._transport._errors import CallErrors, ChannelLifecycle
from etcd3._transport._fork import guard, keep
from etcd3._transport._metadata import CallMetadata, WireMetadata
from etcd3._transport._pool import MultiCallable
from etcd3.errors import ConnectionFailedError, EtcdError, StreamClosedError

__all__ = ["Endpoints", "StreamBase", "StreamLocator", "StreamRegistry", "TrackedStream"]

RespT = TypeVar("RespT", bound=Message)


class TrackedStream(Protocol):
    """A started stream, as the registry sees it."""

    @property
    def endpoint(self) -> str | None:
        """The endpoint (``host:port``) the stream runs on; ``None`` before it started."""
        ...

    @property
    def method(self) -> MethodInfo[Message, Message]:
        """The stream's RPC."""
        ...

    def end_for_failover(self, error: EtcdError) -> None:
        """End the call because its endpoint failed: its readers get ``error``, their cue to
        open the stream again (on another endpoint)."""
        ...

    def abort(self) -> None:
        """End the call because the caller closes: its readers get the closed error."""
        ...


class Endpoints(ChannelLifecycle, Protocol):
    """The caller's endpoints (an ``._pool.EndpointPool``), as far as streams matter."""

    def mark_failed(self, target: str, now: float, error: EtcdError) -> None:
        """Put ``target`` in quarantine."""
        ...


class StreamRegistry:
    """The running streams of one caller and the lessons of their failures.

    Args:
        endpoints: The caller's endpoints.
        metadata: The caller's token holder.
        errors: The caller's error mapping (streams map their failures with it).
    """

    __slots__ = ("__weakref__", "_endpoints", "_live", "_metadata", "_reported", "errors")

    def __init__(self, endpoints: Endpoints, metadata: CallMetadata, errors: CallErrors) -> None:
        self._endpoints = endpoints
        self._metadata = metadata
        self.errors = errors
        """How the streams map their grpc failures."""
        # By id(), so that any object can be looked up: entries vanish with their stream.
        self._live: weakref.WeakValueDictionary[int, TrackedStream] = weakref.WeakValueDictionary()
        self._reported: weakref.WeakSet[TrackedStream] = weakref.WeakSet()
        guard(self)

    def forked_away(self) -> None:
        """In a child after ``os.fork()``: keep every stream not yet collected, ended or not,
        with its grpc call: the parent's calls are never freed in the child."""
        for stream in self._live.values():
            keep(stream)

    @property
    def channels(self) -> ChannelLifecycle:
        """The caller's channels: whether they are closed, and the error that says so."""
        return self._endpoints

    def started(self, stream: TrackedStream) -> None:
        """``stream``'s grpc call started: it may be ended when its endpoint fails."""
        self._live[id(stream)] = stream

    def live(self) -> list[TrackedStream]:
        """The streams started and not yet collected."""
        return list(self._live.values())

    def failed(self, stream: TrackedStream, error: EtcdError) -> EtcdError:
        """Learn from ``stream``'s failure (once per stream: a read, a send and the final
        status may all see it), then return ``error`` for the stream to raise."""
        target = stream.endpoint
        if target is not None and stream not in self._reported:
            self._reported.add(stream)
            self._learn(target, error)
        return error

    def stalled(self, stream: object) -> None:
        """Note that ``stream`` stopped answering: its endpoint is treated as failed.

        The endpoint goes into quarantine as after a connection error, and the streams on it
        (``stream`` included) end with
        [`ConnectionFailedError`][etcd3.errors.ConnectionFailedError], so their owners open them
        again on another member. Never blocks; objects that are not a started stream of this caller
        are ignored.
        """
        tracked = self._live.get(id(stream))
        target = None if tracked is None else tracked.endpoint
        if tracked is not stream or tracked is None or target is None:
            return
        self._reported.add(tracked)
        method = tracked.method
        self._learn(
            target,
            ConnectionFailedError(
                f"a stream on {target} stopped answering",
                method=method.path,
                retry_safe=method.retry_safe,
            ),
        )

    def endpoint_failed(self, target: str, error: EtcdError) -> None:
        """``target`` failed (a call or a stream found it so): quarantine it, and end the
        streams running on it with a connection error naming it."""
        self._endpoints.mark_failed(target, time.monotonic(), error)
        for stream in self.live():
            if stream.endpoint == target:
                stream.end_for_failover(
                    ConnectionFailedError(
                        f"endpoint {target} failed ({type(error).__name__}); "
                        "re-open the stream to continue on another endpoint",
                        method=stream.method.path,
                        retry_safe=stream.method.retry_safe,
                    )
                )

    def _learn(self, target: str, error: EtcdError) -> None:
        if self._endpoints.unusable:
            return
        if is_auth_expired(error):
            self._metadata.mark_stale()
        elif is_endpoint_failure(error):
            self.endpoint_failed(target, error)


StreamLocator = Callable[[], tuple[MultiCallable, WireMetadata | None, str]]
"""Where a stream's grpc call starts: the method's multicallable on the endpoint in use, the
call's metadata, and that endpoint (chosen when the call starts, not when the stream object
is made)."""


class StreamBase(abc.ABC, Generic[RespT]):
    """What the sync and asyncio streams share: their endpoint, and reporting their failure.

    A failure (seen by a read, a send or the call's final status) is reported to the registry
    once, so a failed endpoint is quarantined whichever side noticed first.
    """

    _registry: StreamRegistry
    _method: MethodInfo[Message, RespT]
    _target: str | None
    _moved: EtcdError | None
    _cancelled: bool
    _ends_at: float | None = None
    """When the call's deadline passes (``time.monotonic()``); ``None``: no deadline."""
    _timeout: float | None = None
    """The call's timeout in seconds (``None``: no deadline)."""

    @property
    def endpoint(self) -> str | None:
        """The endpoint (``host:port``) this stream runs on; ``None`` before it started."""
        return self._target

    @property
    def method(self) -> MethodInfo[Message, RespT]:
        """The stream's RPC."""
        return self._method

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel`` was called."""
        return self._cancelled

    @abc.abstractmethod
    def end_for_failover(self, error: EtcdError) -> None:
        """End the call because its endpoint failed: readers get ``error``."""

    @abc.abstractmethod
    def abort(self) -> None:
        """End the call because the caller closes: readers get the closed error."""

    def _check_sendable(self, writes_closed: bool) -> None:
        """Refuse a ``send`` after ``cancel()`` or ``done_writing()``.

        Raises:
            StreamClosedError: Nothing may be sent any more.
        """
        if self._cancelled:
            raise StreamClosedError("the stream was cancelled", method=self._method.path)
        if writes_closed:
            raise StreamClosedError("done_writing() was called", method=self._method.path)

    def _rpc_failure(self, exc: grpc.RpcError) -> EtcdError:
        """The error for a grpc failure of this call, reported to the registry."""
        if self._moved is not None:
            return self._moved
        return self._failure(self._registry.errors.from_rpc_error(exc, self._method))

    def _deadline_from_now(self, deadline: float | None) -> None:
        """Note that the call started now with a deadline of ``deadline`` seconds."""
        self._ends_at = None if deadline is None else time.monotonic() + deadline
        self._timeout = deadline

    def _status_failure(self, code: grpc.StatusCode, details: str) -> EtcdError:
        """The error for the call's final non-OK status, reported to the registry."""
        if self._moved is not None:
            return self._moved
        return self._failure(self._registry.errors.from_status(code, details, self._method))

    def _failure(self, error: EtcdError) -> EtcdError:
        """``error``, the mapped failure of this call, as its callers get it, reported to the
        registry: past the call's deadline, an end that etcd gave the call itself is the
        deadline's error (see ``final_error``), whichever way the failure is read (a read's
        exception, or the final status a later send finds)."""
        if self._ends_at is not None:
            error = final_error(
                error, self._method, self._ends_at - time.monotonic(), self._timeout
            )
        return self._registry.failed(self, error)
