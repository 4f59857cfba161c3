"""The scale suite: 10,000 watches on one client, sync and asyncio, each kind and a mix.

Each (client, kind) pair is measured by ``bench.watch_scale`` in a fresh process; rounds
rotate the order of the pairs and the table shows medians. The figures are absolute (goals
in seconds, KiB, threads), except CPU per event, which is a ratio to a single watch of the
same kind measured in the same process.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field

from bench.driver import ROOT
from bench.harness import Metrics, Setup
from bench.report import DASH, number, rounded
from bench.table import Goal
from bench.watch_scale import KINDS

MODES = ("sync", "asyncio")
WATCHES = 10_000
QUICK_WATCHES = 1000
POOL_GOAL = 16
"""Threads (or tasks) a client may add for its watches: a fixed pool, not one per watch."""


@dataclass(frozen=True)
class Column:
    metric: str
    label: str
    unit: str
    goal: Goal | None = None


COLUMNS: tuple[Column, ...] = (
    Column("threads", "threads", "", Goal("<=", POOL_GOAL)),
    Column("tasks", "tasks", "", Goal("<=", POOL_GOAL)),
    Column("kib_per_watch", "RSS per idle watch", "KiB", Goal("<=", 4.0)),
    Column("create_s", "create all, one by one", "s", Goal("<=", 2.0)),
    Column("raw_create_s", "raw grpc: create all, one by one", "s"),
    Column("create_batched_s", "create all with `watchers()`", "s", Goal("<=", 2.0)),
    Column("deliver_after_puts_s", "deliver one each, after the puts", "s"),
    Column("cpu_us_per_event", "CPU per event", "µs"),
    Column("cpu_vs_single", "CPU per event vs one watch", "x", Goal("<=", 1.5)),
    Column("cancel_s", "cancel all", "s", Goal("<=", 1.0)),
    Column("close_s", "close() with all open", "s", Goal("<=", 1.0)),
    Column("threads_left", "threads left after close", "", Goal("<=", 0)),
    Column("tasks_left", "tasks left after close", "", Goal("<=", 0)),
)


@dataclass
class ScaleResult:
    watches: int
    rounds: int
    runs: dict[str, list[Metrics | str]] = field(default_factory=dict)

    def medians(self, config: str) -> Metrics:
        done = [m for m in self.runs[config] if isinstance(m, dict)]
        if not done:
            return {}
        return {k: statistics.median(m[k] for m in done) for k in done[0]}

    def json(self) -> dict[str, object]:
        return {
            "watches": self.watches,
            "rounds": self.rounds,
            "goals": {c.metric: dataclasses.asdict(c.goal) for c in COLUMNS if c.goal is not None},
            "medians": {
                config: {k: rounded(v) for k, v in self.medians(config).items()}
                for config in self.runs
            },
            "runs": {
                config: [
                    {k: rounded(v) for k, v in m.items()} if isinstance(m, dict) else {"error": m}
                    for m in runs
                ]
                for config, runs in self.runs.items()
            },
        }

    def markdown(self) -> str:
        configs = list(self.runs)
        lines = [
            f"## {self.watches:,} watches on one client (median of {self.rounds})\n",
            "| | goal | " + " | ".join(configs) + " |",
            "| --- | --- |" + " --- |" * len(configs),
        ]
        for column in COLUMNS:
            cells = []
            for config in configs:
                medians = self.medians(config)
                if column.metric not in medians:
                    cells.append(DASH if medians else "error")
                    continue
                value = medians[column.metric]
                text = number(value, column.unit).strip()
                if column.goal is not None:
                    text += " ✓" if column.goal.met(value) else " **✗**"
                cells.append(text)
            goal = (
                DASH
                if column.goal is None
                else f"{column.goal.op} {column.goal.value:g} {column.unit}"
            )
            lines.append(f"| {column.label} | {goal.strip()} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


def _measure(setup: Setup, mode: str, kind: str, watches: int) -> Metrics | str:
    proc = subprocess.run(
        [
            setup.project_python,
            "-m",
            "bench.watch_scale",
            json.dumps(dataclasses.asdict(setup)),
            mode,
            kind,
            f"--watches={watches}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
    metrics: Metrics = json.loads(proc.stdout.strip().splitlines()[-1])
    return metrics


def run(setup: Setup, *, quick: bool, rounds: int) -> ScaleResult:
    """Measure every (client, kind) pair ``rounds`` times, rotating their order."""
    watches = QUICK_WATCHES if quick else WATCHES
    rounds = 1 if quick else rounds
    configs = [(mode, kind) for mode in MODES for kind in KINDS]
    result = ScaleResult(watches, rounds, {f"{m} {k}": [] for m, k in configs})
    for r in range(rounds):
        for mode, kind in configs[r % len(configs) :] + configs[: r % len(configs)]:
            measured = _measure(setup, mode, kind, watches)
            result.runs[f"{mode} {kind}"].append(measured)
            state = "ok" if isinstance(measured, dict) else f"ERROR {measured}"
            print(f"  scale round {r + 1}/{rounds} {mode} {kind}: {state}", file=sys.stderr)
    return result
