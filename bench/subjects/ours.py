"""Our client, through its friendly API, with its defaults (as a user writes it)."""

from __future__ import annotations

import asyncio

import etcd3
from bench.harness import VALUE, Setup, WatchRun
from bench.subjects.dropin import DropInSync


def _read_values(keys: etcd3.RangeResult) -> int:
    """Read every value of a typed range read, as raw reads its response; the number of keys."""
    size = 0
    for kv in keys:
        size += len(kv.value)
    return len(keys)


class Ours(DropInSync[etcd3.Etcd3Client]):
    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(setup, loop, self._sync_client(setup))
        self._aclient: etcd3.AsyncEtcd3Client | None = None

    @staticmethod
    def _sync_client(setup: Setup) -> etcd3.Etcd3Client:
        return etcd3.client(setup.host, setup.port)

    @staticmethod
    def _async_client(setup: Setup) -> etcd3.AsyncEtcd3Client:
        return etcd3.async_client(setup.host, setup.port)

    def version(self) -> str:
        return f"etcd3 {etcd3.__version__}"

    def close(self) -> None:
        super().close()
        if self._aclient is not None:
            self.loop.run_until_complete(self._aclient.close())

    def _aio(self) -> etcd3.AsyncEtcd3Client:
        if self._aclient is None:
            self._aclient = self._async_client(self.setup)
        return self._aclient

    # -- sync: put, get, the drop-in range and watch come from DropInSync ---------------------

    def range_values(self, prefix: bytes) -> int:
        return _read_values(self.client.get_kvs(prefix, prefix=True))

    def paged_values(self, prefix: bytes, page_size: int) -> int:
        count = size = 0
        for value, _meta in self.client.get_prefix_paged(prefix, page_size=page_size):
            size += len(value)
            count += 1
        return count

    def fan_out(self, keys: list[bytes], run: WatchRun) -> None:
        def deliver(response: etcd3.WatchResponse | Exception) -> None:
            if isinstance(response, etcd3.WatchResponse):
                for event in response.events:
                    run.add(event.value)

        ids = [self.client.add_watch_callback(key, deliver) for key in keys]
        run.created()
        run.go()
        try:
            run.wait(timeout=300)
        finally:
            for watch_id in ids:
                self.client.cancel_watch(watch_id)

    # -- asyncio ----------------------------------------------------------------------------

    async def aput(self, key: bytes) -> None:
        await self._aio().put(key, VALUE)

    async def aget(self, key: bytes) -> object:
        return await self._aio().get(key)

    async def arange_values(self, prefix: bytes) -> int:
        return _read_values(await self._aio().get_kvs(prefix, prefix=True))

    async def arange_dropin_values(self, prefix: bytes) -> int:
        count = size = 0
        async for value, _meta in self._aio().get_prefix(prefix):
            size += len(value)
            count += 1
        return count

    async def awatch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        events, cancel = await self._aio().watch_prefix(prefix)
        run.go()
        try:
            async for event in events:
                if run.add(event.value):
                    return
        finally:
            await cancel()

    async def afan_out(self, keys: list[bytes], run: WatchRun) -> None:
        client = self._aio()

        def deliver(response: etcd3.WatchResponse | Exception) -> None:
            if isinstance(response, etcd3.WatchResponse):
                for event in response.events:
                    run.add(event.value)

        ids = [await client.add_watch_callback(key, deliver) for key in keys]
        run.created()
        run.go()
        try:
            await run.await_done(timeout=300)
        finally:
            for watch_id in ids:
                await client.cancel_watch(watch_id)


_NO_ATTEMPT_DEADLINE = etcd3.RetryPolicy(attempt_timeout=None)


class OursLean(Ours):
    """A control: our client without the two defaults that cost grpc work on every call.

    ``require_leader=False`` sends no ``hasleader`` metadata, and ``RetryPolicy(
    attempt_timeout=None)`` gives a read's attempt no deadline of its own (the client's
    ``timeout`` is ``None`` here, so no deadline at all). What it saves is grpc's cost of
    both; what it gives up is a call refused at once by a member without a leader, and a
    read moved off a hung member after one short attempt. Not a row of the table:
    ``python -m bench --control ours_lean``.
    """

    @staticmethod
    def _sync_client(setup: Setup) -> etcd3.Etcd3Client:
        return etcd3.client(
            setup.host, setup.port, require_leader=False, retry=_NO_ATTEMPT_DEADLINE
        )

    @staticmethod
    def _async_client(setup: Setup) -> etcd3.AsyncEtcd3Client:
        return etcd3.async_client(
            setup.host, setup.port, require_leader=False, retry=_NO_ATTEMPT_DEADLINE
        )

    def version(self) -> str:
        return f"etcd3 {etcd3.__version__} (require_leader=False, attempt_timeout=None)"
