"""The endpoints of one caller: a channel each, their multicallables, and which one is in use.

``EndpointSet`` decides, sans-IO, which endpoint is preferred and which
are in quarantine; ``EndpointPool`` holds the channels behind those names (each opened on
first use), caches each method's multicallable per channel, and serialises the decisions under
a lock shared by every thread or task of the caller. It also owns the channels' lifecycle:
closed by its caller, or disabled in a child process after ``os.fork()`` (``._fork``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from etcd3._endpoints import EndpointSet, EndpointSpec, endpoints_from_member_urls
from etcd3._runtime import MethodInfo
from etcd3._transport._fork import guard, keep
from etcd3.errors import ClientForkedError, ConnectionClosedError, EtcdError

__all__ = ["EndpointChannel", "EndpointPool", "MultiCallable"]

ChannelT = TypeVar("ChannelT")

MultiCallable = Callable[..., Any]
"""A grpc multicallable, typed loosely: each is bound to its own method's message types, which
one cache keyed by method path cannot name. Callers annotate what a call returns from the
method's ``MethodInfo``."""

_log = logging.getLogger("etcd3.transport")


class EndpointChannel(Generic[ChannelT]):
    """One endpoint's channel (``None`` until first used), the event loop it belongs to
    (asyncio; ``None`` when sync or unknown) and its multicallables by path."""

    __slots__ = ("calls", "channel", "loop", "spec", "target")

    def __init__(self, spec: EndpointSpec) -> None:
        self.spec = spec
        self.target = spec.target
        self.channel: ChannelT | None = None
        self.loop: object = None
        self.calls: dict[str, MultiCallable] = {}


class EndpointPool(Generic[ChannelT]):
    """The endpoints of a caller and their channels (see the module docstring).

    Args:
        specs: The endpoints, in the user's order (at least one).
        open_channel: Opens the channel of an endpoint, on its first use.
        channel: A channel already open for the first endpoint (its event loop unknown).
        current_loop: Names the event loop a channel opened now belongs to (asyncio).
    """

    def __init__(
        self,
        specs: Sequence[EndpointSpec],
        open_channel: Callable[[EndpointSpec], ChannelT],
        channel: ChannelT | None = None,
        *,
        current_loop: Callable[[], object] = lambda: None,
    ) -> None:
        self._open_channel = open_channel
        self._current_loop = current_loop
        self._set = EndpointSet([spec.target for spec in specs])
        self._endpoints = {spec.target: EndpointChannel[ChannelT](spec) for spec in specs}
        self.current = self._endpoints[self._set.preferred]
        """The preferred endpoint: where the next call goes."""
        self.current.channel = channel
        self._lock = threading.Lock()
        self._failover = True
        self.closed = False
        """Whether ``close`` was called."""
        self.forked = False
        """Whether this process is a child forked after the channels were made."""
        guard(self)

    @property
    def unusable(self) -> bool:
        """Whether calls are refused: closed, or in a forked child."""
        return self.closed or self.forked

    def loop_at(self, target: str | None) -> object:
        """The event loop of the channel to ``target`` (``host:port``); ``None`` when unknown,
        not opened yet, or sync."""
        endpoint = None if target is None else self._endpoints.get(target)
        return None if endpoint is None else endpoint.loop

    @property
    def targets(self) -> tuple[str, ...]:
        """Every endpoint (``host:port``), in order."""
        return self._set.targets

    def configure(self, *, quarantine: float | None = None, failover: bool = True) -> None:
        """Adjust endpoint handling before first use (the compatibility layer's knobs).

        Args:
            quarantine: A fixed time in seconds a failed endpoint is skipped (no growth, no
                jitter); ``None`` keeps the default growing quarantine.
            failover: ``False``: never move to another endpoint.
        """
        with self._lock:
            if quarantine is not None:
                self._set = EndpointSet(
                    self._set.targets,
                    base_quarantine=quarantine,
                    max_quarantine=quarantine,
                    jitter=0.0,
                )
                self.current = self._endpoints[self._set.preferred]
            self._failover = failover

    @property
    def failover(self) -> bool:
        """Whether calls may move to another endpoint when theirs fails."""
        return self._failover

    # --- Channels and multicallables ------------------------------------------------------

    def channel_of(self, endpoint: EndpointChannel[ChannelT]) -> ChannelT:
        """The channel of ``endpoint``, opened now if needed.

        Raises:
            ConnectionClosedError: The pool is closed (or in a forked child).
        """
        channel = endpoint.channel
        if channel is None:
            if self.unusable:
                raise self.closed_error()
            channel = endpoint.channel = self._open_channel(endpoint.spec)
            endpoint.loop = self._current_loop()
        return channel

    def multicallable(
        self, endpoint: EndpointChannel[ChannelT], method: MethodInfo[Message, Message]
    ) -> MultiCallable:
        """``method``'s multicallable on ``endpoint``'s channel, made now and cached.

        The hot path reads ``endpoint.calls`` first; closing the pool empties every cache, so a
        call after ``close`` always lands here and gets its typed error.

        Raises:
            ConnectionClosedError: The pool is closed (or in a forked child).
        """
        if self.unusable:
            raise self.closed_error(method)
        factory = getattr(self.channel_of(endpoint), method.kind.value)
        # Not grpc's "registered" methods (``_registered_method=True``): with grpcio 1.85 a
        # unary call on one costs some 15-20k more client instructions than on a plain one,
        # sync and asyncio alike (callgrind, Put on loopback).
        multicallable: MultiCallable = factory(
            method.path,
            request_serializer=method.request_type.SerializeToString,
            response_deserializer=method.response_type.FromString,
        )
        endpoint.calls[method.path] = multicallable
        if self.unusable:  # closed (or forked) meanwhile: the channel is no longer the pool's
            endpoint.calls.pop(method.path, None)
            raise self.closed_error(method)
        return multicallable

    # --- Endpoint choice ------------------------------------------------------------------

    def mark_failed(self, target: str, now: float, error: EtcdError) -> None:
        """Put ``target`` in quarantine; calls move on to the next healthy endpoint (unless
        failover is off)."""
        with self._lock:
            before = self.current.target
            preferred = self._set.mark_failed(target, now)
            if not self._failover:
                self._set.prefer(before)
                preferred = before
            self.current = self._endpoints.get(preferred, self.current)
        if preferred != before:
            _log.info(
                "etcd3: endpoint %s failed (%s); now using %s",
                target,
                type(error).__name__,
                preferred,
            )
        else:
            _log.debug("etcd3: endpoint %s failed (%s); avoiding it", target, type(error).__name__)

    def mark_ok(self, endpoint: EndpointChannel[ChannelT]) -> None:
        """Record that a call on ``endpoint`` worked (it may become the preferred one)."""
        with self._lock:
            before = self.current.target
            preferred = self._set.mark_ok(endpoint.target)
            self.current = self._endpoints.get(preferred, self.current)
        if preferred != before:
            _log.info("etcd3: now using endpoint %s", preferred)

    def next_after_failure(self, now: float, tried: set[str]) -> str:
        """The endpoint for the next attempt of a call that failed on the endpoints ``tried``."""
        with self._lock:
            return self._set.next_after_failure(now, tried)

    def get(self, target: str) -> EndpointChannel[ChannelT]:
        """The endpoint ``target``, or the one in use when it is gone (dropped by a sync)."""
        return self._endpoints.get(target, self.current)

    def use_members(self, client_urls: Sequence[str], tls: bool) -> list[ChannelT]:
        """Use the members' client URLs (a MemberList) as the endpoints from now on.

        Endpoints that stay keep their channel and health; URLs of the wrong scheme for
        ``tls`` are skipped, and an answer naming no usable URL changes nothing.

        Returns:
            The opened channels of the endpoints dropped, for the caller to close.
        """
        specs = endpoints_from_member_urls(client_urls, tls)
        if not specs:
            return []
        with self._lock:
            if not self._set.replace([spec.target for spec in specs]):
                return []
            old = self._endpoints
            self._endpoints = {
                spec.target: old.get(spec.target) or EndpointChannel[ChannelT](spec)
                for spec in specs
            }
            self.current = self._endpoints[self._set.preferred]
            dropped = [ep.channel for t, ep in old.items() if t not in self._endpoints]
        _log.info("etcd3: endpoints synced from the member list: %s", ", ".join(self._set.targets))
        return [channel for channel in dropped if channel is not None]

    # --- Lifecycle ------------------------------------------------------------------------

    def closed_error(
        self, method: MethodInfo[Message, Message] | None = None, *, in_flight: bool = False
    ) -> ConnectionClosedError:
        """The error for a call attempted after ``close`` (or in a forked child).

        Args:
            method: The call's method, when known.
            in_flight: The call was sent before the pool closed: a call that changes state
                then has an unknown outcome.
        """
        path = None if method is None else method.path
        unknown = in_flight and method is not None and not method.retry_safe
        if self.forked:
            return ClientForkedError(method=path, outcome_unknown=unknown)
        return ConnectionClosedError(method=path, outcome_unknown=unknown)

    def close(self) -> list[ChannelT]:
        """Refuse every later call. Idempotent.

        Returns:
            The opened channels, for the caller to close (the pool no longer holds them); none
                in a forked child (they are the parent's) or when already closed.
        """
        if self.closed:
            return []
        self.closed = True
        self._forget_multicallables()
        if self.forked:
            return []
        # Handed over, not kept: the caller's objects refer to one another, so a channel held
        # here would outlive its close until the garbage collector runs. A grpc.aio channel
        # keeps grpc.aio's poller thread running while it lives, and a process that forks
        # meanwhile gives its child grpc state that child cannot free (see ``._fork``).
        channels = []
        for endpoint in self._endpoints.values():
            if endpoint.channel is not None:
                channels.append(endpoint.channel)
                endpoint.channel = None
        return channels

    def forked_away(self) -> None:
        """In a child after ``os.fork()``: refuse every call, never touch the parent's grpc
        (not even to free it)."""
        self.forked = True
        self._forget_multicallables()
        for endpoint in self._endpoints.values():
            if endpoint.channel is not None:
                keep(endpoint.channel)

    def _forget_multicallables(self) -> None:
        # Every later call then reaches multicallable(), which raises the typed error: no
        # check on the hot path.
        for endpoint in list(self._endpoints.values()):
            endpoint.calls = {}
