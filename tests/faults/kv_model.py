"""etcd's key-value store as a sequential model, and the checks of a history against it.

Each key is a register with revisions: its state is ``(value, mod_revision, lease, floor)``, where
``floor`` is the highest revision any operation placed so far has shown. etcd's revision is one
counter for the whole store that grows with every write in linearization order, so on one key:

- a write placed later gets a revision above ``floor``;
- a read placed later answers with a header revision of at least ``floor``, and sees exactly the
  value and mod revision of the last write placed before it.

A write of unknown outcome may be placed anywhere after its call, or nowhere; its revision is
unknown (``mod_revision`` ``None``: a later read teaches it) unless ``resolve`` found it in
the store. Serializable reads may be stale and are judged apart (``check_serializable``),
as is the order of revisions across keys (``check_revision_order``), which the per-key search
cannot see.

``check_history`` runs every check and returns a ``KvVerdict``.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence

from faults.history import WRITES, Kind, Op, Status
from faults.linearizability import Verdict, check_partitioned
from faults.watch_check import StoreEvent

__all__ = [
    "KeyState",
    "KvModel",
    "KvVerdict",
    "check_history",
    "check_revision_order",
    "check_serializable",
    "check_store",
    "resolve",
]

KeyState = tuple[bytes | None, int | None, int, int]
"""``(value or None if absent, mod revision or None if unknown, lease, floor)``."""

ABSENT: KeyState = (None, 0, 0, 0)

PUTS = frozenset({Kind.PUT, Kind.CAS_MOD, Kind.CAS_VALUE})
"""Kinds that write a value (unique to the operation)."""


class KvModel:
    """One etcd key as a register with revisions (see the module docstring)."""

    def init(self) -> KeyState:
        return ABSENT

    def step(self, state: KeyState, op: Op) -> KeyState | None:
        value, mod, lease, floor = state
        kind = op.kind
        if op.status is Status.UNKNOWN:
            return _step_unknown(state, op)
        revision = op.revision
        assert revision is not None, op
        if kind is Kind.PUT:
            return (op.value, revision, op.lease, revision) if revision > floor else None
        if kind is Kind.GET:
            if revision < floor or op.found != value or op.mod_revision > revision:
                return None
            if mod is not None and op.mod_revision != mod:
                return None
            return (value, op.mod_revision, lease, revision)
        if kind is Kind.DELETE:
            if op.succeeded:
                return (None, 0, 0, revision) if value is not None and revision > floor else None
            return (value, mod, lease, revision) if value is None and revision >= floor else None
        if kind in (Kind.CAS_MOD, Kind.CAS_VALUE):
            holds = _compare(state, op)
            if op.succeeded:
                if holds is False or revision <= floor:
                    return None
                return (op.value, revision, 0, revision)
            if holds is True or revision < floor:
                return None
            return (value, mod, lease, revision)
        if kind is Kind.REVOKE:
            # The answer's header revision is the store's after the revoke.
            if value is not None and lease == op.lease:
                return (None, 0, 0, revision) if revision > floor else None
            return (value, mod, lease, revision) if revision >= floor else None
        raise AssertionError(f"no transition for {op}")


def _compare(state: KeyState, op: Op) -> bool | None:
    """Whether a transaction's compare holds in ``state`` (``None``: cannot tell)."""
    value, mod, _lease, _floor = state
    if op.kind is Kind.CAS_VALUE:
        return value is not None and value == op.expect
    if mod is None:
        return None
    return mod == op.expect


def _step_unknown(state: KeyState, op: Op) -> KeyState | None:
    """Take effect, for a write of unknown outcome (not taking effect is the search's other
    branch, so a write that would change nothing returns ``None``)."""
    value, _mod, lease, floor = state
    kind = op.kind
    if kind in (Kind.REVOKE, Kind.EXPIRE):
        return (None, 0, 0, floor) if value is not None and lease == op.lease else None
    if kind is Kind.DELETE:
        return (None, 0, 0, floor) if value is not None else None
    if kind in (Kind.CAS_MOD, Kind.CAS_VALUE) and _compare(state, op) is False:
        return None
    revision = op.revision
    if revision is None:
        return (op.value, None, op.lease if kind is Kind.PUT else 0, floor)
    if revision <= floor:
        return None
    return (op.value, revision, op.lease if kind is Kind.PUT else 0, revision)


# --- The store as the second witness -----------------------------------------------------------


def resolve(ops: Iterable[Op], store: Sequence[StoreEvent]) -> list[Op]:
    """Settle writes of unknown outcome that put a value, using the store's complete history.

    Every value is written once, so a value the store never held was never applied: the write
    is dropped. A value the store holds gets the revision the store shows it at (its outcome
    stays unknown: it may have been applied at any moment after its call). This only sharpens
    the search; ``check_store`` checks the store against the history independently.
    """
    put_at = {(e.key, e.value): e.revision for e in store if not e.deleted}
    settled = []
    for op in ops:
        if op.status is not Status.UNKNOWN or op.kind not in PUTS or op.value is None:
            settled.append(op)
        elif (op.key, op.value) in put_at:
            settled.append(dataclasses.replace(op, revision=put_at[op.key, op.value]))
    return settled


def check_store(ops: Sequence[Op], failed: Sequence[Op], store: Sequence[StoreEvent]) -> list[str]:
    """Check the store's history against the operations (problems, empty if none).

    - every acknowledged write is in the store at its revision;
    - every value the store holds was written once, by an operation of the history;
    - no write known not to have been applied is in the store.
    """
    problems: list[str] = []
    events = {(e.key, e.revision): e for e in store}
    writers = {(op.key, op.value): op for op in ops if op.kind in PUTS}
    not_applied = {(op.key, op.value): op for op in failed if op.kind in PUTS}
    seen: set[tuple[bytes, bytes]] = set()
    for event in store:
        if event.deleted:
            continue
        pair = (event.key, event.value)
        if pair in seen:
            problems.append(f"applied twice: {event}")
        seen.add(pair)
        if pair in not_applied:
            problems.append(f"reported as not applied, yet in the store: {not_applied[pair]}")
        elif pair not in writers:
            problems.append(f"in the store, written by nobody: {event}")
    for op in ops:
        if op.status is not Status.OK or op.kind not in WRITES:
            continue
        wrote = op.kind is Kind.PUT or (op.kind in (Kind.CAS_MOD, Kind.CAS_VALUE) and op.succeeded)
        deleted = op.kind is Kind.DELETE and op.succeeded
        if not (wrote or deleted):
            continue
        found = events.get((op.key, op.revision or 0))
        if found is None or found.deleted != deleted or (wrote and found.value != op.value):
            problems.append(f"acknowledged, but the store has {found} at its revision: {op}")
    return problems


def check_serializable(ops: Iterable[Op], store: Sequence[StoreEvent]) -> list[str]:
    """Serializable reads answer from one member's state, possibly stale, but a state the store
    really had: the key's value and mod revision at the read's header revision."""
    history: dict[bytes, list[StoreEvent]] = defaultdict(list)
    for event in store:
        history[event.key].append(event)
    revisions = {key: [e.revision for e in events] for key, events in history.items()}
    problems = []
    for op in ops:
        if op.kind is not Kind.SERIAL_GET or op.status is not Status.OK:
            continue
        assert op.revision is not None
        events = history.get(op.key, [])
        at = bisect.bisect_right(revisions.get(op.key, []), op.revision)
        if not at or events[at - 1].deleted:
            expected: tuple[bytes | None, int] = (None, 0)
        else:
            expected = (events[at - 1].value, events[at - 1].revision)
        if (op.found, op.mod_revision) != expected:
            problems.append(f"serializable read of a state the store never had {expected}: {op}")
    return problems


def check_revision_order(ops: Iterable[Op]) -> list[str]:
    """Revisions follow real time across keys: an operation that starts after another one
    returned has a revision at least as high (strictly higher for a write), and no two writes
    share a revision."""
    ordered = []
    for op in ops:
        if op.status is not Status.OK or op.kind in (Kind.SERIAL_GET, Kind.REVOKE):
            continue
        assert op.revision is not None
        ordered.append(op)
    problems = []
    by_revision: dict[int, Op] = {}
    for op in ordered:
        if _is_write(op):
            other = by_revision.setdefault(op.revision or 0, op)
            if other is not op:
                problems.append(f"two writes at revision {op.revision}: {other} and {op}")
    by_return = sorted(ordered, key=lambda op: op.ret)
    highest: Op | None = None
    done = 0
    for op in sorted(ordered, key=lambda op: op.invoke):
        while done < len(by_return) and by_return[done].ret < op.invoke:
            if highest is None or (by_return[done].revision or 0) > (highest.revision or 0):
                highest = by_return[done]
            done += 1
        if highest is None:
            continue
        floor = highest.revision or 0
        revision = op.revision or 0
        if revision < floor or (_is_write(op) and revision == floor):
            problems.append(f"revision goes back in time: {op} started after {highest} returned")
    return problems


def _is_write(op: Op) -> bool:
    if op.kind is Kind.PUT:
        return True
    return op.kind in (Kind.DELETE, Kind.CAS_MOD, Kind.CAS_VALUE) and op.succeeded


@dataclasses.dataclass(frozen=True)
class KvVerdict:
    """Every check of a history.

    Attributes:
        keys: The linearizability verdict of each key.
        revision_order: Problems of revision order across keys.
        serializable: Problems of serializable reads.
        store: Problems of the store against the history (empty without a store).
    """

    keys: dict[bytes, Verdict[KeyState, Op]]
    revision_order: list[str]
    serializable: list[str]
    store: list[str]

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return (
            all(v.linearizable for v in self.keys.values())
            and not self.revision_order
            and not self.serializable
            and not self.store
        )

    @property
    def steps(self) -> int:
        """Search steps over all keys."""
        return sum(v.steps for v in self.keys.values())

    def explain(self) -> str:
        """What failed, or a one-line summary."""
        if self.ok:
            return f"linearizable: {len(self.keys)} keys, {self.steps} search steps"
        parts = [
            f"key {key!r}: {verdict.explain()}"
            for key, verdict in self.keys.items()
            if not verdict.linearizable
        ]
        for name, problems in (
            ("revision order", self.revision_order),
            ("serializable reads", self.serializable),
            ("store", self.store),
        ):
            if problems:
                parts.append(
                    f"{name}: {len(problems)} problems, e.g.\n  " + "\n  ".join(problems[:5])
                )
        return "\n".join(parts)


def check_history(
    ops: Sequence[Op],
    *,
    failed: Sequence[Op] = (),
    store: Sequence[StoreEvent] | None = None,
    budget: int | None = None,
) -> KvVerdict:
    """Run every check on a history.

    Args:
        ops: Operations that returned, and writes of unknown outcome.
        failed: Writes known not to have been applied.
        store: The store's complete history of the keys (every event since revision 1), if
            known: it settles unknown writes and is checked against the operations.
        budget: Search step budget per key.
    """
    searched = [op for op in ops if op.kind is not Kind.SERIAL_GET]
    if store is not None:
        searched = resolve(searched, store)
    keys = check_partitioned(lambda _key: KvModel(), searched, lambda op: op.key, budget=budget)
    return KvVerdict(
        keys=keys,
        revision_order=check_revision_order(ops),
        serializable=check_serializable(ops, store) if store is not None else [],
        store=check_store(ops, failed, store) if store is not None else [],
    )
