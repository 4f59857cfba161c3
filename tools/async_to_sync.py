"""Generate the sync twins of the handwritten asyncio modules (psycopg's approach).

The asyncio code is the source: ``etcd3/_X_async.py`` becomes ``etcd3/_X.py``. The transform
works on tokens, so comments and docstrings survive:

- ``async def`` / ``async for`` / ``async with`` lose ``async``; ``await`` disappears;
- names are renamed by :data:`RENAMES`, then by rule: a name ending in ``_async`` loses the
  suffix (``_kv_async`` -> ``_kv``) and ``AsyncFoo`` becomes ``Foo``;
- ``if ASYNC:`` ... ``else:`` ... keeps only the ``else`` body (dedented); an ``if ASYNC:``
  without ``else`` is dropped. ``ASYNC`` is ``True`` in ``etcd3._acompat``, so the async
  source runs and type-checks its own branch.

The output is formatted with ruff. ``--check`` fails when a committed sync file is stale.
A source opts in with the line ``# async-to-sync: source`` near its top (so hand-written
asyncio-only modules are left alone). Usage: ``python tools/async_to_sync.py [--check]
[FILES...]`` (default: every marked ``*_async.py`` under ``etcd3/`` and ``tests/``).
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = [sys.executable, "-m", "ruff"]

#: Explicit renames, applied to NAME tokens before the rules.
RENAMES: dict[str, str] = {
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
    "aclose": "close",
    "aiter": "iter",
    "anext": "next",
    "_acompat": "_compat",
    "asynccontextmanager": "contextmanager",
    "async_client": "client",
    "AsyncExitStack": "ExitStack",
}
_ASYNC_PREFIX = re.compile(r"^Async(?=[A-Z_])")
_HEADER = (
    "# Generated from {source} by tools/async_to_sync.py. DO NOT EDIT: change the asyncio\n"
    "# source and run `make regen`.\n"
)


def rename(name: str) -> str:
    """The sync name of an asyncio-side identifier."""
    if name in RENAMES:
        return RENAMES[name]
    if name.endswith("_async") and name != "_async":
        return name[: -len("_async")]
    return _ASYNC_PREFIX.sub("", name)


def _strip_async_blocks(source: str) -> str:
    """Replace each ``if ASYNC: A else: B`` statement by ``B`` (dedented)."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = re.match(r"^(\s*)if ASYNC:\s*(#.*)?$", lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        indent = match.group(1)
        i = _skip_block(lines, i + 1, indent)
        if i < len(lines) and re.match(rf"^{indent}else:\s*(#.*)?$", lines[i]):
            end = _skip_block(lines, i + 1, indent)
            for line in lines[i + 1 : end]:
                out.append(line[4:] if line.startswith(indent + "    ") else line)
            i = end
    return "".join(out)


def _skip_block(lines: list[str], start: int, indent: str) -> int:
    """Index of the first line after the block that starts at ``start`` (deeper than indent)."""
    i = start
    while i < len(lines):
        line = lines[i]
        if line.strip() and not line.startswith(indent + " "):
            break
        i += 1
    # Trailing blank lines belong to what follows.
    while i > start and not lines[i - 1].strip():
        i -= 1
    return i


def transform(source: str) -> str:
    """The sync twin of one asyncio module's text (unformatted)."""
    source = _strip_async_blocks(source)
    lines = source.splitlines(keepends=True)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    # (row, start col, end col, replacement), applied right to left so columns stay valid.
    edits: list[tuple[int, int, int, str]] = []
    for index, tok in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if tok.type == tokenize.NAME and tok.string in ("await", "async"):
            drop = tok.string == "await" or (
                following is not None and following.string in ("def", "for", "with")
            )
            if drop and following is not None and following.start[0] == tok.start[0]:
                edits.append((tok.start[0], tok.start[1], following.start[1], ""))
                continue
        if tok.type == tokenize.NAME and rename(tok.string) != tok.string:
            edits.append((tok.start[0], tok.start[1], tok.end[1], rename(tok.string)))
        elif tok.type == tokenize.STRING and tok.start[0] == tok.end[0]:
            renamed = _rename_in_string(tok.string)
            if renamed != tok.string:
                edits.append((tok.start[0], tok.start[1], tok.end[1], renamed))
        elif tok.type == tokenize.STRING:
            _rename_multiline_string(lines, tok)
    for row, col_start, col_end, replacement in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:col_start] + replacement + line[col_end:]
    return "".join(lines)


def _rename_multiline_string(lines: list[str], tok: tokenize.TokenInfo) -> None:
    """Apply :func:`_rename_in_string` to each line of a multi-line string token in place."""
    for row in range(tok.start[0], tok.end[0] + 1):
        lines[row - 1] = _rename_in_string(lines[row - 1])


def _rename_in_string(text: str) -> str:
    """Rename identifiers mentioned in docstrings (``AsyncEtcd3Client`` -> ``Etcd3Client``)."""
    text = re.sub(r"\bAsync(?=[A-Z][A-Za-z0-9]*)", "", text)
    text = text.replace("asyncio client", "sync client").replace("awaits ", "calls ")
    text = re.sub(r"\b(\w+)\b", lambda m: RENAMES.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\basync (for|with|def)\b", r"\1", text)
    text = re.sub(r"\bawait ", "", text)
    text = re.sub(r"\b(__a)(enter|exit|iter|next)(__)", r"__\2\3", text)
    return re.sub(r"\b(\w+)_async\b", r"\1", text)


def _format(text: str, like: Path) -> str:
    """Format ``text`` with the project's ruff config, as if it were the file ``like``."""
    # Next to the real file, so ruff classifies imports exactly as it will for the file.
    scratch = like.with_name(f".{like.stem}.async_to_sync.py")
    try:
        scratch.write_text(text)
        base = ["--config", str(ROOT / "pyproject.toml")]
        subprocess.run([*RUFF, "check", "--fix-only", "--quiet", *base, str(scratch)], check=False)
        subprocess.run([*RUFF, "format", "--quiet", *base, str(scratch)], check=True)
        return scratch.read_text()
    finally:
        scratch.unlink(missing_ok=True)


def sync_path(source: Path) -> Path:
    """``etcd3/_kv_async.py`` -> ``etcd3/_kv.py``."""
    return source.with_name(source.name.replace("_async.py", ".py"))


def render(source: Path) -> str:
    """The complete sync file for ``source``."""
    body = transform(source.read_text()).replace(MARKER + "\n", "")
    header = _HEADER.format(source=source.relative_to(ROOT).as_posix())
    return _format(header + body, sync_path(source))


MARKER = "# async-to-sync: source"


def find_sources() -> list[Path]:
    """Every ``*_async.py`` under ``etcd3/`` and ``tests/`` that carries :data:`MARKER`."""
    found = []
    for folder in ("etcd3", "tests"):
        for path in sorted((ROOT / folder).rglob("*_async.py")):
            if MARKER in path.read_text().splitlines()[:8]:
                found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a sync file is stale")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    sources = [p.resolve() for p in args.files] or find_sources()
    stale = 0
    for source in sources:
        target = sync_path(source)
        text = render(source)
        current = target.read_text() if target.exists() else ""
        if text == current:
            continue
        if args.check:
            stale += 1
            rel = target.relative_to(ROOT).as_posix()
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True), text.splitlines(keepends=True), rel, rel
                )
            )
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print(f"{stale} sync file(s) are stale: run `make regen`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
