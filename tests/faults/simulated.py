"""Realistic histories from a simulated etcd, for testing and timing the checker.

``simulate`` runs clients against a sequential key-value store with one revision counter:
each operation takes effect at a random moment inside its interval, so the history it produces is
linearizable by construction. Some writes end with an unknown outcome (taking effect or not, at
random), as a lost connection leaves them.

Time the checker on a history of your size with::

    PYTHONPATH=tests .venv/bin/python -m faults.simulated --ops 50000 --keys 16 --clients 8
"""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import math
import random
import time

from faults.history import Kind, Op, Status
from faults.watch_check import StoreEvent

__all__ = ["Simulation", "simulate"]


@dataclasses.dataclass
class Simulation:
    """A simulated run: its history, and the store's history of changes."""

    ops: list[Op]
    store: list[StoreEvent]


@dataclasses.dataclass
class _Pending:
    op: Op
    applied: bool
    """Whether it takes effect."""
    unknown: bool
    """Whether its client sees it fail (a write then stays in the history as unknown)."""


def simulate(
    *,
    ops: int,
    keys: int = 16,
    clients: int = 8,
    unknown_rate: float = 0.01,
    seed: int = 0,
) -> Simulation:
    """Run ``clients`` clients for ``ops`` operations in all over ``keys`` keys.

    Args:
        ops: Number of operations to start.
        keys: Number of keys.
        clients: Concurrent clients (each runs one operation at a time).
        unknown_rate: Share of writes whose outcome is unknown.
        seed: Seed of the random choices.
    """
    rng = random.Random(seed)
    names = [b"k%d" % i for i in range(keys)]
    store: dict[bytes, tuple[bytes, int]] = {}
    changes: list[StoreEvent] = []
    revision = 1
    known_mod: dict[tuple[int, bytes], int] = {}
    history: list[Op] = []
    # Events: (time, order, what, client, pending).
    queue: list[tuple[float, int, str, int, _Pending | None]] = []
    order = 0
    for client in range(clients):
        queue.append((rng.uniform(0, 0.001), order, "invoke", client, None))
        order += 1
    heapq.heapify(queue)
    started = 0
    sequence = 0
    while queue:
        now, _, what, client, pending = heapq.heappop(queue)
        if what == "invoke":
            if started >= ops:
                continue
            started += 1
            sequence += 1
            key = rng.choice(names)
            kind = rng.choices(
                [Kind.PUT, Kind.GET, Kind.DELETE, Kind.CAS_MOD, Kind.CAS_VALUE],
                weights=[35, 40, 5, 15, 5],
            )[0]
            writes_value = kind in (Kind.PUT, Kind.CAS_MOD, Kind.CAS_VALUE)
            value = b"c%d:%d" % (client, sequence) if writes_value else None
            expect: int | bytes | None = None
            if kind is Kind.CAS_MOD:
                expect = known_mod.get((client, key), 0)
            elif kind is Kind.CAS_VALUE:
                expect = store.get(key, (b"", 0))[0] if rng.random() < 0.5 else b"nope"
            duration = rng.expovariate(1 / 0.003) + 0.0002
            unknown = kind is not Kind.GET and rng.random() < unknown_rate
            op = Op(len(history), f"c{client}", kind, key, now, now + duration, Status.OK)
            op = dataclasses.replace(op, value=value, expect=expect)
            item = _Pending(op, applied=not unknown or rng.random() < 0.5, unknown=unknown)
            effect_at = now + rng.uniform(0, duration)
            heapq.heappush(queue, (effect_at, order, "effect", client, item))
            heapq.heappush(queue, (now + duration, order + 1, "return", client, item))
            order += 2
        elif what == "effect":
            assert pending is not None
            if pending.applied:
                pending.op, revision = _take_effect(pending.op, store, changes, revision)
        else:
            assert pending is not None
            op = pending.op
            if not pending.unknown:
                history.append(op)
                if op.kind is Kind.GET:
                    known_mod[(client, op.key)] = op.mod_revision
            elif op.kind is not Kind.GET:
                history.append(
                    dataclasses.replace(
                        op, status=Status.UNKNOWN, ret=math.inf, revision=None, succeeded=False
                    )
                )
            heapq.heappush(queue, (now + rng.uniform(0, 0.001), order, "invoke", client, None))
            order += 1
    return Simulation(history, changes)


def _take_effect(
    op: Op, store: dict[bytes, tuple[bytes, int]], changes: list[StoreEvent], revision: int
) -> tuple[Op, int]:
    """Apply ``op`` to the store; return it with its result, and the store's new revision."""
    current = store.get(op.key)
    if op.kind is Kind.GET:
        found, mod = current if current else (None, 0)
        return dataclasses.replace(op, revision=revision, found=found, mod_revision=mod), revision
    if op.kind is Kind.DELETE:
        if current is None:
            return dataclasses.replace(op, revision=revision), revision
        del store[op.key]
        changes.append(StoreEvent(revision + 1, op.key, b"", True, current))
        return dataclasses.replace(op, revision=revision + 1, succeeded=True), revision + 1
    if op.kind is Kind.CAS_MOD:
        holds = (current[1] if current else 0) == op.expect
    elif op.kind is Kind.CAS_VALUE:
        holds = current is not None and current[0] == op.expect
    else:
        holds = True
    if not holds:
        return dataclasses.replace(op, revision=revision), revision
    assert op.value is not None
    store[op.key] = (op.value, revision + 1)
    changes.append(StoreEvent(revision + 1, op.key, op.value, False, current))
    return dataclasses.replace(op, revision=revision + 1, succeeded=True), revision + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=16)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--unknown-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from faults.kv_model import check_history

    run = simulate(
        ops=args.ops,
        keys=args.keys,
        clients=args.clients,
        unknown_rate=args.unknown_rate,
        seed=args.seed,
    )
    start = time.perf_counter()
    verdict = check_history(run.ops, store=run.store)
    seconds = time.perf_counter() - start
    unknown = sum(op.status is Status.UNKNOWN for op in run.ops)
    print(
        f"{len(run.ops)} operations ({unknown} unknown) over {args.keys} keys, "
        f"{args.clients} clients: {verdict.explain()} in {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
