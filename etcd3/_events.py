"""Lazy views of watch results: [`WatchResponse`][etcd3.WatchResponse] and its
[`Event`][etcd3.Event] items (sans-IO).

A view keeps the upb message it was made from and reads fields on access: a batch of thousands
of events costs one small object until the events are used, and ``len()``/``event_counts``
never create per-event objects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Literal, TypeAlias

from etcd3._views import KVMetadata, metadata_view
from etcd3.errors import EtcdError
from etcd3.rpc import etcdserverpb, mvccpb
from etcd3.rpc.etcdserverpb import FilterType, ResponseHeader
from etcd3.rpc.mvccpb import EventType

__all__ = [
    "AsyncWatchCancel",
    "DeleteEvent",
    "Event",
    "PutEvent",
    "WatchCallback",
    "WatchCancel",
    "WatchFilterType",
    "WatchResponse",
]

_PUT = EventType.PUT
_DELETE = EventType.DELETE
_new = object.__new__


class Event:
    """One change of one key seen by a watch: a lazy, read-only view of an ``mvccpb.Event``.

    Make one with [`create_event`][etcd3.Event.create_event], which picks
    [`PutEvent`][etcd3.PutEvent] or [`DeleteEvent`][etcd3.DeleteEvent]. ``prev_*`` properties are
    filled only for watches created with ``prev_kv=True`` (else they read as empty: ``b""`` and
    ``0``).

    Args:
        event: The raw event.
        header: The header of the watch response that carried it.
    """

    __slots__ = ("_event", "_header")

    def __init__(self, event: mvccpb.Event, header: ResponseHeader) -> None:
        self._event = event
        self._header = header

    @staticmethod
    def create_event(event: mvccpb.Event, header: ResponseHeader) -> PutEvent | DeleteEvent:
        """Wrap a raw event in the view of its type.

        Args:
            event: The raw event.
            header: The header of the watch response that carried it.

        Returns:
            A [`PutEvent`][etcd3.PutEvent] or a [`DeleteEvent`][etcd3.DeleteEvent].

        Raises:
            ValueError: The event type is neither PUT nor DELETE.
        """
        kind = event.type
        # One view per event, so its two slots are set here: calling PutEvent(event, header)
        # costs a type call and a Python __init__ frame per event.
        if kind == _PUT:
            view: PutEvent | DeleteEvent = _new(PutEvent)
        elif kind == _DELETE:
            view = _new(DeleteEvent)
        else:
            raise ValueError(f"unknown watch event type {kind!r}")
        view._event = event
        view._header = header
        return view

    @property
    def key(self) -> bytes:
        """The key that changed."""
        return self._event.kv.key

    @property
    def value(self) -> bytes:
        """The new value (``b""`` for a delete)."""
        return self._event.kv.value

    @property
    def kv_meta(self) -> KVMetadata:
        """The key's metadata after the change (a new view on each access)."""
        return metadata_view(self._event.kv, self._header)

    @property
    def prev_value(self) -> bytes:
        """The value before the change (the deleted value for a delete); needs ``prev_kv``."""
        return self._event.prev_kv.value

    @property
    def prev_kv_meta(self) -> KVMetadata:
        """The key's metadata before the change (a new view on each access); needs ``prev_kv``."""
        return metadata_view(self._event.prev_kv, self._header)

    @property
    def event(self) -> mvccpb.Event:
        """The raw event message."""
        return self._event

    @property
    def header(self) -> ResponseHeader:
        """The header of the watch response that carried this event."""
        return self._header

    @property
    def create_revision(self) -> int:
        """The revision of the key's last creation."""
        return self._event.kv.create_revision

    @property
    def mod_revision(self) -> int:
        """The revision of this change."""
        return self._event.kv.mod_revision

    @property
    def version(self) -> int:
        """The key's version after the change (``0`` for a delete)."""
        return self._event.kv.version

    @property
    def lease(self) -> int:
        """The id of the lease attached to the key, ``0`` for none."""
        return self._event.kv.lease

    @property
    def prev_key(self) -> bytes:
        """The key before the change (``b""`` without ``prev_kv`` or a previous value)."""
        return self._event.prev_kv.key

    @property
    def prev_create_revision(self) -> int:
        """The previous version's creation revision; needs ``prev_kv``."""
        return self._event.prev_kv.create_revision

    @property
    def prev_mod_revision(self) -> int:
        """The previous version's modification revision; needs ``prev_kv``."""
        return self._event.prev_kv.mod_revision

    @property
    def prev_version(self) -> int:
        """The previous version's version number; needs ``prev_kv``."""
        return self._event.prev_kv.version

    @property
    def prev_lease(self) -> int:
        """The lease of the previous version; needs ``prev_kv``."""
        return self._event.prev_kv.lease

    def __repr__(self) -> str:
        kv = self._event.kv
        return f"{type(self).__name__}(key={kv.key!r}, mod_revision={kv.mod_revision})"


class PutEvent(Event):
    """A key was created or updated."""

    __slots__ = ()


class DeleteEvent(Event):
    """A key was deleted (``value`` is ``b""``; ``prev_value`` has the old one with prev_kv)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class WatchResponse:
    """One response of a watch: a batch of events, or an empty progress notification.

    Events are wrapped lazily: iterate, index (``r[-1]``) or call [`all`][etcd3.WatchResponse.all];
    ``len()`` and [`event_counts`][etcd3.WatchResponse.event_counts] create no event objects.
    [`events`][etcd3.WatchResponse.events] builds them all at once (kept for compatibility,
    discouraged for large batches).

    Attributes:
        watch_response: The raw ``etcdserverpb.WatchResponse``.
    """

    watch_response: etcdserverpb.WatchResponse

    @property
    def header(self) -> ResponseHeader:
        """The response header. Its ``revision`` is the store's current revision, which may be
        ahead of these events (not a high-water mark: see
        [`max_mod_revision`][etcd3.WatchResponse.max_mod_revision])."""
        return self.watch_response.header

    @property
    def fragment(self) -> bool:
        """Whether more fragments of the same batch follow (watches with ``fragment=True``)."""
        return self.watch_response.fragment

    @property
    def is_progress_notify(self) -> bool:
        """Whether this is a progress notification: no events, only a revision in the header."""
        return not self.watch_response.events

    @property
    def events(self) -> list[Event]:
        """Every event as a list (materializes all of them; prefer iteration).

        Each is a [`PutEvent`][etcd3.PutEvent] or a [`DeleteEvent`][etcd3.DeleteEvent]; the list
        is typed ``list[Event]``, as the predecessors typed it, so that code annotated that way
        type-checks. Iteration and indexing give the events typed ``PutEvent | DeleteEvent``.
        """
        return list(self.all())

    @property
    def event_counts(self) -> tuple[int, int]:
        """``(puts, deletes)`` in this response, counted without creating event objects."""
        events = self.watch_response.events
        deletes = sum(1 for event in events if event.type == _DELETE)
        return len(events) - deletes, deletes

    @property
    def max_mod_revision(self) -> int | None:
        """The highest ``mod_revision`` among the events (the high-water mark), ``None`` if
        there are none. Events come in revision order, so this is the last one's."""
        events = self.watch_response.events
        return events[-1].kv.mod_revision if events else None

    def all(self) -> Iterator[PutEvent | DeleteEvent]:
        """Iterate over the events, wrapping each on demand.

        Returns:
            [`PutEvent`][etcd3.PutEvent] or [`DeleteEvent`][etcd3.DeleteEvent] views, in revision
                order.
        """
        # map() calls create_event from C: no generator step of ours per event.
        return map(
            Event.create_event, self.watch_response.events, repeat(self.watch_response.header)
        )

    __iter__ = all  # not a method that calls all(): one Python frame less per response

    def __getitem__(self, index: int) -> PutEvent | DeleteEvent:
        """The event at ``index`` (negative indexes count from the end).

        Raises:
            IndexError: ``index`` is out of range.
        """
        return Event.create_event(self.watch_response.events[index], self.watch_response.header)

    def __len__(self) -> int:
        return len(self.watch_response.events)

    def __repr__(self) -> str:
        puts, deletes = self.event_counts
        return (
            f"WatchResponse(revision={self.watch_response.header.revision}, "
            f"puts={puts}, deletes={deletes}, fragment={self.watch_response.fragment})"
        )


WatchFilterType: TypeAlias = Literal["noput", "nodelete"] | FilterType
"""A server-side watch filter: ``"noput"``/``"nodelete"`` or ``FilterType.NOPUT``/``NODELETE``."""

WatchCallback: TypeAlias = Callable[[WatchResponse | EtcdError], object]
"""What ``add_watch_callback`` calls: with each [`WatchResponse`][etcd3.WatchResponse], or once with
the [`EtcdError`][etcd3.errors.Etcd3Exception] that ended the watch. The asyncio client also awaits
a coroutine. A function that takes ``WatchResponse | Exception`` fits too (it accepts more)."""

WatchCancel: TypeAlias = Callable[[], None]
"""The ``cancel`` of a sync ``watch*()`` pair: ends the watch and its iterator."""

AsyncWatchCancel: TypeAlias = Callable[[], Awaitable[None]]
"""The ``cancel`` of an asyncio ``watch*()`` pair: ``await cancel()`` ends the watch."""
