"""Is a concurrent history linearizable with respect to a sequential model?

The search is Wing & Gong's with Lowe's memoisation: the history's call and return events,
sorted by time, form a doubly linked list. Walking it from the start, a call whose operation the
model accepts in the current state is *lifted* (its call and return leave the list) and the walk
restarts; reaching a return means that operation could not be placed before it, so the last
lift is undone and the walk goes on past that call. A cache of (set of lifted operations, state)
pairs prunes every configuration already explored, which makes the search near-linear on the
histories real systems produce.

Operations whose outcome is unknown have an infinite return time: they may take effect at any
moment after their call, or never. Their returns sort last, so the search succeeds as soon as the
walk reaches one of them (every operation that did return has been placed by then).

Histories are checked per partition (per key for a key-value store): a history is linearizable if
and only if each partition's is (P-compositionality), and small partitions are exponentially
cheaper to search than one big history.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Generic, Protocol, TypeVar

__all__ = [
    "Model",
    "Timed",
    "Verdict",
    "check",
    "check_partitioned",
]


class Timed(Protocol):
    """An operation with its call and return times (``math.inf``: outcome unknown)."""

    @property
    def invoke(self) -> float: ...

    @property
    def ret(self) -> float: ...


OpT = TypeVar("OpT", bound=Timed)
OpT_contra = TypeVar("OpT_contra", bound=Timed, contravariant=True)
S = TypeVar("S", bound=Hashable)
K = TypeVar("K", bound=Hashable)


class Model(Protocol[S, OpT_contra]):
    """A sequential specification: an initial state and a transition per operation."""

    def init(self) -> S:
        """The state before any operation."""
        ...

    def step(self, state: S, op: OpT_contra) -> S | None:
        """The state after ``op`` takes effect in ``state``, or ``None`` if ``op`` (with the
        result it returned) cannot take effect there. For an operation of unknown outcome,
        the state after it took effect: the search also tries its never taking effect."""
        ...


@dataclasses.dataclass(frozen=True)
class Verdict(Generic[S, OpT]):
    """The outcome of a search.

    Attributes:
        linearizable: Whether a linearization exists (``False`` also when the budget ran out;
            see ``exhausted``).
        operations: Operations searched.
        steps: Steps of the search.
        exhausted: The step budget ran out before an answer.
        blocked: When not linearizable: an operation that could not be placed before its return,
            at the deepest point the search reached.
        state: The model's state at that point.
        prefix: The last operations placed before that point, in order.
    """

    linearizable: bool
    operations: int
    steps: int
    exhausted: bool = False
    blocked: OpT | None = None
    state: S | None = None
    prefix: tuple[OpT, ...] = ()

    def explain(self) -> str:
        """A readable account of a failed search."""
        if self.linearizable:
            return f"linearizable ({self.operations} operations, {self.steps} steps)"
        if self.exhausted:
            return f"undecided: the budget of {self.steps} steps ran out"
        lines = [
            f"not linearizable ({self.operations} operations, {self.steps} steps).",
            f"No order places this operation before its return: {self.blocked}",
            f"State at the deepest point reached: {self.state}",
            "Last operations placed before it:",
            *(f"  {op}" for op in self.prefix),
        ]
        return "\n".join(lines)


_PREFIX_SHOWN = 12


def check(
    model: Model[S, OpT], ops: Sequence[OpT], *, budget: int | None = None
) -> Verdict[S, OpT]:
    """Search for a linearization of ``ops`` under ``model``.

    Args:
        model: The sequential specification.
        ops: The operations, in any order.
        budget: Give up after this many steps (``None``: no limit).
    """
    n = len(ops)
    events = sorted(
        [(op.invoke, 0, i) for i, op in enumerate(ops)]
        + [(op.ret, 1, i) for i, op in enumerate(ops)]
    )
    # Nodes 1..2n are the events in time order (calls before returns at equal times: those
    # operations overlap); 0 is the head, 2n + 1 the tail.
    end = 2 * n + 1
    nxt = [*range(1, end + 1), end]
    prv = [0, *range(end)]
    op_of = [0] * (end + 1)
    is_call = [False] * (end + 1)
    match = [0] * (end + 1)
    return_of: dict[int, int] = {}
    for node, (_time, kind, index) in enumerate(events, start=1):
        op_of[node] = index
        is_call[node] = kind == 0
        if kind == 1:
            return_of[index] = node
    for node in range(1, end):
        if is_call[node]:
            match[node] = return_of[op_of[node]]

    state = model.init()
    lifted = 0  # bitset of lifted operations
    seen: set[tuple[int, S]] = set()
    calls: list[tuple[int, S]] = []
    steps = 0
    deepest = -1
    blocked_at: tuple[int, S, tuple[int, ...]] | None = None
    entry = nxt[0]
    while nxt[0] != end:
        steps += 1
        if budget is not None and steps > budget:
            return Verdict(False, n, steps, exhausted=True)
        if is_call[entry]:
            index = op_of[entry]
            after = model.step(state, ops[index])
            if after is not None:
                bits = lifted | (1 << index)
                if (bits, after) not in seen:
                    seen.add((bits, after))
                    calls.append((entry, state))
                    state = after
                    lifted = bits
                    # Lift the call and its return out of the list.
                    ret = match[entry]
                    nxt[prv[entry]] = nxt[entry]
                    prv[nxt[entry]] = prv[entry]
                    nxt[prv[ret]] = nxt[ret]
                    prv[nxt[ret]] = prv[ret]
                    entry = nxt[0]
                    continue
            entry = nxt[entry]
            continue
        if entry == end or ops[op_of[entry]].ret == math.inf:
            break  # every operation that returned is placed; the rest may never have happened
        if len(calls) > deepest:
            deepest = len(calls)
            shown = tuple(op_of[node] for node, _ in calls[-_PREFIX_SHOWN:])
            blocked_at = (op_of[entry], state, shown)
        if not calls:
            assert blocked_at is not None
            index, at_state, shown = blocked_at
            return Verdict(
                False,
                n,
                steps,
                blocked=ops[index],
                state=at_state,
                prefix=tuple(ops[i] for i in shown),
            )
        entry, state = calls.pop()
        lifted &= ~(1 << op_of[entry])
        ret = match[entry]
        nxt[prv[ret]] = ret
        prv[nxt[ret]] = ret
        nxt[prv[entry]] = entry
        prv[nxt[entry]] = entry
        entry = nxt[entry]
    return Verdict(True, n, steps)


def check_partitioned(
    model: Callable[[K], Model[S, OpT]],
    ops: Iterable[OpT],
    partition: Callable[[OpT], K],
    *,
    budget: int | None = None,
) -> dict[K, Verdict[S, OpT]]:
    """Check each partition of ``ops`` on its own (P-compositionality).

    Args:
        model: The model of one partition, given its key.
        ops: The whole history.
        partition: The key of an operation's partition (e.g. the etcd key it touches).
        budget: Step budget per partition.

    Returns:
        The verdict of every partition.
    """
    groups: dict[K, list[OpT]] = defaultdict(list)
    for op in ops:
        groups[partition(op)].append(op)
    return {key: check(model(key), group, budget=budget) for key, group in groups.items()}
