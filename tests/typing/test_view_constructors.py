"""``KVMetadata`` and ``KV`` take the key-value message as ``keyvalue`` (by position or keyword)
or as ``kv`` (by keyword): mypy --strict and pyright accept each spelling and refuse, on its
own line, each call that gives both, neither, or no header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import StrictTypeCheckers

VIEWS = ("KVMetadata", "KV")
ACCEPTED = (
    "{view}(raw, header)",
    "{view}(keyvalue=raw, header=header)",
    "{view}(kv=raw, header=header)",
)
REFUSED = (
    "{view}(raw, header, kv=raw)",
    "{view}(keyvalue=raw, kv=raw, header=header)",
    "{view}(header=header)",
    "{view}(kv=raw)",
    "{view}(raw)",
)
PRELUDE = """# pyright: strict
from etcd3 import KV, KVMetadata
from etcd3.rpc.etcdserverpb import ResponseHeader
from etcd3.rpc.mvccpb import KeyValue

raw = KeyValue(key=b"k")
header = ResponseHeader(revision=1)
"""


def _consumer(tmp_path: Path) -> tuple[Path, set[int]]:
    """A consumer making each view with each accepted and each refused call; the line numbers
    of the refused ones."""
    lines = PRELUDE.splitlines()
    refused: set[int] = set()
    for view in VIEWS:
        for calls, wrong in ((ACCEPTED, False), (REFUSED, True)):
            for call in calls:
                lines.append(f"made_{len(lines)}: KVMetadata = {call.format(view=view)}")
                if wrong:
                    refused.add(len(lines))
    path = tmp_path / "view_consumer.py"
    path.write_text("\n".join(lines) + "\n")
    return path, refused


def _error_lines(errors: list[str], path: Path) -> set[int]:
    return {int(e.split(":")[1]) for e in errors if e.startswith(str(path))}


@pytest.mark.parametrize("checker", ["mypy", pytest.param("pyright", marks=pytest.mark.slow)])
def test_each_checker_refuses_exactly_both_neither_or_no_header(
    tmp_path: Path, strict_type_checkers: StrictTypeCheckers, checker: str
) -> None:
    path, refused = _consumer(tmp_path)
    check: Callable[[list[Path]], list[str]] = getattr(strict_type_checkers, checker)
    errors = check([path])
    assert _error_lines(errors, path) == refused, errors
