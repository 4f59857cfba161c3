"""Load one module from patched source: the import hook a mutant runs under.

Run as ``python -m tools.mutation.patch MODULE PATCHED_FILE PYTEST_ARGS...`` it is the fresh
interpreter of the re-check: it installs the hook, then runs pytest with the arguments given.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType


class PatchedSource(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``module`` from ``source`` instead of its file, keeping the file's name.

    Tracebacks, ``__file__`` and every other module see the real path; only the code differs.
    """

    def __init__(self, module: str, path: Path, source: str) -> None:
        self._module = module
        self._path = path
        self._source = source

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self._module:
            return None
        return importlib.util.spec_from_file_location(fullname, self._path, loader=self)

    def exec_module(self, module: ModuleType) -> None:
        exec(compile(self._source, str(self._path), "exec"), module.__dict__)


def install(module: str, path: Path, source: str) -> None:
    """Load ``module`` from ``source`` from now on (it must not be imported yet)."""
    if module in sys.modules:
        raise RuntimeError(f"{module} is already imported: a patch would not take effect")
    sys.meta_path.insert(0, PatchedSource(module, path, source))


def main(argv: Sequence[str]) -> int:
    """Run pytest with ``argv[2:]`` while ``argv[0]`` is loaded from the file ``argv[1]``."""
    import pytest

    from tools.mutation.config import ROOT

    module, patched, *pytest_args = argv
    path = ROOT / (module.replace(".", "/") + ".py")
    install(module, path, Path(patched).read_text(encoding="utf-8"))
    return int(pytest.main(pytest_args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
