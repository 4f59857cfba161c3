"""``make bench``: our client against raw grpcio, measured side by side in one run.

``python -m bench`` starts a private etcd and one worker process per subject (raw grpc
with the project's message classes, and our client), then runs every scenario in interleaved
rounds with the subjects' order rotated each round. Each figure is the median over rounds of
the per-round ratio ours / raw (or difference, for watch lag), printed as a Markdown table
with the goal and a met/missed mark beside it, and written with every round to
``bench/results/latest.json``. Client CPU is the worker's ``time.process_time()`` (grpc's C
threads included; etcd and the writer are other processes). Absolute numbers move by tens of
percent on shared cores: only ratios of one run mean anything.

Suites: ``table`` (unary, range, paged, watch, fan-out), ``scale`` (10,000 watches per client),
``import`` (import time and first call in fresh interpreters). ``--quick`` runs smaller sizes
and fewer rounds, for development. See also ``python -m bench.peers``,
``python -m bench.importtime`` and ``python -m bench.instructions``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict

from bench import cli, imports, report, scale, session
from bench.harness import SCENARIOS
from bench.table import ROWS

SUITES = ("table", "scale", "import")
CONTROLS = ("raw_wire", "ours_lean", "raw_views")
"""Subjects that say where a difference comes from (``bench/subjects``), never table rows."""


def main(argv: list[str] | None = None) -> int:
    parser = cli.make_parser("python -m bench", __doc__)
    parser.add_argument(
        "--suite", action="append", choices=SUITES, help="run only these suites (repeatable)"
    )
    parser.add_argument(
        "--control",
        action="append",
        choices=CONTROLS,
        default=[],
        help="also run this control subject in the table's rounds (repeatable): raw_wire is "
        "raw grpc sending what ours sends, ours_lean is ours without hasleader and attempt "
        "deadlines, raw_views is raw grpc making one object per key on the range rows",
    )
    args = parser.parse_args(argv)
    suites = args.suite or list(SUITES)
    params, rounds = cli.sizes(args)
    json_path = args.json or session.RESULTS / "latest.json"
    md_path = args.markdown or json_path.with_suffix(".md")
    started = time.perf_counter()
    result: dict[str, object] = {"schema": report.SCHEMA, "quick": args.quick, "rounds": rounds}
    sections: list[str] = []
    suite_seconds: dict[str, float] = {}
    with session.etcd_session() as (server, setup):
        meta = session.machine(server)
        result["machine"] = meta
        sections.append("# etcd3 benchmarks\n\n" + session.header(meta, rounds, args.quick))
        if "table" in suites:
            t0 = time.perf_counter()
            subjects = dict.fromkeys(["raw", "ours", *args.control], sys.executable)
            observed, missing = session.run_table(
                server,
                setup,
                subjects,
                args.scenario or list(SCENARIOS),
                params,
                rounds,
                warmup=None if args.quick else cli.WARMUP,
            )
            if missing:
                raise SystemExit(f"workers did not start: {missing}")
            rows = report.summarize(observed, ROWS, params, list(subjects))
            result["table"] = {
                "params": asdict(params),
                "versions": observed.versions,
                "rows": report.rows_json(rows),
                "observations": report.observations_json(observed),
            }
            sections.append("## Ours against raw grpc\n\n" + report.markdown_ours(rows, rounds))
            if args.control:
                sections.append(
                    "## Controls, against raw grpc in the same rounds\n\n"
                    + report.markdown_controls(rows, args.control)
                )
            suite_seconds["table"] = round(time.perf_counter() - t0)
        if "scale" in suites:
            t0 = time.perf_counter()
            scale_result = scale.run(setup, quick=args.quick, rounds=min(rounds, 3))
            result["scale"] = scale_result.json()
            sections.append(scale_result.markdown())
            suite_seconds["scale"] = round(time.perf_counter() - t0)
        if "import" in suites:
            t0 = time.perf_counter()
            import_result = imports.run(setup, imports.ours(sys.executable), rounds=max(rounds, 7))
            result["import"] = import_result.json()
            sections.append(import_result.markdown())
            suite_seconds["import"] = round(time.perf_counter() - t0)
    result["seconds"] = round(time.perf_counter() - started)
    result["suite_seconds"] = suite_seconds
    took = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in suite_seconds.items())
    markdown = "\n".join(sections) + f"\n_Run time: {result['seconds']} s ({took})._\n"
    session.write(json_path, md_path, result, markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
