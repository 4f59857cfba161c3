"""Where ``import etcd3`` spends its time: ``-X importtime``'s top entries, by self time.

``python -m bench.importtime`` imports the module in fresh interpreters (``--runs``, default
5), takes the median self and cumulative time of every module over the runs, and prints the
``--top`` entries by self time. Modules that the grpc runtime floor (``grpc``, ``grpc.aio``,
``google.protobuf``) imports as well are left out unless ``--all`` is given, so what remains
is what the package adds. ``-X importtime`` itself slows imports down: compare entries with
each other, and use ``make bench``'s import suite for the total.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass

from bench.imports import FLOOR_MODULES, compile_bytecode


@dataclass(frozen=True)
class Entry:
    module: str
    self_us: float
    cumulative_us: float


def import_times(python: str, modules: str) -> dict[str, tuple[int, int]]:
    """One fresh interpreter's ``-X importtime`` report: module -> (self, cumulative) in µs."""
    proc = subprocess.run(
        [python, "-P", "-X", "importtime", "-c", f"import {modules}"],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, tuple[int, int]] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        out[name.strip()] = (int(self_us), int(cumulative_us))
    return out


def profile(python: str, module: str, runs: int, *, include_floor: bool) -> list[Entry]:
    """Median self and cumulative times per module over ``runs`` interpreters, by self time."""
    samples: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for _ in range(runs):
        for name, times in import_times(python, module).items():
            samples[name].append(times)
    floor = set() if include_floor else set(import_times(python, FLOOR_MODULES))
    entries = [
        Entry(
            name,
            statistics.median(s for s, _ in times),
            statistics.median(c for _, c in times),
        )
        for name, times in samples.items()
        if name not in floor
    ]
    return sorted(entries, key=lambda e: e.self_us, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.importtime",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("module", nargs="?", default="etcd3")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter (venv) to use")
    parser.add_argument("--all", action="store_true", help="keep the floor's modules")
    args = parser.parse_args(argv)
    if args.module.partition(".")[0] == "etcd3":
        compile_bytecode(args.python)  # as an installed copy is: time imports, not compiling
    entries = profile(args.python, args.module, args.runs, include_floor=args.all)
    total_self = sum(e.self_us for e in entries)
    scope = "all modules" if args.all else f"modules beyond `import {FLOOR_MODULES}`"
    print(
        f"`import {args.module}`: {len(entries)} {scope}, {total_self / 1e3:.1f} ms self time "
        f"in all (median of {args.runs} runs, under -X importtime)\n"
    )
    print("| self | cumulative | module |\n| ---: | ---: | --- |")
    for e in entries[: args.top]:
        print(f"| {e.self_us / 1e3:.2f} ms | {e.cumulative_us / 1e3:.2f} ms | `{e.module}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
