"""Running a module's tests against its mutants.

Speed comes from forking: this process imports pytest and every third-party module the tests
use, but no project module, so each forked worker imports the whole project afresh, the mutated
module from its patched source, and import-time code runs under the mutant like the rest.
A survivor is then confirmed in a fresh interpreter (``python -m tools.mutation.patch``), so no
state this process carries can make a mutant look unkilled.
"""

from __future__ import annotations

import enum
import importlib
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from tools.mutation import patch
from tools.mutation.config import ROOT, Target

# Quiet, no cache written, none of the project's usual options (``-ra``), warnings still errors.
# No assertion rewriting: pytest rewrites every module of a distribution that declares a plugin,
# the package under test included, and its import hook would load the file instead of the patch.
PYTEST_ARGS = ("-q", "--no-header", "-p", "no:cacheprovider", "-o", "addopts=", "--assert=plain")
# Workers stop at the first failing test: one is enough to kill a mutant.
_WORKER_ARGS = (*PYTEST_ARGS, "-x")
_POLL_SECONDS = 0.005


class Verdict(enum.Enum):
    """What the tests made of a mutant."""

    KILLED = "killed"
    TIMEOUT = "timeout"
    SURVIVED = "survived"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One run of a module's tests.

    Attributes:
        verdict: Killed (a test failed, or the tests could not run), timed out, or survived.
        exit_code: pytest's exit code, or the negated signal that ended the run.
        seconds: How long the run took.
    """

    verdict: Verdict
    exit_code: int
    seconds: float

    @property
    def survived(self) -> bool:
        """Whether the tests passed."""
        return self.verdict is Verdict.SURVIVED

    @classmethod
    def of(cls, exit_code: int, seconds: float) -> Outcome:
        verdict = Verdict.SURVIVED if exit_code == 0 else Verdict.KILLED
        return cls(verdict, exit_code, seconds)


_INSTALLED = Path(sys.prefix).resolve()


def _file_of(module: object) -> Path | None:
    """The module's file in this repository, if it is one (an installed package's is not)."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):
        return None
    path = Path(file).resolve()
    return path if path.is_relative_to(ROOT) and not path.is_relative_to(_INSTALLED) else None


def _is_under_test(name: str, module: object) -> bool:
    """Whether a module is the project's code or tests (this tool itself is neither)."""
    file = _file_of(module)
    if name.partition(".")[0] == "etcd3":
        return True
    return file is not None and not file.is_relative_to(ROOT / "tools")


def _is_project_module(name: str, module: object) -> bool:
    file = _file_of(module)
    if name in {"__main__", "__mp_main__"} or name.partition(".")[0] == "tools":
        return True
    return _is_under_test(name, module) or file is not None


def third_party_imports(test_files: Sequence[str]) -> list[str]:
    """The modules outside this repository that collecting ``test_files`` imports, in order.

    Collected in a separate interpreter, so that nothing of the project is imported here.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "modules.json"
        subprocess.run(
            [sys.executable, "-m", "tools.mutation.runner", str(out), *test_files],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        names: list[str] = json.loads(out.read_text())
    return names


def _plugin_packages() -> set[str]:
    """Top-level packages of pytest plugins: pytest rewrites their asserts, so must import them."""
    return {ep.module.split(".")[0] for ep in importlib.metadata.entry_points(group="pytest11")}


def preload(test_files: Sequence[str]) -> None:
    """Import here what every worker would import, except the project's and pytest plugins.

    Raises:
        RuntimeError: A project module is imported here already: workers would share it.
    """
    plugins = _plugin_packages()
    for name in third_party_imports(test_files):
        if name.partition(".")[0] in plugins:
            continue
        try:
            importlib.import_module(name)
        except Exception:
            continue  # a module that imports only in its own context: the workers import it
    shared = sorted(n for n, m in list(sys.modules.items()) if _is_under_test(n, m))
    if shared:
        raise RuntimeError(f"project modules imported before forking: {', '.join(shared)}")


def _worker(target: Target, source: str) -> NoReturn:
    code = 70
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        patch.install(target.module, target.path, source)
        import pytest

        code = int(pytest.main([*target.tests, *_WORKER_ARGS]))
    finally:
        os._exit(code)


def run_forked(
    target: Target,
    sources: Sequence[str],
    jobs: int,
    timeout: float,
    progress: Callable[[int], None] = lambda _done: None,
) -> list[Outcome]:
    """Run ``target``'s tests once per source, ``jobs`` forked workers at a time.

    A worker still running after ``timeout`` seconds is killed: its mutant timed out.
    """
    outcomes: list[Outcome | None] = [None] * len(sources)
    pending = deque(range(len(sources)))
    running: dict[int, tuple[int, float]] = {}
    done = 0
    while pending or running:
        while pending and len(running) < jobs:
            index = pending.popleft()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _worker(target, sources[index])
            running[pid] = (index, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        now = time.monotonic()
        if pid:
            index, started = running.pop(pid)
            outcomes[index] = Outcome.of(os.waitstatus_to_exitcode(status), now - started)
        else:
            for late, (index, started) in list(running.items()):
                if now - started > timeout:
                    os.kill(late, signal.SIGKILL)
                    os.waitpid(late, 0)
                    del running[late]
                    outcomes[index] = Outcome(Verdict.TIMEOUT, -signal.SIGKILL, now - started)
            if not pid and running:
                time.sleep(_POLL_SECONDS)
            continue
        done += 1
        progress(done)
    finished = [o for o in outcomes if o is not None]
    assert len(finished) == len(sources)
    return finished


def run_fresh(target: Target, source: str, timeout: float) -> Outcome:
    """Run ``target``'s whole test files once in a fresh interpreter, the module patched."""
    with tempfile.TemporaryDirectory() as tmp:
        patched = Path(tmp) / "patched.py"
        patched.write_text(source, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "tools.mutation.patch",
            target.module,
            str(patched),
            *target.tests,
            *PYTEST_ARGS,
        ]
        started = time.monotonic()
        try:
            done = subprocess.run(
                command,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Outcome(Verdict.TIMEOUT, -signal.SIGKILL, time.monotonic() - started)
        return Outcome.of(done.returncode, time.monotonic() - started)


def _list_imports(out: str, test_files: Sequence[str]) -> None:
    import pytest

    pytest.main([*test_files, "--collect-only", *PYTEST_ARGS])
    names = [n for n, m in list(sys.modules.items()) if not _is_project_module(n, m)]
    Path(out).write_text(json.dumps(names))


if __name__ == "__main__":
    _list_imports(sys.argv[1], sys.argv[2:])
