"""etcd-client-py 0.5: a binding of the Rust etcd-client (tokio, tonic), asyncio only."""

from __future__ import annotations

import asyncio
import importlib
from importlib import metadata
from types import ModuleType
from typing import Any

from bench.harness import VALUE, Setup, Subject, WatchRun

READY_TIMEOUT_S = 10


class EtcdClientPy(Subject):
    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(setup, loop)
        self._module: ModuleType = importlib.import_module("etcd_client")
        self._session, self._comm = loop.run_until_complete(self._connect())

    async def _connect(self) -> tuple[Any, Any]:
        """Its client wants a running event loop from the start."""
        session = self._module.Client([f"http://{self.setup.endpoint}"]).connect()
        return session, await session.__aenter__()

    def version(self) -> str:
        return f"etcd-client-py {metadata.version('etcd-client-py')}"

    def close(self) -> None:
        async def disconnect() -> None:
            await self._session.__aexit__(None, None, None)

        self.loop.run_until_complete(disconnect())

    async def aput(self, key: bytes) -> None:
        await self._comm.put(key, VALUE)

    async def aget(self, key: bytes) -> object:
        return await self._comm.get(key)

    async def arange_values(self, prefix: bytes) -> int:
        count = size = 0
        for _key, value in await self._comm.get_prefix(prefix):
            size += len(value)
            count += 1
        return count

    async def awatch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        ready = self._module.CondVar()
        watch = self._comm.watch_prefix(prefix, ready_event=ready)
        events = watch.__aiter__()
        waiter = asyncio.ensure_future(ready.wait())
        first = asyncio.ensure_future(events.__anext__())  # iteration starts the watch
        await asyncio.wait_for(waiter, READY_TIMEOUT_S)
        run.go()
        if run.add(bytes((await first).value)):
            return
        async for event in events:
            if run.add(bytes(event.value)):
                return
