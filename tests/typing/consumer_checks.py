"""Run ``mypy --strict`` and ``pyright`` in strict mode over files, as a consumer would.

Shared by the tests that prove code written against the package type-checks: the consumer files
here and the blocks of the docs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent.parent


def mypy_strict(files: Sequence[Path]) -> list[str]:
    """mypy's errors for ``files`` under ``--strict`` and the project's settings (none: [])."""
    stdout, stderr, status = mypy_api.run(
        ["--strict", "--config-file", str(ROOT / "pyproject.toml"), *map(str, files)]
    )
    if status == 0:
        return []
    return [line for line in (stdout + stderr).splitlines() if ": error:" in line] or [
        stdout + stderr
    ]


def pyright_strict(files: Sequence[Path]) -> list[str]:
    """pyright's errors and warnings for ``files``, each of which must say ``# pyright: strict``.

    Raises:
        AssertionError: pyright is not installed, or a file does not ask for strict mode.
    """
    pyright = Path(sys.executable).with_name("pyright")
    assert pyright.exists(), "pyright is a dev dependency: run `make dev`"
    for path in files:
        assert "# pyright: strict" in path.read_text(encoding="utf-8"), path
    proc = subprocess.run(
        [str(pyright), "--pythonpath", sys.executable, "--outputjson", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    report = json.loads(proc.stdout)
    assert report["summary"]["filesAnalyzed"] == len(files), proc.stdout[-2000:]
    return [
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] in {"error", "warning"}
    ]
