"""Every python block of README.md and docs/ type-checks in strict mode and runs on real etcd.

See ``docs_blocks.py`` for what a block is (a program, or a fragment using the docs' fixtures).
The type checkers see exactly the module text that runs, plus the fixtures' typed imports.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docs_blocks import BLOCK_FUNCTION, FIXTURES_MODULE, ROOT, Block, all_blocks, blocks, pages

import etcd3
from etcd3.testing import EtcdFactory, EtcdServer

if TYPE_CHECKING:
    from conftest import StrictTypeCheckers

DefaultAddress = Callable[[EtcdServer], AbstractContextManager[None]]

MAX_COMPILE_ONLY = 2
"""Blocks that cannot run here (each says why); more would mean docs nobody runs."""


def _write_modules(directory: Path, found: list[Block]) -> list[Path]:
    (directory / "docs_fixtures.py").write_text(FIXTURES_MODULE, encoding="utf-8")
    files = []
    for block in found:
        path = directory / f"{block.module_name}.py"
        path.write_text(block.module(declare=True), encoding="utf-8")
        files.append(path)
    return files


def _by_block(problems: list[str], found: list[Block]) -> list[str]:
    """Name each reported file by the page and line of its block."""
    labels = {f"{block.module_name}.py": block.label for block in found}
    named = []
    for problem in problems:
        text = problem
        for file_name, label in labels.items():
            text = text.replace(file_name, f"{label} ({file_name})")
        named.append(text)
    return named


def test_the_extractor_sees_the_blocks() -> None:
    found = all_blocks()
    assert len(found) > 70
    assert {block.page for block in found} >= {ROOT / "README.md", ROOT / "docs" / "index.md"}
    compile_only = [block.label for block in found if block.mode.startswith("compile")]
    assert len(compile_only) <= MAX_COMPILE_ONLY, compile_only


@pytest.mark.slow
def test_every_block_passes_mypy_strict(
    tmp_path: Path, strict_type_checkers: StrictTypeCheckers
) -> None:
    found = all_blocks()
    files = _write_modules(tmp_path, found)
    assert _by_block(strict_type_checkers.mypy(files), found) == []


@pytest.mark.slow
def test_every_block_passes_pyright_strict(
    tmp_path: Path, strict_type_checkers: StrictTypeCheckers
) -> None:
    found = all_blocks()
    files = _write_modules(tmp_path, found)
    assert _by_block(strict_type_checkers.pyright(files, root=tmp_path), found) == []


def _run_tests(block: Block, directory: Path) -> None:
    """Run a block that is a pytest test module with pytest, as its reader would."""
    path = directory / f"test_{block.module_name}.py"
    path.write_text(block.source, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        capture_output=True,
        text=True,
        cwd=directory,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"{block.label}:\n{proc.stdout}{proc.stderr}"
    assert " passed" in proc.stdout, proc.stdout
    assert " skipped" not in proc.stdout, proc.stdout


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


def _runnable(block: Block) -> bool:
    return block.mode in ("run", "pytest")


def _pages_to_run() -> list[Path]:
    return [page for page in pages() if any(_runnable(block) for block in blocks(page))]


def test_only_pages_without_code_are_not_run() -> None:
    for page in set(pages()) - set(_pages_to_run()):
        assert not any(_runnable(block) for block in blocks(page)), page


@pytest.mark.parametrize("page", _pages_to_run(), ids=lambda page: str(page.relative_to(ROOT)))
def test_blocks_of_the_page_run(
    page: Path, etcd_factory: EtcdFactory, default_address: DefaultAddress, tmp_path: Path
) -> None:
    server = etcd_factory()
    loop = asyncio.new_event_loop()
    try:
        with default_address(server), redirect_stdout(io.StringIO()):
            for block in blocks(page):
                if block.mode == "run":
                    _run(block, server, loop)
                elif block.mode == "pytest":
                    _run_tests(block, tmp_path)
    finally:
        loop.close()
