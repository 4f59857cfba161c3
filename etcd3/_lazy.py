"""Module attributes that import what they name when first read (PEP 562).

A module that lends names of other modules (``etcd3``, ``etcd3.client``, ``etcd3.rpc``) binds
none of them at import: ``attach`` gives it a ``__getattr__`` that imports a name's
defining module the first time the name is read, binds the value on the module (so the next
read is an ordinary attribute lookup, and ``etcd3.X is etcd3._mod.X`` as before) and returns
it. The module also imports every name under ``if TYPE_CHECKING:``, so type checkers and IDEs
see the same names and types as for eager imports; they never see the ``__getattr__``, so a
misspelled name stays an error for them.

This module imports nothing costly: ``import etcd3`` pays for it.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
"""``typing.TYPE_CHECKING`` for the modules ``import etcd3`` loads: importing ``typing`` costs
more than all of them. Type checkers take any ``if TYPE_CHECKING:`` as true."""
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from types import ModuleType

__all__ = ["TYPE_CHECKING", "attach", "load"]


def load(module: str) -> ModuleType:
    """Import the module named ``module`` (absolute) and return it.

    ``importlib.import_module`` without loading ``importlib``, which ``import etcd3`` would pay.
    """
    __import__(module)
    return sys.modules[module]


def attach(
    module_name: str,
    namespace: dict[str, object],
    exports: Mapping[str, Iterable[str]],
    submodules: Iterable[str] = (),
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a module whose names load on first use.

    Args:
        module_name: The module's ``__name__``.
        namespace: The module's ``globals()``, where a loaded name is bound.
        exports: For each defining module, the names it lends; a module name starting with
            ``.`` is relative to ``module_name`` (``".services"``).
        submodules: Submodules of ``module_name`` loaded when first read as attributes.

    Returns:
        ``(__getattr__, __dir__)``, to bind at the module's top level.
    """
    source = {
        name: module_name + module if module.startswith(".") else module
        for module, names in exports.items()
        for name in names
    }
    children = {name: f"{module_name}.{name}" for name in submodules}

    def __getattr__(name: str) -> object:
        if name in children:
            # Importing a submodule binds it on its package (the import system does it).
            return load(children[name])
        module = source.get(name)
        if module is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value: object = getattr(load(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *source, *children})

    return __getattr__, __dir__
