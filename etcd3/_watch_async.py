# async-to-sync: source
"""The asyncio client's watches (API.md §3.6): callbacks, iterators, ``watch_once``.

Every watch of a client shares one etcd Watch stream, opened with the first watch and closed
with the last. The logic is in :mod:`etcd3._watch_core`; this shell moves bytes:

- one *reader* (a task; a thread in the sync client) reads the stream, feeds the core and
  re-opens the stream with backoff after a failure;
- each callback watch has its own *dispatcher* (task / thread) that calls the callback, so a
  slow callback delays only its own watch, and a callback may add or cancel watches;
- iterators and ``watch_once`` read their watch's queue in the caller's task or thread.

Requests reach the stream in the order the core queued them (one sender at a time). Nothing
blocks while the core's lock is held.

Failures: the stream is re-opened after any transient failure (member killed or restarted,
connection dropped by grpc's keepalive on a paused member, "no leader" with the client's
``require_leader``, overload), with capped, jittered backoff (about one attempt per 1-2 s
while no member answers), on whichever endpoint the transport then prefers; every watch is
re-created after its last delivered event. A creation refused for permission (the stream's
token may have expired) is checked with a read, which refreshes the token, and retried once
on a new stream. A compacted resume revision ends the watch with ``RevisionCompactedError``.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import AsyncIterator, Iterable

from etcd3._acompat import (
    ASYNC,
    Event,
    Job,
    Lock,
    SimpleQueue,
    StateLock,
    current_worker,
    join_workers,
    queue_get,
    spawn,
    wait_event,
)
from etcd3._base_async import AsyncClientBase
from etcd3._events import AsyncWatchCancel, WatchCallback, WatchFilterType, WatchResponse
from etcd3._events import Event as WatchEvent
from etcd3._runtime import DEFAULT_TIMEOUT, AsyncDuplexStream
from etcd3._validate import deadline
from etcd3._watch_core import Registration, WatchCore, WatchSpec, is_transient, watch_spec
from etcd3.errors import (
    ConnectionClosedError,
    ConnectionTimeoutError,
    EtcdError,
    RevisionCompactedError,
    UnknownError,
    WatchTimedOut,
)
from etcd3.rpc import etcdserverpb
from etcd3.rpc.etcdserverpb import RangeRequest
from etcd3.rpc.services import AsyncStubs

__all__ = ["AsyncWatchMixin", "AsyncWatcher"]

logger = logging.getLogger("etcd3.watch")

CLOSE_TIMEOUT = 5.0
"""Seconds ``close()`` waits for running callbacks to return."""
_PERMISSION_CHECK_TIMEOUT = 10.0
"""Seconds for the read that checks a refused watch's permission (and refreshes the token)."""

_Item = WatchResponse | EtcdError | None
_Stream = AsyncDuplexStream[etcdserverpb.WatchRequest, etcdserverpb.WatchResponse]


class _AsyncSink:
    """Where the core delivers one watch's results: the creation outcome and a queue."""

    __slots__ = ("created", "error", "items", "revision")

    def __init__(self) -> None:
        self.created = Event()
        self.error: EtcdError | None = None
        self.revision = 0
        # Unbounded here; the core bounds it (WatchCore.max_queued).
        self.items: SimpleQueue[_Item] = SimpleQueue()

    def confirmed(self, error: EtcdError | None, revision: int) -> None:
        self.error = error
        self.revision = revision
        self.created.set()

    def push(self, item: _Item) -> None:
        self.items.put_nowait(item)


_Reg = Registration[_AsyncSink]


class AsyncWatcher:
    """The watch stream of one client and every watch on it (see the module docstring).

    Args:
        rpc: The client's generated stubs.
        max_queued: Undelivered responses per watch before it is paused (see
            :class:`~etcd3._watch_core.WatchCore`).
    """

    def __init__(self, rpc: AsyncStubs, *, max_queued: int = 1024) -> None:
        self._rpc = rpc
        self._core: WatchCore[_AsyncSink] = WatchCore(max_queued)
        self._lock = StateLock()
        self._send_lock = Lock()
        self._stream: _Stream | None = None
        self._reading = False
        self._reader: Job | None = None  # the current (or last) reader, for close() to join
        self._dispatchers: set[Job] = set()
        self._stop = Event()

    # --- Watches -----------------------------------------------------------------------

    async def add(
        self, spec: WatchSpec, callback: WatchCallback | None, timeout: float | None
    ) -> _Reg:
        """Create a watch and wait until etcd confirms it (at most ``timeout`` seconds).

        Raises:
            WatchTimedOut: No confirmation in time.
            RevisionCompactedError: ``spec.start_revision`` is compacted.
            EtcdError: The server refused the watch (its ``cancel_reason``), or the client
                is closed.
        """
        sink = _AsyncSink()
        with self._lock:
            reg = self._core.add(spec, sink)
            if not self._reading:
                self._reading = True
                self._reader = spawn(self._run, name="etcd3-watch-reader")
        try:
            await self._flush()
            if not await wait_event(sink.created, timeout):
                raise WatchTimedOut(f"etcd did not confirm the watch within {timeout} s")
            if sink.error is not None:
                raise sink.error
            if spec.start_revision and spec.start_revision <= sink.revision:
                await self._check_history(reg, timeout)
        except BaseException:
            # Timed out, refused, or the caller was interrupted: nobody will consume it.
            await self.cancel(reg.id)
            raise
        if callback is not None:
            with self._lock:
                # Under the lock: the dispatcher removes itself (under it too) when it ends.
                self._dispatchers.add(
                    spawn(
                        functools.partial(self._dispatch, reg, callback),
                        name=f"etcd3-watch-{reg.id}",
                    )
                )
        return reg

    async def _check_history(self, reg: _Reg, timeout: float | None) -> None:
        """Raise at once if the history a replaying watch starts from is compacted.

        etcd confirms such a watch first and cancels it up to 100 ms later; a one-key read at
        the start revision tells now. The watch's own cancel then carries the revision the
        history starts at, which the raised error reports.
        """
        request = RangeRequest(
            key=reg.spec.key, revision=reg.spec.start_revision, limit=1, keys_only=True
        )
        try:
            await self._rpc.kv.range(request, timeout=timeout)
        except RevisionCompactedError as exc:
            try:
                item = await queue_get(reg.sink.items, timeout)
            except TimeoutError:
                item = None
            await self.cancel(reg.id)
            if isinstance(item, RevisionCompactedError):
                raise item from exc
            raise
        except EtcdError:
            pass  # not a verdict on the history; a compaction still arrives on the watch

    async def cancel(self, watch_id: int) -> None:
        """End a watch: its iterator stops, its callback is not called again. Idempotent."""
        with self._lock:
            if not self._core.cancel(watch_id):
                return
            idle = self._core.idle
            stream = self._stream
        if idle and stream is not None:
            stream.cancel()  # the last watch: the reader ends with its stream
        else:
            await self._flush()

    async def request_progress(self) -> None:
        """Ask etcd to send every watch a progress notification (if a stream is open)."""
        with self._lock:
            sent = self._core.request_progress()
        if sent:
            await self._flush()

    async def responses(self, reg: _Reg) -> AsyncIterator[WatchResponse]:
        """Iterate over a watch's responses until it is cancelled; raise its terminal error."""
        try:
            while True:
                item = await reg.sink.items.get()
                if item is None:
                    return
                await self._consumed(reg)
                if not isinstance(item, WatchResponse):
                    raise item
                yield item
        finally:
            await self.cancel(reg.id)

    async def events(self, reg: _Reg) -> AsyncIterator[WatchEvent]:
        """Iterate over a watch's events (progress notifications carry none)."""
        try:
            async for response in self.responses(reg):
                # No `yield from` in async generators; the sync twin keeps this loop too.
                for event in response:  # noqa: RUF100, UP028
                    yield event
        finally:
            await self.cancel(reg.id)

    async def once(self, reg: _Reg, timeout: float | None, *, events: bool) -> WatchResponse:
        """The watch's first response (with ``events``: the first one that has events), then
        cancel the watch.

        Raises:
            WatchTimedOut: Nothing arrived within ``timeout`` seconds (``None``: no limit).
            EtcdError: The error that ended the watch.
        """
        until = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                left = None if until is None else max(0.0, until - time.monotonic())
                try:
                    item = await queue_get(reg.sink.items, left)
                except TimeoutError:
                    raise WatchTimedOut(f"no watch response within {timeout} s") from None
                if item is None:
                    raise ConnectionClosedError("the client was closed")
                await self._consumed(reg)
                if not isinstance(item, WatchResponse):
                    raise item
                if item.watch_response.events or not events:
                    return item
        finally:
            await self.cancel(reg.id)

    async def close(self) -> None:
        """End every watch and the stream; wait for the reader and the dispatchers."""
        with self._lock:
            if self._core.closed:
                return
            self._core.close()
            stream = self._stream
            workers = [*self._dispatchers, *([self._reader] if self._reader else [])]
        self._stop.set()
        if stream is not None:
            stream.cancel()
        await join_workers(workers, CLOSE_TIMEOUT)

    # --- Workers -----------------------------------------------------------------------

    async def _consumed(self, reg: _Reg) -> None:
        with self._lock:
            self._core.consumed(reg)
            flush = self._core.has_requests
        if flush:
            await self._flush()

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
                except EtcdError:
                    return  # the stream failed: the reader re-creates what it must

    async def _dispatch(self, reg: _Reg, callback: WatchCallback) -> None:
        """Call ``callback`` with each of the watch's results, the terminal error last."""
        items = reg.sink.items
        try:
            while True:
                item = await items.get()
                if item is None:
                    return
                await self._consumed(reg)
                try:
                    if ASYNC:
                        result = callback(item)
                        if inspect.isawaitable(result):  # a coroutine function's call
                            await result
                    else:
                        callback(item)
                except Exception:
                    logger.exception("watch callback %r raised; ignored", callback)
                if not isinstance(item, WatchResponse):
                    return
        finally:
            with self._lock:
                self._dispatchers.discard(current_worker())

    async def _run(self) -> None:
        """The reader: open the stream, route responses, re-open it after failures."""
        reopening = False
        while True:
            with self._lock:
                if self._core.closed or self._core.idle:
                    self._reading = False
                    return
            error: EtcdError | None = None
            try:
                stream = self._rpc.watch.watch(timeout=None)
            except EtcdError as exc:
                error = exc
            else:
                with self._lock:
                    self._stream = stream
                    self._core.stream_opened()
                if reopening:
                    logger.info(
                        "watch stream re-opened on %s; watches resume after their last "
                        "delivered revision",
                        getattr(stream, "endpoint", "an endpoint"),
                    )
                error = await self._read(stream)
                stream.cancel()
            with self._lock:
                self._stream = None
                closed = self._core.closed
                terminal = closed or not is_transient(error)
                self._core.stream_failed(error, terminal=terminal)
                if closed or self._core.idle:
                    self._reading = False
                    return
                delay = self._core.backoff.next_delay()
            # str(): a record holding the error (a buffering handler, caplog) would keep its
            # frames alive, and with them the failed grpc call.
            logger.debug("watch stream ended (%s); re-opening in %.2f s", str(error), delay)
            reopening = True
            await wait_event(self._stop, delay)

    async def _read(self, stream: _Stream) -> EtcdError | None:
        """Read ``stream`` to its end: ``None`` if it ended quietly, else its error."""
        core = self._core
        try:
            await self._flush()
            async for response in stream:
                with self._lock:
                    core.receive(response)
                    flush = core.has_requests
                    checks = core.take_auth_checks()
                if flush:
                    await self._flush()
                if checks and await self._check_permissions(checks):
                    return None  # re-open: the new stream carries the refreshed token
        except EtcdError as exc:
            return exc
        except Exception as exc:  # a bug must not kill the reader silently, nor loudly
            logger.exception("watch stream reader failed")
            return UnknownError(f"watch reader failed: {exc!r}")
        return None

    async def _check_permissions(self, checks: list[_Reg]) -> bool:
        """Check whether watches refused for want of permission may read their range now.

        A one-key read of the same range goes through the transport, which re-authenticates
        when the token has expired. Watches whose read fails end with that error.

        Returns:
            Whether any check passed (then the stream must be re-opened).
        """
        passed = False
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
                self._core.auth_checked(reg, error)
            passed = passed or error is None
        return passed


def _creation_timeout(timeout_override: float | None, default: float | None) -> float | None:
    """The seconds to wait for a watch's confirmation (validated; ``0`` has expired)."""
    timeout = deadline(timeout_override)
    if timeout is DEFAULT_TIMEOUT:
        return default
    if timeout == 0:
        raise ConnectionTimeoutError(
            "deadline of 0 s expired before the watch was created", outcome_unknown=False
        )
    return timeout


def _once_timeout(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout)}")
    if not timeout >= 0:
        raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout!r}")
    return float(timeout)


def _check_callback(callback: object) -> None:
    if not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")


class AsyncWatchMixin(AsyncClientBase):
    """The client's watches (API.md §3.6).

    Every watch shares one stream; watches survive connection loss and server restarts (they
    resume after the last delivered event, with nothing lost or repeated). ``W`` below stands
    for the watch options, in this order:

    - ``start_revision``: first revision to report, inclusive (``None``: changes from now);
    - ``progress_notify``: ask for periodic empty responses while nothing changes;
    - ``filters``: events to drop on the server: ``"noput"``, ``"nodelete"`` (or ``FilterType``);
    - ``prev_kv``: fill each event's ``prev_*`` with the key-value before the change;
    - ``fragment`` (keyword): let etcd split huge batches (``WatchResponse.fragment``);
    - ``timeout_override`` (keyword): seconds to wait for etcd's confirmation of the watch.
    """

    _watcher_state: AsyncWatcher | None = None

    def _watcher(self) -> AsyncWatcher:
        watcher = self._watcher_state
        if watcher is None:
            if self._conn.closed:
                raise ConnectionClosedError("the client is closed")
            watcher = self._watcher_state = AsyncWatcher(self._rpc)
        return watcher

    async def add_watch_callback(
        self,
        key: str | bytes,
        callback: WatchCallback,
        range_end: str | bytes | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> int:
        """Watch a key (or ``[key, range_end)``) and call ``callback`` with each response.

        The callback runs in its own dispatcher (a task; a thread in the sync client), one call
        at a time, in order. It gets each :class:`WatchResponse`, or once an
        :class:`~etcd3.EtcdError` that ended the watch. Its exceptions are logged on the
        ``etcd3`` logger and ignored. It may add and cancel watches. Coroutine functions are
        awaited (asyncio client).

        Args:
            key: The key, or the start of the range.
            callback: Called with each response or the terminal error.
            range_end: End of the range (exclusive), or ``None`` for the key alone.
            start_revision: First revision to report (``None``: from now on).
            progress_notify: Ask for periodic progress notifications.
            filters: ``"noput"``/``"nodelete"`` (or ``FilterType``) to drop on the server.
            prev_kv: Fill the events' ``prev_*`` fields.
            fragment: Allow fragmented responses.
            timeout_override: Seconds to wait for etcd's confirmation (``None``: client's).

        Returns:
            The watch id, for :meth:`cancel_watch`.

        Raises:
            WatchTimedOut: etcd did not confirm the watch in time.
            RevisionCompactedError: ``start_revision`` is compacted.
            EtcdError: etcd refused the watch (with its ``cancel_reason``).
            TypeError: A bad argument type (before anything is sent).
            ValueError: An empty key, a bad revision or filter (before anything is sent).
        """
        _check_callback(callback)
        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        timeout = _creation_timeout(timeout_override, self.timeout)
        reg = await self._watcher().add(spec, callback, timeout)
        return reg.id

    async def add_watch_prefix_callback(
        self,
        key_prefix: str | bytes,
        callback: WatchCallback,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> int:
        """Like :meth:`add_watch_callback` for every key starting with ``key_prefix``.

        An empty prefix watches every key.

        Returns:
            The watch id, for :meth:`cancel_watch`.
        """
        _check_callback(callback)
        spec = watch_spec(
            key_prefix,
            None,
            start_revision,
            progress_notify,
            filters,
            prev_kv,
            fragment,
            prefix=True,
        )
        timeout = _creation_timeout(timeout_override, self.timeout)
        reg = await self._watcher().add(spec, callback, timeout)
        return reg.id

    async def cancel_watch(self, watch_id: int, *, timeout_override: float | None = None) -> None:
        """Stop a watch made by an ``add_watch*_callback`` method; an unknown id is a no-op.

        The callback is not called after this returns (unless it is running right now).

        Args:
            watch_id: The id the ``add_watch*`` method returned.
            timeout_override: Validated like every deadline; cancelling never waits for etcd.
        """
        deadline(timeout_override)
        watcher = self._watcher_state
        if watcher is not None:
            await watcher.cancel(watch_id)

    async def request_progress(self) -> None:
        """Ask etcd for a progress notification on every watch (**new**).

        Each ``_response`` iterator and callback receives an empty :class:`WatchResponse`
        whose ``header.revision`` is the store's revision. Does nothing without watches.

        Tracking a high-water mark (the revision up to which a watch has delivered every
        change) while nothing changes: keep ``mark = max(mark, r.max_mod_revision)`` for
        responses with events, and ``mark = max(mark, r.header.revision)`` for empty ones.
        Empty responses come from ``progress_notify=True`` (every few minutes, or per
        ``--experimental-watch-progress-notify-interval``; etcd sends them only to watches
        that have caught up, so they are exact) or from this method (on demand; etcd before
        3.5.8 may answer it while a watch still replays history, so count on it only once
        the watch has caught up). A resumed watch (after a failure or failover) keeps the
        mark valid: it continues after the last delivered event, never repeating one.
        """
        watcher = self._watcher_state
        if watcher is not None:
            await watcher.request_progress()

    async def watch_response(
        self,
        key: str | bytes,
        range_end: str | bytes | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> tuple[AsyncIterator[WatchResponse], AsyncWatchCancel]:
        """Watch a key (or a range) and iterate over its responses.

        The watch exists when this returns (etcd confirmed it); responses queue up until
        iterated. Iteration ends after ``cancel()`` (or ``close()``) and raises the
        :class:`~etcd3.EtcdError` that ended the watch, if one did. Arguments as in
        :meth:`add_watch_callback`.

        Returns:
            ``(responses, cancel)``.
        """
        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, timeout)
        return watcher.responses(reg), functools.partial(watcher.cancel, reg.id)

    async def watch(
        self,
        key: str | bytes,
        range_end: str | bytes | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> tuple[AsyncIterator[WatchEvent], AsyncWatchCancel]:
        """Watch a key (or a range) and iterate over its events.

        As :meth:`watch_response`, yielding each :class:`Event` of each response.

        Returns:
            ``(events, cancel)``.
        """
        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, timeout)
        return watcher.events(reg), functools.partial(watcher.cancel, reg.id)

    async def watch_prefix_response(
        self,
        key_prefix: str | bytes,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> tuple[AsyncIterator[WatchResponse], AsyncWatchCancel]:
        """:meth:`watch_response` for every key starting with ``key_prefix``.

        Returns:
            ``(responses, cancel)``.
        """
        spec = watch_spec(
            key_prefix,
            None,
            start_revision,
            progress_notify,
            filters,
            prev_kv,
            fragment,
            prefix=True,
        )
        timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, timeout)
        return watcher.responses(reg), functools.partial(watcher.cancel, reg.id)

    async def watch_prefix(
        self,
        key_prefix: str | bytes,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> tuple[AsyncIterator[WatchEvent], AsyncWatchCancel]:
        """:meth:`watch` for every key starting with ``key_prefix``.

        Returns:
            ``(events, cancel)``.
        """
        spec = watch_spec(
            key_prefix,
            None,
            start_revision,
            progress_notify,
            filters,
            prev_kv,
            fragment,
            prefix=True,
        )
        timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, timeout)
        return watcher.events(reg), functools.partial(watcher.cancel, reg.id)

    async def watch_once_response(
        self,
        key: str | bytes,
        timeout: float | None = None,
        range_end: str | bytes | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> WatchResponse:
        """Watch a key (or a range) until its first response, then stop watching.

        The first response is an event batch, or a progress notification when
        ``progress_notify`` is set.

        Args:
            key: The key, or the start of the range.
            timeout: Seconds to wait for the response (``None``: forever).
            range_end: End of the range, or ``None`` for the key alone.
            start_revision: As for :meth:`add_watch_callback`; likewise the rest.
            progress_notify: Ask for progress notifications.
            filters: Server-side filters.
            prev_kv: Fill the events' ``prev_*`` fields.
            fragment: Allow fragmented responses.
            timeout_override: Seconds to wait for etcd's confirmation of the watch.

        Returns:
            The first response.

        Raises:
            WatchTimedOut: Nothing arrived within ``timeout`` (or no confirmation in time).
            EtcdError: The error that ended the watch (e.g. ``RevisionCompactedError``).
        """
        wait = _once_timeout(timeout)
        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        create_timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, create_timeout)
        return await watcher.once(reg, wait, events=False)

    async def watch_once(
        self,
        key: str | bytes,
        timeout: float | None = None,
        range_end: str | bytes | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> list[WatchEvent]:
        """Watch a key (or a range) until the first batch of events, then stop watching.

        Arguments as in :meth:`watch_once_response`; progress notifications are skipped.

        Returns:
            The events of the first batch (one revision or more).

        Raises:
            WatchTimedOut: No event within ``timeout`` (or no confirmation in time).
            EtcdError: The error that ended the watch.
        """
        wait = _once_timeout(timeout)
        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        create_timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, create_timeout)
        return (await watcher.once(reg, wait, events=True)).events

    async def watch_prefix_once_response(
        self,
        key_prefix: str | bytes,
        timeout: float | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> WatchResponse:
        """:meth:`watch_once_response` for every key starting with ``key_prefix``.

        Returns:
            The first response.
        """
        wait = _once_timeout(timeout)
        spec = watch_spec(
            key_prefix,
            None,
            start_revision,
            progress_notify,
            filters,
            prev_kv,
            fragment,
            prefix=True,
        )
        create_timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, create_timeout)
        return await watcher.once(reg, wait, events=False)

    async def watch_prefix_once(
        self,
        key_prefix: str | bytes,
        timeout: float | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        *,
        fragment: bool = False,
        timeout_override: float | None = None,
    ) -> list[WatchEvent]:
        """:meth:`watch_once` for every key starting with ``key_prefix``.

        Returns:
            The events of the first batch.
        """
        wait = _once_timeout(timeout)
        spec = watch_spec(
            key_prefix,
            None,
            start_revision,
            progress_notify,
            filters,
            prev_kv,
            fragment,
            prefix=True,
        )
        create_timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        reg = await watcher.add(spec, None, create_timeout)
        return (await watcher.once(reg, wait, events=True)).events

    async def close(self) -> None:
        """Cancel every watch (iterators end, callbacks stop), then close the client."""
        watcher = self._watcher_state
        if watcher is not None:
            await watcher.close()
        await super().close()
