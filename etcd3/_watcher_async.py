# async-to-sync: source
"""The watch stream of one asyncio client, who reads it, and who runs the callbacks.

Every watch of a client shares one etcd Watch stream, opened with the first watch and closed
with the last. What to send and where each response goes is decided by the sans-IO
``WatchCore``; this shell moves the bytes, without a thread (or task)
per watch and without handing each response from a reader to its consumer:

- **Whoever needs the next response reads it** (leader/followers). A consumer that may wait
  without limit (an iterator, a creation without deadline) and finds nobody reading takes the
  *read token*, reads the stream itself and routes each response to its watch: with one
  consumer, the response goes from grpc to it with no hand-off. A consumer that finds the token
  taken, or must give up at a deadline (``watch_once``, a creation with a timeout), waits for
  the token's holder to route its response instead.
- **Callbacks run in a bounded pool** of workers (tasks; threads in the sync client; at most
  ``DEFAULT_CALLBACK_WORKERS`` unless configured). While callback watches exist, a worker
  holds the read token and runs the callbacks of what it read itself; one idle worker (the
  *heir*) checks every ``STEAL_AFTER`` seconds whether the holder is stuck in a callback
  and then takes the token over, so a slow callback delays only its own watch while workers
  are free. A watch's callback runs in one worker at a time, in order.
- **Backpressure.** When every worker is inside a callback, nobody reads: grpc's flow control
  holds etcd back, memory stays bounded (each watch's queue is bounded by the core), and a
  WARNING names the callback that has been running longest, once per such episode.
- **Failures.** The token's holder re-opens a failed stream after the core's delay (capped,
  jittered backoff; a creation's retry policy while one is unconfirmed), on whichever endpoint
  the transport then prefers; every watch is re-created after its last delivered event. An
  outage longer than ``warn_after`` seconds is logged once at WARNING, its end at INFO. A
  creation refused for permission (the stream's token may have expired) is checked with a read,
  which refreshes the token, and retried on a new stream (a few times at most, unless the
  check fails for want of a connection).

Requests reach the stream in the order the core queued them (one sender at a time). Nothing
blocks while the state lock is held.

The module is long because these are one mechanism: the reader, the pool and the sender act on
one stream under one lock, and each rule above is a hand-over between them.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import NamedTuple, TypeAlias

from etcd3._acompat import (
    ASYNC,
    CALLBACK_ERRORS,
    Event,
    Job,
    Lock,
    StateLock,
    current_worker,
    join_workers,
    spawn,
    wait_event,
)
from etcd3._events import WatchCallback, WatchResponse
from etcd3._retry import RetryPolicy
from etcd3._runtime import AsyncDuplexStream
from etcd3._timeouts import time_left
from etcd3._watch_core import (
    Recheck,
    Registration,
    WatchCore,
    WatchSpec,
    WatchState,
    is_transient,
    unconfirmed,
)
from etcd3.errors import EtcdError, RevisionCompactedError, UnknownError
from etcd3.rpc import etcdserverpb
from etcd3.rpc.etcdserverpb import RangeRequest
from etcd3.rpc.services import AsyncStubs

__all__ = [
    "CLOSE_TIMEOUT",
    "DEFAULT_CALLBACK_WORKERS",
    "DEFAULT_WARN_AFTER",
    "AsyncWatcher",
    "Item",
    "WatchRegistration",
]

logger = logging.getLogger("etcd3.watch")

CLOSE_TIMEOUT = 5.0
"""Seconds ``close()`` waits for running callbacks to return."""
DEFAULT_CALLBACK_WORKERS = 4
"""Workers (tasks; threads in the sync client) that run callbacks, at most, per client."""
DEFAULT_WARN_AFTER = 30.0
"""Seconds a watch stream may stay down before a WARNING says so (once per outage)."""
STEAL_AFTER = 0.05
"""Seconds a worker may spend in callbacks while holding the read token before an idle worker
takes reading over: the longest a slow callback delays the other watches."""
SATURATION_WARNING = 1.0
"""Seconds every worker may be inside callbacks before a WARNING names the slowest one."""
BATCH = 32
"""Responses a worker delivers to one callback before it lets other watches have a turn."""
_PERMISSION_CHECK_TIMEOUT = 10.0
"""Seconds for the read that checks a refused watch's permission (and refreshes the token)."""

Item = etcdserverpb.WatchResponse | EtcdError | None
"""What a watch's queue holds: a response (the raw message: consumers wrap what they use),
the error that ended the watch, or ``None`` (the end)."""
_RawResponse = etcdserverpb.WatchResponse
_NOTHING = EtcdError("no item")
"""A stand-in for "no item taken" (never handed out)."""
_Stream = AsyncDuplexStream[etcdserverpb.WatchRequest, etcdserverpb.WatchResponse]


class _FollowUp(NamedTuple):
    """What a routed response leaves to do outside the lock."""

    flush: bool
    """Requests wait to be sent."""
    checks: list[_Reg] | None
    """Watches refused for permission, to check."""
    outage: float | None
    """How long the outage this response ended lasted."""
    bug: Exception | None
    """The routing itself failed: the stream is failed with it."""


_monotonic = time.monotonic


class _Sink:
    """One watch's deliveries: its creation's outcome, its queue, and who waits for them.

    ``waiter`` is set while a consumer waits for someone else to route its responses;
    ``callback`` once a callback watch is confirmed (the pool then runs it for each item).
    """

    __slots__ = (
        "callback",
        "error",
        "id",
        "items",
        "last",
        "revision",
        "scheduled",
        "started",
        "waiter",
        "waiting",
        "watcher",
    )

    def __init__(self, watcher: AsyncWatcher) -> None:
        self.watcher = watcher
        self.id = 0
        self.callback: WatchCallback | None = None
        self.error: EtcdError | None = None
        self.revision = -1
        """The store revision etcd confirmed the watch at; ``-1`` until it answered."""
        self.items: deque[Item] = deque()
        self.waiter: Event | None = None
        self.waiting: Event | None = None
        """The waiter while a consumer waits on it, else ``None``."""
        self.scheduled = False
        """In the pool's ready queue or being run (callback watches): never twice at once."""
        self.started = 0.0
        """When a worker last started delivering to the callback (``time.monotonic()``)."""
        self.last: etcdserverpb.WatchResponse | None = None
        """The last response handed to the consumer."""

    def confirmed(self, error: EtcdError | None, revision: int) -> None:
        self.error = error
        self.revision = revision
        waiting = self.waiting
        if waiting is not None:
            waiting.set()

    def push(self, item: Item) -> None:
        self.items.append(item)
        waiting = self.waiting
        if waiting is not None:
            waiting.set()
        elif self.callback is not None and not self.scheduled:
            self.watcher._schedule(self)


WatchRegistration: TypeAlias = Registration[_Sink]
"""One watch of an ``AsyncWatcher``: what its handle and iterators hold."""
_Reg = WatchRegistration


def _revision_of(response: etcdserverpb.WatchResponse | None) -> int:
    """The revision up to which ``response`` says every change was delivered (``0``: none)."""
    if response is None:
        return 0
    events = response.events
    return events[-1].kv.mod_revision if events else response.header.revision


def _overdue(left: float | None) -> bool:
    return left is not None and left <= 0


def _waiter(sink: _Sink) -> Event:
    """The sink's waiter, cleared for a new wait (made on first use: most never wait)."""
    waiter = sink.waiter
    if waiter is None:
        waiter = sink.waiter = Event()
    else:
        waiter.clear()
    return waiter


class _Idle:
    """A worker waiting for something to do, woken through its event."""

    __slots__ = ("event", "worker")

    def __init__(self, worker: object) -> None:
        self.worker = worker
        self.event = Event()


class AsyncWatcher:
    """The watch stream of one client and every watch on it (see the module docstring).

    Args:
        rpc: The client's generated stubs.
        policy: The client's retry policy (creations follow it).
        endpoint_in_use: Where the transport sends the next stream.
        max_queued: Undelivered responses per watch before it is paused (see
            ``WatchCore``).
        callback_workers: The most workers that run callbacks at once.
        warn_after: Seconds of outage before a WARNING (once per outage).
    """

    def __init__(
        self,
        rpc: AsyncStubs,
        *,
        policy: RetryPolicy | None = None,
        endpoint_in_use: Callable[[], str] | None = None,
        max_queued: int = 1024,
        callback_workers: int = DEFAULT_CALLBACK_WORKERS,
        warn_after: float = DEFAULT_WARN_AFTER,
    ) -> None:
        self._rpc = rpc
        self._core: WatchCore[_Sink] = WatchCore(max_queued, policy=policy, warn_after=warn_after)
        self._endpoint_in_use = endpoint_in_use
        self._lock = StateLock()
        self._send_lock = Lock()
        self._stream: _Stream | None = None
        self._send_failure: EtcdError | None = None
        """The first failure a send saw on the current stream: its cause, which the read that
        follows may report only as "moved" (the transport moves a failed endpoint's streams)."""
        self._retry_at = 0.0
        self._stop = Event()
        # The read token: who reads the stream now (a worker or a consumer), and since when
        # it has been running callbacks instead (then an idle worker may take it over).
        self._reader: object | None = None
        self._dispatching_since: float | None = None
        self._consumers_read = True
        # The callback pool.
        self._max_workers = callback_workers
        self._workers: set[Job] = set()
        self._idle: list[_Idle] = []
        self._heir: _Idle | None = None
        self._ready: deque[_Sink] = deque()
        self._running: dict[object, _Sink] = {}
        """Workers inside callbacks, and whose (each sink's ``started`` says since when)."""
        self._watchdog: Job | None = None
        self._flusher: Job | None = None
        """The task that sends cancel requests (asyncio), while it runs."""
        self._callbacks = 0
        self._waiters = 0
        # Watches whose handle was dropped without cancel() (appended from __del__, so without
        # the lock: a garbage collection may run anywhere), cancelled by the next reader.
        self._abandoned: deque[int] = deque()

    # --- Watches -----------------------------------------------------------------------

    async def add(
        self, spec: WatchSpec, callback: WatchCallback | None, timeout: float | None
    ) -> _Reg:
        """Create a watch and wait until etcd confirms it (see ``add_many``)."""
        return (await self.add_many([spec], callback, timeout))[0]

    async def add_many(
        self, specs: list[WatchSpec], callback: WatchCallback | None, timeout: float | None
    ) -> list[_Reg]:
        """Create watches and wait until etcd confirms every one of them.

        Their create requests go out together; each creation follows the retry policy and
        ``timeout`` as a unary call would.

        Raises:
            WatchTimedOut: ``timeout`` passed with no confirmation and no failure to report.
            ConnectionFailedError: No member could be reached within the policy's attempts or
                ``timeout`` (as a read would).
            RevisionCompactedError: A start revision is compacted.
            EtcdError: The server refused a watch (its ``cancel_reason``), or the client is
                closed. Every watch of the call is cancelled first.
        """
        until = None if timeout is None else _monotonic() + timeout
        regs: list[_Reg] = []
        with self._lock:
            for spec in specs:
                sink = _Sink(self)
                reg = self._core.add(spec, sink, until)
                sink.id = reg.id
                regs.append(reg)
        try:
            if ASYNC:
                # A task that is sending sends these too (it sends until nothing is queued):
                # waiting for its write, which a member that never answers holds, would keep
                # this creation past its deadline.
                if not self._send_lock.locked():
                    await self._flush()
            else:
                await self._flush()
            for reg in regs:
                await self._confirmation(reg, until, timeout)
            for reg in regs:
                if reg.spec.start_revision and reg.spec.start_revision <= reg.sink.revision:
                    await self._check_history(reg, until)
        except BaseException:
            # Refused, timed out, or the caller was interrupted: nobody will consume them.
            for reg in regs:
                await self.cancel(reg.id)
            raise
        if callback is not None:
            with self._lock:
                for reg in regs:
                    self._callbacks += 1
                    reg.sink.callback = callback
                    if reg.sink.items:
                        self._schedule(reg.sink)
                if self._reader is None:
                    self._call_worker()  # callbacks wait for responses: someone must read
        return regs

    async def _confirmation(self, reg: _Reg, until: float | None, timeout: float | None) -> None:
        sink = reg.sink
        if not await self._wait(sink, lambda: sink.revision >= 0, until):
            with self._lock:
                failure = self._core.creation_failure(reg, timeout)
            if failure is not None:
                raise failure
            if sink.revision < 0:
                raise unconfirmed(reg.spec, timeout)
        if sink.error is not None:
            raise sink.error

    async def _check_history(self, reg: _Reg, until: float | None) -> None:
        """Raise at once if the history a replaying watch starts from is compacted.

        etcd confirms such a watch first and cancels it up to 100 ms later; a one-key read at
        the start revision tells now. The watch's own cancel then carries the revision the
        history starts at, which the raised error reports. Both the read and that wait end by
        ``until``, the creation's deadline.
        """
        request = RangeRequest(
            key=reg.spec.key, revision=reg.spec.start_revision, limit=1, keys_only=True
        )
        try:
            await self._rpc.kv.range(request, timeout=time_left(until))
        except RevisionCompactedError as exc:
            sink = reg.sink
            await self._wait(sink, lambda: bool(sink.items), until)
            item = sink.items[0] if sink.items else None
            await self.cancel(reg.id)
            if isinstance(item, RevisionCompactedError):
                raise item from exc
            raise
        except EtcdError:
            pass  # not a verdict on the history; a compaction still arrives on the watch

    async def cancel(self, watch_id: int) -> None:
        """End a watch: its iterator stops, its callback is not called again. Idempotent."""
        with self._lock:
            core = self._core
            if not core.cancel(watch_id):
                return
            stream = self._stream
            last = core.idle and stream is not None
            if last:
                # The last watch: close the stream (its reader ends with it), no outage.
                self._stream = None
                core.stream_closed()
        if last:
            stream.cancel()  # type: ignore[union-attr]
            return
        if ASYNC:
            # Each send awaits its write: a task sends the cancel requests, back to back,
            # so that cancelling many watches does not wait for one write each (a sync
            # stream's sends only queue the request).
            self._flush_soon()
        else:
            await self._flush()

    def _flush_soon(self) -> None:
        """Have the queued requests sent by a task, unless one is sending already: it sends
        whatever is queued before it ends (it ends right after finding nothing left, with
        no ``await`` in between)."""
        if self._flusher is None and not self._core.closed:
            self._flusher = spawn(self._flush_then_end, name="etcd3-watch-flush")

    async def _flush_then_end(self) -> None:
        try:
            await self._flush()
        finally:
            self._flusher = None

    async def request_progress(self) -> None:
        """Ask etcd to send every watch a progress notification (if a stream is open)."""
        with self._lock:
            sent = self._core.request_progress()
        if sent:
            await self._flush()

    def abandon(self, reg: _Reg) -> None:
        """Cancel ``reg`` soon: its handle is gone (safe from ``__del__``: takes no lock)."""
        self._abandoned.append(reg.id)

    async def _cancel_abandoned(self) -> None:
        abandoned = self._abandoned
        while abandoned:
            await self.cancel(abandoned.popleft())

    def state(self, reg: _Reg) -> WatchState:
        """Where the watch stands (see [`WatchState`][etcd3.WatchState])."""
        with self._lock:
            return self._core.state(reg, _revision_of(reg.sink.last))

    async def next_item(self, reg: _Reg, timeout: float | None = None) -> Item:
        """The watch's next queued item, waiting at most ``timeout`` seconds (``None``: no
        limit). Without a limit, and when nobody else reads the stream, the caller reads it
        itself until its item arrives (routing what belongs to other watches on the way).

        Raises:
            TimeoutError: Nothing arrived in time.
        """
        sink = reg.sink
        items = sink.items
        lock = self._lock
        until = None if timeout is None else _monotonic() + timeout
        while True:
            with lock:
                if items:
                    item, resume = self._take(reg)
                    break
                lead = until is None and self._consumers_read and self._reader is None
                if lead:
                    self._reader = sink  # the token's holder: this consumer
            if not lead:
                if not await self._wait(sink, lambda: bool(items), until) and not items:
                    raise TimeoutError
                continue
            # The token's holder reads, routes and, once its own item has arrived, gives the
            # token back and takes the item in the same hold of the lock. The reading is
            # written out here rather than calling _read_one: a consumer goes through it for
            # every response, and one more level of calls there costs a frame each time.
            item = _NOTHING
            read = False
            try:
                while True:
                    if self._abandoned:
                        await self._cancel_abandoned()
                    stream = self._stream
                    if stream is None:
                        await self._read_one(True)  # opens the stream first
                    else:
                        try:
                            response = await stream.__anext__()
                        except BaseException as exc:
                            self._read_failed(stream, exc, True)
                        else:
                            with lock:
                                follow = self._route(response)
                                if follow is None and items:
                                    item, resume = self._hand_back(sink, reg, True)
                                    break
                            if follow is not None:
                                await self._follow_up(stream, follow)
                    if items:
                        read = True
                        break
            finally:
                if item is _NOTHING:
                    # Not while an exception propagates (a cancelled task, an interrupt): an
                    # item routed to the watch meanwhile stays queued for the next call.
                    with lock:
                        item, resume = self._hand_back(sink, reg, read)
            if item is not _NOTHING:
                break
        if resume:  # a paused watch resumes
            if ASYNC:
                # A task sends its create: the item is taken, and a cancellation of this call
                # while it awaited the write would lose it (the core has moved past it).
                self._flush_soon()
            else:
                await self._flush()
        return item

    def _hand_back(self, sink: _Sink, reg: _Reg, read: bool) -> tuple[Item, bool]:
        """Under the lock, by the consumer that holds the read token: give the token back
        (calling a worker if reading must go on) and, if ``read``, take the watch's next item.

        Returns:
            What ``_take`` returns, or ``(_NOTHING, False)`` when nothing is taken.
        """
        self._release(sink)  # a no-op when called again after an interruption
        if read and sink.items:
            return self._take(reg)
        return _NOTHING, False

    def _take(self, reg: _Reg) -> tuple[Item, bool]:
        """Take the watch's next item for its consumer (under the lock: the routing reader
        counts the same deliveries).

        Returns:
            The item, and whether requests wait to be sent (a paused watch resumes).
        """
        sink = reg.sink
        item = sink.items.popleft()
        if isinstance(item, _RawResponse):
            sink.last = item
            return item, self._core.consumed(reg)
        return item, False

    async def close(self) -> None:
        """End every watch and the stream; wait for the workers (callbacks) to return."""
        with self._lock:
            if self._core.closed:
                return
            self._core.close()
            stream, self._stream = self._stream, None
            workers = [*self._workers]
            if self._watchdog is not None:
                workers.append(self._watchdog)
            if self._flusher is not None:
                workers.append(self._flusher)
            for idle in self._idle:
                idle.event.set()
        self._stop.set()
        if stream is not None:
            stream.cancel()
        await join_workers(workers, CLOSE_TIMEOUT)

    # --- Waiting and reading -----------------------------------------------------------

    async def _wait(self, sink: _Sink, done: Callable[[], bool], until: float | None) -> bool:
        """Wait until ``done()`` holds (or the client is closed), reading the stream ourselves
        when nobody does and we may wait without limit.

        Returns:
            ``False`` if ``until`` (``time.monotonic()``) passed first.
        """
        me = current_worker()
        while True:
            with self._lock:
                if done() or self._core.closed:
                    return True
                if self._reader is me:
                    # A callback waits (for a watch it creates, say) while its worker holds
                    # the token: reading must go on without it.
                    self._reader = None
                    self._dispatching_since = None
                lead = until is None and self._consumers_read and self._reader is None
                if lead:
                    self._reader = me
                else:
                    waiter = sink.waiting = _waiter(sink)
                    self._waiters += 1
                    if self._reader is None:
                        self._call_worker()
            if lead:
                try:
                    await self._read_one(True)
                finally:
                    with self._lock:
                        self._release(me)
                continue
            left = None if until is None else until - _monotonic()
            try:
                if left is None or left > 0:
                    await wait_event(waiter, left)
            finally:
                with self._lock:
                    sink.waiting = None
                    self._waiters -= 1
            if until is not None and _monotonic() >= until:
                with self._lock:
                    return done() or self._core.closed

    def _release(self, me: object) -> None:
        """Give the read token back (under the lock); call a worker if reading is needed."""
        if self._reader is me:
            self._reader = None
            self._dispatching_since = None
            if (self._callbacks or self._waiters or self._core.outage_since is not None) and (
                self._needs_reader()
            ):
                self._call_worker()

    def _needs_reader(self) -> bool:
        """Whether someone must read the stream: callbacks wait for responses, a consumer
        waits for someone else to route its own, or an outage is being recovered from."""
        core = self._core
        if not (self._callbacks or self._waiters or core.outage_since is not None):
            return False
        return not (core.closed or core.idle)

    async def _read_one(self, consumer: bool) -> None:
        """As the holder of the read token: route the stream's next response, after (re-)opening
        the stream if there is none."""
        stream = self._stream
        if stream is None:
            stream = await self._open()
            if stream is None:
                return
        try:
            response = await stream.__anext__()
        except BaseException as exc:
            self._read_failed(stream, exc, consumer)
            return
        with self._lock:
            follow = self._route(response)
        if self._abandoned:
            await self._cancel_abandoned()
        if follow is not None:
            await self._follow_up(stream, follow)

    def _read_failed(self, stream: _Stream, exc: BaseException, consumer: bool) -> None:
        """The token holder's read of ``stream`` raised ``exc``: the stream has failed.

        Raises:
            BaseException: ``exc`` itself unless it is the end of the stream or an
                ``EtcdError``.
        """
        if isinstance(exc, StopAsyncIteration):
            self._failed(stream, None)
            return
        if isinstance(exc, EtcdError):
            self._failed(stream, exc)
            return
        # Interrupted inside the read (cancelled task, KeyboardInterrupt): grpc cancels the
        # call under a cancelled read. Re-open on the next read; consumers no longer read
        # themselves, so an application that times its reads out cannot keep cancelling the
        # stream that every watch shares.
        if consumer:
            self._consumers_read = False
        self._failed(stream, None)
        raise exc

    def _route(self, response: etcdserverpb.WatchResponse) -> _FollowUp | None:
        """Under the lock: hand ``response`` to the core, which routes it to its watch.

        Returns:
            What is left to do outside the lock, or ``None`` (the common case: nothing).
        """
        core = self._core
        try:
            if not core.receive(response):
                return None
            checks = core.take_auth_checks() if core.has_auth_checks else None
            outage = None if core.outage_since is None else core.stream_answered(_monotonic())
            return _FollowUp(core.has_requests, checks, outage, None)
        except Exception as exc:  # a bug must not stop every watch silently, nor loudly
            return _FollowUp(False, None, None, exc)

    async def _follow_up(self, stream: _Stream, follow: _FollowUp) -> None:
        """What a routed response left to do: send requests, log an outage's end, check
        permissions (then re-open the stream with a fresh token), or fail the stream if the
        routing itself failed."""
        flush, checks, outage, bug = follow
        if bug is not None:
            logger.error("watch stream response could not be routed", exc_info=bug)
            self._failed(stream, UnknownError(f"watch routing failed: {bug!r}"))
            return
        if outage is not None:
            logger.info(
                "watch stream re-opened on %s after %.1f s; watches resume after their last "
                "delivered revision",
                getattr(stream, "endpoint", None) or "an endpoint",
                outage,
            )
        if flush:
            await self._flush()
        if checks:
            recheck, error = await self._check_permissions(checks)
            if recheck is not Recheck.ENDED:
                self._failed(stream, error, reopen_now=recheck is Recheck.NOW)

    async def _open(self) -> _Stream | None:
        """Open the stream once the backoff delay has passed; ``None`` if it failed (or the
        watcher closed, or has no watch left)."""
        wait = self._retry_at - _monotonic()
        if wait > 0:
            await wait_event(self._stop, wait)
        with self._lock:
            if self._core.closed or self._core.idle:
                return None
        try:
            stream = self._rpc.watch.watch(timeout=None)
        except EtcdError as exc:
            self._failed(None, exc)
            return None
        with self._lock:
            self._stream = stream
            self._send_failure = None
            self._core.stream_opened()
        await self._flush()
        return stream

    def _failed(
        self, stream: _Stream | None, error: EtcdError | None, *, reopen_now: bool = False
    ) -> None:
        """The stream ended (``error`` ``None``: quietly): let the core decide what follows."""
        if stream is not None:
            stream.cancel()
        now = _monotonic()
        next_endpoint = self._endpoint_in_use() if self._endpoint_in_use is not None else None
        with self._lock:
            if self._stream is not stream:
                return  # already handled by whoever saw it first
            self._stream = None
            if self._send_failure is not None:
                error, self._send_failure = self._send_failure, None
            core = self._core
            terminal = core.closed or not is_transient(error)
            delay = core.stream_failed(
                error,
                terminal=terminal,
                now=now,
                endpoint=getattr(stream, "endpoint", None),
                next_endpoint=next_endpoint,
            )
            self._retry_at = now if reopen_now else now + delay
            outage = core.outage_warning(now)
        # str(): a record holding the error (a buffering handler, caplog) would keep its
        # frames alive, and with them the failed grpc call.
        logger.debug("watch stream ended (%s); re-opening in %.2f s", str(error), delay)
        if outage is not None:
            logger.warning(
                "watch stream down for %.0f s (last error: %s); still trying to re-open it, "
                "watches resume without loss when it is back",
                outage,
                str(error),
            )

    async def _flush(self) -> None:
        """Send the requests the core queued, in order, on the current stream."""
        async with self._send_lock:
            while True:
                with self._lock:
                    request = self._core.pop_request()
                    stream = self._stream
                if request is None or stream is None:
                    return
                try:
                    await stream.send(request)
                except EtcdError as exc:
                    # The stream failed: its reader re-creates what it must.
                    with self._lock:
                        if self._stream is stream and self._send_failure is None:
                            self._send_failure = exc
                    return

    async def _check_permissions(self, checks: list[_Reg]) -> tuple[Recheck, EtcdError | None]:
        """Check whether watches refused for want of permission may read their range now.

        A one-key read of the same range goes through the transport, which re-authenticates
        when the token has expired. Watches whose read is refused end with that error.

        Returns:
            When to re-open the stream, and the error that delays it (``None``: no error).
        """
        recheck = Recheck.ENDED
        delayed_by: EtcdError | None = None
        for reg in checks:
            spec = reg.spec
            request = RangeRequest(
                key=spec.key, range_end=spec.range_end, count_only=True, serializable=True
            )
            error: EtcdError | None = None
            try:
                await self._rpc.kv.range(request, timeout=_PERMISSION_CHECK_TIMEOUT)
            except EtcdError as exc:
                error = exc
            with self._lock:
                outcome = self._core.auth_checked(reg, error)
            if outcome is Recheck.NOW:
                recheck = outcome
            elif outcome is Recheck.LATER and recheck is Recheck.ENDED:
                recheck, delayed_by = outcome, error
        return recheck, None if recheck is Recheck.NOW else delayed_by

    # --- The callback pool -------------------------------------------------------------

    def _schedule(self, sink: _Sink) -> None:
        """Queue a callback watch that has items for a worker (under the lock)."""
        sink.scheduled = True
        self._ready.append(sink)
        if self._reader not in self._workers:
            self._call_worker()  # a consumer reads (or nobody): the pool must run it

    def _call_worker(self) -> None:
        """Wake an idle worker, or start one if the pool may grow (under the lock)."""
        idle = self._idle
        if idle:
            # The heir keeps watching the token's holder while another can do the work.
            chosen = idle[-1] if idle[-1] is not self._heir or len(idle) == 1 else idle[-2]
            idle.remove(chosen)
            if chosen is self._heir:
                self._heir = None
            chosen.event.set()
        elif len(self._workers) < self._max_workers and not self._core.closed:
            self._workers.add(spawn(self._work, name="etcd3-watch-worker"))

    def _call_heir(self) -> None:
        """Make sure an idle worker watches the token's holder (under the lock)."""
        if self._idle:
            heir = self._heir = self._idle[-1]
            heir.event.set()  # it wakes up as the heir, and waits again with a timeout
        elif len(self._workers) < self._max_workers and not self._core.closed:
            self._workers.add(spawn(self._work, name="etcd3-watch-worker"))

    async def _work(self) -> None:
        """A pool worker: read the stream, run callbacks, or stand by as the heir."""
        me = current_worker()
        idle = _Idle(me)
        lock = self._lock
        try:
            while True:
                batch: list[Item] | None = None
                read = False
                wait: float | None = None
                with lock:
                    core = self._core
                    if core.closed or (core.idle and not self._ready):
                        return
                    if self._ready:
                        sink = self._ready.popleft()
                        batch, flush = self._take_batch(sink)
                        now = sink.started = _monotonic()
                        self._running[me] = sink
                        if self._reader is me:
                            self._dispatching_since = now
                        if len(self._running) == self._max_workers:
                            self._saturated()
                    elif self._reader is me:
                        if self._needs_reader():
                            read = True
                        else:
                            self._release(me)
                    elif self._needs_reader() and (
                        self._reader is None or _overdue(self._stuck(_monotonic()))
                    ):
                        self._reader = me  # free, or its holder is stuck in a callback
                        self._dispatching_since = None
                        read = True
                    if batch is None and not read:
                        if self._heir is None and self._callbacks:
                            self._heir = idle
                        if self._heir is idle:
                            stuck = self._stuck(_monotonic())
                            wait = STEAL_AFTER if stuck is None or stuck <= 0 else stuck
                        idle.event.clear()
                        self._idle.append(idle)
                    else:
                        if self._heir is idle:
                            self._heir = None  # busy now: another must watch
                        if self._callbacks and self._heir is None:
                            self._call_heir()
                if batch is not None:
                    await self._run_batch(me, sink, batch, flush)
                elif read:
                    await self._hold(me)
                else:
                    await wait_event(idle.event, wait)
                    with lock:
                        if idle in self._idle:
                            self._idle.remove(idle)
        finally:
            with lock:
                self._workers.discard(current_worker())
                if idle in self._idle:
                    self._idle.remove(idle)
                if self._heir is idle:
                    self._heir = None
                self._running.pop(me, None)
                self._release(me)

    async def _hold(self, me: object) -> None:
        """Holding the read token: read the stream and run the callbacks of what was read,
        until reading is no longer needed or an idle worker took the token over."""
        lock = self._lock
        ready = self._ready
        running = self._running
        while True:
            await self._read_one(False)
            while True:
                with lock:
                    if self._reader is not me:
                        return  # taken over while a callback ran
                    if not ready:
                        # Not while the watcher is closed or has no watch left, even with a
                        # callback still running: there is nothing to read, and reading on
                        # would return at once, forever, without yielding to that callback.
                        if self._needs_reader():
                            break  # read on
                        self._release(me)
                        return
                    sink = ready.popleft()
                    batch, flush = self._take_batch(sink)
                    running[me] = sink
                    self._dispatching_since = sink.started = _monotonic()
                    if self._heir is None:
                        self._call_heir()  # someone must watch us while the callback runs
                    if len(running) == self._max_workers:
                        self._saturated()
                await self._run_batch(me, sink, batch, flush)

    def _stuck(self, now: float) -> float | None:
        """Seconds until the token's holder counts as stuck in callbacks (``<= 0``: it is);
        ``None`` if it is not in a callback (under the lock)."""
        since = self._dispatching_since
        if since is None or self._reader is None:
            return None
        return since + STEAL_AFTER - now

    def _take_batch(self, sink: _Sink) -> tuple[list[Item], bool]:
        """Take up to ``BATCH`` of a callback watch's items for delivery (under the lock).

        Returns:
            The items, and whether requests wait to be sent (a paused watch resumes).
        """
        items = sink.items
        if len(items) <= BATCH:
            batch = list(items)
            items.clear()
        else:
            batch = [items.popleft() for _ in range(BATCH)]
        responses = 0
        for item in batch:
            if isinstance(item, _RawResponse):
                sink.last = item
                responses += 1
        return batch, bool(responses) and self._core.consumed_id(sink.id, responses)

    async def _run_batch(self, me: object, sink: _Sink, batch: list[Item], flush: bool) -> None:
        """Call a watch's callback with each item of ``batch``, in order; then give the watch
        back to the ready queue if more items came meanwhile."""
        if flush:
            await self._flush()
        callback = sink.callback
        assert callback is not None
        ended = False
        try:
            for item in batch:
                delivered: WatchResponse | EtcdError
                if isinstance(item, _RawResponse):
                    delivered = WatchResponse(item)
                elif item is None:
                    ended = True
                    break
                else:
                    ended = True
                    delivered = item
                try:
                    if ASYNC:
                        result = callback(delivered)
                        if result is not None and inspect.isawaitable(result):
                            await result  # a coroutine function's call
                    else:
                        result = callback(delivered)
                        if result is not None and inspect.iscoroutine(result):
                            result.close()  # nothing here can run it (no event loop)
                            logger.error(
                                "watch callback %r returned a coroutine; the sync "
                                "client cannot run it (closed)",
                                callback,
                            )
                except CALLBACK_ERRORS:
                    logger.exception("watch callback %r raised; ignored", callback)
                if ended:
                    break
        finally:
            with self._lock:
                self._running.pop(me, None)
                if self._reader is me:
                    self._dispatching_since = None
                items = sink.items
                if ended:
                    self._callbacks -= 1
                    items.clear()
                elif items:
                    self._ready.append(sink)
                else:
                    sink.scheduled = False

    def _saturated(self) -> None:
        """Every worker is in a callback: watch the episode (under the lock)."""
        if self._watchdog is None and not self._core.closed:
            self._watchdog = spawn(self._watch_saturation, name="etcd3-watch-watchdog")

    async def _watch_saturation(self) -> None:
        """Warn once if every worker stays inside callbacks; end with the episode."""
        warned = False
        try:
            while True:
                with self._lock:
                    running = list(self._running.values())
                    if self._core.closed or len(running) < self._max_workers:
                        return
                now = _monotonic()
                sink = min(running, key=lambda each: each.started)
                since = sink.started
                if not warned and now - since >= SATURATION_WARNING:
                    warned = True
                    logger.warning(
                        "all %d watch callback workers are busy; the callback %r of watch %d "
                        "has been running for %.1f s: deliveries to other callback watches "
                        "wait (etcd is held back meanwhile, nothing is lost)",
                        self._max_workers,
                        sink.callback,
                        sink.id,
                        now - since,
                    )
                await wait_event(self._stop, STEAL_AFTER if warned else SATURATION_WARNING / 4)
        finally:
            with self._lock:
                self._watchdog = None
