"""The sync client runs application callbacks (watch callbacks, a lease's ``on_lost``) on its
worker threads: whatever a callback raises there, ``KeyboardInterrupt`` and ``SystemExit``
included, is logged, and the watch, the keep-alive and the worker go on."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest

import etcd3
from etcd3._events import WatchResponse
from etcd3.errors import EtcdError, LeaseLostError
from etcd3.testing import EtcdFactory

INTERRUPTS = [KeyboardInterrupt, SystemExit]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    until = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < until, f"not in time: {what}"
        time.sleep(0.01)


def failures(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and "raised; ignored" in r.getMessage()]


def assert_raised(records: list[logging.LogRecord], error: type[BaseException]) -> None:
    for record in records:
        assert record.exc_info is not None
        assert record.exc_info[0] is error


@pytest.mark.parametrize("error", INTERRUPTS)
def test_a_watch_callback_that_raises_an_interrupt_or_exit_is_logged_and_its_watch_goes_on(
    client: etcd3.Etcd3Client,
    prefix: bytes,
    caplog: pytest.LogCaptureFixture,
    error: type[BaseException],
) -> None:
    seen: list[bytes] = []
    workers: set[threading.Thread] = set()
    key = prefix + b"k"

    def callback(item: WatchResponse | EtcdError) -> None:
        assert isinstance(item, WatchResponse), item
        workers.add(threading.current_thread())
        seen.extend(event.value for event in item)
        if len(seen) < 3:
            raise error("raised by the callback")

    watch_id = client.add_watch_callback(key, callback)
    with caplog.at_level(logging.ERROR, logger="etcd3.watch"):
        client.put(key, b"1")
        wait_until(lambda: len(seen) == 1, "the first value delivered")
        client.put(key, b"2")
        wait_until(lambda: len(seen) == 2, "the second value delivered")
        client.put(key, b"3")
        wait_until(lambda: len(seen) == 3, "the third value delivered")
    assert seen == [b"1", b"2", b"3"]
    logged = failures(caplog, "etcd3.watch")
    assert len(logged) == 2, caplog.text
    assert_raised(logged, error)
    assert all(worker.is_alive() for worker in workers)  # no worker ended
    client.cancel_watch(watch_id)


def test_an_on_lost_callback_that_raises_an_interrupt_or_exit_is_logged_and_keep_alive_goes_on(
    etcd_factory: EtcdFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = etcd_factory()
    told: list[int] = []

    def on_lost(lost: LeaseLostError) -> None:
        told.append(lost.lease_id)
        raise INTERRUPTS[len(told) - 1]("raised by on_lost")  # one of each

    with (
        etcd3.client(server.host, server.port, timeout=5) as client,
        caplog.at_level(logging.ERROR, logger="etcd3.lease"),
    ):
        # Lost to a revocation: the keep-alive stream's reader reports it.
        revoked = client.lease(3, keep_alive=True, on_lost=on_lost)
        client.revoke_lease(revoked.id)
        wait_until(lambda: told == [revoked.id], "on_lost called after the revocation")
        # Lost to a TTL without renewal (the member paused): the keep-alive's sender does.
        expired = client.lease(2, keep_alive=True, on_lost=on_lost)
        server.pause()
        try:
            wait_until(lambda: expired.id in told, "on_lost called after the TTL", 8.0)
        finally:
            server.resume()
        # The keep-alive still works: a lease of 2 s outlives two of its TTLs.
        kept = client.lease(2, keep_alive=True)
        time.sleep(4.5)
        assert not kept.lost
        assert client.get_lease_info(kept.id).TTL > 0
        wait_until(lambda: len(failures(caplog, "etcd3.lease")) == 2, "both logged")
    assert told == [revoked.id, expired.id]
    logged = failures(caplog, "etcd3.lease")
    for record, error in zip(logged, INTERRUPTS, strict=True):
        assert_raised([record], error)
