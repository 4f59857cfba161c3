"""One benchmark session: a private etcd, the seeded keys, the machine's description."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import google.protobuf
import grpc

import etcd3
from bench.driver import ROOT, Observations, Worker, WorkerError, run_rounds
from bench.harness import PAGED_PREFIX, RANGE_PREFIX, VALUE, Params, Setup, unary_keys
from etcd3.testing import EtcdServer

RESULTS = ROOT / "bench" / "results"


@contextmanager
def etcd_session() -> Iterator[tuple[EtcdServer, Setup]]:
    """A private single-member etcd (``etcd3.testing``) and the ``Setup`` workers get."""
    with EtcdServer() as server:
        yield server, Setup(server.host, server.port, sys.executable, str(ROOT))


def seed(server: EtcdServer, params: Params) -> None:
    """Write the keys every subject reads: range, paged and unary keys (values of 100 B)."""

    async def write() -> None:
        async with etcd3.async_client(server.host, server.port) as client:
            todo = iter(
                [RANGE_PREFIX + b"%08d" % i for i in range(params.range_keys)]
                + [PAGED_PREFIX + b"%08d" % i for i in range(params.paged_keys)]
                + unary_keys(max(params.ops, params.aio_ops))
            )

            async def lane() -> None:
                for key in todo:
                    await client.put(key, VALUE)

            await asyncio.gather(*(lane() for _ in range(32)))

    asyncio.run(write())


def run_table(
    server: EtcdServer,
    setup: Setup,
    pythons: Mapping[str, str],
    scenarios: Sequence[str],
    params: Params,
    rounds: int,
    *,
    warmup: Params | None,
) -> tuple[Observations, dict[str, str]]:
    """Seed the keys, start a worker per subject, run the rounds, stop the workers.

    Args:
        pythons: Subject name -> the interpreter (venv) its worker runs on.

    Returns:
        What was observed, and why each subject whose worker did not start is missing.
    """
    seed(server, params)
    workers, missing = [], {}
    for name, python in pythons.items():
        try:
            workers.append(Worker(name, python, setup))
        except WorkerError as exc:
            missing[name] = f"does not start: {str(exc).splitlines()[-1]}"
    try:
        observed = run_rounds(
            workers,
            scenarios,
            params,
            rounds,
            warmup=warmup,
            between_rounds=lambda: compact(server),
        )
    finally:
        for worker in workers:
            worker.stop()
    return observed, missing


def write(json_path: Path, md_path: Path, result: Mapping[str, object], markdown: str) -> None:
    """Write the results as JSON (sorted keys: stable diffs) and the report as Markdown."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    md_path.write_text(markdown)
    print(markdown)
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)


def compact(server: EtcdServer) -> None:
    """Drop old revisions between rounds so the store does not grow through the run."""
    with etcd3.client(server.host, server.port) as client:
        revision = client.get_response(b"/").header.revision
        with contextlib.suppress(etcd3.RevisionCompactedError):  # nothing new since the last
            client.compact(revision)


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def _git_commit() -> str:
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def machine(server: EtcdServer) -> dict[str, object]:
    """What the figures were measured on (for the report's header and the JSON)."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(_mem_total_gib(), 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "grpcio": grpc.__version__,
        "protobuf": google.protobuf.__version__,
        "etcd": f"{server.version} (single member on loopback, etcd3.testing flags)",
        "commit": _git_commit(),
    }


def header(meta: dict[str, object], rounds: int, quick: bool) -> str:
    """The Markdown lines above a table: date, machine, versions, and how to read it."""
    load = meta.get("load_average_at_start")
    return (
        f"Measured {meta['date']} on {meta['cores']} cores ({meta['cpu']}, "
        f"{meta['memory_gib']} GiB), load average at start {load}; Python {meta['python']}, "
        f"grpcio {meta['grpcio']}, protobuf {meta['protobuf']}, etcd {meta['etcd']}; "
        f"commit {meta['commit']}; {rounds} interleaved rounds"
        f"{' (--quick: smaller sizes, not for comparison)' if quick else ''}.\n"
    )
