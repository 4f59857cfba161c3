"""Watch streams judged against the store's history.

The store's history of a prefix is what a watch from revision 1 with ``prev_kv`` replays once
the run is over (cross-checked against a range read by the caller). Every watch opened during the
run must have delivered exactly that history from its start revision on:

- in order (revisions never go back; events of one revision in the store's order);
- without duplicates and without gaps, across every reconnection and resume;
- atomically per revision: all events of one revision (a transaction) in one response;
- with ``prev_kv`` equal to the key's previous version in the history.

Nothing here talks to etcd: ``WatchRecorder`` is the callback the tests hand to the clients.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

from etcd3._events import DeleteEvent, Event, WatchResponse

__all__ = [
    "StoreEvent",
    "WatchRecorder",
    "WatchVerdict",
    "check_store_history",
    "check_watch",
]


@dataclasses.dataclass(frozen=True)
class StoreEvent:
    """One change of a key, as a watch delivers it.

    Attributes:
        revision: The change's revision (its mod revision; a delete's own revision).
        key: The key.
        value: The new value (``b""`` for a delete).
        deleted: Whether it is a delete.
        prev: ``(value, mod revision)`` of the key's previous version, ``None`` if it had none;
            only for watches with ``prev_kv``.
    """

    revision: int
    key: bytes
    value: bytes
    deleted: bool = False
    prev: tuple[bytes, int] | None = None

    @classmethod
    def of(cls, event: Event, *, prev_kv: bool) -> StoreEvent:
        """From a delivered event (``prev_kv``: the watch asked for previous versions)."""
        prev = None
        if prev_kv and event.prev_mod_revision:
            prev = (event.prev_value, event.prev_mod_revision)
        return cls(event.mod_revision, event.key, event.value, isinstance(event, DeleteEvent), prev)

    def change(self) -> tuple[int, bytes, bool, bytes]:
        """What must match between a delivery and the store: revision, key, kind, value."""
        return (self.revision, self.key, self.deleted, self.value)


class WatchRecorder:
    """A watch callback that keeps every response as delivered (thread-safe).

    Args:
        name: A label for the verdict.
        prefix: The watched prefix.
        start_revision: The revision the watch was created to start from.
        prev_kv: Whether the watch asked for previous versions.
    """

    def __init__(self, name: str, prefix: bytes, start_revision: int, *, prev_kv: bool) -> None:
        self.name = name
        self.prefix = prefix
        self.start_revision = start_revision
        self.prev_kv = prev_kv
        self._lock = threading.Lock()
        self._responses: list[tuple[StoreEvent, ...]] = []
        self._errors: list[Exception] = []
        self._last = 0

    def __call__(self, item: WatchResponse | Exception) -> None:
        if isinstance(item, Exception):
            with self._lock:
                self._errors.append(item)
            return
        self.record(tuple(StoreEvent.of(event, prev_kv=self.prev_kv) for event in item))

    def record(self, events: tuple[StoreEvent, ...]) -> None:
        """Keep one delivered response (progress notifications, without events, are skipped)."""
        if events:
            with self._lock:
                self._responses.append(events)
                self._last = events[-1].revision

    @property
    def last_revision(self) -> int:
        """The revision of the last delivered event (0 before any)."""
        with self._lock:
            return self._last

    def snapshot(self) -> tuple[list[tuple[StoreEvent, ...]], list[Exception]]:
        """Copies of the responses and errors delivered so far."""
        with self._lock:
            return list(self._responses), list(self._errors)


@dataclasses.dataclass(frozen=True)
class WatchVerdict:
    """The judgement of one watch stream."""

    name: str
    events: int
    responses: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _previous_versions(
    store: Iterable[StoreEvent],
) -> dict[tuple[bytes, int], tuple[bytes, int] | None]:
    """``(key, revision)`` -> the key's version before that change, from the history itself."""
    current: dict[bytes, tuple[bytes, int] | None] = {}
    previous = {}
    for event in store:
        previous[(event.key, event.revision)] = current.get(event.key)
        current[event.key] = None if event.deleted else (event.value, event.revision)
    return previous


def check_store_history(store: Sequence[StoreEvent]) -> list[str]:
    """The store's history is consistent with itself: revisions never go back, one event per
    key and revision, and each ``prev`` is the key's previous version in the history (when the
    history was read with ``prev_kv``)."""
    problems = []
    for a, b in itertools.pairwise(store):
        if b.revision < a.revision:
            problems.append(f"history goes back from {a} to {b}")
    twice = [pair for pair, n in Counter((e.key, e.revision) for e in store).items() if n > 1]
    if twice:
        problems.append(f"keys changed twice in one revision: {twice[:5]}")
    previous = _previous_versions(store)
    for event in store:
        if event.prev != previous[(event.key, event.revision)]:
            problems.append(
                f"prev_kv {event.prev} of {event} is not the previous version "
                f"{previous[(event.key, event.revision)]}"
            )
    return problems


def check_watch(
    recorder: WatchRecorder,
    store: Sequence[StoreEvent],
    *,
    complete: bool = True,
    until: int | None = None,
) -> WatchVerdict:
    """Judge one watch stream against the store's history.

    Args:
        recorder: What the watch delivered.
        store: The store's complete history (a superset of the watched prefix).
        complete: The watch must have caught up with the end of the history (the caller waited
            for it); otherwise a delivered prefix of the history is enough.
        until: Judge only up to this revision (later deliveries are ignored).
    """
    responses, errors = recorder.snapshot()
    if until is not None:
        store = [event for event in store if event.revision <= until]
        kept = [tuple(e for e in response if e.revision <= until) for response in responses]
        responses = [response for response in kept if response]
    delivered = [event for response in responses for event in response]
    wanted = [
        event
        for event in store
        if event.key.startswith(recorder.prefix) and event.revision >= recorder.start_revision
    ]
    problems = [f"error delivered: {error!r}" for error in errors]
    for a, b in itertools.pairwise(delivered):
        if b.revision < a.revision:
            problems.append(f"out of order: {b} after {a}")
            break
    twice = [pair for pair, n in Counter((e.key, e.revision) for e in delivered).items() if n > 1]
    if twice:
        problems.append(f"delivered twice: {twice[:5]} ({len(twice)} in all)")
    split = _split_revisions(responses)
    if split:
        problems.append(f"revisions split across responses: {split[:5]}")
    expected = wanted if complete else wanted[: len(delivered)]
    got = [e.change() for e in delivered]
    want = [e.change() for e in expected]
    if got != want:
        first = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
            min(len(got), len(want)),
        )
        missing = sorted(set(want) - set(got))
        problems.append(
            f"deliveries differ from the history: {len(got)} delivered, {len(want)} expected; "
            f"first difference at #{first}: delivered {got[first : first + 2]}, expected "
            f"{want[first : first + 2]}; missing {missing[:5]} ({len(missing)} in all)"
        )
    if recorder.prev_kv:
        previous = _previous_versions(store)
        wrong = [e for e in delivered if previous.get((e.key, e.revision), e.prev) != e.prev]
        if wrong:
            problems.append(f"prev_kv differs from the previous version: {wrong[:3]}")
    return WatchVerdict(recorder.name, len(delivered), len(responses), problems)


def _split_revisions(responses: Sequence[tuple[StoreEvent, ...]]) -> list[int]:
    owner: dict[int, int] = {}
    split = []
    for index, response in enumerate(responses):
        for revision in {event.revision for event in response}:
            if owner.setdefault(revision, index) != index:
                split.append(revision)
    return sorted(set(split))
