"""Fork safety: a client created before ``os.fork()`` refuses to work in the child with a typed
error naming the fix; a new client made in the child works; the parent is not disturbed.

grpc itself does not support grpc.aio in a child forked from a process that already ran
grpc.aio (its poller aborts the child): such a child uses a sync client, or the parent starts
children with ``multiprocessing``'s "spawn" or "forkserver" methods. Older grpcio is worse:
1.62, 1.66 and 1.70 crash the *parent* (SIGSEGV in grpc's fork handlers) when it forks after
using grpc.aio, and 1.62 gives a sync channel made in the child "Bad file descriptor". These
scenarios therefore run where grpc's own fork support works (1.85, our newest pin, tested).

The child reports through a pipe and leaves with ``os._exit`` (never returning into pytest).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator

import grpc
import pytest

import etcd3
from etcd3._transport._fork import guard
from etcd3.errors import ClientForkedError, ConnectionClosedError, EtcdError
from etcd3.testing import EtcdServer

_GRPC_VERSION = tuple(int(part) for part in grpc.__version__.split(".")[:2])

pytestmark = [
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="os.fork semantics are tested on Linux"
    ),
    pytest.mark.skipif(
        _GRPC_VERSION < (1, 85),
        reason="grpcio < 1.85's own fork support fails (parent SIGSEGV, child EBADF)",
    ),
]


@pytest.fixture(autouse=True)
def collected_first() -> None:
    """Free what earlier tests left for the garbage collector, before the test's own objects.

    A child's collection would otherwise free grpc objects that earlier tests made and the
    parent never collected: each test is about the objects it makes itself.
    """
    gc.collect()


def run_in_child(work: Callable[[], dict[str, object]], timeout: float = 30) -> dict[str, object]:
    """Fork, run ``work`` in the child, return what it reported (a JSON object)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the test runner
        code = 0
        try:
            os.close(read_end)
            try:
                report = work()
            except BaseException as exc:  # report anything, including assertion failures
                report = {"crash": f"{type(exc).__name__}: {exc}"}
            with os.fdopen(write_end, "w") as out:
                json.dump(report, out)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            pytest.fail("the child process hung")
        time.sleep(0.02)
    with os.fdopen(read_end) as inp:
        text = inp.read()
    assert os.waitstatus_to_exitcode(status) == 0, text
    result: dict[str, object] = json.loads(text)
    assert "crash" not in result, result["crash"]
    return result


def test_a_sync_client_from_the_parent_raises_in_the_child(etcd_server: EtcdServer) -> None:
    with etcd3.client(etcd_server.host, etcd_server.port, timeout=5) as client:
        client.put(b"/fork/parent", b"p")

        def child() -> dict[str, object]:
            report: dict[str, object] = {}
            try:
                client.get(b"/fork/parent")
            except ClientForkedError as exc:
                report["error"] = str(exc)
                report["is_closed_error"] = isinstance(exc, ConnectionClosedError)
                report["is_etcd_error"] = isinstance(exc, EtcdError)
            client.close()  # allowed, and leaves the parent's channels alone
            with etcd3.client(etcd_server.host, etcd_server.port, timeout=5) as fresh:
                fresh.put(b"/fork/child", b"c")
                report["fresh_read"] = fresh.get(b"/fork/parent")[0] == b"p"
            return report

        report = run_in_child(child)
        assert report["is_etcd_error"] is True
        assert report["is_closed_error"] is True
        assert "create a new client in the child" in str(report["error"])
        assert report["fresh_read"] is True
        # The parent's client is untouched and sees the child's write.
        assert client.get(b"/fork/child")[0] == b"c"


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The parent's event loop, run from plain code: the child forks outside any coroutine."""
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


def open_async_client(
    loop: asyncio.AbstractEventLoop, server: EtcdServer, key: bytes
) -> etcd3.AsyncEtcd3Client:
    """An asyncio client of the parent's, left open, that wrote ``key`` = ``p``."""

    async def use() -> etcd3.AsyncEtcd3Client:
        client = etcd3.async_client(server.host, server.port, timeout=5)
        await client.put(key, b"p")
        return client

    return loop.run_until_complete(use())


def test_an_async_client_from_the_parent_raises_in_the_child(
    etcd_server: EtcdServer, loop: asyncio.AbstractEventLoop
) -> None:
    client = open_async_client(loop, etcd_server, b"/fork/aparent")

    def child() -> dict[str, object]:
        async def use() -> dict[str, object]:
            report: dict[str, object] = {}
            try:
                await client.get(b"/fork/aparent")
            except ClientForkedError as exc:
                report["error"] = str(exc)
            await client.close()
            return report

        report = asyncio.run(use())
        # grpc.aio cannot start again in this child (see the module docstring): sync can.
        with etcd3.client(etcd_server.host, etcd_server.port, timeout=5) as fresh:
            report["fresh_read"] = fresh.get(b"/fork/aparent")[0] == b"p"
        return report

    report = run_in_child(child)
    assert "create a new client in the child" in str(report["error"])
    assert report["fresh_read"] is True
    assert loop.run_until_complete(client.get(b"/fork/aparent"))[0] == b"p"
    loop.run_until_complete(client.close())


def test_a_client_made_after_the_fork_is_unaffected(etcd_server: EtcdServer) -> None:
    def child() -> dict[str, object]:
        with etcd3.client(etcd_server.host, etcd_server.port, timeout=5) as fresh:
            fresh.put(b"/fork/only-child", b"1")
            return {"value": fresh.get(b"/fork/only-child")[0] == b"1"}

    assert run_in_child(child) == {"value": True}


@pytest.mark.usefixtures("no_gc")
def test_a_child_forked_after_an_async_client_closed_can_free_it(
    etcd_server: EtcdServer,
) -> None:
    # Freeing a grpc.aio channel in a child would wait forever for grpc.aio's poller thread,
    # which the child does not have: closing must free the channels in the parent.
    async def use_and_close() -> None:
        async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=5) as client:
            # Streams still open at close: a watch and a lease's keep-alive.
            events = await client.watcher(b"/fork/closed")
            lease = await client.lease(10)
            await lease.refresh()
            await client.put(b"/fork/closed", b"q", lease=lease)
            async for event in events:
                assert event.value == b"q"
                break

    asyncio.run(use_and_close())

    def child() -> dict[str, object]:
        gc.collect()  # frees what the parent left as garbage, its closed client included
        with etcd3.client(etcd_server.host, etcd_server.port, timeout=5) as fresh:
            fresh.put(b"/fork/after-gc", b"1")
            return {"value": fresh.get(b"/fork/after-gc")[0] == b"1"}

    assert run_in_child(child) == {"value": True}


class Guarded:
    """A guarded object: records whether the collector was on when it was told of the fork."""

    def __init__(self) -> None:
        self.told_with_collector_on: bool | None = None

    def forked_away(self) -> None:
        self.told_with_collector_on = gc.isenabled()


@pytest.mark.parametrize("collecting", [True, False])
def test_the_collector_is_off_while_guarded_objects_are_told(collecting: bool) -> None:
    # Otherwise a client that was garbage at the fork could be freed in the child, its
    # parent's channels with it, before its pool keeps them.
    obj = Guarded()
    guard(obj)
    was_on = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:

        def child() -> dict[str, object]:
            return {"told_with_on": obj.told_with_collector_on, "on": gc.isenabled()}

        assert run_in_child(child) == {"told_with_on": False, "on": collecting}
        assert gc.isenabled() is collecting  # the parent's collector is as it was
        assert obj.told_with_collector_on is None  # and its objects are told nothing
    finally:
        (gc.enable if was_on else gc.disable)()
