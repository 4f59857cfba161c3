"""Sync callback watches run on the client's worker threads: whatever a callback raises is
logged there, and the watch and the worker go on."""

from __future__ import annotations

import logging
import threading
import time

import pytest

import etcd3
from etcd3._events import WatchResponse
from etcd3.errors import EtcdError


def _workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "etcd3-watch-worker"}


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit])
def test_a_callback_that_raises_an_interrupt_or_exit_is_logged_and_its_watch_goes_on(
    client: etcd3.Etcd3Client,
    prefix: bytes,
    caplog: pytest.LogCaptureFixture,
    error: type[BaseException],
) -> None:
    seen: list[bytes] = []
    key = prefix + b"k"

    def callback(item: WatchResponse | EtcdError) -> None:
        assert isinstance(item, WatchResponse), item
        seen.extend(event.value for event in item)
        if len(seen) < 3:
            raise error("raised by the callback")

    def wait_for(count: int) -> None:
        until = time.monotonic() + 10
        while len(seen) < count:
            assert time.monotonic() < until, f"{count} values not delivered: {seen}"
            time.sleep(0.01)

    watch_id = client.add_watch_callback(key, callback)
    with caplog.at_level(logging.ERROR, logger="etcd3.watch"):
        client.put(key, b"1")
        wait_for(1)
        workers = _workers()
        assert workers
        client.put(key, b"2")
        wait_for(2)
        client.put(key, b"3")
        wait_for(3)
    assert seen == [b"1", b"2", b"3"]
    failures = [r for r in caplog.records if r.name == "etcd3.watch"]
    assert len(failures) == 2, caplog.text
    for record in failures:
        assert record.exc_info is not None
        assert record.exc_info[0] is error
        assert "raised; ignored" in record.getMessage()
    assert workers <= _workers()  # no worker ended
    client.cancel_watch(watch_id)
