"""The ``python`` blocks of README.md and docs/: found, classified and made into modules.

Every block is type-checked (``mypy --strict``, ``pyright`` in strict mode) and run against a
real etcd, as the same module text, so what a reader copies is what was checked. A block is
one of:

- a **program**: it names no fixture; it is checked and run exactly as written. Programs
  connect where the docs say a local etcd listens, ``127.0.0.1:2379``;
- a **fragment**: it uses fixtures, names the docs declare once (``FIXTURES``): ``client``
  (a connected ``etcd3.Etcd3Client``, or an ``etcd3.AsyncEtcd3Client`` in a block that
  awaits) and ``server`` (the ``etcd3.testing.EtcdServer`` it talks to). A hidden preamble
  imports ``etcd3`` (when the block uses it) and declares the fixtures with their types; a block
  that awaits becomes the body of a coroutine, run on an event loop.

Each block stands alone: names defined by one block are not visible in the next, so that each is
checked as a reader would copy it. The line before a block may say ``<!-- snippet: pytest -->``:
the block is a test module, run by pytest (with the package's fixtures) instead of executed; or
``<!-- snippet: compile: REASON -->`` when it cannot run here (it is still type-checked): a test
keeps such marks rare.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"

FIXTURES = ("client", "server")
"""The names a fragment may use without defining them."""

BLOCK_FUNCTION = "docs_block"
"""The coroutine a fragment that awaits becomes the body of."""

_FENCE = re.compile(
    r"^(?P<marker>[ ]*<!-- snippet: (?P<mode>[^>]*?) -->\n)?"
    r"(?P<indent>[ ]*)```python[^\n]*\n(?P<body>.*?)^(?P=indent)```[ ]*$",
    re.MULTILINE | re.DOTALL,
)


def pages() -> list[Path]:
    """README.md and every hand-written docs page (the API reference comes from docstrings)."""
    return [README, *sorted(p for p in DOCS.rglob("*.md") if DOCS / "api" not in p.parents)]


@dataclass(frozen=True)
class Block:
    """One ``python`` block of a page."""

    page: Path
    line: int
    source: str
    mode: str

    @property
    def label(self) -> str:
        """``page:line``, for messages."""
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def module_name(self) -> str:
        """A module name unique to this block (for the type checkers)."""
        stem = re.sub(r"\W", "_", str(self.page.relative_to(ROOT).with_suffix("")))
        return f"block_{stem}_{self.line}"

    @property
    def tree(self) -> ast.Module:
        return ast.parse(self.source, self.label)

    @property
    def awaits(self) -> bool:
        """Whether the block awaits at its top level (then it runs as a coroutine's body)."""
        return _awaits_at_top_level(self.tree)

    @property
    def fixtures(self) -> tuple[str, ...]:
        """The fixtures the block uses (names it reads but never binds)."""
        free = _free_names(self.tree)
        return tuple(name for name in FIXTURES if name in free)

    @property
    def is_program(self) -> bool:
        return not self.fixtures

    def module(self, *, declare: bool) -> str:
        """The module text checked and run for this block.

        Args:
            declare: Import the fixtures from the typed ``docs_fixtures`` module (for the type
                checkers, which check in strict mode); without it the module expects them bound
                in its namespace (to run it). Nothing else differs.
        """
        head = ["# pyright: strict"] if declare else []
        if self.is_program:
            return "\n".join([*head, self.source])
        if "etcd3" in _free_names(self.tree):
            head.append("import etcd3")
        if declare:
            for name in self.fixtures:
                source = "async_client" if name == "client" and self.awaits else name
                alias = "" if source == name else f" as {name}"
                head.append(f"from docs_fixtures import {source}{alias}")
        body = self.source
        if self.awaits:
            body = f"async def {BLOCK_FUNCTION}() -> None:\n" + textwrap.indent(body, "    ")
        return "\n".join(head) + "\n\n\n" + body


def blocks(page: Path) -> Iterator[Block]:
    """The blocks of ``page``, in order.

    Raises:
        ValueError: An unknown ``<!-- snippet: ... -->`` mode.
    """
    text = page.read_text(encoding="utf-8")
    for match in _FENCE.finditer(text):
        mode = (match["mode"] or "run").strip()
        if mode not in ("run", "pytest") and not re.fullmatch(r"compile: \S.*", mode):
            raise ValueError(
                f"{page}: unknown snippet mode {mode!r}: 'pytest', or "
                "'compile: <why it cannot run here>'"
            )
        line = text.count("\n", 0, match.start("body"))
        yield Block(page, line, textwrap.dedent(match["body"]), mode)


def all_blocks() -> list[Block]:
    return [block for page in pages() for block in blocks(page)]


FIXTURES_MODULE = '''"""The fixtures of the docs' fragments, as the type checkers see them."""

import etcd3
from etcd3.testing import EtcdServer

client: etcd3.Etcd3Client
async_client: etcd3.AsyncEtcd3Client
server: EtcdServer
'''
"""The ``docs_fixtures`` module fragments import when type-checked."""


def _awaits_at_top_level(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        awaits = isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)) or (
            isinstance(node, ast.comprehension) and node.is_async
        )
        if awaits and not _inside_function(tree, node):
            return True
    return False


def _inside_function(tree: ast.Module, target: ast.AST) -> bool:
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        and any(child is target for child in ast.walk(node))
        for node in ast.walk(tree)
    )


def _free_names(tree: ast.Module) -> set[str]:
    """Names the block reads without binding them anywhere in it (a coarse, safe estimate)."""
    bound: set[str] = set()
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return read - bound
