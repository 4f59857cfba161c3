"""Code written against the package type-checks as written, with no cast, assert or ignore:
``predecessor_consumer.py`` (code written for python-etcd3 or etcd3-client) and
``typed_consumer.py`` (every everyday task, the typed-first way), under both ``mypy --strict``
and ``pyright`` in strict mode."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import StrictTypeCheckers

HERE = Path(__file__).parent
CONSUMERS = [HERE / "predecessor_consumer.py", HERE / "typed_consumer.py"]


@pytest.mark.parametrize("consumer", CONSUMERS, ids=lambda path: path.stem)
def test_mypy_strict_accepts_consumer_code(
    consumer: Path, strict_type_checkers: StrictTypeCheckers
) -> None:
    assert strict_type_checkers.mypy([consumer]) == []


@pytest.mark.slow
@pytest.mark.parametrize("consumer", CONSUMERS, ids=lambda path: path.stem)
def test_pyright_strict_accepts_consumer_code(
    consumer: Path, strict_type_checkers: StrictTypeCheckers
) -> None:
    assert strict_type_checkers.pyright([consumer]) == []


def test_the_typed_consumer_needs_no_cast_assert_or_ignore() -> None:
    source = (HERE / "typed_consumer.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert not [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & {"cast", "Any", "TYPE_CHECKING"}
    comments = [
        token.string
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    assert not [c for c in comments if "ignore" in c or "noqa" in c]
