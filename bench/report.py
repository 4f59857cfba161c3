"""From observations to results: medians of per-round comparisons, JSON, and Markdown tables.

The JSON is meant for comparison over time: a fixed ``schema`` name, sorted keys, rows and
checks under stable ids, numbers rounded to four significant digits, and every round kept.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from bench.driver import Observation, Observations
from bench.harness import Params
from bench.table import Check, Row

SCHEMA = "etcd3-bench/1"
RAW = "raw"
DASH = "\u2013"
"""What a table cell shows when there is nothing to show."""
OURS = "ours"

Json = dict[str, object]


def rounded(x: float) -> float:
    """Four significant digits: enough for ratios, stable across runs in a diff."""
    return float(f"{x:.4g}")


@dataclass
class SubjectResult:
    """One subject's comparison with raw on one check (``status`` set when not measured)."""

    status: str | None = None
    median: float | None = None
    absolute_median: float | None = None
    per_round: list[float] = field(default_factory=list)
    met: bool | None = None


@dataclass
class CheckResult:
    check: Check
    raw_median: float | None
    subjects: dict[str, SubjectResult]

    def cell(self, name: str) -> str:
        """The comparison as printed: ``1.02x``, ``+0.4 ms``, or why there is none."""
        result = self.subjects.get(name)
        if result is None:
            return "not run"
        if result.median is None:
            return (result.status or "not run").split(":")[0]
        if self.check.compare == "diff":
            return f"{result.median:+.1f} {self.check.unit}"
        return f"{result.median:.2f}x"

    def mark(self, name: str) -> str:
        result = self.subjects.get(name)
        if result is None or result.met is None:
            return ""
        return "met" if result.met else "**missed**"

    def goal_text(self) -> str:
        goal = self.check.goal
        return DASH if goal is None else goal.text(self.check.compare, self.check.unit)


@dataclass
class RowResult:
    id: str
    label: str
    scenario: str
    note: str
    checks: list[CheckResult]


def _status(observations: list[Observation]) -> str | None:
    for o in observations:
        if o.unsupported is not None:
            return f"unsupported: {o.unsupported}"
        if o.error is not None:
            return "error: " + o.error.strip().splitlines()[-1]
    return None


def _compare(check: Check, mine: float, raw: float) -> float:
    if check.compare == "diff":
        return mine - raw
    return mine / raw if raw else math.nan


def summarize_check(
    check: Check, by_subject: dict[str, list[Observation]], subjects: Sequence[str]
) -> CheckResult:
    raw_obs = by_subject.get(RAW, [])
    raw_values = [o.metrics[check.metric] for o in raw_obs if o.metrics]
    results: dict[str, SubjectResult] = {}
    for name in subjects:
        if name == RAW:
            continue
        obs = by_subject.get(name, [])
        status = _status(obs) or _status(raw_obs)
        pairs = [
            (o.metrics[check.metric], r.metrics[check.metric])
            for o, r in zip(obs, raw_obs, strict=False)
            if o.metrics and r.metrics and check.metric in o.metrics
        ]
        if status is not None or not pairs:
            results[name] = SubjectResult(status=status or "not run")
            continue
        per_round = [_compare(check, mine, raw) for mine, raw in pairs]
        median = statistics.median(per_round)
        results[name] = SubjectResult(
            median=rounded(median),
            absolute_median=rounded(statistics.median(mine for mine, _ in pairs)),
            per_round=[rounded(x) for x in per_round],
            met=None if check.goal is None else check.goal.met(median),
        )
    raw_median = rounded(statistics.median(raw_values)) if raw_values else None
    return CheckResult(check, raw_median, results)


def summarize(
    observed: Observations, rows: Sequence[Row], params: Params, subjects: Sequence[str]
) -> list[RowResult]:
    """One result per row whose scenario was run."""
    fields = asdict(params)
    out = []
    for row in rows:
        by_subject = observed.by_scenario.get(row.scenario)
        if by_subject is not None:
            checks = [summarize_check(c, by_subject, subjects) for c in row.checks]
            out.append(
                RowResult(row.id, row.label.format(**fields), row.scenario, row.note, checks)
            )
    return out


def rows_json(rows: list[RowResult]) -> list[Json]:
    out: list[Json] = []
    for row in rows:
        checks: list[Json] = []
        for c in row.checks:
            subjects = {
                name: {k: v for k, v in asdict(r).items() if v not in (None, [])}
                for name, r in c.subjects.items()
            }
            checks.append(
                {
                    "metric": c.check.metric,
                    "label": c.check.label,
                    "unit": c.check.unit,
                    "compare": c.check.compare,
                    "goal": None if c.check.goal is None else asdict(c.check.goal),
                    "raw_median": c.raw_median,
                    "subjects": subjects,
                }
            )
        out.append(
            {
                "id": row.id,
                "label": row.label,
                "scenario": row.scenario,
                "note": row.note,
                "checks": checks,
            }
        )
    return out


def observations_json(observed: Observations) -> Json:
    """Every round of every scenario and subject, as measured."""
    out: Json = {}
    for scenario, by_subject in observed.by_scenario.items():
        out[scenario] = {
            subject: [_observation_json(o) for o in obs] for subject, obs in by_subject.items()
        }
    return out


def _observation_json(o: Observation) -> Json:
    if o.metrics:
        return {k: rounded(v) for k, v in o.metrics.items()}
    if o.unsupported is not None:
        return {"unsupported": o.unsupported}
    return {"error": o.error}


# -- Markdown ---------------------------------------------------------------------------------


def number(x: float | None, unit: str) -> str:
    """``x`` with a precision that suits its size, and its unit."""
    if x is None:
        return DASH
    if abs(x) >= 100 or x == int(x):
        text = f"{x:,.0f}"
    elif abs(x) >= 10:
        text = f"{x:.1f}"
    else:
        text = f"{x:.2f}"
    return f"{text} {unit}"


def markdown_ours(rows: list[RowResult], rounds: int) -> str:
    """The table of ``make bench``: raw and ours side by side, the goal and its mark beside."""
    lines = [
        f"| scenario | metric | raw | ours | ours vs raw (median of {rounds}) | goal | |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        for i, c in enumerate(row.checks):
            label = ""
            if i == 0:
                label = row.label + (f" ({row.note})" if row.note else "")
            ours = c.subjects.get(OURS, SubjectResult())
            lines.append(
                f"| {label} | {c.check.label} | {number(c.raw_median, c.check.unit)} "
                f"| {number(ours.absolute_median, c.check.unit)} | {c.cell(OURS)} "
                f"| {c.goal_text()} | {c.mark(OURS)} |"
            )
    return "\n".join(lines) + "\n"


def markdown_controls(rows: list[RowResult], controls: Sequence[str]) -> str:
    """Ours and the control subjects, each compared with raw in the same rounds."""
    head = ["scenario", "metric", "ours", *controls]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        for i, c in enumerate(row.checks):
            cells = [row.label if i == 0 else "", c.check.label, c.cell(OURS)]
            lines.append("| " + " | ".join([*cells, *(c.cell(name) for name in controls)]) + " |")
    return "\n".join(lines) + "\n"


def _leads(c: CheckResult, peers: Sequence[str]) -> str:
    """Whether ours is at least as good as every peer that was measured on this check."""
    ours = c.subjects.get(OURS, SubjectResult()).median
    values = [r.median for p in peers if (r := c.subjects.get(p)) and r.median is not None]
    if ours is None or not values:
        return DASH
    if c.check.higher_is_better:
        return "yes" if ours >= max(values) else "**no**"
    return "yes" if ours <= min(values) else "**no**"


def markdown_peers(rows: list[RowResult], subjects: Sequence[str]) -> str:
    """Every subject compared with raw, one column each, and whether ours leads each row."""
    peers = [s for s in subjects if s not in (RAW, OURS)]
    head = ["scenario", "metric", "goal", "ours", *peers, "ours ≥ every peer"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        for i, c in enumerate(row.checks):
            cells = [
                row.label if i == 0 else "",
                c.check.label,
                c.goal_text(),
                f"{c.cell(OURS)} {c.mark(OURS)}".strip(),
                *(c.cell(p) for p in peers),
                _leads(c, peers),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
