"""One measurement of many watches on one client, in a fresh process (run by ``bench.scale``).

A fresh process per measurement gives clean baselines for threads, tasks and RSS. The steps,
for ``N`` watches of one kind (``callback``, ``iterator``, or ``mix``: half each):

1. a single watch of that kind receives ``N`` events: the CPU-per-event reference;
2. ``N`` watches, one key each, are created one after another (timed), then the client's
   threads (and asyncio tasks) and the RSS growth per idle watch are read;
3. the writer process puts each key once (64 puts in flight, ``RATE`` per second): the
   client CPU per delivered event, and the time from the writer's last acknowledged put to
   the last delivery;
4. every watch is cancelled (timed); ``N`` watches are created again, all at once with
   ``watchers()`` (timed), and ``close()`` is timed with them open; the threads and tasks left
   are read ``SETTLE_S`` after it returns.

Before the client exists, raw grpc creates ``N`` watches one after another on a stream of
its own (send a create request, read its confirmation): the floor for step 2 on this machine,
measured in the same process.

Iterator watches are read one after another while the writer writes their keys in order
(one consumer, as a program that polls its watches would); callbacks run as the client runs
them. Baselines are taken after a throwaway client was created and closed, so grpc's
process-wide threads do not count as ours.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import queue
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Literal

import grpc
import grpc.aio

import etcd3
from bench import probe
from bench.harness import KEY_PREFIX, Metrics, Params, Setup, WatchRun, Writer
from etcd3.rpc import etcdserverpb as pb

Kind = Literal["callback", "iterator", "mix"]
KINDS: tuple[Kind, ...] = ("callback", "iterator", "mix")
IN_FLIGHT = 64
RATE = Params().watch_rate
"""Puts per second: the pace of the table's watch rows, so a single watch keeps up."""
SETTLE_S = 0.5
"""Threads and tasks are counted this long after ``close()`` returns (time to exit)."""


def _is_callback(kind: Kind, i: int) -> bool:
    return kind == "callback" or (kind == "mix" and i % 2 == 0)


def _by_kind(kind: Kind, keys: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The keys that get a callback watch and those that get an iterator, in order."""
    callbacks = [key for i, key in enumerate(keys) if _is_callback(kind, i)]
    return callbacks, [key for i, key in enumerate(keys) if not _is_callback(kind, i)]


def _keys(label: str, count: int) -> tuple[bytes, list[bytes]]:
    prefix = KEY_PREFIX + f"scale/{label}/{time.time_ns()}/".encode()
    return prefix, [prefix + b"%08d" % i for i in range(count)]


def _delivery(run: WatchRun, puts_done_ns: int) -> Metrics:
    """CPU per event, and how long after the writer's last acknowledged put it all arrived."""
    m = run.metrics()
    return {
        "cpu_us_per_event": m["cpu_us_per_event"],
        "deliver_after_puts_s": max(0.0, (run.finished_ns - puts_done_ns) / 1e9),
        "deliver_s": m["seconds"],
    }


def _create_request(key: bytes) -> pb.WatchRequest:
    return pb.WatchRequest(create_request=pb.WatchCreateRequest(key=key))


_WATCH = "/etcdserverpb.Watch/Watch"


# -- sync -------------------------------------------------------------------------------------


def _raw_create_sync(setup: Setup, keys: list[bytes]) -> float:
    """Seconds for raw grpc to create a watch per key, one after another, on its own stream."""
    pending: queue.SimpleQueue[pb.WatchRequest | None] = queue.SimpleQueue()

    def requests() -> Iterator[pb.WatchRequest]:
        while (request := pending.get()) is not None:
            yield request

    with grpc.insecure_channel(setup.endpoint) as channel:
        stream = channel.stream_stream(
            _WATCH,
            request_serializer=pb.WatchRequest.SerializeToString,
            response_deserializer=pb.WatchResponse.FromString,
        )(requests())
        pending.put(_create_request(keys[0]))
        next(stream)  # the channel is connected: time the creations alone
        t0 = time.perf_counter()
        for key in keys:
            pending.put(_create_request(key))
            if not next(stream).created:
                raise RuntimeError("raw grpc: a watch was not created")
        seconds = time.perf_counter() - t0
        pending.put(None)
        stream.cancel()
    return seconds


class _SyncWatches:
    """``N`` watches of one kind on a sync client, feeding one ``WatchRun``."""

    def __init__(
        self, client: etcd3.Etcd3Client, kind: Kind, keys: list[bytes], *, batched: bool = False
    ) -> None:
        self.run: WatchRun | None = None
        self.ids: list[int] = []
        self.iterators: list[Iterator[etcd3.Event]] = []
        self.cancels: list[Callable[[], None]] = []
        self._client = client
        if batched:
            self._create_batched(kind, keys)
            return
        for i, key in enumerate(keys):
            if _is_callback(kind, i):
                self.ids.append(client.add_watch_callback(key, self._deliver))
            else:
                events, cancel = client.watch(key)
                self.iterators.append(events)
                self.cancels.append(cancel)

    def _create_batched(self, kind: Kind, keys: list[bytes]) -> None:
        callbacks, others = _by_kind(kind, keys)
        if callbacks:
            handles = self._client.watchers(callbacks, callback=self._deliver)
            self.ids.extend(handle.watch_id for handle in handles)
        if others:
            handles = self._client.watchers(others)
            self.iterators.extend(handles)
            self.cancels.extend(handle.cancel for handle in handles)

    def _deliver(self, response: etcd3.WatchResponse | Exception) -> None:
        if self.run is not None and isinstance(response, etcd3.WatchResponse):
            for event in response.events:
                self.run.add(event.value)

    def drain(self, run: WatchRun, per_iterator: int) -> None:
        for events in self.iterators:
            for _ in range(per_iterator):
                run.add(next(events).value)

    def cancel(self) -> None:
        for watch_id in self.ids:
            self._client.cancel_watch(watch_id)
        for cancel in self.cancels:
            cancel()


def _deliver_sync(
    setup: Setup, watches: _SyncWatches, prefix: bytes, keys: int, events: int
) -> Metrics:
    writer = Writer(setup, prefix, keys=keys, events=events, in_flight=IN_FLIGHT, rate=RATE)
    try:
        run = watches.run = WatchRun(writer, events)
        run.go()
        watches.drain(run, events // keys)
        done_ns = writer.finish()
        run.wait(timeout=600)
    finally:
        writer.kill()
    return _delivery(run, done_ns)


def measure_sync(setup: Setup, kind: Kind, count: int) -> Metrics:
    raw_create_s = _raw_create_sync(setup, _keys("raw", count)[1])
    with etcd3.client(setup.host, setup.port) as throwaway:
        throwaway.get(b"/bench/warm")
    time.sleep(SETTLE_S)
    base_threads, base_rss = probe.os_threads(), probe.rss_kib()
    client = etcd3.client(setup.host, setup.port)
    client.get(b"/bench/warm")
    out: Metrics = {"raw_create_s": raw_create_s}

    prefix, keys = _keys("single", 1)
    single = _SyncWatches(client, kind, keys)
    out["single_cpu_us_per_event"] = _deliver_sync(setup, single, prefix, 1, count)[
        "cpu_us_per_event"
    ]
    single.cancel()

    prefix, keys = _keys("many", count)
    rss0 = probe.rss_kib()
    t0 = time.perf_counter()
    watches = _SyncWatches(client, kind, keys)
    out["create_s"] = time.perf_counter() - t0
    out["kib_per_watch"] = (probe.rss_kib() - rss0) / count
    out["threads"] = probe.os_threads() - base_threads
    out.update(_deliver_sync(setup, watches, prefix, count, count))
    out["cpu_vs_single"] = out["cpu_us_per_event"] / out["single_cpu_us_per_event"]
    t0 = time.perf_counter()
    watches.cancel()
    out["cancel_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    _SyncWatches(client, kind, _keys("close", count)[1], batched=True)
    out["create_batched_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.close()
    out["close_s"] = time.perf_counter() - t0
    time.sleep(SETTLE_S)
    out["threads_left"] = probe.os_threads() - base_threads
    out["rss_left_kib"] = probe.rss_kib() - base_rss
    return out


# -- asyncio ----------------------------------------------------------------------------------


class _AsyncWatches:
    """``N`` watches of one kind on an asyncio client, feeding one ``WatchRun``."""

    def __init__(self, client: etcd3.AsyncEtcd3Client) -> None:
        self.run: WatchRun | None = None
        self.ids: list[int] = []
        self.iterators: list[AsyncIterator[etcd3.Event]] = []
        self.cancels: list[Callable[[], Awaitable[None]]] = []
        self._client = client

    async def create_batched(self, kind: Kind, keys: list[bytes]) -> None:
        callbacks, others = _by_kind(kind, keys)
        if callbacks:
            handles = await self._client.watchers(callbacks, callback=self._deliver)
            self.ids.extend(handle.watch_id for handle in handles)
        if others:
            handles = await self._client.watchers(others)
            self.iterators.extend(handles)
            self.cancels.extend(handle.cancel for handle in handles)

    async def create(self, kind: Kind, keys: list[bytes]) -> None:
        for i, key in enumerate(keys):
            if _is_callback(kind, i):
                self.ids.append(await self._client.add_watch_callback(key, self._deliver))
            else:
                events, cancel = await self._client.watch(key)
                self.iterators.append(events)
                self.cancels.append(cancel)

    def _deliver(self, response: etcd3.WatchResponse | Exception) -> None:
        if self.run is not None and isinstance(response, etcd3.WatchResponse):
            for event in response.events:
                self.run.add(event.value)

    async def drain(self, run: WatchRun, per_iterator: int) -> None:
        for events in self.iterators:
            for _ in range(per_iterator):
                run.add((await events.__anext__()).value)

    async def cancel(self) -> None:
        for watch_id in self.ids:
            await self._client.cancel_watch(watch_id)
        for cancel in self.cancels:
            await cancel()


async def _deliver_async(
    setup: Setup, watches: _AsyncWatches, prefix: bytes, keys: int, events: int
) -> Metrics:
    loop = asyncio.get_running_loop()
    writer = await loop.run_in_executor(
        None,
        lambda: Writer(setup, prefix, keys=keys, events=events, in_flight=IN_FLIGHT, rate=RATE),
    )
    try:
        run = watches.run = WatchRun(writer, events)
        run.go()
        await watches.drain(run, events // keys)
        done_ns = await loop.run_in_executor(None, writer.finish)
        await run.await_done(timeout=600)
    finally:
        writer.kill()
    return _delivery(run, done_ns)


def _tasks() -> int:
    return len(asyncio.all_tasks())


async def _raw_create_async(setup: Setup, keys: list[bytes]) -> float:
    """``_raw_create_sync`` with grpc.aio."""
    async with grpc.aio.insecure_channel(setup.endpoint) as channel:
        call = channel.stream_stream(
            _WATCH,
            request_serializer=pb.WatchRequest.SerializeToString,
            response_deserializer=pb.WatchResponse.FromString,
        )()
        await call.write(_create_request(keys[0]))
        await call.read()
        t0 = time.perf_counter()
        for key in keys:
            await call.write(_create_request(key))
            response = await call.read()
            if not isinstance(response, pb.WatchResponse) or not response.created:
                raise RuntimeError("raw grpc: a watch was not created")
        seconds = time.perf_counter() - t0
        call.cancel()
    return seconds


async def measure_async(setup: Setup, kind: Kind, count: int) -> Metrics:
    raw_create_s = await _raw_create_async(setup, _keys("raw", count)[1])
    async with etcd3.async_client(setup.host, setup.port) as throwaway:
        await throwaway.get(b"/bench/warm")
    await asyncio.sleep(SETTLE_S)
    base_threads, base_tasks, base_rss = probe.os_threads(), _tasks(), probe.rss_kib()
    client = etcd3.async_client(setup.host, setup.port)
    await client.get(b"/bench/warm")
    out: Metrics = {"raw_create_s": raw_create_s}

    prefix, keys = _keys("single", 1)
    single = _AsyncWatches(client)
    await single.create(kind, keys)
    result = await _deliver_async(setup, single, prefix, 1, count)
    out["single_cpu_us_per_event"] = result["cpu_us_per_event"]
    await single.cancel()

    prefix, keys = _keys("many", count)
    rss0 = probe.rss_kib()
    t0 = time.perf_counter()
    watches = _AsyncWatches(client)
    await watches.create(kind, keys)
    out["create_s"] = time.perf_counter() - t0
    out["kib_per_watch"] = (probe.rss_kib() - rss0) / count
    out["threads"] = probe.os_threads() - base_threads
    out["tasks"] = _tasks() - base_tasks
    out.update(await _deliver_async(setup, watches, prefix, count, count))
    out["cpu_vs_single"] = out["cpu_us_per_event"] / out["single_cpu_us_per_event"]
    t0 = time.perf_counter()
    await watches.cancel()
    out["cancel_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    await _AsyncWatches(client).create_batched(kind, _keys("close", count)[1])
    out["create_batched_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await client.close()
    out["close_s"] = time.perf_counter() - t0
    # The writer was driven from the loop's default executor: its threads are the benchmark's.
    await asyncio.get_running_loop().shutdown_default_executor()
    await asyncio.sleep(SETTLE_S)
    out["threads_left"] = probe.os_threads() - base_threads
    out["tasks_left"] = _tasks() - base_tasks
    out["rss_left_kib"] = probe.rss_kib() - base_rss
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.watch_scale", description=__doc__)
    parser.add_argument("setup", help="the worker Setup as JSON")
    parser.add_argument("mode", choices=("sync", "asyncio"))
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--watches", type=int, default=10_000)
    args = parser.parse_args(argv)
    setup = Setup(**json.loads(args.setup))
    if args.mode == "sync":
        metrics = measure_sync(setup, args.kind, args.watches)
    else:
        metrics = asyncio.run(measure_async(setup, args.kind, args.watches))
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
