"""Code written for the predecessors type-checks: ``predecessor_consumer.py`` under both
``mypy --strict`` and ``pyright`` in strict mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mypy import api as mypy_api

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CONSUMER = HERE / "predecessor_consumer.py"


def test_mypy_strict_accepts_predecessor_code() -> None:
    stdout, stderr, status = mypy_api.run(
        ["--strict", "--config-file", str(ROOT / "pyproject.toml"), str(CONSUMER)]
    )
    assert status == 0, stdout + stderr


@pytest.mark.slow
def test_pyright_strict_accepts_predecessor_code() -> None:
    pyright = Path(sys.executable).with_name("pyright")
    assert pyright.exists(), "pyright is a dev dependency: run `make dev`"
    assert "# pyright: strict" in CONSUMER.read_text()
    proc = subprocess.run(
        [str(pyright), "--pythonpath", sys.executable, "--outputjson", str(CONSUMER)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    report = json.loads(proc.stdout)
    problems = [
        f"{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] in {"error", "warning"}
    ]
    assert problems == []
    assert report["summary"]["filesAnalyzed"] == 1
