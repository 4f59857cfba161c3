"""The README's demo (``make demo``) runs from a checkout and shows real server results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_demo_runs_and_reports_server_results() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "put /services/gamma = 8003" in out
    assert "alpha is now 9001" in out
    assert "event PUT /config/mode = green" in out
    assert "LeaseNotFoundError" in out
    assert "count = 100" in out
    assert proc.stderr == ""
