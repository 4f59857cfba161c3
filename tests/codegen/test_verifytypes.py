"""``pyright --verifytypes`` must find the generated public API fully typed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gen_support import ROOT


@pytest.mark.slow
def test_generated_api_is_type_complete(tmp_path: Path) -> None:
    pyright = Path(sys.executable).with_name("pyright")
    if not pyright.exists():
        pytest.fail("pyright is not installed: run `make dev`", pytrace=False)
    # verifytypes cannot see editable installs: check a plain copy, with etcd3/rpc dereferenced.
    site = tmp_path / "site"
    shutil.copytree(
        ROOT / "etcd3", site / "etcd3", symlinks=False, ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [
            str(pyright),
            "--pythonpath",
            sys.executable,
            "--verifytypes",
            "etcd3.rpc",
            "--ignoreexternal",
            "--outputjson",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=240,
    )
    report = json.loads(proc.stdout)["typeCompleteness"]
    assert report["packageRootDirectory"] == str(site / "etcd3")
    assert report["completenessScore"] == 1.0
    assert report["missingClassDocStringCount"] == 0
    undocumented = [
        s["name"]
        for s in report["symbols"]
        if s["name"].startswith("etcd3.rpc.")
        and any("No docstring" in d["message"] for d in s.get("diagnostics", []))
    ]
    assert undocumented == []
