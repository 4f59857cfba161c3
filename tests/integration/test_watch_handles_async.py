# async-to-sync: source
"""Watch handles, creation failures, outages and the callback pool, on a real etcd.

- creating a watch against an endpoint that refuses connections fails as a read does;
- ``watcher()`` / ``watchers()`` handles: iteration, ``cancel()``, ``with``, state;
- an outage is logged once at WARNING, its end at INFO, and the handle's state tells;
- callbacks run in a bounded pool: few workers for hundreds of watches, per watch in order
  and one at a time, and backpressure with a WARNING when every worker is blocked.
"""

from __future__ import annotations

import gc
import logging
import socket
import threading
import time
from collections.abc import Callable

import pytest

import etcd3
from etcd3._acompat import ASYNC, Event, sleep
from etcd3._client_async import AsyncEtcd3Client
from etcd3._events import WatchResponse
from etcd3.errors import ConnectionFailedError, EtcdError, WatchCanceledError
from etcd3.testing import EtcdFactory, EtcdServer

Item = WatchResponse | EtcdError


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    until = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < until, "condition not met in time"
        await sleep(0.01)


def closed_port() -> int:
    """A loopback port where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def revisions(items: list[Item]) -> list[int]:
    out: list[int] = []
    for item in items:
        assert isinstance(item, WatchResponse), item
        out.extend(event.mod_revision for event in item)
    return out


def our_workers() -> int:
    """The client's watch workers alive now: threads (sync) or tasks (asyncio)."""
    if ASYNC:
        import asyncio

        return sum(1 for t in asyncio.all_tasks() if t.get_name().startswith("etcd3-watch"))
    else:
        return sum(1 for t in threading.enumerate() if t.name.startswith("etcd3-watch"))


# --- Creation fails the way a read fails ------------------------------------------------------


async def create_watch(client: AsyncEtcd3Client, form: int) -> object:
    """Create a watch in one of the five ways there are (``form`` 0 to 4)."""
    if form == 0:
        return await client.watch(b"k")
    if form == 1:
        return await client.add_watch_prefix_callback(b"k", print)
    if form == 2:
        return await client.watcher(b"k", prefix=True)
    if form == 3:
        return await client.watchers([b"a", b"b"])
    # No wait of its own: a wait bounds the creation too, and a creation with a deadline keeps
    # trying a refused endpoint until that deadline, as a read with one does.
    return await client.watch_once(b"k", timeout=None)


@pytest.mark.parametrize("timeout", [None, 1.0])
async def test_a_watch_on_a_refused_endpoint_fails_like_a_read(timeout: float | None) -> None:
    async with etcd3.async_client("127.0.0.1", closed_port(), timeout=timeout) as client:
        started = time.monotonic()
        with pytest.raises(ConnectionFailedError) as read:
            await client.get(b"k")
        # The same policy, within scheduling noise. With a deadline, each call gives up when
        # its next (jittered) backoff would pass the deadline, so the read's own duration is
        # random within it: the bound is the deadline.
        took_read = time.monotonic() - started
        bound = (took_read if timeout is None else timeout) + 2.0
        failures: list[tuple[EtcdError, float]] = []
        for form in range(5):
            started = time.monotonic()
            with pytest.raises(ConnectionFailedError) as info:
                await create_watch(client, form)
            failures.append((info.value, time.monotonic() - started))
        for error, took in failures:
            assert type(error) is type(read.value)
            assert error.retryable
            assert took < bound, (took, bound)
            if timeout is not None:
                assert took < timeout + 1.0
        watcher = client._watcher_state
        assert watcher is not None
        assert watcher._core.live == 0  # nothing left behind


async def test_a_watch_after_its_etcd_stopped_fails_like_a_read(
    etcd_factory: EtcdFactory,
) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port) as client:  # no timeout
        await client.put(b"k", b"v")
        server.kill()  # the member is gone: its port refuses connections
        with pytest.raises(ConnectionFailedError) as read:
            await client.get(b"k")
        for form in range(5):
            with pytest.raises(ConnectionFailedError) as info:
                await create_watch(client, form)
            assert type(info.value) is type(read.value)
            assert info.value.retryable


async def test_a_watch_created_without_deadline_and_read_alone_delivers(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    # No client timeout: creators and iterators read the stream themselves.
    async with etcd3.async_client(etcd_server.host, etcd_server.port) as client:
        seen: list[Item] = []
        await client.add_watch_prefix_callback(prefix, seen.append)
        events, cancel = await client.watch_prefix(prefix)
        rev = (await client.put(prefix + b"k", b"1")).header.revision
        assert (await anext(events)).mod_revision == rev
        await wait_until(lambda: revisions(seen) == [rev])
        await cancel()


# --- Handles ----------------------------------------------------------------------------------


async def test_a_handle_iterates_cancels_and_ends_with_its_block(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    async with await async_client.watcher(prefix, prefix=True) as watch:
        assert isinstance(watch.watch_id, int)
        state = watch.state
        assert (state.connected, state.reconnecting_since, state.last_revision) == (True, None, 0)
        assert not state.ended
        first = (await async_client.put(prefix + b"a", b"1")).header.revision
        second = (await async_client.put(prefix + b"b", b"2")).header.revision
        event = await anext(watch)
        assert (event.key, event.mod_revision) == (prefix + b"a", first)
        assert watch.state.last_revision == first
        response = await anext(watch.responses())
        assert [e.mod_revision for e in response] == [second]
        assert watch.state.last_revision == second
    assert watch.state.ended
    assert not watch.state.connected
    assert [e async for e in watch] == []  # cancelled: the iteration is over


async def test_a_callback_handle_is_not_iterated(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    seen: list[Item] = []
    handle = await async_client.watcher(prefix + b"k", callback=seen.append)
    with pytest.raises(TypeError, match="callback"):
        async for _ in handle:
            pass
    rev = (await async_client.put(prefix + b"k", b"v")).header.revision
    await wait_until(lambda: revisions(seen) == [rev])
    await wait_until(lambda: handle.state.last_revision == rev)
    await handle.cancel()
    await async_client.put(prefix + b"k", b"w")
    await sleep(0.2)
    assert revisions(seen) == [rev]


async def test_watchers_are_made_together_and_all_or_nothing(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    keys = [prefix + b"%03d" % n for n in range(100)]
    seen: list[Item] = []
    handles = await async_client.watchers(keys, callback=seen.append)
    assert len({h.watch_id for h in handles}) == len(keys)
    written = [(await async_client.put(key, b"x")).header.revision for key in keys]
    await wait_until(lambda: len(revisions(seen)) == len(keys))
    assert sorted(revisions(seen)) == sorted(written)
    for handle in handles:
        await handle.cancel()
    watcher = async_client._watcher_state
    assert watcher is not None
    live = watcher._core.live
    # etcd refuses a range that ends before it starts: the batch fails as a whole.
    with pytest.raises(WatchCanceledError):
        await async_client.watchers([prefix + b"a", prefix + b"z"], range_end=prefix + b"m")
    assert watcher._core.live == live


async def test_a_dropped_iterator_handle_is_cancelled(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    keep = await async_client.watcher(prefix + b"kept")
    dropped = await async_client.watcher(prefix + b"dropped")
    watcher = async_client._watcher_state
    assert watcher is not None
    live = watcher._core.live
    del dropped
    gc.collect()
    # The next response read cancels it (a garbage collection may run anywhere: no lock).
    await async_client.put(prefix + b"kept", b"1")
    await anext(keep)
    await wait_until(lambda: watcher._core.live == live - 1)
    await keep.cancel()


# --- Outages ----------------------------------------------------------------------------------


async def test_an_outage_is_logged_once_and_its_end_and_the_state_tells(
    etcd_factory: EtcdFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = etcd_factory()
    caplog.set_level(logging.INFO, logger="etcd3.watch")
    async with etcd3.async_client(server.host, server.port, timeout=10) as client:
        client.configure_watches(warn_after=0.5)
        seen: list[Item] = []
        handle = await client.watcher(b"/outage/", prefix=True, callback=seen.append)
        with pytest.raises(RuntimeError):
            client.configure_watches(warn_after=1.0)  # too late: the client has watches
        before = (await client.put(b"/outage/a", b"1")).header.revision
        await wait_until(lambda: revisions(seen) == [before])
        assert handle.state.connected
        server.kill()
        down = time.monotonic()
        await wait_until(lambda: handle.state.reconnecting_since is not None)
        since = handle.state.reconnecting_since
        assert since is not None
        assert since >= down - 0.1
        assert not handle.state.connected
        await sleep(2.0)  # well past warn_after: still one warning
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1, [r.getMessage() for r in warnings]
        assert warnings[0].name == "etcd3.watch"
        assert "down for" in warnings[0].getMessage()
        server.restart()
        after = -1
        for _ in range(100):
            try:
                after = (await client.put(b"/outage/b", b"2")).header.revision
                break
            except ConnectionFailedError:
                await sleep(0.1)
        await wait_until(lambda: revisions(seen) == [before, after], timeout=20)
        state = handle.state
        assert (state.connected, state.reconnecting_since, state.last_revision) == (
            True,
            None,
            after,
        )
        infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        assert any("re-opened" in m and "after" in m for m in infos), infos
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


# --- The callback pool ------------------------------------------------------------------------


async def test_a_thousand_callback_watches_share_a_few_workers(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=10) as client:
        client.configure_watches(callback_workers=3)
        seen: dict[bytes, list[int]] = {}

        def record(item: Item) -> None:
            assert isinstance(item, WatchResponse)
            for event in item:
                seen.setdefault(event.key, []).append(event.mod_revision)

        keys = [prefix + b"%04d" % n for n in range(1000)]
        threads = threading.active_count()
        handles = await client.watchers(keys, callback=record)
        peak = our_workers()
        written: dict[bytes, int] = {}
        for key in keys:
            written[key] = (await client.put(key, b"v")).header.revision
            peak = max(peak, our_workers())

        def delivered() -> bool:
            nonlocal peak
            peak = max(peak, our_workers())
            return len(seen) == len(keys) and sum(map(len, seen.values())) >= len(keys)

        await wait_until(delivered, timeout=60)
        assert seen == {key: [rev] for key, rev in written.items()}  # each once, in order
        # Three workers at most, whatever the number of watches (a watchdog may add one
        # while all of them are busy).
        assert 1 <= peak <= 4, peak
        # No thread per watch anywhere: at most the pool's three workers, its watchdog, and
        # the thread grpc gives a stream to send its requests.
        assert threading.active_count() <= threads + 5
        for handle in handles:
            await handle.cancel()


async def test_a_watchs_callbacks_never_overlap_and_keep_order(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    running: dict[int, int] = {}
    overlaps: list[int] = []
    seen: dict[int, list[int]] = {}

    def make(n: int) -> etcd3.WatchCallback:
        async def slowish(item: Item) -> None:
            running[n] = running.get(n, 0) + 1
            if running[n] > 1:
                overlaps.append(n)
            assert isinstance(item, WatchResponse)
            seen.setdefault(n, []).extend(e.mod_revision for e in item)
            await sleep(0.002)
            running[n] -= 1

        return slowish

    for n in range(3):
        await async_client.add_watch_prefix_callback(prefix + b"%d/" % n, make(n))
    written: dict[int, list[int]] = {0: [], 1: [], 2: []}
    for i in range(60):
        n = i % 3
        written[n].append((await async_client.put(prefix + b"%d/k" % n, b"%d" % i)).header.revision)
    await wait_until(lambda: all(len(seen.get(n, [])) == 20 for n in range(3)), timeout=30)
    assert overlaps == []
    assert seen == written


async def test_when_every_worker_is_blocked_delivery_waits_and_a_warning_names_it(
    etcd_server: EtcdServer, prefix: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="etcd3.watch")
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=10) as client:
        client.configure_watches(callback_workers=2)
        gate = Event()
        blocked: list[Item] = []
        fast: list[Item] = []

        async def stuck_in_callback(item: Item) -> None:
            blocked.append(item)
            await gate.wait()

        await client.add_watch_callback(prefix + b"a", stuck_in_callback)
        await client.add_watch_callback(prefix + b"b", stuck_in_callback)
        await client.add_watch_callback(prefix + b"c", fast.append)
        writes: dict[bytes, list[int]] = {key: [] for key in (b"a", b"b", b"c")}
        for key in (b"a", b"b"):
            writes[key].append((await client.put(prefix + key, b"1")).header.revision)
        await wait_until(lambda: len(blocked) == 2)  # both workers are now blocked
        for i in range(3):
            for key in (b"a", b"b", b"c"):
                rev = (await client.put(prefix + key, b"%d" % i)).header.revision
                writes[key].append(rev)
        await sleep(2.0)
        assert fast == []  # nobody reads while every worker is blocked: backpressure
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1, warnings
        assert "stuck_in_callback" in warnings[0]
        gate.set()
        await wait_until(lambda: len(revisions(fast)) == 3)
        assert revisions(fast) == writes[b"c"]
        await wait_until(lambda: len(revisions(blocked)) == 8)
        assert sorted(revisions(blocked)) == sorted(writes[b"a"] + writes[b"b"])
        await sleep(0.2)
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
