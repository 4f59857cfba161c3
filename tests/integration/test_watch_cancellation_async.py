"""asyncio watches whose consumer is cancelled mid-call (``asyncio.wait_for``, a timeout, a
task group shutting down): an event the watch already delivered is never lost."""

from __future__ import annotations

import asyncio
import time

from etcd3._client_async import AsyncEtcd3Client
from etcd3._watch_async import AsyncWatchHandle
from etcd3._watch_core import Phase, watch_spec
from etcd3._watcher_async import AsyncWatcher


async def test_a_consumer_cancelled_while_its_watch_resumes_loses_no_event(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    # A watch paused after 2 undelivered responses resumes (sends a create request) when its
    # consumer drains it. The send lock is held meanwhile, as a slow write would hold it: the
    # consumer must not wait for that write, and a wait_for around it must cost nothing.
    watcher = AsyncWatcher(async_client.rpc, max_queued=2)
    try:
        lagging = await watcher.add(watch_spec(prefix + b"k/", prefix=True), None, None)
        # A callback watch keeps a worker reading and routing the stream.
        await watcher.add(watch_spec(prefix + b"other"), lambda _: None, None)
        events = AsyncWatchHandle(watcher, lagging)
        values = [b"%d" % i for i in range(6)]
        for value in values:
            await async_client.put(prefix + b"k/" + value, value)
        deadline = time.monotonic() + 10
        while lagging.phase is not Phase.PAUSED:
            assert time.monotonic() < deadline, "the lagging watch was not paused"
            await asyncio.sleep(0.01)
        seen: list[bytes] = []
        async with watcher._send_lock:
            for _ in range(2):  # the second take resumes the watch
                event = await asyncio.wait_for(events.__anext__(), 2)
                seen.append(event.value)
        while len(seen) < len(values):
            event = await asyncio.wait_for(events.__anext__(), 10)
            seen.append(event.value)
        assert seen == values
    finally:
        await watcher.close()
