# async-to-sync: source
"""Watches through the friendly client on a real etcd: every API form, options, errors, resume."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest
from grpc_aio_poller import hold_grpc_aio_poller
from server_features import loses_writes_when_killed

import etcd3
from etcd3._acompat import ASYNC, Event, sleep
from etcd3._client_async import AsyncEtcd3Client
from etcd3._events import DeleteEvent, PutEvent, WatchResponse
from etcd3.errors import (
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    RevisionCompactedError,
    WatchCanceledError,
    WatchTimedOut,
)
from etcd3.rpc.etcdserverpb import FilterType
from etcd3.rpc.etcdserverpb import WatchResponse as RawWatchResponse
from etcd3.testing import EtcdFactory, EtcdServer

Item = WatchResponse | Exception


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    until = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < until, "condition not met in time"
        await sleep(0.01)


def revisions(items: list[Item]) -> list[int]:
    """Every event's mod_revision across responses (errors must not be among them)."""
    out: list[int] = []
    for item in items:
        assert isinstance(item, WatchResponse), item
        out.extend(event.mod_revision for event in item)
    return out


async def put(client: AsyncEtcd3Client, key: bytes, value: bytes) -> int:
    return (await client.rpc.kv.put(key=key, value=value)).header.revision


async def put_retrying(client: AsyncEtcd3Client, key: bytes, value: bytes) -> int:
    """``put`` while the channel reconnects to a restarted server (gRPC fails fast meanwhile)."""
    until = time.monotonic() + 20
    while True:
        try:
            return await put(client, key, value)
        except ConnectionFailedError:
            assert time.monotonic() < until, "the server did not come back"
            await sleep(0.05)


async def test_watch_yields_put_and_delete_events(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    events, cancel = await async_client.watch(key)
    rev = await put(async_client, key, b"1")
    await put(async_client, prefix + b"other", b"x")  # outside the watch
    await async_client.rpc.kv.delete_range(key=key)
    first = await anext(events)
    second = await anext(events)
    assert isinstance(first, PutEvent)
    assert (first.key, first.value, first.mod_revision, first.version) == (key, b"1", rev, 1)
    assert isinstance(second, DeleteEvent)
    assert (second.key, second.value, second.mod_revision) == (key, b"", rev + 2)
    await cancel()
    assert [e async for e in events] == []  # cancel() ends the iterator


async def test_watch_range_and_prefix_responses(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    ranged, cancel_ranged = await async_client.watch_response(prefix + b"b", prefix + b"d")
    prefixed, cancel_prefixed = await async_client.watch_prefix_response(prefix)
    for name in (b"a", b"b", b"c", b"d"):
        await put(async_client, prefix + name, name)
    got = [await anext(ranged), await anext(ranged)]
    assert [r[0].key for r in got] == [prefix + b"b", prefix + b"c"]
    assert all(isinstance(r, WatchResponse) and len(r) == 1 for r in got)
    everything = [(await anext(prefixed))[0].value for _ in range(4)]
    assert everything == [b"a", b"b", b"c", b"d"]
    await cancel_ranged()
    await cancel_prefixed()


async def test_watch_prefix_events(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    events, cancel = await async_client.watch_prefix(prefix)
    await put(async_client, prefix + b"x", b"1")
    event = await anext(events)
    assert (event.key, event.value) == (prefix + b"x", b"1")
    await cancel()


@pytest.mark.parametrize(
    ("filters", "kinds"),
    [
        (["noput"], [DeleteEvent]),
        ([FilterType.NODELETE], [PutEvent, PutEvent]),
        (("nodelete",), [PutEvent, PutEvent]),
    ],
)
async def test_filters_drop_events_on_the_server(
    async_client: AsyncEtcd3Client, prefix: bytes, filters: list[str], kinds: list[type]
) -> None:
    key = prefix + b"k"
    events, cancel = await async_client.watch(key, filters=filters)  # type: ignore[arg-type]
    await put(async_client, key, b"1")
    await async_client.rpc.kv.delete_range(key=key)
    await put(async_client, key, b"2")
    got = [type(await anext(events)) for _ in kinds]
    assert got == kinds
    await cancel()


async def test_prev_kv_fills_previous_values(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    key = prefix + b"k"
    first = await put(async_client, key, b"old")
    events, cancel = await async_client.watch(key, prev_kv=True)
    await put(async_client, key, b"new")
    await async_client.rpc.kv.delete_range(key=key)
    update, deletion = await anext(events), await anext(events)
    assert (update.value, update.prev_value, update.prev_mod_revision) == (b"new", b"old", first)
    assert (deletion.value, deletion.prev_value, deletion.prev_version) == (b"", b"new", 2)
    assert deletion.prev_kv_meta.key == key
    await cancel()


async def test_start_revision_replays_history(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    key = prefix + b"k"
    revs = [await put(async_client, key, b"%d" % i) for i in range(3)]
    events, cancel = await async_client.watch(key, start_revision=revs[1])
    await put(async_client, key, b"live")
    got = [await anext(events) for _ in range(3)]
    assert [(e.value, e.mod_revision) for e in got] == [
        (b"1", revs[1]),
        (b"2", revs[2]),
        (b"live", revs[2] + 1),
    ]
    await cancel()


async def test_callbacks_receive_responses_until_cancelled(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    single: list[Item] = []
    many: list[Item] = []
    single_id = await async_client.add_watch_callback(prefix + b"a", single.append)
    many_id = await async_client.add_watch_prefix_callback(prefix, many.append)
    assert isinstance(single_id, int)
    assert single_id != many_id
    rev_a = await put(async_client, prefix + b"a", b"1")
    rev_b = await put(async_client, prefix + b"b", b"2")
    await wait_until(lambda: len(many) == 2 and len(single) == 1)
    assert revisions(single) == [rev_a]
    assert revisions(many) == [rev_a, rev_b]
    await async_client.cancel_watch(single_id)
    await async_client.cancel_watch(single_id)  # twice: no-op
    await async_client.cancel_watch(123456)  # unknown: no-op
    for wrong in (None, "1", 1.0, True):
        with pytest.raises(TypeError, match=r"^watch_id must be an int, not "):
            await async_client.cancel_watch(wrong)  # type: ignore[arg-type]
    rev_c = await put(async_client, prefix + b"a", b"3")
    await wait_until(lambda: len(many) == 3)
    assert revisions(single) == [rev_a]
    assert revisions(many)[-1] == rev_c
    await async_client.cancel_watch(many_id)


async def test_callback_exceptions_are_logged_and_swallowed(
    async_client: AsyncEtcd3Client, prefix: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[Item] = []

    def explode(item: Item) -> None:
        seen.append(item)
        raise RuntimeError("boom")

    watch_id = await async_client.add_watch_callback(prefix + b"k", explode)
    with caplog.at_level(logging.ERROR, logger="etcd3"):
        await put(async_client, prefix + b"k", b"1")
        await put(async_client, prefix + b"k", b"2")
        await wait_until(lambda: len(seen) == 2)  # the first failure did not end the watch
        await wait_until(lambda: len(caplog.records) == 2)
    assert "boom" in caplog.text
    assert all(r.name == "etcd3.watch" for r in caplog.records)
    await async_client.cancel_watch(watch_id)


async def test_callback_may_create_and_cancel_watches(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    inner: list[Item] = []
    created: list[int] = []

    async def outer(item: Item) -> None:
        assert isinstance(item, WatchResponse)
        if not created:
            created.append(await async_client.add_watch_callback(prefix + b"inner", inner.append))
        else:
            await async_client.cancel_watch(created[0])

    outer_id = await async_client.add_watch_callback(prefix + b"outer", outer)
    await put(async_client, prefix + b"outer", b"1")
    await wait_until(lambda: bool(created))
    rev = await put(async_client, prefix + b"inner", b"x")
    await wait_until(lambda: len(inner) == 1)
    await put(async_client, prefix + b"outer", b"2")  # the callback cancels the inner watch
    await sleep(0.2)
    await put(async_client, prefix + b"inner", b"y")
    await sleep(0.2)
    assert revisions(inner) == [rev]
    await async_client.cancel_watch(outer_id)


async def test_slow_callback_stalls_no_other_watch(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    gate = Event()
    slow: list[Item] = []
    fast: list[Item] = []

    async def blocked(item: Item) -> None:
        await gate.wait()
        slow.append(item)

    slow_id = await async_client.add_watch_callback(prefix + b"k", blocked)
    fast_id = await async_client.add_watch_callback(prefix + b"k", fast.append)
    for value in (b"1", b"2", b"3"):
        await put(async_client, prefix + b"k", value)
    await wait_until(lambda: len(fast) == 3)  # while the other callback is stuck
    assert await async_client.rpc.kv.range(key=prefix + b"k")  # client calls go on too
    assert slow == []
    gate.set()
    await wait_until(lambda: len(slow) == 3)
    assert revisions(slow) == revisions(fast)
    await async_client.cancel_watch(slow_id)
    await async_client.cancel_watch(fast_id)


async def test_cancel_and_close_during_a_callback_neither_spin_nor_stall(
    etcd_server: EtcdServer,
) -> None:
    key = b"/callback-running/k"
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=10) as client:
        started: list[Item] = []

        async def slow(item: Item) -> None:
            started.append(item)
            await sleep(1)

        watch_id = await client.add_watch_callback(key, slow)
        await put(client, key, b"1")
        await wait_until(lambda: len(started) == 1)
        await sleep(0.2)  # another worker takes the stream over meanwhile
        cpu = time.process_time()
        await client.cancel_watch(watch_id)  # while its callback runs
        await sleep(0.2)  # the loop goes on (in asyncio the callback shares it)
        await client.add_watch_callback(key, slow)
        await put(client, key, b"2")
        await wait_until(lambda: len(started) == 2)
        await sleep(0.2)
        begun = time.monotonic()
        await client.close()  # while the other callback runs
        assert time.monotonic() - begun < 5
    # Waiting for a running callback costs no CPU: a loop that polled the closed or idle
    # watcher would take a core for as long as the callbacks run.
    assert time.process_time() - cpu < 0.5


async def test_watch_once_forms(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    key = prefix + b"k"
    rev = await put(async_client, key, b"1")
    events = await async_client.watch_once(key, timeout=5, start_revision=rev)
    assert [(type(e), e.value) for e in events] == [(PutEvent, b"1")]
    response = await async_client.watch_once_response(key, 5, None, rev)
    assert isinstance(response, WatchResponse)
    assert response.max_mod_revision == rev
    events = await async_client.watch_prefix_once(prefix, timeout=5, start_revision=rev)
    assert [e.key for e in events] == [key]
    response = await async_client.watch_prefix_once_response(prefix, 5, rev)
    assert [e.key for e in response] == [key]


async def test_watch_once_times_out(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(WatchTimedOut):
        await async_client.watch_once(prefix + b"quiet", timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 5
    with pytest.raises(WatchTimedOut):
        await async_client.watch_prefix_once_response(prefix, timeout=0.1)


async def test_bad_arguments_fail_before_any_request(async_client: AsyncEtcd3Client) -> None:
    with pytest.raises(ValueError, match="empty"):
        await async_client.watch(b"")
    with pytest.raises(ValueError, match="filter"):
        await async_client.watch(b"k", filters=["sometimes"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="start_revision"):
        await async_client.watch_prefix(b"k", start_revision=0)
    with pytest.raises(TypeError, match="callable"):
        await async_client.add_watch_callback(b"k", "print")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        await async_client.watch(b"k", timeout_override=-1)
    with pytest.raises(ValueError, match="timeout"):
        await async_client.watch_once(b"k", timeout=-1)
    with pytest.raises(ConnectionTimeoutError):
        await async_client.watch(b"k", timeout_override=0)
    assert async_client._watcher_state is None  # nothing was started


async def test_compacted_start_revision_raises_at_once(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=10) as client:
        first = await put(client, b"k", b"1")
        latest = await put(client, b"k", b"2")
        await client.rpc.kv.compact(revision=latest)
        with pytest.raises(RevisionCompactedError) as info:
            await client.watch(b"k", start_revision=first)
        assert info.value.compacted_revision == latest
        with pytest.raises(RevisionCompactedError):
            await client.add_watch_callback(b"k", print, start_revision=first)
        with pytest.raises(RevisionCompactedError):
            await client.watch_once(b"k", timeout=5, start_revision=first)
        # From the compaction revision on, history is there.
        events = await client.watch_once(b"k", timeout=5, start_revision=latest)
        assert [e.value for e in events] == [b"2"]


async def test_the_history_check_of_a_replaying_watch_ends_by_its_deadline(
    etcd_factory: EtcdFactory,
) -> None:
    # Round trips of 0.8 s: etcd confirms the watch at 0.8 s, and the read that checks its
    # history at once gets the 0.2 s left of the 1 s deadline, not another whole second.
    server = etcd_factory(fault_proxy=True)
    async with etcd3.async_client(endpoints=[server.endpoint], timeout=10) as client:
        first = await put(client, b"k", b"1")
        latest = await put(client, b"k", b"2")
        await client.rpc.kv.compact(revision=latest)
        server.network.client_proxy(server.name).set_latency(0.4)
        start = time.monotonic()
        events, cancel = await client.watch(b"k", start_revision=first, timeout_override=1.0)
        assert time.monotonic() - start < 1.4
        with pytest.raises(RevisionCompactedError) as info:  # the watch's own cancel tells
            [e async for e in events]
        assert info.value.compacted_revision == latest
        await cancel()


async def test_refused_watch_raises_the_servers_reason(async_client: AsyncEtcd3Client) -> None:
    # etcd refuses a range that ends before it starts ("mvcc: watcher range is empty").
    with pytest.raises(EtcdError) as info:
        await async_client.watch(b"b", range_end=b"a")
    assert isinstance(info.value, WatchCanceledError)
    assert "range" in str(info.value)


async def test_a_response_the_client_fails_to_route_is_delivered_after_a_reopen(
    async_client: AsyncEtcd3Client,
    prefix: bytes,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = prefix + b"k"
    events, cancel = await async_client.watch(key)
    watcher = async_client._watcher_state
    assert watcher is not None
    core = watcher._core
    receive = core.receive
    refused: list[RawWatchResponse] = []

    def fail_once(response: RawWatchResponse) -> bool:
        # A bug in routing, on the first response with events only.
        if response.events and not refused:
            refused.append(response)
            raise RuntimeError("routing bug")
        return receive(response)

    monkeypatch.setattr(core, "receive", fail_once)
    with caplog.at_level(logging.ERROR, logger="etcd3.watch"):
        revision = await put(async_client, key, b"1")
        event = await anext(events)
    assert len(refused) == 1
    assert (event.key, event.value, event.mod_revision) == (key, b"1", revision)
    assert "could not be routed" in caplog.text
    assert "routing bug" in caplog.text
    await cancel()


async def test_progress_notifications_reach_response_consumers(
    etcd_factory: EtcdFactory,
) -> None:
    server = etcd_factory(extra_args=["--experimental-watch-progress-notify-interval=200ms"])
    async with etcd3.async_client(server.host, server.port, timeout=10) as client:
        rev = await put(client, b"other", b"x")
        responses, cancel = await client.watch_response(b"k", progress_notify=True)
        first = await anext(responses)
        assert len(first) == 0
        assert first.is_progress_notify
        assert first.header.revision >= rev
        await cancel()
        responses, cancel = await client.watch_response(b"k")
        await client.request_progress()
        requested = await anext(responses)
        assert (len(requested), requested.header.revision) == (0, rev)
        await cancel()
        # watch_once returns the first response's events: none, for a progress notification.
        assert await client.watch_once(b"k", timeout=5, progress_notify=True) == []
        assert await client.watch_prefix_once(b"k", timeout=5, progress_notify=True) == []
        with pytest.raises(WatchTimedOut):  # without progress_notify, no response comes
            await client.watch_once(b"k", timeout=0.5)


async def test_watches_resume_after_a_server_restart(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=10) as client:
        seen: list[Item] = []
        await client.add_watch_prefix_callback(b"/r/", seen.append)
        events, cancel = await client.watch_prefix(b"/r/")
        written = [await put(client, b"/r/%d" % i, b"before") for i in range(3)]
        await wait_until(lambda: len(revisions(seen)) == 3)
        for _ in range(2):
            if loses_writes_when_killed(server.version):
                # Killed right after a write, the member may come back without it and give
                # its revision to the next write, which the watch, resuming after the lost
                # one, then never sees: it dies idle, past its backend's commit interval.
                await sleep(1.0)
            server.kill()
            await sleep(0.5)  # the client retries with backoff while the server is down
            server.restart()
            # Written at once, maybe before the watch stream is back: replayed on resume.
            written += [await put_retrying(client, b"/r/%d" % i, b"after") for i in range(3)]
        await wait_until(lambda: len(revisions(seen)) == len(written), timeout=20)
        assert revisions(seen) == written  # nothing lost, nothing twice, in order
        assert [(await anext(events)).mod_revision for _ in written] == written
        assert all(isinstance(item, WatchResponse) for item in seen)  # no transient errors
        await cancel()


async def test_close_ends_everything_and_leaves_no_worker(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    if ASYNC:
        poller = hold_grpc_aio_poller()  # grpc's thread, in the baseline either way
    before = set(threading.enumerate())
    client = etcd3.async_client(server.host, server.port, timeout=10)
    seen: list[Item] = []
    await client.add_watch_callback(b"k", seen.append)
    events, _cancel = await client.watch(b"k")
    responses, _cancel2 = await client.watch_prefix_response(b"")
    await put(client, b"k", b"1")
    await wait_until(lambda: len(seen) == 1)
    await client.close()
    await client.close()  # idempotent
    # Iterators yield what was already queued (if anything), then end.
    assert [e.value async for e in events] in ([], [b"1"])
    assert len([r async for r in responses]) <= 1
    with pytest.raises(EtcdError):
        await client.watch(b"k")
    if ASYNC:
        import asyncio

        # Ours are named etcd3-*; grpc may still be finishing its own bookkeeping tasks.
        assert [t for t in asyncio.all_tasks() if t.get_name().startswith("etcd3-")] == []
    await wait_until(lambda: set(threading.enumerate()) <= before, timeout=5)
    if ASYNC:
        await poller.close()
