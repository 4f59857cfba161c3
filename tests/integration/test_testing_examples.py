"""The examples in the docstrings of ``etcd3.testing`` and of its pytest plugin run as written.

Every code block (in these Markdown docstrings: a paragraph ending in ``:``, a blank line, then
a block indented four columns deeper) of a docstring of those
modules, their classes and functions is run as a program of its own, starting real etcd
servers as it says. A block that defines ``test_*`` functions (the plugin's example) has each
one called with the plugin's real fixtures, as pytest would.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType

import pytest

import etcd3.testing


@dataclass(frozen=True)
class Example:
    """One literal block of a docstring."""

    where: str
    source: str


def _plugin() -> ModuleType:
    """The module pytest loads for the ``pytest11`` entry point ``etcd3``."""
    (entry,) = entry_points(group="pytest11", name="etcd3")
    module = entry.load()
    assert isinstance(module, ModuleType)
    return module


def documented_modules() -> list[ModuleType]:
    modules = [etcd3.testing] + [
        importlib.import_module(f"etcd3.testing.{info.name}")
        for info in pkgutil.iter_modules(etcd3.testing.__path__)
    ]
    if _plugin() not in modules:
        modules.append(_plugin())
    return modules


def _docstrings(module: ModuleType) -> Iterator[tuple[str, str | None]]:
    yield module.__name__, module.__doc__
    for name, value in vars(module).items():
        if inspect.isclass(value) or inspect.isfunction(value):
            if value.__module__ != module.__name__:
                continue
            yield f"{module.__name__}.{name}", value.__doc__
            for attribute, member in vars(value).items():
                if inspect.isfunction(member):
                    yield f"{module.__name__}.{name}.{attribute}", member.__doc__


def literal_blocks(doc: str) -> Iterator[str]:
    """The code blocks of a docstring, dedented."""
    lines = inspect.cleandoc(doc).splitlines()
    for index, line in enumerate(lines):
        if not line.rstrip().endswith(":") or index + 2 >= len(lines) or lines[index + 1].strip():
            continue
        indent = len(line) - len(line.lstrip())
        first = lines[index + 2]
        if not first.strip() or len(first) - len(first.lstrip()) < indent + 4:
            continue
        block: list[str] = []
        for following in lines[index + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            block.append(following)
        yield textwrap.dedent("\n".join(block)).strip() + "\n"


def examples() -> list[Example]:
    return [
        Example(where, block)
        for module in documented_modules()
        for where, doc in _docstrings(module)
        if doc
        for block in literal_blocks(doc)
    ]


def test_the_examples_are_found() -> None:
    found = examples()
    where = {example.where for example in found}
    assert {"etcd3.testing", "etcd3.testing._server.EtcdServer"} <= where
    assert f"{_plugin().__name__}" in where
    assert len(found) >= 5
    for example in found:
        assert not re.search(r"\betcd3\.Client\(", example.source), example.where


def _test_functions(namespace: dict[str, object]) -> list[Callable[..., object]]:
    return [
        value
        for name, value in namespace.items()
        if name.startswith("test_") and inspect.isfunction(value)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("example", examples(), ids=lambda example: example.where)
def test_docstring_example_runs(example: Example, request: pytest.FixtureRequest) -> None:
    namespace: dict[str, object] = {"__name__": f"example of {example.where}"}
    exec(compile(example.source, example.where, "exec"), namespace)
    tests = _test_functions(namespace)
    assert len(tests) == example.source.count("\ndef test_") + example.source.startswith(
        "def test_"
    )
    for test in tests:
        arguments = {
            name: request.getfixturevalue(name) for name in inspect.signature(test).parameters
        }
        test(**arguments)
