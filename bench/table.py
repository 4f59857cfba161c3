"""The rows of the comparison table: which scenario and metric each shows, and its goal.

Every check compares a subject with raw grpc measured in the same round: ``ratio`` divides
(subject / raw), ``diff`` subtracts (subject - raw, in the metric's unit).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Compare = Literal["ratio", "diff"]

_OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge}


@dataclass(frozen=True)
class Goal:
    op: Literal["<=", ">="]
    value: float

    def met(self, measured: float) -> bool:
        return _OPS[self.op](measured, self.value)

    def text(self, compare: Compare, unit: str) -> str:
        if compare == "ratio":
            return f"{self.op} {self.value:.2f}x"
        return f"{self.op} raw {self.value:+g} {unit}"


@dataclass(frozen=True)
class Check:
    """One metric of one row, compared with raw."""

    metric: str
    label: str
    unit: str
    compare: Compare = "ratio"
    goal: Goal | None = None
    higher_is_better: bool = False


@dataclass(frozen=True)
class Row:
    """A row; ``label`` is formatted with the run's ``Params`` fields."""

    id: str
    label: str
    scenario: str
    checks: tuple[Check, ...]
    note: str = ""


def _ops(goal: float) -> Check:
    return Check("ops_per_s", "ops/s", "ops/s", goal=Goal(">=", goal), higher_is_better=True)


def _cpu_op(goal: float) -> Check:
    return Check("cpu_us_per_op", "CPU/op", "µs", goal=Goal("<=", goal))


def _watch(cpu_goal: float) -> tuple[Check, ...]:
    return (
        Check("cpu_us_per_event", "CPU/event", "µs", goal=Goal("<=", cpu_goal)),
        Check("lag_ms", "lag", "ms", compare="diff", goal=Goal("<=", 5.0)),
    )


def _range() -> tuple[Check, ...]:
    return (
        Check("ms", "time", "ms", goal=Goal("<=", 1.05)),
        Check("cpu_ms", "CPU", "ms", goal=Goal("<=", 1.15)),
    )


def _fan_out() -> tuple[Check, ...]:
    return (
        Check("cpu_us_per_event", "CPU/event", "µs"),
        Check("kib_per_watch", "memory/watch", "KiB", compare="diff"),
    )


ROWS: tuple[Row, ...] = (
    Row("sync_put", "sync put", "sync_put", (_ops(0.97), _cpu_op(1.03))),
    Row("sync_get", "sync get", "sync_get", (_ops(0.97), _cpu_op(1.03))),
    Row("aio_put", "asyncio put, {in_flight} in flight", "aio_put", (_ops(0.97), _cpu_op(1.05))),
    Row("aio_get", "asyncio get, {in_flight} in flight", "aio_get", (_ops(0.97), _cpu_op(1.05))),
    Row(
        "sync_range",
        "range {range_keys:,} keys, every value read, sync (typed-first read)",
        "sync_range",
        _range(),
        note="ours: get_kvs(prefix=True), iterated",
    ),
    Row(
        "aio_range",
        "range {range_keys:,} keys, every value read, asyncio (typed-first read)",
        "aio_range",
        _range(),
        note="ours: await get_kvs(prefix=True), then a plain for loop",
    ),
    Row(
        "sync_range_dropin",
        "range {range_keys:,} keys, every value read, sync (drop-in get_prefix)",
        "sync_range_dropin",
        _range(),
        note="ours: for value, meta in get_prefix(...)",
    ),
    Row(
        "aio_range_dropin",
        "range {range_keys:,} keys, every value read, asyncio (drop-in get_prefix)",
        "aio_range_dropin",
        _range(),
        note="ours: async for value, meta in get_prefix(...)",
    ),
    Row("sync_watch", "prefix watch, sync", "sync_watch", _watch(1.10)),
    Row("aio_watch", "prefix watch, asyncio", "aio_watch", _watch(1.05)),
    Row(
        "range_rss",
        "peak RSS, range {range_keys:,} keys (sync)",
        "sync_range",
        (Check("rss_kib", "peak RSS", "KiB", goal=Goal("<=", 1.05)),),
    ),
    Row(
        "paged_rss",
        "paged read of {paged_keys:,} keys, pages of {page_size:,} (sync)",
        "sync_paged",
        (
            Check("rss_kib", "peak RSS", "KiB", goal=Goal("<=", 1.05)),
            Check("ms", "time", "ms"),
            Check("cpu_ms", "CPU", "ms"),
        ),
        note="raw holds one page at a time",
    ),
    Row(
        "sync_fan_out",
        "watch fan-out: {fan_out_watches:,} watches, {fan_out_events:,} events, sync callbacks",
        "sync_fan_out",
        _fan_out(),
    ),
    Row(
        "aio_fan_out",
        "watch fan-out: {fan_out_watches:,} watches, {fan_out_events:,} events, asyncio callbacks",
        "aio_fan_out",
        _fan_out(),
    ),
)
