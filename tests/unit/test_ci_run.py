"""CI's skip guard (``without_skips`` in ``.ci/run``): refuses skips, passes failures through.

The guard runs a test command and fails the step when its pytest sessions skipped a test that
is not explicitly allowed. Run here in bash with the script's own options (errexit, nounset,
pipefail), on commands that print what pytest prints.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
GUARD = re.search(r"^without_skips\(\) \{.*?^\}$", (ROOT / ".ci" / "run").read_text(), re.M | re.S)


def run_guard(allowed: str, output: str, status: int = 0) -> subprocess.CompletedProcess[str]:
    assert GUARD is not None
    script = "\n".join(
        [
            "set -euo pipefail",
            GUARD.group(0),
            f"without_skips {shlex.quote(allowed)} bash -c 'printf %s \"$0\"; exit {status}'"
            f" {shlex.quote(output)}",
            "echo guard-passed",
        ]
    )
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=30, check=False
    )


def test_a_run_without_skips_passes() -> None:
    proc = run_guard("", "=== 5 passed in 1.00s ===\n")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 skipped (0 allowed)" in proc.stdout
    assert proc.stdout.endswith("guard-passed\n")


def test_a_skip_fails_the_step_and_is_listed() -> None:
    out = "SKIPPED [2] tests/a.py:3: no server\n=== 5 passed, 2 skipped in 1.00s ===\n"
    proc = run_guard("", out)
    assert proc.returncode == 1
    assert "error: 2 test(s) skipped, 0 of them allowed" in proc.stdout
    assert "guard-passed" not in proc.stdout


def test_an_allowed_skip_passes_and_only_that_one() -> None:
    out = "SKIPPED [1] tests/a.py:3: old grpcio\n=== 5 passed, 1 skipped in 1.00s ===\n"
    assert run_guard(r"tests/a\.py", out).returncode == 0
    two = (
        "SKIPPED [1] tests/a.py:3: old grpcio\nSKIPPED [1] tests/b.py:9: other\n"
        "=== 5 passed, 2 skipped in 1.00s ===\n"
    )
    proc = run_guard(r"tests/a\.py", two)
    assert proc.returncode == 1
    assert "2 test(s) skipped, 1 of them allowed" in proc.stdout


def test_a_failing_command_fails_the_step() -> None:
    proc = run_guard("", "=== 1 failed, 5 passed in 1.00s ===\n", status=1)
    assert proc.returncode == 1
    assert "guard-passed" not in proc.stdout
