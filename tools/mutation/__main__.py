"""``python -m tools.mutation``: mutate the configured modules, print the table and the survivors.

Exits non-zero when a module scores below ``--fail-under`` or an allowlist entry is wrong (it
names no mutant any more, or a mutant the tests kill). Survivors are also written, in the
allowlist's format with empty reasons, to ``build/mutation/survivors.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tools.mutation import allowlist, config, runner
from tools.mutation.mutants import Mutant, MutantKey, generate
from tools.mutation.runner import Outcome

# A mutant's tests may take this many times the unmutated run before they count as hung.
_TIMEOUT_FACTOR = 10.0
_MIN_TIMEOUT = 10.0


@dataclass
class Result:
    """What the run found for one module."""

    target: config.Target
    mutants: list[Mutant] = field(default_factory=list)
    killed: int = 0
    survivors: list[Mutant] = field(default_factory=list)
    equivalent: list[tuple[Mutant, allowlist.Entry]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def score(self) -> float:
        """Killed mutants as a percentage of those not allowlisted (100 when there are none)."""
        counted = len(self.mutants) - len(self.equivalent)
        return 100.0 * self.killed / counted if counted else 100.0


def _progress(name: str, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        if sys.stderr.isatty() and (done % 25 == 0 or done == total):
            print(f"\r  {name}: {done}/{total}", end="", file=sys.stderr, flush=True)

    return report


def _baseline(target: config.Target, jobs: int) -> float:
    """Seconds the unmutated tests take in a worker; raises if they do not pass."""
    source = target.path.read_text(encoding="utf-8")
    (forked,) = runner.run_forked(target, [source], jobs, timeout=600.0)
    fresh = runner.run_fresh(target, source, timeout=600.0)
    for how, outcome in (("forked", forked), ("fresh", fresh)):
        if not outcome.survived:
            raise RuntimeError(
                f"{target.module}: its tests fail without any mutant ({how}, exit "
                f"{outcome.exit_code}); run them with pytest to see why"
            )
    return forked.seconds


def run_target(
    target: config.Target, entries: dict[MutantKey, allowlist.Entry], jobs: int
) -> Result:
    """Mutate one module, run its tests against every mutant, confirm the survivors."""
    started = time.monotonic()
    cpu_started = _cpu_seconds()
    result = Result(target)
    source = target.path.read_text(encoding="utf-8")
    rel = str(target.path.relative_to(config.ROOT))
    result.mutants = generate(target.module, source, target.in_scope, rel)
    timeout = max(_MIN_TIMEOUT, _TIMEOUT_FACTOR * _baseline(target, jobs))
    outcomes = runner.run_forked(
        target,
        [m.source for m in result.mutants],
        jobs,
        timeout,
        _progress(target.short, len(result.mutants)),
    )
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr)
    # Confirm each survivor in a fresh interpreter, as many at once as there are workers.
    survived = [i for i, outcome in enumerate(outcomes) if outcome.survived]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        fresh = pool.map(lambda i: _confirm(result, result.mutants[i], timeout), survived)
        for index, outcome in zip(survived, fresh, strict=True):
            outcomes[index] = outcome
    for mutant, outcome in zip(result.mutants, outcomes, strict=True):
        entry = entries.get(mutant.key)
        if outcome.survived:
            if entry is None:
                result.survivors.append(mutant)
            else:
                result.equivalent.append((mutant, entry))
        else:
            result.killed += 1
            if entry is not None:
                result.problems.append(
                    f"allowlisted but killed ({outcome.verdict.value}): {mutant.describe(rel)}"
                )
    keys = {m.key for m in result.mutants}
    for key in entries:
        if key.module == target.module and key not in keys:
            result.problems.append(
                f"stale allowlist entry (its text changed): [{key.scope}] {key.before!r} -> "
                f"{key.after!r} #{key.occurrence}"
            )
    result.seconds = time.monotonic() - started
    result.cpu_seconds = _cpu_seconds() - cpu_started
    return result


def _confirm(result: Result, mutant: Mutant, timeout: float) -> Outcome:
    fresh = runner.run_fresh(result.target, mutant.source, timeout * 3)
    if not fresh.survived:
        # A forked worker and a fresh interpreter disagree: trust the fresh one, but say so.
        result.problems.append(
            f"killed only in a fresh interpreter (exit {fresh.exit_code}): "
            f"{mutant.describe(str(result.target.path.relative_to(config.ROOT)))}"
        )
    return fresh


def table(results: Sequence[Result]) -> str:
    """The table: one row per module and a total."""
    header = ("module", "mutants", "killed", "survived", "allowlisted", "score", "time", "cpu")
    rows = [
        (
            r.target.short,
            str(len(r.mutants)),
            str(r.killed),
            str(len(r.survivors)),
            str(len(r.equivalent)),
            f"{r.score:.1f}%",
            f"{r.seconds:.0f}s",
            f"{r.cpu_seconds:.0f}s",
        )
        for r in results
    ]
    total_mutants = sum(len(r.mutants) for r in results)
    total_equivalent = sum(len(r.equivalent) for r in results)
    total_killed = sum(r.killed for r in results)
    counted = total_mutants - total_equivalent
    rows.append(
        (
            "all",
            str(total_mutants),
            str(total_killed),
            str(sum(len(r.survivors) for r in results)),
            str(total_equivalent),
            f"{100.0 * total_killed / counted if counted else 100.0:.1f}%",
            f"{sum(r.seconds for r in results):.0f}s",
            f"{sum(r.cpu_seconds for r in results):.0f}s",
        )
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _details(results: Sequence[Result]) -> str:
    out: list[str] = []
    for r in results:
        rel = str(r.target.path.relative_to(config.ROOT))
        if r.survivors:
            out.append(f"Survivors in {r.target.module} ({len(r.survivors)}):")
            out.extend(f"  {m.describe(rel)}" for m in r.survivors)
        if r.equivalent:
            out.append(f"Allowlisted as equivalent in {r.target.module} ({len(r.equivalent)}):")
            out.extend(f"  {m.describe(rel)}\n      {e.reason}" for m, e in r.equivalent)
        if r.problems:
            out.append(f"Problems in {r.target.module}:")
            out.extend(f"  {p}" for p in r.problems)
    return "\n".join(out)


def _write_survivors(results: Sequence[Result]) -> str:
    path = config.ROOT / "build" / "mutation" / "survivors.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    skeletons = [allowlist.Entry(m.key, "").to_json() for r in results for m in r.survivors]
    path.write_text(json.dumps(skeletons, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return str(path.relative_to(config.ROOT))


def _cpu_seconds() -> float:
    """CPU time used by this process and its workers: the cost of a run, whatever the load."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _changed_files(ref: str) -> list[str]:
    """Files that differ from the git revision ``ref`` (committed or not), and new files."""
    git = ("git", "-C", str(config.ROOT))
    diff = subprocess.run(
        [*git, "diff", "--name-only", ref, "--"], check=True, capture_output=True, text=True
    )
    new = subprocess.run(
        [*git, "ls-files", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
    )
    return (diff.stdout + new.stdout).split()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status says whether every module passed."""
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__)
    parser.add_argument(
        "--modules",
        default="",
        help="comma- or space-separated modules (_paging or etcd3._paging); default: all",
    )
    parser.add_argument(
        "--since",
        metavar="REF",
        help="only the modules whose source or tests changed since the git revision REF",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="forked workers")
    parser.add_argument(
        "--fail-under", type=float, default=95.0, help="lowest passing score, in percent"
    )
    args = parser.parse_args(argv)
    try:
        targets = config.select(args.modules.replace(",", " ").split())
    except ValueError as exc:
        parser.error(str(exc))
    os.chdir(config.ROOT)
    if args.since:
        touched = {t.module for t in config.touched_by(_changed_files(args.since))}
        targets = [t for t in targets if t.module in touched]
        if not targets:
            print(f"No mutated module or its tests changed since {args.since}.")
            return 0
    entries = allowlist.load()
    runner.preload(sorted({test for t in targets for test in t.tests}))
    started = time.monotonic()
    results: list[Result] = []
    for target in targets:
        result = run_target(target, entries, max(1, args.jobs))
        results.append(result)
        print(
            f"{target.short}: {len(result.mutants)} mutants, {result.killed} killed, "
            f"{len(result.survivors)} survived, {len(result.equivalent)} allowlisted, "
            f"{result.score:.1f}% ({result.seconds:.0f}s)"
        )
        print(_details([result]), flush=True)
    print(f"\nSurvivors as allowlist entries: {_write_survivors(results)}")
    print(f"\n{table(results)}\n")
    print(f"Total time: {time.monotonic() - started:.0f}s, {_cpu_seconds():.0f}s of CPU")
    below = [r.target for r in results if r.score < args.fail_under]
    failing = [t.short for t in below if t.gated]
    wrong = [r.target.short for r in results if r.problems]
    if below:
        names = ", ".join(t.short if t.gated else f"{t.short} (not gated)" for t in below)
        print(f"Below {args.fail_under:g}%: {names}")
    if wrong:
        print(f"Allowlist problems in: {', '.join(wrong)}")
    return 1 if failing or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
