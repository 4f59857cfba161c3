# async-to-sync: source
"""The asyncio client's leases: grant, inspect, refresh and revoke
([`AsyncLease`][etcd3.AsyncLease])."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncGenerator
from contextlib import suppress
from types import TracebackType

from typing_extensions import Self

from etcd3._acompat import (
    ASYNC,
    CALLBACK_ERRORS,
    Event,
    Job,
    StateLock,
    current_worker,
    join_workers,
    spawn,
    wait_event,
)
from etcd3._backoff import Backoff
from etcd3._base_async import AsyncClientBase
from etcd3._lease_core import (
    KeepAliveSchedule,
    LeaseBase,
    LeaseLostCallback,
    checked_keep_alive,
    lease_lost_error,
    name_lease,
)
from etcd3._runtime import AsyncDuplexStream
from etcd3._timeouts import timeout_arg
from etcd3._validate import callback_arg, flag, lease_id_arg, ttl_arg
from etcd3.errors import (
    ConnectionClosedError,
    EtcdError,
    LeaseLostError,
    LeaseNotFoundError,
    StreamClosedError,
)
from etcd3.rpc.etcdserverpb import (
    LeaseGrantRequest,
    LeaseKeepAliveRequest,
    LeaseKeepAliveResponse,
    LeaseLeasesRequest,
    LeaseLeasesResponse,
    LeaseRevokeRequest,
    LeaseTimeToLiveRequest,
    LeaseTimeToLiveResponse,
)
from etcd3.rpc.methods import LEASE_LEASE_KEEP_ALIVE

__all__ = ["AsyncLease", "AsyncLeaseMixin"]

logger = logging.getLogger("etcd3.lease")

_LEASES_REQUEST = LeaseLeasesRequest()
_STOP_TIMEOUT = 2.0
_KeepAliveStream = AsyncDuplexStream[LeaseKeepAliveRequest, LeaseKeepAliveResponse]


class AsyncLease(LeaseBase):
    """A granted lease: keys put with ``lease=`` are deleted when it expires or is revoked.

    Get one from [`AsyncLeaseMixin.lease`][etcd3.AsyncEtcd3Client.lease]. ``async with lease:``
    revokes it on exit.

    The live reads ([`remaining_ttl`][etcd3.AsyncLease.remaining_ttl],
    [`granted_ttl`][etcd3.AsyncLease.granted_ttl], [`keys`][etcd3.AsyncLease.keys]) ask the server
    each time. In asyncio they are coroutine properties, awaited to read them; the sync
    client's are plain properties.

    Automatic keep-alive (``client.lease(ttl, keep_alive=True)`` or
    [`start_keep_alive`][etcd3.AsyncLease.start_keep_alive]) renews the lease every third of its TTL
    over the client's one shared keep-alive stream (a background task in asyncio, a daemon thread in
    the sync client), until [`stop_keep_alive`][etcd3.AsyncLease.stop_keep_alive],
    [`revoke`][etcd3.AsyncLease.revoke] or the client's ``close()``. It survives the loss of the
    member it talks to: a renewal unanswered for a third of the TTL (at least 1 s, at most 5 s) or a
    failed stream makes it re-open the stream (on another member when the client has several
    endpoints) and send every renewal again at once.

    The lease is *lost* when no renewal succeeded for a whole TTL (counted from when the
    renewal was sent, so never later than the server's own expiry) or the server no longer
    knows it (revoked elsewhere, expired). Three signals tell, all carrying a
    [`LeaseLostError`][etcd3.errors.LeaseLostError]: the ``on_lost`` callback is called once,
    [`lost`][etcd3.AsyncLease.lost] turns true and [`wait_lost`][etcd3.AsyncLease.wait_lost]
    returns, and using the lease ([`refresh`][etcd3.AsyncLease.refresh],
    [`start_keep_alive`][etcd3.AsyncLease.start_keep_alive],
    [`raise_if_lost`][etcd3.AsyncLease.raise_if_lost]) raises the error. Stopping automatic
    keep-alive ([`stop_keep_alive`][etcd3.AsyncLease.stop_keep_alive],
    [`revoke`][etcd3.AsyncLease.revoke], the client's ``close()``) does not make the lease
    lost; it ends every wait in [`wait_lost`][etcd3.AsyncLease.wait_lost], which then returns
    ``False``.

    Args:
        lease_id: The lease ID.
        ttl: The TTL in seconds it was granted with.
        etcd_client: The client its calls go through (required for any call).

    Attributes:
        id: The lease ID.
        ttl: The TTL in seconds it was granted with (see
            [`granted_ttl`][etcd3.AsyncLease.granted_ttl] for the server's).
    """

    __slots__ = ("_etcd_client", "_lost", "_lost_error", "_on_lost")

    def __init__(self, lease_id: int, ttl: int, etcd_client: AsyncLeaseMixin | None = None) -> None:
        super().__init__(lease_id, ttl)
        self._etcd_client = etcd_client
        self._lost: Event | None = None
        self._lost_error: LeaseLostError | None = None
        self._on_lost: LeaseLostCallback | None = None

    @property
    def _client(self) -> AsyncLeaseMixin:
        if self._etcd_client is None:
            raise ValueError(f"{self!r} has no etcd_client to make calls with")
        return self._etcd_client

    @property
    async def remaining_ttl(self) -> int:
        """Seconds left before the lease expires; ``-1`` once it has expired or was revoked."""
        return (await self._client.get_lease_info(self.id, keys=False)).TTL

    @property
    async def granted_ttl(self) -> int:
        """The TTL in seconds the server granted (or last refreshed) the lease with."""
        return (await self._client.get_lease_info(self.id, keys=False)).grantedTTL

    @property
    async def keys(self) -> tuple[bytes, ...]:
        """The keys attached to the lease."""
        return tuple((await self._client.get_lease_info(self.id, keys=True)).keys)

    async def revoke(self, timeout_override: float | None = None) -> None:
        """Revoke the lease now: its keys are deleted.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            etcd3.errors.LeaseNotFoundError: The lease has expired or was revoked already.
            etcd3.EtcdError: The call failed.
        """
        self.stop_keep_alive()
        await self._client.revoke_lease(self.id, timeout_override)

    async def refresh(self, timeout_override: float | None = None) -> LeaseKeepAliveResponse:
        """Renew the lease once: its remaining TTL starts again from the granted TTL.

        Args:
            timeout_override: Timeout in seconds of the keep-alive exchange (``None``: the
                client's).

        Returns:
            The server's ``LeaseKeepAliveResponse`` (``TTL``: the renewed TTL).

        Raises:
            etcd3.errors.LeaseLostError: Automatic keep-alive lost the lease (no RPC is sent).
            etcd3.errors.LeaseNotFoundError: The lease has expired or was revoked.
            etcd3.EtcdError: The call failed.
        """
        self.raise_if_lost()
        return await self._client._keep_alive_once(
            self.id, self._client._call_timeout(timeout_override)
        )

    def start_keep_alive(self, *, on_lost: LeaseLostCallback | None = None) -> None:
        """Renew the lease automatically from now on (see the class docstring). Idempotent.

        Args:
            on_lost: Called once with the [`LeaseLostError`][etcd3.errors.LeaseLostError] if the
                lease is lost (from the keep-alive task; a thread in the sync client). Keep it
                short. A coroutine function is awaited in asyncio; the sync client refuses one
                (``TypeError``), having no event loop to run it in. Its exceptions are logged
                on the ``etcd3`` logger and ignored. Replaces a callback given before.

        Raises:
            TypeError: ``on_lost`` is not callable (or, in the sync client, is a coroutine
                function).
            ValueError: The lease has no client.
            etcd3.errors.LeaseLostError: The lease was lost already.
            etcd3.errors.ConnectionClosedError: The client is closed.
        """
        client = self._client
        self.raise_if_lost()
        if on_lost is not None:
            callback_arg(on_lost, "on_lost", coroutines=ASYNC)
        if self._lost is None or self._lost.is_set():  # set: a stop ended the last waits
            self._lost = Event()
            # The keep-alive's worker may have recorded a loss meanwhile, having set the
            # event this one replaces: set this one too.
            if self._lost_error is not None:
                self._lost.set()
                raise self._lost_error
        if on_lost is not None:
            self._on_lost = on_lost
        try:
            client._keep_alive_engine().add(self)
        except BaseException:
            self._keep_alive_stopped()  # not kept alive: no wait may be left on it
            raise

    def stop_keep_alive(self) -> None:
        """Stop renewing the lease automatically (it expires after its TTL). Idempotent.

        The lease does not count as lost: [`wait_lost`][etcd3.AsyncLease.wait_lost] returns
        ``False`` from now on, also in a task or thread waiting in it now.
        """
        if self._etcd_client is not None and self._etcd_client._keep_alive is not None:
            self._etcd_client._keep_alive.remove(self.id)
        self._keep_alive_stopped()

    def _keep_alive_stopped(self) -> None:
        """Nothing renews the lease any more: end every wait for its loss."""
        if self._lost is not None:
            self._lost.set()

    @property
    def kept_alive(self) -> bool:
        """Whether automatic keep-alive renews the lease now: from
        [`start_keep_alive`][etcd3.AsyncLease.start_keep_alive] (or ``keep_alive=True``) until
        it is stopped, the lease is lost or revoked, or the client closes. While it is,
        [`wait_lost`][etcd3.AsyncLease.wait_lost] waits."""
        lost = self._lost
        return lost is not None and not lost.is_set()

    @property
    def lost(self) -> bool:
        """Whether automatic keep-alive has lost the lease (it has expired or is gone)."""
        return self._lost_error is not None

    @property
    def lost_error(self) -> LeaseLostError | None:
        """Why automatic keep-alive lost the lease, or ``None`` while it has not."""
        return self._lost_error

    def raise_if_lost(self) -> None:
        """Raise [`lost_error`][etcd3.AsyncLease.lost_error] if automatic keep-alive lost the lease.

        Raises:
            etcd3.errors.LeaseLostError: The lease is lost.
        """
        if self._lost_error is not None:
            raise self._lost_error

    async def wait_lost(self, timeout: float | None = None) -> bool:
        """Wait until automatic keep-alive loses the lease, or stops keeping it alive.

        It stops with [`stop_keep_alive`][etcd3.AsyncLease.stop_keep_alive],
        [`revoke`][etcd3.AsyncLease.revoke] and the client's ``close()``; a wait never outlives
        the keep-alive it waits on.

        Args:
            timeout: Seconds to wait at most; ``None`` (or ``math.inf``) for no limit.

        Returns:
            Whether the lease is lost (``False``: the time ran out first, or automatic
            keep-alive stopped; once it has stopped, at once, so a loop that waits in turns
            must also end on whatever stops the keep-alive).

        Raises:
            TypeError: ``timeout`` is not a number.
            ValueError: Automatic keep-alive was never started for this lease, or a negative
                ``timeout``.
        """
        wait = timeout_arg(timeout)
        lost = self._lost
        if lost is None:
            raise ValueError(f"{self!r} is not kept alive automatically")
        if self._lost_error is None:
            await wait_event(lost, wait)
        return self._lost_error is not None

    def _mark_lost(self, error: LeaseLostError) -> LeaseLostCallback | None:
        """Record the loss; the callback to call (outside any lock), if any and first time."""
        if self._lost_error is not None:
            return None
        self._lost_error = error
        logger.warning("lease %#x lost: %s", self.id, error)
        if self._lost is not None:
            self._lost.set()
        return self._on_lost

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Expired or revoked already: nothing is left to clean up.
        with suppress(LeaseNotFoundError):
            await self.revoke()


class AsyncLeaseMixin(AsyncClientBase):
    """The client's leases."""

    _keep_alive: AsyncKeepAlive | None = None
    _keep_alives_closed: bool = False
    """Set by ``close``: no keep-alive engine is made after it."""

    async def lease(
        self,
        ttl: int,
        lease_id: int | None = None,
        timeout_override: float | None = None,
        *,
        keep_alive: bool = False,
        on_lost: LeaseLostCallback | None = None,
    ) -> AsyncLease:
        """Grant a lease.

        Args:
            ttl: Time to live in seconds (the server may grant a minimum of its own).
            lease_id: The ID to ask for; ``None`` lets the server choose.
            timeout_override: This call's timeout in seconds (``None``: the client's).
            keep_alive: Renew the lease automatically until it is revoked or the client
                closes (see [`AsyncLease`][etcd3.AsyncLease]).
            on_lost: With ``keep_alive``: called once with the
                [`LeaseLostError`][etcd3.errors.LeaseLostError] if the lease is lost (see
                [`AsyncLease.start_keep_alive`][etcd3.AsyncLease.start_keep_alive]).

        Returns:
            The granted [`AsyncLease`][etcd3.AsyncLease].

        Raises:
            TypeError: ``ttl`` or ``lease_id`` is not an int, ``on_lost`` is not callable (or,
                in the sync client, is a coroutine function).
            ValueError: ``ttl`` is not positive, ``lease_id`` is not a positive int64, or
                ``on_lost`` without ``keep_alive``.
            etcd3.errors.LeaseExistsError: A lease with ``lease_id`` exists already.
            etcd3.EtcdError: The call failed.
        """
        request = LeaseGrantRequest(
            TTL=ttl_arg(ttl), ID=0 if lease_id is None else lease_id_arg(lease_id)
        )
        automatic = flag(keep_alive, "keep_alive")
        if on_lost is not None:
            callback_arg(on_lost, "on_lost", coroutines=ASYNC)
            if not automatic:
                raise ValueError("on_lost needs keep_alive=True")
        response = await self._rpc.lease.lease_grant(
            request, timeout=self._call_timeout(timeout_override)
        )
        lease = AsyncLease(response.ID, response.TTL, self)
        if automatic:
            lease.start_keep_alive(on_lost=on_lost)
        return lease

    def _keep_alive_engine(self) -> AsyncKeepAlive:
        engine = self._keep_alive
        if engine is not None:
            return engine
        # Threads that keep their first leases alive at once must share one engine, and
        # close() must see the one made, or it would renew its leases after the client closed.
        with _MAKING_ENGINE:
            engine = self._keep_alive
            if engine is None:
                if self._keep_alives_closed or self._conn.closed:
                    raise ConnectionClosedError(method=LEASE_LEASE_KEEP_ALIVE.path)
                engine = self._keep_alive = AsyncKeepAlive(self)
        return engine

    async def close(self) -> None:
        """Stop automatic keep-alives, then close the channel. Idempotent."""
        with _MAKING_ENGINE:
            engine = self._keep_alive
            self._keep_alives_closed = True
        if engine is not None:
            await engine.stop()
        await super().close()

    async def revoke_lease(self, lease_id: int, timeout_override: float | None = None) -> None:
        """Revoke a lease: the keys attached to it are deleted.

        Args:
            lease_id: The lease ID.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``lease_id`` is not an int.
            ValueError: ``lease_id`` is not a positive int64.
            etcd3.errors.LeaseNotFoundError: The lease has expired or was revoked already.
            etcd3.EtcdError: The call failed.
        """
        request = LeaseRevokeRequest(ID=lease_id_arg(lease_id))
        try:
            await self._rpc.lease.lease_revoke(
                request, timeout=self._call_timeout(timeout_override)
            )
        except LeaseNotFoundError as exc:
            name_lease(exc, request.ID)
            raise

    def refresh_lease(
        self, lease_id: int, timeout_override: float | None = None
    ) -> AsyncGenerator[LeaseKeepAliveResponse, None]:
        """Renew a lease once, through a short keep-alive stream opened on first iteration.

        Args:
            lease_id: The lease ID.
            timeout_override: Timeout in seconds of the whole stream (``None``: the client's).

        Returns:
            An iterator yielding the one ``LeaseKeepAliveResponse`` (``TTL``: the renewed TTL).

        Raises:
            TypeError: ``lease_id`` is not an int (at call time).
            ValueError: ``lease_id`` is not a positive int64 (at call time).
            etcd3.errors.LeaseNotFoundError: The lease has expired, was revoked or never
                existed (etcd itself answers TTL 0; this client raises instead).
            etcd3.EtcdError: The call failed.
        """
        lease_id = lease_id_arg(lease_id)
        return self._refresh_lease(lease_id, self._call_timeout(timeout_override))

    async def _refresh_lease(
        self, lease_id: int, timeout: float | None
    ) -> AsyncGenerator[LeaseKeepAliveResponse, None]:
        yield await self._keep_alive_once(lease_id, timeout)

    async def _keep_alive_once(
        self, lease_id: int, timeout: float | None
    ) -> LeaseKeepAliveResponse:
        stream = self._rpc.lease.lease_keep_alive(timeout=timeout)
        async with stream:
            await stream.send(LeaseKeepAliveRequest(ID=lease_id))
            async for response in stream:
                return checked_keep_alive(response)
        raise StreamClosedError(
            "the keep-alive stream ended without an answer", method=LEASE_LEASE_KEEP_ALIVE.path
        )

    async def get_lease_info(
        self, lease_id: int, keys: bool = True, timeout_override: float | None = None
    ) -> LeaseTimeToLiveResponse:
        """Read a lease's TTLs and attached keys.

        Args:
            lease_id: The lease ID.
            keys: Whether to list the attached keys (``keys`` of the response).
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The ``LeaseTimeToLiveResponse``: ``TTL`` (seconds left, ``-1`` once expired or
                unknown), ``grantedTTL`` and ``keys``.

        Raises:
            TypeError: ``lease_id`` is not an int.
            ValueError: ``lease_id`` is not a positive int64.
            etcd3.EtcdError: The call failed.
        """
        request = LeaseTimeToLiveRequest(ID=lease_id_arg(lease_id), keys=flag(keys, "keys"))
        return await self._rpc.lease.lease_time_to_live(
            request, timeout=self._call_timeout(timeout_override)
        )

    async def leases(self, timeout_override: float | None = None) -> LeaseLeasesResponse:
        """List every lease the cluster holds.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The ``LeaseLeasesResponse``: ``[status.ID for status in response.leases]``.

        Raises:
            etcd3.EtcdError: The call failed.
        """
        return await self._rpc.lease.lease_leases(
            _LEASES_REQUEST, timeout=self._call_timeout(timeout_override)
        )


_MAKING_ENGINE = StateLock()
"""Held while a client's keep-alive engine is made, or ``close`` takes it: rare and brief, so
one for every client."""


class AsyncKeepAlive:
    """The client's automatic keep-alive: one shared LeaseKeepAlive stream for every lease.

    A sender worker sends the renewals the ``KeepAliveSchedule`` says are due, re-opens
    the stream after a failure (capped, jittered backoff) or when it stops answering, and
    reports lost leases; a reader worker per stream records the answers. Both end when no
    lease is left, so an idle client runs no worker.
    """

    def __init__(self, client: AsyncLeaseMixin) -> None:
        self._client = client
        self._schedule = KeepAliveSchedule()
        self._leases: dict[int, AsyncLease] = {}
        self._lock = StateLock()
        self._wake = Event()
        self._running = False
        self._stopped = False
        self._stream: _KeepAliveStream | None = None
        self._backoff = Backoff(base=0.05, cap=0.5)
        self._retry_at = 0.0
        """No stream is opened before this instant (``time.monotonic()``): after a failure."""
        self._workers: list[Job] = []

    def add(self, lease: AsyncLease) -> None:
        with self._lock:
            if self._stopped:
                raise ConnectionClosedError(method=LEASE_LEASE_KEEP_ALIVE.path)
            if lease.id not in self._schedule:
                self._schedule.add(lease.id, lease.ttl, time.monotonic())
            self._leases[lease.id] = lease
            start = not self._running
            self._running = True
        if start:
            self._workers.append(spawn(self._send_loop, name=f"etcd3-keepalive-{lease.id:x}"))
        self._wake.set()

    def remove(self, lease_id: int) -> None:
        with self._lock:
            self._schedule.remove(lease_id)
            self._leases.pop(lease_id, None)
        self._wake.set()

    async def stop(self) -> None:
        """Stop keeping every lease alive (the client closes): their waits for a loss end."""
        with self._lock:
            self._stopped = True
            for lease_id in list(self._leases):
                self._schedule.remove(lease_id)
            stopped = list(self._leases.values())
            self._leases.clear()
            stream, self._stream = self._stream, None
            workers = list(self._workers)
        self._wake.set()
        if stream is not None:
            stream.cancel()
        for lease in stopped:
            lease._keep_alive_stopped()
        await join_workers(workers, _STOP_TIMEOUT)

    async def _send_loop(self) -> None:
        while True:
            self._wake.clear()
            now = time.monotonic()
            ending = stalled = None
            due: list[int] = []
            with self._lock:
                lost = [
                    (self._leases.pop(i), lease_lost_error(i, revoked=False))
                    for i in self._schedule.expired(now)
                ]
                if self._stream is not None and self._schedule.stalled(now):
                    stalled = self._stream
                    self._lose_stream(now)
                finished = self._stopped or not self._schedule
                if finished:
                    self._running = False
                    ending, self._stream = self._stream, None
                elif self._stream is not None or now >= self._retry_at:
                    due = self._schedule.due(now)
                wait = self._schedule.next_wakeup(now)
                if self._stream is None and not finished and now < self._retry_at:
                    wait = self._retry_at - now if wait is None else min(wait, self._retry_at - now)
            if stalled is not None:
                logger.debug("keep-alive stream stopped answering; re-opening it")
                self._client._conn.stream_stalled(stalled)
                stalled.cancel()
            await _report_lost(lost)
            if finished:
                # Nothing left to keep alive: end the stream (and its reader) and this worker.
                if ending is not None:
                    ending.cancel()
                self._forget_current_worker()
                return
            if due:
                stream = None
                try:
                    stream = self._open_stream()
                    for lease_id in due:
                        await stream.send(LeaseKeepAliveRequest(ID=lease_id))
                except EtcdError as exc:
                    # str(): a log record must not hold the error (see the watch reader).
                    logger.debug("keep-alive stream failed: %s", str(exc))
                    # Not cancelled here: its reader gets the failure too, and the transport
                    # learns from the read that the endpoint is down; then the reader ends.
                    with self._lock:
                        if stream is None or self._stream is stream:
                            self._lose_stream(time.monotonic())
                    continue
            await wait_event(self._wake, wait)

    def _open_stream(self) -> _KeepAliveStream:
        with self._lock:
            if self._stream is not None:
                return self._stream
            stream = self._client._rpc.lease.lease_keep_alive(timeout=None)
            self._stream = stream
        self._workers.append(spawn(lambda: self._read_loop(stream), name="etcd3-keepalive-read"))
        return stream

    def _lose_stream(self, now: float) -> None:
        """Under the lock: the current stream is gone; renew everything on the next one,
        opened after a backoff delay."""
        self._stream = None
        self._schedule.stream_lost(now)
        self._retry_at = now + self._backoff.next_delay()

    def _stream_failed(self, stream: _KeepAliveStream | None) -> None:
        with self._lock:
            if stream is None or self._stream is stream:  # None: it failed to open
                self._lose_stream(time.monotonic())
        if stream is not None:
            stream.cancel()
        self._wake.set()

    async def _read_loop(self, stream: _KeepAliveStream) -> None:
        try:
            async for response in stream:
                with self._lock:
                    if self._stream is not stream:
                        break  # given up on (stalled): its answers no longer count
                    self._backoff.reset()
                    alive = self._schedule.renewed(response.ID, response.TTL, time.monotonic())
                    lease = None if alive else self._leases.pop(response.ID, None)
                if lease is not None:
                    await _report_lost([(lease, lease_lost_error(lease.id, revoked=True))])
        except EtcdError as exc:
            logger.debug("keep-alive stream ended: %s", str(exc))  # str(): as above
        finally:
            self._stream_failed(stream)
            self._forget_current_worker()

    def _forget_current_worker(self) -> None:
        me = current_worker()
        with self._lock:
            self._workers = [worker for worker in self._workers if worker is not me]


async def _report_lost(lost: list[tuple[AsyncLease, LeaseLostError]]) -> None:
    """Mark leases lost and call their ``on_lost`` callbacks (errors logged, not raised)."""
    for lease, error in lost:
        callback = lease._mark_lost(error)
        if callback is None:
            continue
        try:
            if ASYNC:
                result = callback(error)
                if inspect.isawaitable(result):
                    await result
            else:
                result = callback(error)
                if inspect.iscoroutine(result):
                    result.close()  # nothing here can run it (no event loop)
                    logger.error(
                        "on_lost callback %r returned a coroutine; the sync "
                        "client cannot run it (closed)",
                        callback,
                    )
        except CALLBACK_ERRORS:
            logger.exception("on_lost callback %r raised; ignored", callback)
