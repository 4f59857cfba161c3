"""``make bench``: our client against raw grpcio, measured side by side in one run.

``python -m bench`` starts a private etcd and one worker process per subject (raw grpc
with the project's message classes, and our client), then runs every scenario in interleaved
rounds with the subjects' order rotated each round. Each figure is the median over rounds of
the per-round ratio ours / raw (or difference, for watch lag), printed as a Markdown table
with the goal and a met/missed mark beside it, and written with every round to
``bench/results/latest.json``. Client CPU is the worker's ``time.process_time()`` (grpc's C
threads included; etcd and the writer are other processes). Absolute numbers move by tens of
percent on shared cores: only ratios of one run mean anything.

Suites: ``table`` (unary, range, watch, fan-out), ``scale`` (10,000 watches on one client),
``import`` (import time and first call in fresh interpreters). ``--quick`` runs smaller sizes
and fewer rounds, for development. See also ``python -m bench.peers``,
``python -m bench.importtime`` and ``python -m bench.instructions``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import imports, report, scale, session
from bench.driver import Worker, run_rounds
from bench.harness import SCENARIOS, Params
from bench.table import ROWS

SUITES = ("table", "scale", "import")
QUICK = Params(
    ops=300,
    aio_ops=600,
    range_keys=2000,
    watch_events=500,
    fan_out_watches=100,
    fan_out_events=1000,
)
WARMUP = Params(
    ops=100, aio_ops=200, watch_events=100, fan_out_watches=50, fan_out_events=200
)


def parse_args(argv: list[str] | None, prog: str, description: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 rounds")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5, quick 3)")
    parser.add_argument(
        "--suite", action="append", choices=SUITES, help="run only these suites (repeatable)"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS),
        help="table suite: run only these scenarios (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--markdown", type=Path, help="where to write the Markdown report")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv, "python -m bench", __doc__)
    suites = args.suite or list(SUITES)
    rounds = args.rounds or (3 if args.quick else 5)
    params = QUICK if args.quick else Params()
    json_path = args.json or session.RESULTS / "latest.json"
    md_path = args.markdown or json_path.with_suffix(".md")
    started = time.perf_counter()
    result: dict[str, object] = {"schema": report.SCHEMA, "quick": args.quick, "rounds": rounds}
    sections: list[str] = []
    with session.etcd_session() as (server, setup):
        meta = session.machine(server)
        result["machine"] = meta
        sections.append("# etcd3 benchmarks\n\n" + session.header(meta, rounds, args.quick))
        if "table" in suites:
            session.seed(server, params)
            subjects = {"raw": sys.executable, "ours": sys.executable}
            workers = [Worker(name, python, setup) for name, python in subjects.items()]
            try:
                scenarios = args.scenario or list(SCENARIOS)
                observed = run_rounds(
                    workers,
                    scenarios,
                    params,
                    rounds,
                    warmup=WARMUP if not args.quick else None,
                    between_rounds=lambda: session.compact(server),
                )
            finally:
                for w in workers:
                    w.stop()
            rows = report.summarize(observed, ROWS, params, list(subjects))
            result["table"] = {
                "params": asdict(params),
                "versions": observed.versions,
                "rows": report.rows_json(rows),
                "observations": report.observations_json(observed),
            }
            sections.append("## Ours against raw grpc\n\n" + report.markdown_ours(rows, rounds))
        if "scale" in suites:
            scale_result = scale.run(setup, quick=args.quick, rounds=min(rounds, 3))
            result["scale"] = scale_result.json()
            sections.append(scale_result.markdown())
        if "import" in suites:
            import_result = imports.run(
                setup, {"ours": sys.executable}, rounds=max(rounds, 7)
            )
            result["import"] = import_result.json()
            sections.append(import_result.markdown())
    result["seconds"] = round(time.perf_counter() - started)
    markdown = "\n".join(sections) + f"\n_Run time: {result['seconds']} s._\n"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    md_path.write_text(markdown)
    print(markdown)
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
