"""mypy --strict and pyright see every flat ``etcd3.rpc``/``etcd3.etcdrpc`` name with its type.

A consumer file is generated from the modules' ``__all__``: for each name, both flat spellings
must be assignable to the module's definition *and* back (a class is only assignable both ways
to itself), and each enum constant must be its enum member's literal. Both checkers must
accept the file without a single error.
"""

from __future__ import annotations

import enum
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mypy import api as mypy_api

from etcd3.rpc import authpb, etcdserverpb, mvccpb

ROOT = Path(__file__).resolve().parents[2]
FLAT_SPELLINGS = ("etcdrpc", "rpc")


def _consumer() -> str:
    lines = [
        "from typing import Literal",
        "",
        "import etcd3.etcdrpc as etcdrpc",
        "import etcd3.rpc as rpc",
        "from etcd3.rpc import authpb, etcdserverpb, mvccpb",
        "",
    ]
    for module in (authpb, etcdserverpb, mvccpb):
        short = module.__name__.rsplit(".", 1)[1]
        for name in module.__all__:
            obj = getattr(module, name)
            for flat in FLAT_SPELLINGS:
                var = f"{flat}_{short}_{name}"
                if isinstance(obj, enum.Enum):
                    member = f"{short}.{type(obj).__name__}.{obj.name}"
                    lines.append(f"{var}: Literal[{member}] = {flat}.{name}")
                else:
                    lines.append(f"{var}_in: type[{short}.{name}] = {flat}.{name}")
                    lines.append(f"{var}_out: type[{flat}.{name}] = {short}.{name}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("flat") / "flat_consumer.py"
    path.write_text(_consumer())
    return path


def test_the_consumer_covers_every_flat_name(consumer: Path) -> None:
    text = consumer.read_text()
    for module in (authpb, etcdserverpb, mvccpb):
        for name in module.__all__:
            assert f"= etcdrpc.{name}\n" in text
    assert "Literal[etcdserverpb.AlarmType.NOSPACE] = etcdrpc.NOSPACE" in text


@pytest.mark.slow
def test_mypy_strict_accepts_the_flat_names(consumer: Path) -> None:
    stdout, stderr, status = mypy_api.run(
        [
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(consumer),
        ]
    )
    assert status == 0, stdout + stderr


@pytest.mark.slow
def test_pyright_accepts_the_flat_names(consumer: Path) -> None:
    pyright = Path(sys.executable).with_name("pyright")
    assert pyright.exists(), "pyright is a dev dependency: run `make dev`"
    proc = subprocess.run(
        [str(pyright), "--pythonpath", sys.executable, "--outputjson", str(consumer)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=240,
    )
    report = json.loads(proc.stdout)
    errors = [d["message"] for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert errors == []
    assert report["summary"]["filesAnalyzed"] == 1
