"""Ten thousand callback watches on one client made with ``watchers()``, sync and asyncio.

``python -m bench.watch_many`` starts a private etcd (or uses ``--endpoint``) and, for each
client kind in a fresh process, reads: the OS threads (and asyncio tasks) the client adds, the
RSS growth per idle watch, the time ``watchers()`` takes to create ``--watches`` callback
watches (their create requests go out together), the time until each watch got its one
event after a transaction per 100 keys, the time to cancel them all, and the time ``close()``
takes with as many open, then the threads and tasks left. ``bench.watch_scale`` measures
watches created one after another; this script measures the batched form.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import threading
import time

import etcd3
from bench import probe
from etcd3.testing import EtcdServer

SETTLE_S = 0.5
"""Threads and tasks are counted this long after ``close()`` returns (time to exit)."""
TXN = 100
"""Keys written per transaction."""


def _keys(count: int) -> list[bytes]:
    prefix = b"/bench/many/%d/" % time.time_ns()
    return [prefix + b"%08d" % i for i in range(count)]


def _our_tasks() -> int:
    return sum(1 for t in asyncio.all_tasks() if t.get_name().startswith("etcd3-watch"))


def measure_sync(host: str, port: int, count: int) -> dict[str, float]:
    """One sync client: the figures of the module docstring."""
    with etcd3.client(host, port) as throwaway:
        throwaway.get(b"/bench/warm")
    time.sleep(SETTLE_S)
    base_threads = probe.os_threads()
    out: dict[str, float] = {}
    client = etcd3.client(host, port)
    client.get(b"/bench/warm")
    keys = _keys(count)
    got = threading.Semaphore(0)

    def deliver(item: etcd3.WatchResponse | etcd3.EtcdError) -> None:
        if isinstance(item, etcd3.WatchResponse):
            for _ in item:
                got.release()

    rss0 = probe.rss_kib()
    t0 = time.perf_counter()
    handles = client.watchers(keys, callback=deliver)
    out["create_s"] = time.perf_counter() - t0
    out["kib_per_watch"] = (probe.rss_kib() - rss0) / count
    t0 = time.perf_counter()
    for i in range(0, count, TXN):
        client.transaction([], [client.transactions.put(k, b"v") for k in keys[i : i + TXN]], [])
    for _ in range(count):
        got.acquire(timeout=60)
    out["deliver_s"] = time.perf_counter() - t0
    out["threads"] = probe.os_threads() - base_threads
    t0 = time.perf_counter()
    for handle in handles:
        handle.cancel()
    out["cancel_s"] = time.perf_counter() - t0
    client.watchers(_keys(count), callback=deliver)
    t0 = time.perf_counter()
    client.close()
    out["close_s"] = time.perf_counter() - t0
    time.sleep(SETTLE_S)
    out["threads_left"] = probe.os_threads() - base_threads
    return out


async def measure_async(host: str, port: int, count: int) -> dict[str, float]:
    """One asyncio client: the figures of the module docstring."""
    async with etcd3.async_client(host, port) as throwaway:
        await throwaway.get(b"/bench/warm")
    await asyncio.sleep(SETTLE_S)
    base_threads = probe.os_threads()
    out: dict[str, float] = {}
    client = etcd3.async_client(host, port)
    await client.get(b"/bench/warm")
    keys = _keys(count)
    seen = 0
    done = asyncio.Event()

    def deliver(item: etcd3.WatchResponse | etcd3.EtcdError) -> None:
        nonlocal seen
        if isinstance(item, etcd3.WatchResponse):
            seen += len(item)
            if seen >= count:
                done.set()

    rss0 = probe.rss_kib()
    t0 = time.perf_counter()
    handles = await client.watchers(keys, callback=deliver)
    out["create_s"] = time.perf_counter() - t0
    out["kib_per_watch"] = (probe.rss_kib() - rss0) / count
    t0 = time.perf_counter()
    puts = client.transactions.put
    for i in range(0, count, TXN):
        await client.transaction([], [puts(k, b"v") for k in keys[i : i + TXN]], [])
    await asyncio.wait_for(done.wait(), 60)
    out["deliver_s"] = time.perf_counter() - t0
    out["threads"] = probe.os_threads() - base_threads
    out["tasks"] = _our_tasks()
    t0 = time.perf_counter()
    for handle in handles:
        await handle.cancel()
    out["cancel_s"] = time.perf_counter() - t0
    await client.watchers(_keys(count), callback=deliver)
    t0 = time.perf_counter()
    await client.close()
    out["close_s"] = time.perf_counter() - t0
    await asyncio.sleep(SETTLE_S)
    out["threads_left"] = probe.os_threads() - base_threads
    out["tasks_left"] = _our_tasks()
    return out


def main(argv: list[str] | None = None) -> int:
    """Run each client kind in a child process and print one JSON line per kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", help="host:port of an etcd to use (default: start one)")
    parser.add_argument("--watches", type=int, default=10_000)
    parser.add_argument("--child", choices=("sync", "asyncio"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        host, port = args.endpoint.rsplit(":", 1)
        if args.child == "sync":
            out = measure_sync(host, int(port), args.watches)
        else:
            out = asyncio.run(measure_async(host, int(port), args.watches))
        print(json.dumps({"client": args.child, "watches": args.watches, **out}))
        return 0

    def run(endpoint: str) -> None:
        for kind in ("sync", "asyncio"):
            command = [sys.executable, "-m", "bench.watch_many", "--child", kind]
            command += ["--endpoint", endpoint, "--watches", str(args.watches)]
            subprocess.run(command, check=True)

    if args.endpoint:
        run(args.endpoint)
    else:
        with EtcdServer() as server:
            run(f"{server.host}:{server.port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
