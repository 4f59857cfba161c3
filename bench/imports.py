"""Import time and first-call latency, each in a fresh interpreter (the import suite).

Every figure comes from a new ``python -P`` process that times only the statement of
interest with ``time.perf_counter()``, and an import also with ``time.process_time()``
(interpreter start-up is the same for all and left out). The floor is what every grpc client
must import: ``grpc``, ``grpc.aio`` and ``google.protobuf``, timed in the same venv and the
same rounds, order rotated each round.

First call: after the import, the time to create a client and complete one ``get`` (sync,
and asyncio including its event loop), next to raw grpc doing the same with a hand-encoded
request (no message classes), so work deferred from import to first use shows up here.

The project's package is compiled to bytecode first, as an installed copy is.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.harness import Setup
from bench.report import DASH, rounded
from bench.table import Goal

FLOOR_MODULES = "grpc, grpc.aio, google.protobuf"
IMPORT_GOAL = Goal("<=", 15.0)
"""``import etcd3`` may cost at most this many ms more than the floor."""

FIRST_USE = "ours, first use"
"""``import etcd3`` binds names only: this subject also reads ``etcd3.client``, which loads the
sync client's modules, as a peer's import loads its client."""

FIRST_USE_ASYNC = "ours, asyncio first use"
"""The same for ``etcd3.async_client``, which loads the asyncio client's modules."""

MODULES: dict[str, str] = {
    "ours": "etcd3",
    FIRST_USE: "etcd3; etcd3.client",
    FIRST_USE_ASYNC: "etcd3; etcd3.async_client",
    "etcd3-client": "etcd3",
    "python-etcd3": "etcd3",
    "aetcd": "aetcd",
    "etcd3aio": "etcd3aio",
    "etcd-client-py": "etcd_client",
}

_TIME_IMPORT = """
import time
t0, c0 = time.perf_counter(), time.process_time()
import {modules}
print((time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3)
"""

_FIRST_CALL = """
import sys, time
t0 = time.perf_counter()
{imports}
t1 = time.perf_counter()
{call}
t2 = time.perf_counter()
print((t1 - t0) * 1e3, (t2 - t1) * 1e3)
"""

# A RangeRequest for key b"/bench/first" encoded by hand: field 1, length-delimited.
_RAW_KEY = b"/bench/first"
_RAW_REQUEST = bytes([0x0A, len(_RAW_KEY)]) + _RAW_KEY

FIRST_CALLS: dict[str, tuple[str, str]] = {
    "raw sync": (
        "import grpc, grpc.aio, google.protobuf",
        "channel = grpc.insecure_channel(sys.argv[1])\n"
        "channel.unary_unary('/etcdserverpb.KV/Range')({req!r})",
    ),
    "ours sync": (
        "import etcd3",
        "client = etcd3.client(sys.argv[2], int(sys.argv[3]))\nclient.get(b'/bench/first')",
    ),
    "raw asyncio": (
        "import asyncio, grpc, grpc.aio, google.protobuf",
        "async def first():\n"
        "    async with grpc.aio.insecure_channel(sys.argv[1]) as channel:\n"
        "        await channel.unary_unary('/etcdserverpb.KV/Range')({req!r})\n"
        "asyncio.run(first())",
    ),
    "ours asyncio": (
        "import asyncio, etcd3",
        "async def first():\n"
        "    async with etcd3.async_client(sys.argv[2], int(sys.argv[3])) as client:\n"
        "        await client.get(b'/bench/first')\n"
        "asyncio.run(first())",
    ),
}


def _run(python: str, code: str, *args: str) -> list[float]:
    out = subprocess.run(
        [python, "-P", "-c", code, *args],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return [float(x) for x in out.split()]


def compile_bytecode(python: str) -> None:
    """Write the bytecode of the package ``python`` imports as ``etcd3``, as installing does.

    pip compiles every module it installs (the peers' venvs, grpc); an editable install under
    ``PYTHONDONTWRITEBYTECODE`` (set in many containers and CI images) would otherwise compile
    the package from source in every fresh interpreter, which no installed copy does.
    """
    code = (
        "import compileall, pathlib, etcd3\n"
        "package = pathlib.Path(etcd3.__file__).parent\n"
        "for root in (package, package / 'rpc'):  # compileall does not follow the rpc symlink\n"
        "    assert compileall.compile_dir(root, quiet=1)\n"
    )
    subprocess.run(
        [python, "-P", "-c", code], cwd="/", capture_output=True, timeout=300, check=True
    )


def has_grpc(python: str) -> bool:
    """Whether ``python`` can import the floor's modules (a Rust client's venv cannot)."""
    probe = subprocess.run(
        [python, "-P", "-c", f"import {FLOOR_MODULES}"], capture_output=True, check=False
    )
    return probe.returncode == 0


def time_import(python: str, modules: str) -> tuple[float, float]:
    """Milliseconds to import ``modules`` in a fresh interpreter: elapsed, and CPU.

    An import is CPU work in one thread: its CPU time barely moves when other processes share
    the cores, while its elapsed time grows with their load.
    """
    wall, cpu = _run(python, _TIME_IMPORT.format(modules=modules))
    return wall, cpu


@dataclass
class ImportResult:
    rounds: int
    imports: dict[str, list[float]] = field(default_factory=dict)
    floors: dict[str, list[float]] = field(default_factory=dict)
    cpu_imports: dict[str, list[float]] = field(default_factory=dict)
    cpu_floors: dict[str, list[float]] = field(default_factory=dict)
    first_calls: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def _row(self, subject: str) -> dict[str, float]:
        pairs = list(zip(self.imports[subject], self.floors[subject], strict=True))
        return {
            "import_ms": rounded(statistics.median(self.imports[subject])),
            "floor_ms": rounded(statistics.median(self.floors[subject])),
            "diff_ms": rounded(statistics.median(i - f for i, f in pairs)),
            "ratio": rounded(statistics.median(i / f for i, f in pairs)),
            "cpu_diff_ms": rounded(
                statistics.median(
                    i - f
                    for i, f in zip(
                        self.cpu_imports[subject], self.cpu_floors[subject], strict=True
                    )
                )
            ),
        }

    def _first(self, label: str) -> dict[str, float]:
        runs = self.first_calls[label]
        return {
            "import_ms": rounded(statistics.median(i for i, _ in runs)),
            "first_call_ms": rounded(statistics.median(c for _, c in runs)),
            "total_ms": rounded(statistics.median(i + c for i, c in runs)),
        }

    def json(self) -> dict[str, object]:
        return {
            "rounds": self.rounds,
            "floor_modules": FLOOR_MODULES,
            "goal_diff_ms": IMPORT_GOAL.value,
            "imports": {s: self._row(s) for s in self.imports},
            "first_calls": {label: self._first(label) for label in self.first_calls},
            "runs": {
                "imports": {s: [rounded(x) for x in v] for s, v in self.imports.items()},
                "floors": {s: [rounded(x) for x in v] for s, v in self.floors.items()},
                "cpu_imports": {s: [rounded(x) for x in v] for s, v in self.cpu_imports.items()},
                "cpu_floors": {s: [rounded(x) for x in v] for s, v in self.cpu_floors.items()},
                "first_calls": {
                    s: [[rounded(x) for x in pair] for pair in v]
                    for s, v in self.first_calls.items()
                },
            },
        }

    def markdown(self) -> str:
        lines = [
            f"## Import time, fresh interpreter (median of {self.rounds})\n",
            f"Floor: `import {FLOOR_MODULES}` in the same rounds, in the client's venv "
            "(in the project's venv for a client without grpc). Difference and ratio are "
            "medians of the per-round values."
            + (
                f" `{MODULES[FIRST_USE]}` ({FIRST_USE}): `import etcd3` binds names only, and "
                "the first read of `etcd3.client` loads the sync client's modules (of "
                "`etcd3.async_client`, the asyncio client's)."
                if FIRST_USE in self.imports
                else ""
            )
            + " CPU difference: the difference in CPU time, which other load on the "
            "machine barely moves.\n",
            "| `import` | median | floor | difference | ratio | CPU difference | goal | |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for subject in self.imports:
            row = self._row(subject)
            goal, mark = DASH, ""
            if subject == "ours":
                goal = f"floor + {IMPORT_GOAL.value:g} ms"
                mark = "met" if IMPORT_GOAL.met(row["diff_ms"]) else "**missed**"
            lines.append(
                f"| {MODULES[subject]} ({subject}) | {row['import_ms']:.1f} ms "
                f"| {row['floor_ms']:.1f} ms | {row['diff_ms']:+.1f} ms | {row['ratio']:.2f}x "
                f"| {row['cpu_diff_ms']:+.1f} ms | {goal} | {mark} |"
            )
        if self.first_calls:
            lines += [
                "",
                "First call after import: create a client, one `get` (asyncio: with its loop).\n",
                "| | import | first call | import + first call |",
                "| --- | --- | --- | --- |",
            ]
            for label in self.first_calls:
                f = self._first(label)
                lines.append(
                    f"| {label} | {f['import_ms']:.1f} ms | {f['first_call_ms']:.1f} ms "
                    f"| {f['total_ms']:.1f} ms |"
                )
        return "\n".join(lines) + "\n"


def ours(python: str) -> dict[str, str]:
    """Our import subjects (the import alone, and each client's first use) on ``python``."""
    return {subject: python for subject in ("ours", FIRST_USE, FIRST_USE_ASYNC)}


def run(
    setup: Setup, pythons: Mapping[str, str], *, rounds: int, first_call: bool = True
) -> ImportResult:
    """Time the import of each subject's package (``pythons``: subject -> interpreter).

    The floor is timed in each subject's venv, or in the project's where grpc is absent.
    """
    result = ImportResult(rounds)
    compile_bytecode(sys.executable)  # the project's venv: ours, and every first call
    floor_python = {s: p if has_grpc(p) else sys.executable for s, p in pythons.items()}
    for subject in pythons:
        result.imports[subject] = []
        result.floors[subject] = []
        result.cpu_imports[subject] = []
        result.cpu_floors[subject] = []
    if first_call:
        for label in FIRST_CALLS:
            result.first_calls[label] = []
    tasks: list[tuple[str, str]] = [(s, "import") for s in pythons] + [
        (s, "floor") for s in pythons
    ]
    if first_call:
        tasks += [(label, "first") for label in FIRST_CALLS]
    for r in range(rounds):
        for name, what in tasks[r % len(tasks) :] + tasks[: r % len(tasks)]:
            if what == "import":
                wall, cpu = time_import(pythons[name], MODULES[name])
                result.imports[name].append(wall)
                result.cpu_imports[name].append(cpu)
            elif what == "floor":
                wall, cpu = time_import(floor_python[name], FLOOR_MODULES)
                result.floors[name].append(wall)
                result.cpu_floors[name].append(cpu)
            else:
                imports, call = FIRST_CALLS[name]
                code = _FIRST_CALL.format(imports=imports, call=call.format(req=_RAW_REQUEST))
                import_ms, call_ms = _run(
                    sys.executable, code, setup.endpoint, setup.host, str(setup.port)
                )
                result.first_calls[name].append((import_ms, call_ms))
        print(f"  import round {r + 1}/{rounds} done", file=sys.stderr)
    return result
