"""aetcd 1.0: an asyncio client (a python-etcd3 descendant)."""

from __future__ import annotations

import asyncio
import importlib
from importlib import metadata
from types import ModuleType

from bench.harness import VALUE, Setup, Subject, WatchRun


class Aetcd(Subject):
    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(setup, loop)
        self._module: ModuleType = importlib.import_module("aetcd")
        self._client = self._module.Client(setup.host, setup.port)
        loop.run_until_complete(self._client.connect())

    def version(self) -> str:
        return f"aetcd {metadata.version('aetcd')}"

    def close(self) -> None:
        self.loop.run_until_complete(self._client.close())

    async def aput(self, key: bytes) -> None:
        await self._client.put(key, VALUE)

    async def aget(self, key: bytes) -> object:
        return await self._client.get(key)

    async def arange_values(self, prefix: bytes) -> int:
        count = size = 0
        for kv in await self._client.get_prefix(prefix):
            size += len(kv.value)
            count += 1
        return count

    async def awatch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        watch = await self._client.watch_prefix(prefix)
        run.go()
        try:
            async for event in watch:
                if run.add(event.kv.value):
                    return
        finally:
            await watch.cancel()
