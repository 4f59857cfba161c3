"""etcd3aio 0.3: a thin asyncio facade over grpc.aio that returns raw responses."""

from __future__ import annotations

import asyncio
import importlib
from importlib import metadata
from types import ModuleType

from bench.harness import VALUE, Setup, Subject, WatchRun


class Etcd3aio(Subject):
    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(setup, loop)
        self._module: ModuleType = importlib.import_module("etcd3aio")
        self._client = self._module.Etcd3Client([setup.endpoint])
        loop.run_until_complete(self._client.connect())

    def version(self) -> str:
        return f"etcd3aio {metadata.version('etcd3aio')}"

    def close(self) -> None:
        self.loop.run_until_complete(self._client.close())

    async def aput(self, key: bytes) -> None:
        await self._client.kv.put(key, VALUE)

    async def aget(self, key: bytes) -> object:
        # A raw response: read the value out of it, as a caller of a get would.
        kvs = (await self._client.kv.get(key)).kvs
        return kvs[0].value if kvs else None

    async def arange_values(self, prefix: bytes) -> int:
        end = self._module.prefix_range_end(prefix)
        response = await self._client.kv.get(prefix, range_end=end)
        size = 0
        for kv in response.kvs:
            size += len(kv.value)
        return len(response.kvs)

    async def awatch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        responses = self._client.watch.watch(
            prefix, range_end=self._module.prefix_range_end(prefix)
        )
        await responses.__anext__()  # etcd's "created" response: the watch exists
        run.go()
        try:
            async for response in responses:
                for event in response.events:
                    if run.add(event.kv.value):
                        return
        finally:
            await responses.aclose()
