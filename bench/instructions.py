"""Instructions per operation under callgrind: the figure that does not move with the load.

Wall time and CPU time on shared cores move by tens of percent; the number of instructions a
client executes per operation hardly moves. ``perf stat -e instructions`` needs hardware
counters, which virtual machines often lack, so this counts with valgrind's callgrind, which
works anywhere (and runs the client about 50x slower, so it suits unary calls and range
reads, not streams paced by a writer).

For each subject, a worker runs the scenario once to warm up, then ``--repeat`` times, under
callgrind; a second worker does ``2 x --repeat``. The difference of their instruction totals,
divided by the extra operations, is the cost of one operation: start-up, imports, connection
set-up and warm-up cancel out. Every thread of the client counts (grpc's C threads too);
etcd runs outside valgrind.

    python -m bench.instructions sync_put                # raw and ours, 200 puts per pass
    python -m bench.instructions aio_get --ops 500 --subject ours
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import harness, session
from bench.driver import ROOT, WORKER
from bench.harness import Params, Setup

SCENARIOS = tuple(
    name for name in harness.SCENARIOS if "_put" in name or "_get" in name or "_range" in name
)
"""Unary calls and whole range reads: the scenarios not paced by a writer or spread over pages."""


def _operations(scenario: str, params: Params) -> int:
    if "_range" in scenario:
        return 1
    if scenario.startswith("aio_"):
        return params.aio_ops
    return params.ops


def count(setup: Setup, subject: str, scenario: str, params: Params, repeat: int) -> int:
    """Instructions executed by one worker process running ``scenario`` ``repeat`` times."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                "--quiet",
                setup.project_python,
                "-P",
                str(WORKER),
                subject,
                json.dumps(dataclasses.asdict(setup)),
                f"--once={scenario}",
                f"--params={json.dumps(dataclasses.asdict(params))}",
                f"--repeat={repeat}",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for line in out.read_text().splitlines():
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("callgrind wrote no totals")


def per_operation(setup: Setup, subject: str, scenario: str, params: Params, repeat: int) -> float:
    once = count(setup, subject, scenario, params, repeat)
    twice = count(setup, subject, scenario, params, 2 * repeat)
    return (twice - once) / (repeat * _operations(scenario, params))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.instructions",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--subject", action="append", help="default: raw and ours")
    parser.add_argument("--ops", type=int, default=200, help="operations per pass (unary)")
    parser.add_argument("--repeat", type=int, default=2, help="passes in the shorter run")
    parser.add_argument("--range-keys", type=int, default=10_000)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 1
    subjects = args.subject or ["raw", "ours"]
    params = Params(ops=args.ops, aio_ops=args.ops, range_keys=args.range_keys)
    unit = "range read" if "_range" in args.scenario else "operation"
    with session.etcd_session() as (server, setup):
        session.seed(server, params)
        results = {s: per_operation(setup, s, args.scenario, params, args.repeat) for s in subjects}
    for subject, instructions in results.items():
        line = f"{subject:<8} {instructions:>14,.0f} instructions per {unit}"
        if subject != "raw" and "raw" in results:
            line += f"  ({instructions / results['raw']:.3f}x raw)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
