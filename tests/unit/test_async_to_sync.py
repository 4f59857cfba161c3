"""The async-to-sync transform (tools/async_to_sync.py) and the freshness of its outputs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "async_to_sync", ROOT / "tools" / "async_to_sync.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["async_to_sync"] = module
    spec.loader.exec_module(module)
    return module


a2s = _load_tool()

SOURCE = '''"""AsyncThing: use ``async with AsyncThing()`` then ``await thing.get()``."""
from etcd3._acompat import ASYNC
from etcd3._conn_async import AsyncConnection


class AsyncThing:
    async def __aenter__(self) -> AsyncThing:
        await self.open()  # this comment survives
        return self

    async def get(self) -> int:
        if ASYNC:
            x = await self._queue.get()
        else:
            x = self._queue.get(timeout=1)
        async with self._lock:
            async for item in self.items():
                return await item
        return x
'''


def test_transform_strips_async_and_renames() -> None:
    out = a2s.transform(SOURCE)
    assert "async" not in out.replace("_async", "")
    assert "await" not in out
    assert "class Thing:" in out
    assert "def __enter__(self) -> Thing:" in out
    assert "from etcd3._compat import ASYNC" in out
    assert "from etcd3._conn import Connection" in out
    assert "self.open()  # this comment survives" in out
    assert "with self._lock:" in out
    assert "for item in self.items():" in out
    assert '"""Thing: use ``with Thing()`` then ``thing.get()``."""' in out


def test_names_in_f_strings_are_renamed_on_every_python() -> None:
    # From Python 3.12 the tokenizer splits an f-string into pieces: the twin must not change.
    source = 'name = "get"\nlabel = f"AsyncEtcd3Client.{name} of {{AsyncLease}}"\n'
    out = a2s.transform(source)
    assert 'f"Etcd3Client.{name} of {{' in out


def test_if_async_keeps_the_else_branch_only() -> None:
    out = a2s.transform(SOURCE)
    assert "x = self._queue.get(timeout=1)" in out
    assert "self._queue.get()\n" not in out
    assert "if ASYNC" not in out
    assert "else:" not in out


def test_awaitable_of_x_becomes_x() -> None:
    source = (
        "from collections.abc import Awaitable, Callable\n"
        "prepare: Callable[[], Awaitable[None]] | None = None\n"
        "def f(g: Callable[[int], Awaitable[dict[str, AsyncThing]]]) -> Awaitable[\n"
        "    tuple[int, str]\n"
        "]: ...\n"
    )
    out = a2s.transform(source)
    assert "prepare: Callable[[], None] | None = None" in out
    assert "def f(g: Callable[[int], dict[str, Thing]]) -> (\n    tuple[int, str]\n): ..." in out
    assert "Awaitable[" not in out
    compile(out, "<sync twin>", "exec")  # the brackets still match


def test_async_generator_becomes_a_generator_that_returns_none() -> None:
    source = (
        "from collections.abc import AsyncGenerator\n"
        "def f() -> AsyncGenerator[int, None]: ...\n"
        "def g() -> AsyncGenerator[dict[str, AsyncThing], bytes]: ...\n"
        "def h() -> AsyncGenerator[\n"
        "    tuple[int, str],\n"
        "    None,  # nothing is sent\n"
        "]: ...\n"
        "x: AsyncGenerator  # bare: renamed only\n"
    )
    out = a2s.transform(source)
    assert "from collections.abc import Generator\n" in out
    assert "def f() -> Generator[int, None, None]: ..." in out
    assert "def g() -> Generator[dict[str, Thing], bytes, None]: ..." in out
    assert "    None, None,  # nothing is sent\n]: ..." in out
    assert "x: Generator  # bare: renamed only" in out
    assert "AsyncGenerator" not in out
    compile(out, "<sync twin>", "exec")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AsyncEtcd3Client", "Etcd3Client"),
        ("_kv_async", "_kv"),
        ("async_client", "client"),
        ("__anext__", "__next__"),
        ("StopAsyncIteration", "StopIteration"),
        ("Asyncio", "Asyncio"),
        ("_async", "_async"),
        ("DEFAULT_TIMEOUT", "DEFAULT_TIMEOUT"),
    ],
)
def test_rename(name: str, expected: str) -> None:
    assert a2s.rename(name) == expected


def test_committed_sync_twins_are_fresh() -> None:
    sources = a2s.find_sources()
    assert any(p.name == "_client_async.py" for p in sources)
    for source in sources:
        target = a2s.sync_path(source)
        assert target.read_text() == a2s.render(source), f"{target} is stale: run `make regen`"
