"""``make bench-peers``: the table of ``make bench`` for every other Python etcd client too.

Each peer is installed from the package index into a venv of its own under
``build/bench-peers/`` (python-etcd3 and etcd3-client both install a package named
``etcd3``, as we do), then driven by a worker running that venv's interpreter, interleaved
with raw grpc and our client in the same rounds. A peer that cannot be installed, or that
has no API for a row, is marked in the table instead of measured. Import time is measured
for every peer as well. The Markdown table, with the date, versions and machine, goes to
``bench/results/peers.md`` and between the markers on ``docs/guide/performance.md``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import cli, imports, report, session
from bench.driver import ROOT
from bench.table import ROWS

VENVS = ROOT / "build" / "bench-peers"
DOCS_PAGE = ROOT / "docs" / "guide" / "performance.md"
BEGIN, END = "<!-- bench-peers:begin -->", "<!-- bench-peers:end -->"

PEERS: dict[str, tuple[str, ...]] = {
    "etcd3-client": ("etcd3-client==0.104.*",),
    # Its generated modules need protobuf < 4 (the pure-Python runtime on current CPython).
    "python-etcd3": ("etcd3==0.12.0", "protobuf==3.20.3"),
    "aetcd": ("aetcd==1.0.0",),
    "etcd3aio": ("etcd3aio==0.3.0",),
    "etcd-client-py": ("etcd-client-py==0.5.1",),
}
"""Peer -> pip requirements; ``--peer NAME=REQ[,REQ...]`` replaces one (e.g. a local wheel)."""

PEER_SCENARIOS = (
    "sync_put",
    "sync_get",
    "aio_put",
    "aio_get",
    "sync_range",
    "aio_range",
    "sync_range_dropin",
    "aio_range_dropin",
    "sync_watch",
    "aio_watch",
)


def install(name: str, requirements: tuple[str, ...], *, fresh: bool) -> str:
    """A venv with ``requirements`` installed; returns its interpreter. Reused when unchanged."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    stamp = venv / ".requirements"
    wanted = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    if not fresh and stamp.exists() and stamp.read_text() == wanted and python.exists():
        return str(python)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *requirements,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0:
        errors = [line for line in pip.stderr.splitlines() if line.startswith("ERROR")]
        raise RuntimeError(errors[-1] if errors else pip.stderr.strip()[-300:])
    stamp.write_text(wanted)
    return str(python)


def splice_docs(fragment: str, page: Path = DOCS_PAGE) -> None:
    """Replace what lies between the markers on the performance page with ``fragment``."""
    text = page.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    page.write_text(text[:start] + "\n" + fragment.strip() + "\n" + text[end:])


def main(argv: list[str] | None = None) -> int:
    parser = cli.make_parser("python -m bench.peers", __doc__)
    parser.add_argument(
        "--peer",
        action="append",
        default=[],
        metavar="NAME=REQ[,REQ...]",
        help="install this peer from these pip requirements instead (repeatable)",
    )
    parser.add_argument("--only", action="append", choices=sorted(PEERS), help="only these peers")
    parser.add_argument("--fresh", action="store_true", help="recreate the peers' venvs")
    parser.add_argument("--no-docs", action="store_true", help="leave the docs page alone")
    args = parser.parse_args(argv)
    peers = {n: r for n, r in PEERS.items() if not args.only or n in args.only}
    for item in args.peer:
        name, _, reqs = item.partition("=")
        peers[name] = tuple(reqs.split(","))
    params, rounds = cli.sizes(args)
    json_path = args.json or session.RESULTS / "peers.json"
    md_path = args.markdown or json_path.with_suffix(".md")
    started = time.perf_counter()

    pythons = {"raw": sys.executable, "ours": sys.executable}
    unavailable: dict[str, str] = {}
    for name, requirements in peers.items():
        print(f"installing {name}: {' '.join(requirements)}", file=sys.stderr)
        try:
            pythons[name] = install(name, requirements, fresh=args.fresh)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            unavailable[name] = f"not installable: {exc}"
            print(f"  {unavailable[name]}", file=sys.stderr)

    with session.etcd_session() as (server, setup):
        meta = session.machine(server)
        observed, missing = session.run_table(
            server,
            setup,
            pythons,
            args.scenario or PEER_SCENARIOS,
            params,
            rounds,
            warmup=None if args.quick else cli.WARMUP,
        )
        unavailable.update(missing)
        import_pythons = imports.ours(sys.executable)
        import_pythons.update(
            (k, v) for k, v in pythons.items() if k not in ("raw", "ours") and k not in unavailable
        )
        import_result = imports.run(setup, import_pythons, rounds=max(rounds, 7), first_call=False)

    subjects = ["raw", "ours", *peers]
    rows = report.summarize(observed, ROWS, params, subjects)
    for row in rows:
        for check in row.checks:
            for name, why in unavailable.items():
                check.subjects[name] = report.SubjectResult(status=why)
    versions = {**observed.versions, **{n: why for n, why in unavailable.items()}}
    seconds = round(time.perf_counter() - started)
    result = {
        "schema": report.SCHEMA,
        "quick": args.quick,
        "rounds": rounds,
        "machine": meta,
        "params": asdict(params),
        "requirements": {n: list(r) for n, r in peers.items()},
        "versions": versions,
        "rows": report.rows_json(rows),
        "observations": report.observations_json(observed),
        "import": import_result.json(),
        "seconds": seconds,
    }
    version_lines = "\n".join(f"- {name}: {v}" for name, v in versions.items())
    fragment = (
        session.header(meta, rounds, args.quick)
        + "\nRatios to raw grpc in the same rounds (median of per-round ratios); "
        "lag is a difference in ms. `unsupported`: the client has no API for the row.\n\n"
        + report.markdown_peers(rows, subjects)
        + "\n"
        + import_result.markdown().replace("## ", "#### ")
        + f"\nVersions:\n\n{version_lines}\n\n_`make bench-peers` took {seconds} s._\n"
    )
    session.write(json_path, md_path, result, fragment)
    if not (args.quick or args.no_docs):
        splice_docs(fragment)
    return 0


if __name__ == "__main__":
    sys.exit(main())
