"""The contract the generated code is written against: ``etcd3/_runtime.py``'s ``CallKind``.

The generator and the generated code share this one definition of the call kinds, so they
cannot disagree. The generator loads that file by path instead of importing the ``etcd3``
package, because the package imports the generated layer: a generated layer broken by a
template change must never stop the generator from rewriting it. A process that already
imported ``etcd3`` (the test suite) shares its module.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

RUNTIME_FILE = Path(__file__).resolve().parent.parent / "etcd3" / "_runtime.py"
#: The module name the file is loaded under when ``etcd3`` is not imported.
_STANDALONE = "codegen._etcd3_runtime"


def _load_runtime() -> ModuleType:
    for name in ("etcd3._runtime", _STANDALONE):
        if name in sys.modules:
            return sys.modules[name]
    spec = importlib.util.spec_from_file_location(_STANDALONE, RUNTIME_FILE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {RUNTIME_FILE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_STANDALONE] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from etcd3._runtime import CallKind
else:
    CallKind = _load_runtime().CallKind

__all__ = ["CallKind"]
