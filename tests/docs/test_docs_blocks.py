"""Every python block of README.md and docs/ type-checks in strict mode and runs on real etcd.

See :mod:`docs.blocks` for what a block is (a program, or a fragment using the docs' fixtures).
The type checkers see exactly the module text that runs, plus the fixtures' typed imports.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import etcd3
from docs.blocks import BLOCK_FUNCTION, FIXTURES_MODULE, ROOT, Block, all_blocks, blocks, pages
from etcd3.testing import EtcdFactory, EtcdServer

DOCS_ENDPOINT = ("127.0.0.1", 2379)
"""Where programs in the docs expect a local etcd."""
MAX_COMPILE_ONLY = 3
"""Blocks that cannot run here (each says why); more would mean docs nobody runs."""
BIN = Path(sys.executable).parent


def _write_modules(directory: Path, found: list[Block]) -> list[Path]:
    (directory / "docs_fixtures.py").write_text(FIXTURES_MODULE, encoding="utf-8")
    files = []
    for block in found:
        path = directory / f"{block.module_name}.py"
        path.write_text(block.module(declare=True), encoding="utf-8")
        files.append(path)
    return files


def _labels(found: list[Block]) -> dict[str, str]:
    return {f"{block.module_name}.py": block.label for block in found}


def _relabel(output: str, labels: dict[str, str]) -> str:
    """Name each reported file by the page and line of its block."""
    for file_name, label in labels.items():
        output = output.replace(file_name, f"{label} ({file_name})")
    return output


def test_the_extractor_sees_the_blocks() -> None:
    found = all_blocks()
    assert len(found) > 70
    assert {block.page for block in found} >= {ROOT / "README.md", ROOT / "docs" / "index.md"}
    compile_only = [block.label for block in found if block.mode != "run"]
    assert len(compile_only) <= MAX_COMPILE_ONLY, compile_only


@pytest.mark.slow
def test_every_block_passes_mypy_strict(tmp_path: Path) -> None:
    found = all_blocks()
    files = _write_modules(tmp_path, found)
    proc = subprocess.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--no-incremental",
            "--python-version",
            "3.10",
            *map(str, files),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": str(tmp_path)},
    )
    assert proc.returncode == 0, _relabel(proc.stdout + proc.stderr, _labels(found))


@pytest.mark.slow
def test_every_block_passes_pyright_strict(tmp_path: Path) -> None:
    found = all_blocks()
    _write_modules(tmp_path, found)
    config = tmp_path / "pyrightconfig.json"
    config.write_text('{"typeCheckingMode": "strict", "pythonVersion": "3.10"}', encoding="utf-8")
    proc = subprocess.run(
        [str(BIN / "pyright"), "--project", str(config), str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "VIRTUAL_ENV": str(BIN.parent), "PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    assert proc.returncode == 0, _relabel(proc.stdout + proc.stderr, _labels(found))


@contextlib.contextmanager
def _docs_address(server: EtcdServer) -> Iterator[None]:
    """Make ``server`` reachable where the docs' programs connect (``127.0.0.1:2379``)."""
    from etcd3.testing import Relay  # the fault proxy's plain relay

    try:
        relay = Relay(listen=DOCS_ENDPOINT, upstream=(server.host, server.port))
    except OSError as exc:
        pytest.fail(f"the docs' programs need {DOCS_ENDPOINT}, which is taken: {exc}")
    with relay:
        yield


def _run(block: Block, server: EtcdServer, loop: asyncio.AbstractEventLoop) -> None:
    code = compile(block.module(declare=False), block.label, "exec", dont_inherit=True)
    if block.is_program:
        exec(code, {"__name__": "__main__"})
        return
    namespace: dict[str, object] = {"__name__": block.module_name, "server": server}
    if not block.awaits:
        with etcd3.client(server.host, server.port, timeout=10) as client:
            namespace["client"] = client
            exec(code, namespace)
        return

    async def run() -> None:
        async with etcd3.async_client(server.host, server.port, timeout=10) as client:
            namespace["client"] = client
            exec(code, namespace)
            block_function = namespace[BLOCK_FUNCTION]
            assert callable(block_function)
            await asyncio.wait_for(block_function(), 60)

    loop.run_until_complete(run())


def _pages_to_run() -> list[Path]:
    return [page for page in pages() if any(block.mode == "run" for block in blocks(page))]


def test_only_pages_without_code_are_not_run() -> None:
    for page in set(pages()) - set(_pages_to_run()):
        assert all(block.mode != "run" for block in blocks(page)), page


@pytest.mark.parametrize("page", _pages_to_run(), ids=lambda page: str(page.relative_to(ROOT)))
def test_blocks_of_the_page_run(page: Path, etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    loop = asyncio.new_event_loop()
    try:
        with _docs_address(server):
            for block in blocks(page):
                if block.mode == "run":
                    _run(block, server, loop)
    finally:
        loop.close()
