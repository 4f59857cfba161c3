"""The predecessors' ``etcd3.watch.Watcher`` and ``Watch`` against a real etcd."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest

import etcd3
from etcd3.testing import EtcdServer
from etcd3.watch import Watch, Watcher

Item = etcd3.WatchResponse | Exception


@pytest.fixture
def client(etcd_server: EtcdServer) -> Iterator[etcd3.Etcd3Client]:
    with etcd3.client(etcd_server.host, etcd_server.port, timeout=10) as made:
        yield made


def _events(items: queue.Queue[Item], count: int) -> list[etcd3.Event]:
    events: list[etcd3.Event] = []
    while len(events) < count:
        item = items.get(timeout=10)
        assert isinstance(item, etcd3.WatchResponse), item
        events.extend(item)
    return events


def test_watcher_calls_back_until_cancelled(client: etcd3.Etcd3Client) -> None:
    watcher = Watcher(client, timeout=5)
    assert watcher.timeout == 5
    items: queue.Queue[Item] = queue.Queue()
    watch_id = watcher.add_callback("/legacy/watcher/k", items.put, prev_kv=True)
    client.put("/legacy/watcher/k", "1")
    client.put("/legacy/watcher/k", "2")
    first, second = _events(items, 2)
    assert (first.value, second.value, second.prev_value) == (b"1", b"2", b"1")

    watcher.cancel(watch_id)
    # A watch made after the put proves the put was delivered to watches that still exist.
    check: queue.Queue[Item] = queue.Queue()
    check_id = watcher.add_callback("/legacy/watcher/k", check.put)
    client.put("/legacy/watcher/k", "3")
    assert _events(check, 1)[0].value == b"3"
    assert items.empty()  # the cancelled watch called back no more
    watcher.cancel(check_id)
    watcher.cancel(watch_id)  # cancelling again, or an unknown id, does nothing
    watcher.cancel(987654)


def test_watcher_passes_range_revision_and_filters(client: etcd3.Etcd3Client) -> None:
    start = client.put("/legacy/watcher/r/a", "1").header.revision
    client.delete("/legacy/watcher/r/a")
    client.put("/legacy/watcher/r/b", "2")
    client.put("/legacy/watcher/s", "outside the range")
    watcher = Watcher(client)
    items: queue.Queue[Item] = queue.Queue()
    watch_id = watcher.add_callback(
        "/legacy/watcher/r/",
        items.put,
        range_end=etcd3.range_end_for_key("/legacy/watcher/r/"),
        start_revision=start,
        filters=["nodelete"],
    )
    try:
        events = _events(items, 2)
        assert [(type(e), e.key) for e in events] == [
            (etcd3.PutEvent, b"/legacy/watcher/r/a"),
            (etcd3.PutEvent, b"/legacy/watcher/r/b"),
        ]
    finally:
        watcher.cancel(watch_id)


def test_watcher_timeout_bounds_the_creation(client: etcd3.Etcd3Client) -> None:
    watcher = Watcher(client, timeout=0)  # a deadline that has already passed
    with pytest.raises(etcd3.ConnectionTimeoutError, match="before the watch was created"):
        watcher.add_callback("/legacy/watcher/t", lambda item: None)


def test_watch_cancels_through_its_client(client: etcd3.Etcd3Client) -> None:
    items: queue.Queue[Item] = queue.Queue()
    watch = Watch(client.add_watch_callback("/legacy/watch/k", items.put), etcd_client=client)
    client.put("/legacy/watch/k", "1")
    assert _events(items, 1)[0].value == b"1"
    watch.cancel()
    check: queue.Queue[Item] = queue.Queue()
    check_id = client.add_watch_callback("/legacy/watch/k", check.put)
    client.put("/legacy/watch/k", "2")
    assert _events(check, 1)[0].value == b"2"
    assert items.empty()
    client.cancel_watch(check_id)
