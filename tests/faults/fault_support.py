"""Sans-IO machinery of the fault-injection suite, shared by its asyncio and sync tests.

Nothing here talks to etcd: the tests (``test_faults_async.py`` and its generated sync twin)
drive the clusters and the clients; this module keeps the books and judges them:

- ``Load``: the write/read load's phase, stop flag and per-phase counters, updated by
  several workers (threads in the sync tests, tasks in the asyncio ones);
- ``Collector``: a watch callback that records every delivered change and every error;
- ``check_writes`` and ``check_same_history``: the properties the suite asserts (every
  acknowledged write present exactly once at its acknowledged revision; a watch's deliveries
  equal to the store's history), failing with a message that names the first violation;
- ``record_figures``/``FIGURES``: durations, counts and CPU of each scenario, printed
  with ``-s`` and summarised at the end of the session (see ``conftest.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

from etcd3._events import DeleteEvent, WatchResponse
from etcd3.errors import EtcdError
from etcd3.testing import EtcdCluster, EtcdMember

__all__ = [
    "FIGURES",
    "Change",
    "Collector",
    "CpuMeter",
    "Load",
    "WriteOutcome",
    "check_same_history",
    "check_writes",
    "member_at",
    "parse_value",
    "record_figures",
    "thread_names",
    "write_value",
]

FIGURES: list[tuple[str, dict[str, object]]] = []
"""``(test id, figures)`` of every scenario that ran, for the session summary."""


def record_figures(test_id: str, figures: dict[str, object]) -> None:
    """Keep ``figures`` for the session summary and print them now (visible with ``-s``)."""
    FIGURES.append((test_id, dict(figures)))
    print(f"\n[faults] {test_id}: {format_figures(figures)}")


def format_figures(figures: dict[str, object]) -> str:
    """One line ``name=value, ...``, floats rounded to milliseconds."""
    parts = []
    for name, value in figures.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        parts.append(f"{name}={shown}")
    return ", ".join(parts)


# --- Values that identify their write -----------------------------------------------------


def write_value(writer: int, seq: int) -> bytes:
    """The value writer ``writer`` puts in its ``seq``-th write: unique across the test."""
    return b"w%d:%d" % (writer, seq)


def parse_value(value: bytes) -> tuple[int, int]:
    """``(writer, seq)`` of a value made by ``write_value``.

    Raises:
        ValueError: ``value`` was not made by ``write_value``.
    """
    head, sep, tail = value.partition(b":")
    if not head.startswith(b"w") or not sep:
        raise ValueError(f"not a load value: {value!r}")
    return int(head[1:]), int(tail)


# --- Watch deliveries ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Change:
    """One event of a prefix's history, as delivered by a watch."""

    revision: int
    key: bytes
    value: bytes
    deleted: bool = False


class Collector:
    """A watch callback recording every change and error it is given (thread-safe).

    Usable as the callback of ``add_watch*_callback`` in both clients: the sync client calls it
    from a dispatcher thread, the asyncio one from a task.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.changes: list[Change] = []
        self.errors: list[Exception] = []
        self.responses = 0
        self.arrivals: dict[bytes, float] = {}
        """Monotonic time each value was first delivered at."""

    def __call__(self, item: WatchResponse | Exception) -> None:
        now = time.monotonic()
        with self._lock:
            if isinstance(item, Exception):
                self.errors.append(item)
                return
            self.responses += 1
            for event in item:
                change = Change(
                    event.mod_revision, event.key, event.value, isinstance(event, DeleteEvent)
                )
                self.changes.append(change)
                self.arrivals.setdefault(change.value, now)

    @property
    def last_revision(self) -> int:
        """The mod_revision of the last delivered change (0 before any)."""
        with self._lock:
            return self.changes[-1].revision if self.changes else 0

    def values(self) -> list[bytes]:
        """The delivered values, in delivery order."""
        with self._lock:
            return [change.value for change in self.changes]

    def snapshot(self) -> tuple[list[Change], list[Exception]]:
        """Copies of the changes and errors delivered so far."""
        with self._lock:
            return list(self.changes), list(self.errors)


def check_same_history(delivered: Sequence[Change], history: Sequence[Change]) -> None:
    """Assert that a watch delivered exactly ``history``: no gap, no duplicate, same order.

    Raises:
        AssertionError: Naming the duplicated and missing revisions and the first divergence.
    """
    if list(delivered) == list(history):
        return
    seen = Counter(change.revision for change in delivered)
    duplicated = sorted(rev for rev, n in seen.items() if n > 1)
    expected = {change.revision for change in history}
    missing = sorted(expected - set(seen))
    extra = sorted(set(seen) - expected)
    first = next(
        (i for i, (a, b) in enumerate(zip(delivered, history, strict=False)) if a != b),
        min(len(delivered), len(history)),
    )
    raise AssertionError(
        f"watch deliveries differ from the store's history: {len(delivered)} delivered vs "
        f"{len(history)} in history; duplicated revisions {duplicated[:10]}, missing "
        f"{missing[:10]} ({len(missing)}), not in history {extra[:10]}; first divergence at "
        f"#{first}: delivered {delivered[first : first + 2]} vs history "
        f"{history[first : first + 2]}"
    )


# --- The write load -----------------------------------------------------------------------


@dataclasses.dataclass
class WriteOutcome:
    """What the load's writers and readers saw."""

    acked: dict[bytes, int] = dataclasses.field(default_factory=dict)
    """Acknowledged value -> the revision its PutResponse reported."""
    failed: dict[bytes, str] = dataclasses.field(default_factory=dict)
    """Value of a write that raised -> the error's class name."""
    not_applied: set[bytes] = dataclasses.field(default_factory=set)
    """Values of failed writes whose error said they did not take effect (not
    ``outcome_unknown``): none of them may be in the history."""


class Load:
    """Shared state of the load workers: current phase, stop flag and counters (thread-safe).

    The test sets ``phase`` as it injects faults; each worker reports every finished
    operation with the phase it *started* in.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.phase = "steady"
        self.stopping = False
        self.writes = WriteOutcome()
        self.counts: Counter[str] = Counter()
        self.read_errors: list[tuple[str, str]] = []
        self.max_latency: dict[str, float] = {}
        self._last_ack: float | None = None
        self.finished = 0
        """Workers that have ended (see ``running``)."""
        self.foreign: list[str] = []
        """Errors outside the EtcdError tree (a raw grpc error, a bug): never acceptable."""

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Wrap a worker's whole life: counts it in ``finished`` however it ends."""
        try:
            yield
        finally:
            with self._lock:
                self.finished += 1

    def wrote(self, phase: str, value: bytes, revision: int, seconds: float) -> None:
        now = time.monotonic()
        with self._lock:
            self.writes.acked[value] = revision
            self.counts[f"{phase}.acked"] += 1
            self._latency(f"{phase}.put", seconds)
            if self._last_ack is not None:
                # The longest stretch without any acknowledged write, by the phase it ended in.
                self._latency(f"{self.phase}.ack_gap", now - self._last_ack)
            self._last_ack = now

    def write_failed(self, phase: str, value: bytes, error: BaseException) -> None:
        with self._lock:
            self.writes.failed[value] = type(error).__name__
            if isinstance(error, EtcdError) and not error.outcome_unknown:
                self.writes.not_applied.add(value)
            self._check_typed(error)
            self.counts[f"{phase}.put_failed"] += 1

    def read(self, phase: str, seconds: float) -> None:
        with self._lock:
            self.counts[f"{phase}.reads"] += 1
            self._latency(f"{phase}.get", seconds)

    def read_failed(self, phase: str, error: BaseException) -> None:
        with self._lock:
            self.counts[f"{phase}.read_failed"] += 1
            self.read_errors.append((phase, f"{type(error).__name__}: {error}"))
            self._check_typed(error)

    def _check_typed(self, error: BaseException) -> None:
        if not isinstance(error, EtcdError):
            self.foreign.append(repr(error))

    def _latency(self, name: str, seconds: float) -> None:
        self.max_latency[name] = max(seconds, self.max_latency.get(name, 0.0))


def check_writes(outcome: WriteOutcome, history: Iterable[Change]) -> dict[str, int]:
    """Assert the write properties of the load against the prefix's complete history.

    - every acknowledged write is in the history once, at the revision it was acknowledged
      with;
    - no value is in the history twice (a write applied twice, e.g. by an unsafe retry);
    - every value in the history was written by the load (acknowledged or failed);
    - no write whose error said it did not take effect (not ``outcome_unknown``) is there.

    Returns:
        Counts: ``history``, ``acked``, ``failed``, ``failed_applied`` (writes that raised but
        were applied: allowed, their outcome was unknown).

    Raises:
        AssertionError: Naming the offending values.
    """
    revisions_of: dict[bytes, list[int]] = {}
    for change in history:
        assert not change.deleted, f"the load never deletes, yet {change} is in the history"
        revisions_of.setdefault(change.value, []).append(change.revision)
    twice = {value: revs for value, revs in revisions_of.items() if len(revs) > 1}
    assert not twice, f"writes applied more than once (value: revisions): {_head(twice)}"
    missing = {v: rev for v, rev in outcome.acked.items() if v not in revisions_of}
    assert not missing, (
        f"{len(missing)} acknowledged writes are missing from the history: {_head(missing)}"
    )
    moved = {
        value: (rev, revisions_of[value][0])
        for value, rev in outcome.acked.items()
        if revisions_of[value][0] != rev
    }
    assert not moved, f"acknowledged at another revision (acked, in history): {_head(moved)}"
    wrongly_refused = sorted(v for v in outcome.not_applied if v in revisions_of)
    assert not wrongly_refused, (
        f"writes whose error said they did not take effect are in the history: "
        f"{wrongly_refused[:10]}"
    )
    strangers = [v for v in revisions_of if v not in outcome.acked and v not in outcome.failed]
    assert not strangers, f"values nobody wrote are in the history: {strangers[:10]}"
    for value in revisions_of:
        parse_value(value)
    return {
        "history": len(revisions_of),
        "acked": len(outcome.acked),
        "failed": len(outcome.failed),
        "failed_applied": sum(1 for v in outcome.failed if v in revisions_of),
    }


def _head(mapping: Mapping[bytes, object], n: int = 10) -> str:
    return repr(dict(list(mapping.items())[:n]))


# --- Cluster and process helpers ----------------------------------------------------------


def member_at(cluster: EtcdCluster, endpoint: str) -> EtcdMember:
    """The member serving ``endpoint`` (``"host:port"``; matched by port).

    Raises:
        AssertionError: No member listens there.
    """
    port = int(endpoint.rsplit(":", 1)[1])
    for member in cluster.members:
        if member.port == port:
            return member
    raise AssertionError(f"{endpoint!r} is none of {[m.endpoint for m in cluster.members]}")


def thread_names(exclude: Iterable[int] = ()) -> list[str]:
    """Names of the live Python threads whose ids are not in ``exclude``."""
    skip = set(exclude)
    return sorted(t.name for t in threading.enumerate() if t.ident not in skip)


class CpuMeter:
    """Process CPU time (all threads, grpc's C threads included) over wall time."""

    def __init__(self) -> None:
        self._cpu = time.process_time()
        self._wall = time.monotonic()

    def read(self) -> tuple[float, float]:
        """``(cpu seconds, wall seconds)`` since creation."""
        return time.process_time() - self._cpu, time.monotonic() - self._wall
