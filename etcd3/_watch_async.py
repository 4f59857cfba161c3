# async-to-sync: source
"""The asyncio client's watches: callbacks, iterators, ``watch_once``, and watch handles.

The methods here validate arguments and hand watches to the client's
``AsyncWatcher``, which owns the one stream every watch shares,
who reads it and the pool that runs callbacks. An [`AsyncWatchHandle`][etcd3.AsyncWatchHandle] is
one watch as the caller holds it: its events (``async for``), ``cancel()``, ``watch_id`` and
[`WatchState`][etcd3.WatchState]; the ``(events, cancel)`` pairs of ``watch()`` are a handle and its
``cancel``.

The module is long for one job: about fifteen public methods, most of them the predecessors'
signatures with every argument documented; each is a few lines over the watcher.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn

from typing_extensions import Self

from etcd3._acompat import ASYNC, StateLock
from etcd3._base_async import AsyncClientBase
from etcd3._timeouts import call_timeout, timeout_arg
from etcd3._validate import callback_arg, watch_id_arg
from etcd3.errors import (
    ConnectionClosedError,
    ConnectionTimeoutError,
    EtcdError,
    WatchTimedOut,
    WrongEventLoopError,
)
from etcd3.rpc import etcdserverpb, mvccpb
from etcd3.rpc.methods import WATCH_WATCH

# The watch machinery (events, the sans-IO core, the stream's owner) loads with the client's
# first watch: a client that never watches does not pay for it.
if TYPE_CHECKING:
    from collections.abc import Callable

    from etcd3._events import (
        AsyncWatchCancel,
        DeleteEvent,
        Event,
        PutEvent,
        WatchCallback,
        WatchFilterType,
        WatchResponse,
    )
    from etcd3._watch_core import WatchSpec, WatchState
    from etcd3._watcher_async import AsyncWatcher, WatchRegistration

__all__ = ["AsyncWatchHandle", "AsyncWatchMixin"]

_NO_EVENTS: Sequence[mvccpb.Event] = ()


class AsyncWatchHandle:
    """One watch, as [`AsyncWatchMixin.watcher`][etcd3.AsyncEtcd3Client.watcher] returns it.

    ``async for event in handle`` yields its events (``handle.responses()``: whole
    [`WatchResponse`][etcd3.WatchResponse] batches, progress notifications included); iteration ends
    after [`cancel`][etcd3.AsyncWatchHandle.cancel] (or the client's ``close()``) once what was
    already received is delivered, and raises the [`EtcdError`][etcd3.errors.Etcd3Exception] that
    ended the watch, if one did. A watch made with a ``callback`` delivers to it instead and cannot
    be iterated. ``async with`` cancels the watch on exit; an iterated handle that is dropped
    without ``cancel()`` is cancelled when it is garbage-collected.

    Attributes:
        watch_id: The watch's id (for ``cancel_watch``), unique within the client.
    """

    __slots__ = (
        "_count",
        "_create_event",
        "_events",
        "_finished",
        "_header",
        "_index",
        "_reg",
        "_watcher",
        "watch_id",
    )

    def __init__(self, watcher: AsyncWatcher, reg: WatchRegistration) -> None:
        from etcd3._events import Event

        self._create_event: Callable[
            [mvccpb.Event, etcdserverpb.ResponseHeader], PutEvent | DeleteEvent
        ] = Event.create_event
        self._watcher = watcher
        self._reg = reg
        self.watch_id: int = reg.id
        self._events = _NO_EVENTS
        self._header = etcdserverpb.ResponseHeader()
        self._index = 0
        self._count = 0
        self._finished = False

    @property
    def state(self) -> WatchState:
        """Where the watch stands now: connected, reconnecting since when, last revision."""
        return self._watcher.state(self._reg)

    def __aiter__(self) -> Self:
        self._check_iterable()
        return self

    def _check_iterable(self) -> None:
        if self._reg.sink.callback is not None:
            raise TypeError("a watch made with a callback delivers to it: it has no iterator")

    async def __anext__(self) -> PutEvent | DeleteEvent:
        index = self._index
        if index < self._count:
            self._index = index + 1
            return self._create_event(self._events[index], self._header)
        if self._finished:
            raise StopAsyncIteration
        reg = self._reg
        while True:
            item = await self._watcher.next_item(reg)
            if not isinstance(item, etcdserverpb.WatchResponse):
                self._end(item)
            events = item.events
            count = len(events)
            if count:
                self._events = events
                self._count = count
                self._index = 1
                header = self._header = item.header
                return self._create_event(events[0], header)

    async def responses(self) -> AsyncIterator[WatchResponse]:
        """Iterate over the watch's responses (each a batch of events, or a progress
        notification) until it ends."""
        from etcd3._events import WatchResponse

        self._check_iterable()
        while True:
            try:
                raw = await self._next_raw()
            except StopAsyncIteration:
                return
            yield WatchResponse(raw)

    async def _next_raw(self) -> etcdserverpb.WatchResponse:
        if self._finished:
            raise StopAsyncIteration
        item = await self._watcher.next_item(self._reg)
        if not isinstance(item, etcdserverpb.WatchResponse):
            self._end(item)
        return item

    def _end(self, item: EtcdError | None) -> NoReturn:
        """The watch ended: stop iterating (``None``) or raise the error that ended it."""
        self._finished = True
        if item is None:
            raise StopAsyncIteration
        raise item

    async def cancel(self) -> None:
        """End the watch: iteration stops after what was already received, the callback is
        not called again (unless it is running now). Idempotent."""
        await self._watcher.cancel(self.watch_id)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.cancel()

    def __del__(self) -> None:
        if not self._finished and self._reg.sink.callback is None:
            self._watcher.abandon(self._reg)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.watch_id} {self._reg.spec.key!r}>"


def _creation_timeout(timeout_override: float | None, default: float | None) -> float | None:
    """The seconds to wait for a watch's confirmation (by ``call_timeout``;
    ``0`` has expired before the watch was asked for)."""
    timeout = call_timeout(timeout_override, default)
    if timeout == 0:
        raise ConnectionTimeoutError(
            "deadline of 0 s expired before the watch was created", outcome_unknown=False
        )
    return timeout


def _default_watch_settings() -> tuple[int, float]:
    from etcd3._watcher_async import DEFAULT_CALLBACK_WORKERS, DEFAULT_WARN_AFTER

    return DEFAULT_CALLBACK_WORKERS, DEFAULT_WARN_AFTER


class AsyncWatchMixin(AsyncClientBase):
    """The client's watches.

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
    _watches_closed: bool = False
    """Set by ``close``: no watcher is made after it."""
    if ASYNC:
        _watch_loop: asyncio.AbstractEventLoop | None = None
        """The event loop the watcher was made in, which its stream and tasks belong to."""
    _watch_settings: tuple[int, float] | None = None
    """``(callback_workers, warn_after)`` from ``configure_watches``; ``None``: the defaults."""

    def _watcher(self) -> AsyncWatcher:
        watcher = self._watcher_state
        if watcher is not None:
            if ASYNC:  # noqa: SIM102 (the sync twin drops the whole ``if ASYNC:`` block)
                # The watch stream and the watcher's tasks belong to the event loop of the
                # client's first watch: from another loop, a write to the stream would fail
                # in asyncio, as a call outside its channel's loop does.
                if asyncio.get_running_loop() is not self._watch_loop:
                    raise WrongEventLoopError(method=WATCH_WATCH.path)
            return watcher
        # Threads that start a client's first watches at once must share one watcher, and
        # close() must see the one made, or its stream and workers would outlive the client.
        with _MAKING_WATCHER:
            watcher = self._watcher_state
            if watcher is not None:
                return watcher
            conn = self._conn
            if conn.closed or self._watches_closed:
                raise ConnectionClosedError("the client is closed")
            from etcd3._watcher_async import AsyncWatcher

            workers, warn_after = self._watch_settings or _default_watch_settings()
            watcher = self._watcher_state = AsyncWatcher(
                self._rpc,
                policy=conn.caller.retry_policy,
                endpoint_in_use=lambda: conn.endpoint,
                callback_workers=workers,
                warn_after=warn_after,
            )
            if ASYNC:
                self._watch_loop = asyncio.get_running_loop()
        return watcher

    def configure_watches(
        self, *, callback_workers: int | None = None, warn_after: float | None = None
    ) -> None:
        """Set how this client runs watches (**new**); call it before the first watch.

        Args:
            callback_workers: The most callbacks that run at once (default
                ``DEFAULT_CALLBACK_WORKERS``, 4): workers (tasks;
                threads in the sync client) shared by every callback watch of the client.
                A slow callback occupies one; when all are busy, delivery to the other
                callback watches waits (see the watch guide).
            warn_after: Seconds the watch stream may stay down before a WARNING on the
                ``etcd3.watch`` logger says so (default 30; once per outage; its end is
                logged at INFO).

        Raises:
            RuntimeError: The client already has watches (the settings are fixed then).
            TypeError: A value of the wrong type.
            ValueError: ``callback_workers < 1`` or a negative ``warn_after``.
        """
        workers, warn = self._watch_settings or _default_watch_settings()
        if callback_workers is not None:
            if isinstance(callback_workers, bool) or not isinstance(callback_workers, int):
                raise TypeError(
                    f"callback_workers must be an int, not {type(callback_workers).__name__}"
                )
            if callback_workers < 1:
                raise ValueError(f"callback_workers must be >= 1, got {callback_workers}")
            workers = callback_workers
        if warn_after is not None:
            if isinstance(warn_after, bool) or not isinstance(warn_after, (int, float)):
                raise TypeError(
                    f"warn_after must be a number of seconds, not {type(warn_after).__name__}"
                )
            if math.isnan(warn_after) or warn_after < 0:
                raise ValueError(f"warn_after must be >= 0 seconds, got {warn_after!r}")
            warn = float(warn_after)
        if self._watcher_state is not None:
            raise RuntimeError("configure_watches() must come before the client's first watch")
        self._watch_settings = (workers, warn)

    async def watcher(
        self,
        key: str | bytes,
        *,
        range_end: str | bytes | None = None,
        prefix: bool = False,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        fragment: bool = False,
        callback: WatchCallback | None = None,
        timeout_override: float | None = None,
    ) -> AsyncWatchHandle:
        """Watch a key, a range or a prefix, and get the watch as a handle (**new**).

        The watch exists when this returns (etcd confirmed it), so every change made after it
        is seen. Iterate the handle for events, or pass ``callback`` to have each
        [`WatchResponse`][etcd3.WatchResponse] (and once, the error that ended the watch) delivered
        to it. ``async with`` cancels it on exit:

            async with await client.watcher("/config/", prefix=True) as watch:
                async for event in watch:
                    ...

        Creating a watch fails the way a read fails: with no member reachable it raises
        ``ConnectionFailedError`` after the client's retry policy (within ``timeout``).

        Args:
            key: The key, the start of the range, or the prefix.
            range_end: End of the range (exclusive); ``None`` for the key alone.
            prefix: Watch every key starting with ``key`` (an empty ``key``: every key).
            start_revision: First revision to report (``None``: changes from now on).
            progress_notify: Ask for periodic progress notifications.
            filters: ``"noput"``/``"nodelete"`` (or ``FilterType``) to drop on the server.
            prev_kv: Fill the events' ``prev_*`` fields.
            fragment: Allow fragmented responses.
            callback: Called with each response, in a worker of the client's callback pool,
                one call at a time per watch. A coroutine function is awaited in asyncio; the
                sync client refuses one (``TypeError``).
            timeout_override: Seconds to wait for etcd's confirmation (``None``: the client's
                timeout).

        Returns:
            The watch's handle.

        Raises:
            ConnectionFailedError: No member could be reached (after the retry policy).
            WatchTimedOut: etcd did not confirm the watch in time.
            RevisionCompactedError: ``start_revision`` is compacted.
            EtcdError: etcd refused the watch (with its ``cancel_reason``).
            TypeError: A bad argument type (before anything is sent).
            ValueError: An empty key, a bad revision or filter, ``range_end`` with ``prefix``.
        """
        return (
            await self.watchers(
                [key],
                range_end=range_end,
                prefix=prefix,
                start_revision=start_revision,
                progress_notify=progress_notify,
                filters=filters,
                prev_kv=prev_kv,
                fragment=fragment,
                callback=callback,
                timeout_override=timeout_override,
            )
        )[0]

    async def watchers(
        self,
        keys: Iterable[str | bytes],
        *,
        range_end: str | bytes | None = None,
        prefix: bool = False,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
        fragment: bool = False,
        callback: WatchCallback | None = None,
        timeout_override: float | None = None,
    ) -> list[AsyncWatchHandle]:
        """[`watcher`][etcd3.AsyncEtcd3Client.watcher] for many keys at once, with the same options
        (**new**).

        Their create requests go out together and are confirmed together: thousands of
        watches are made in about the time of one round trip per hundred, where a loop of
        [`watcher`][etcd3.AsyncEtcd3Client.watcher] waits for each confirmation in turn. All or
        nothing: if one fails, the others are cancelled and its error is raised.

        Returns:
            One handle per key, in order.
        """
        if callback is not None:
            callback_arg(callback, "callback", coroutines=ASYNC)
        if isinstance(keys, (str, bytes)):
            raise TypeError("keys must be a collection of keys, not a single key")
        if prefix and range_end is not None:
            raise ValueError("pass range_end or prefix=True, not both")
        filters = None if filters is None else list(filters)
        from etcd3._watch_core import watch_spec

        specs = [
            watch_spec(
                key,
                range_end,
                start_revision,
                progress_notify,
                filters,
                prev_kv,
                fragment,
                prefix=prefix,
            )
            for key in keys
        ]
        timeout = _creation_timeout(timeout_override, self.timeout)
        watcher = self._watcher()
        regs = await watcher.add_many(specs, callback, timeout)
        return [AsyncWatchHandle(watcher, reg) for reg in regs]

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

        The callback runs in a worker of the client's callback pool (tasks; threads in the
        sync client; see [`configure_watches`][etcd3.AsyncEtcd3Client.configure_watches]), one call
        at a time per watch, in order. It gets each [`WatchResponse`][etcd3.WatchResponse], or once
        the [`EtcdError`][etcd3.errors.Etcd3Exception] that ended the watch. Its exceptions are
        logged on the ``etcd3.watch`` logger and ignored. It may add and cancel watches. A
        coroutine function is awaited in asyncio; the sync client refuses one (``TypeError``),
        having no event loop to run it in.

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
            The watch id, for [`cancel_watch`][etcd3.AsyncEtcd3Client.cancel_watch].

        Raises:
            ConnectionFailedError: No member could be reached (after the retry policy).
            WatchTimedOut: etcd did not confirm the watch in time.
            RevisionCompactedError: ``start_revision`` is compacted.
            EtcdError: etcd refused the watch (with its ``cancel_reason``).
            TypeError: A bad argument type (before anything is sent).
            ValueError: An empty key, a bad revision or filter (before anything is sent).
        """
        callback_arg(callback, "callback", coroutines=ASYNC)
        from etcd3._watch_core import watch_spec

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
        """Like [`add_watch_callback`][etcd3.AsyncEtcd3Client.add_watch_callback] for every key
        starting with ``key_prefix``.

        An empty prefix watches every key.

        Returns:
            The watch id, for [`cancel_watch`][etcd3.AsyncEtcd3Client.cancel_watch].
        """
        callback_arg(callback, "callback", coroutines=ASYNC)
        from etcd3._watch_core import watch_spec

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

        Raises:
            TypeError: ``watch_id`` is not an int.
        """
        watch_id = watch_id_arg(watch_id)
        call_timeout(timeout_override, None)
        watcher = self._watcher_state
        if watcher is not None:
            await watcher.cancel(watch_id)

    async def request_progress(self) -> None:
        """Ask etcd for a progress notification on every watch (**new**).

        Each ``_response`` iterator and callback receives an empty
        [`WatchResponse`][etcd3.WatchResponse] whose ``header.revision`` is the store's revision.
        Does nothing without watches.

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

    async def _handle(
        self, spec: WatchSpec, timeout_override: float | None, within: float | None = None
    ) -> AsyncWatchHandle:
        """A new watch, confirmed by etcd within ``timeout_override`` and, when given, within
        ``within`` seconds (a wait that bounds the creation too)."""
        timeout = _creation_timeout(timeout_override, self.timeout)
        if within and (timeout is None or within < timeout):
            timeout = within
        watcher = self._watcher()
        return AsyncWatchHandle(watcher, await watcher.add(spec, None, timeout))

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
        [`EtcdError`][etcd3.errors.Etcd3Exception] that ended the watch, if one did. Arguments as in
        [`add_watch_callback`][etcd3.AsyncEtcd3Client.add_watch_callback].

        Returns:
            ``(responses, cancel)``.
        """
        from etcd3._watch_core import watch_spec

        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        handle = await self._handle(spec, timeout_override)
        return _cancelling(handle), handle.cancel

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
    ) -> tuple[AsyncWatchHandle, AsyncWatchCancel]:
        """Watch a key (or a range) and iterate over its events.

        As [`watch_response`][etcd3.AsyncEtcd3Client.watch_response], yielding each
        [`Event`][etcd3.Event] of each response. The iterator is the watch's
        [`AsyncWatchHandle`][etcd3.AsyncWatchHandle].

        Returns:
            ``(events, cancel)``: ``events`` is the watch's handle, ``cancel`` its ``cancel``.
        """
        from etcd3._watch_core import watch_spec

        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        handle = await self._handle(spec, timeout_override)
        return handle, handle.cancel

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
        """[`watch_response`][etcd3.AsyncEtcd3Client.watch_response] for every key starting with
        ``key_prefix``.

        Returns:
            ``(responses, cancel)``.
        """
        from etcd3._watch_core import watch_spec

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
        handle = await self._handle(spec, timeout_override)
        return _cancelling(handle), handle.cancel

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
    ) -> tuple[AsyncWatchHandle, AsyncWatchCancel]:
        """[`watch`][etcd3.AsyncEtcd3Client.watch] for every key starting with ``key_prefix``.

        Returns:
            ``(events, cancel)``.
        """
        from etcd3._watch_core import watch_spec

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
        handle = await self._handle(spec, timeout_override)
        return handle, handle.cancel

    async def _once(
        self, spec: WatchSpec, wait: float | None, timeout_override: float | None, *, events: bool
    ) -> WatchResponse:
        """The first response of a new watch (with ``events``: the first with events), then
        cancel the watch."""
        from etcd3._events import WatchResponse

        until = None if wait is None else time.monotonic() + wait
        # The wait bounds the whole call, the watch's creation included (``0`` tries once: a
        # creation within its own timeout, then what has arrived).
        handle = await self._handle(spec, timeout_override, wait)
        watcher = handle._watcher
        try:
            while True:
                left = None if until is None else max(0.0, until - time.monotonic())
                try:
                    item = await watcher.next_item(handle._reg, left)
                except TimeoutError:
                    raise WatchTimedOut(f"no watch response within {wait} s") from None
                if item is None:
                    raise ConnectionClosedError("the client was closed")
                if not isinstance(item, etcdserverpb.WatchResponse):
                    raise item
                if item.events or not events:
                    return WatchResponse(item)
        finally:
            await handle.cancel()

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
            timeout: Seconds to wait for the response, the watch's creation included
                (``None``: forever; ``0``: what has arrived once the watch is created).
            range_end: End of the range, or ``None`` for the key alone.
            start_revision: As for
                [`add_watch_callback`][etcd3.AsyncEtcd3Client.add_watch_callback]; likewise the
                rest.
            progress_notify: Ask for progress notifications.
            filters: Server-side filters.
            prev_kv: Fill the events' ``prev_*`` fields.
            fragment: Allow fragmented responses.
            timeout_override: Seconds to wait for etcd's confirmation of the watch (the
                client's timeout when ``None``), at most ``timeout``.

        Returns:
            The first response.

        Raises:
            WatchTimedOut: Nothing arrived within ``timeout`` (or no confirmation in time).
            EtcdError: The error that ended the watch (e.g. ``RevisionCompactedError``).
        """
        wait = timeout_arg(timeout)
        from etcd3._watch_core import watch_spec

        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        return await self._once(spec, wait, timeout_override, events=False)

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
    ) -> list[Event]:
        """Watch a key (or a range) until the first batch of events, then stop watching.

        Arguments as in [`watch_once_response`][etcd3.AsyncEtcd3Client.watch_once_response].

        Returns:
            The events of the first batch (one revision or more); with ``progress_notify``,
                of the first response, which is ``[]`` when that is a progress notification.
                Each is a [`PutEvent`][etcd3.PutEvent] or a [`DeleteEvent`][etcd3.DeleteEvent];
                the list is typed ``list[Event]``, as the predecessors typed it.

        Raises:
            WatchTimedOut: No event within ``timeout`` (or no confirmation in time).
            EtcdError: The error that ended the watch.
        """
        wait = timeout_arg(timeout)
        from etcd3._watch_core import watch_spec

        spec = watch_spec(
            key, range_end, start_revision, progress_notify, filters, prev_kv, fragment
        )
        return (await self._once(spec, wait, timeout_override, events=not progress_notify)).events

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
        """[`watch_once_response`][etcd3.AsyncEtcd3Client.watch_once_response] for every key
        starting with ``key_prefix``.

        Returns:
            The first response.
        """
        wait = timeout_arg(timeout)
        from etcd3._watch_core import watch_spec

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
        return await self._once(spec, wait, timeout_override, events=False)

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
    ) -> list[Event]:
        """[`watch_once`][etcd3.AsyncEtcd3Client.watch_once] for every key starting with
        ``key_prefix``.

        Returns:
            The events of the first batch (with ``progress_notify``: of the first response).
        """
        wait = timeout_arg(timeout)
        from etcd3._watch_core import watch_spec

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
        return (await self._once(spec, wait, timeout_override, events=not progress_notify)).events

    async def close(self) -> None:
        """Cancel every watch (iterators end, callbacks stop), then close the client."""
        with _MAKING_WATCHER:
            watcher = self._watcher_state
            self._watches_closed = True
        if watcher is not None:
            await watcher.close()
        await super().close()


_MAKING_WATCHER = StateLock()
"""Held while a client's watcher is made, or ``close`` takes it: rare, brief, never contended
for long, so one for every client."""


async def _cancelling(handle: AsyncWatchHandle) -> AsyncIterator[WatchResponse]:
    """``handle``'s responses; the watch is cancelled when the iteration is closed or dropped."""
    from etcd3._events import WatchResponse

    try:
        while True:
            try:
                raw = await handle._next_raw()
            except StopAsyncIteration:
                return
            yield WatchResponse(raw)
    finally:
        await handle.cancel()
