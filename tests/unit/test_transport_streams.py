"""Stream bookkeeping without a server: the stream registry, the sync request queue."""

from __future__ import annotations

import gc
import weakref

from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
from etcd3._transport._errors import CallErrors
from etcd3._transport._metadata import CallMetadata
from etcd3._transport._stream_registry import StreamRegistry
from etcd3._transport._streams import _RequestQueue
from etcd3.errors import (
    ConnectionClosedError,
    ConnectionFailedError,
    EtcdError,
    InvalidAuthTokenError,
    NoLeaderError,
    RevisionCompactedError,
)
from etcd3.rpc.methods import LEASE_LEASE_KEEP_ALIVE, WATCH_WATCH


class Endpoints:
    """The pool's part the registry uses: records the endpoints marked failed."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.unusable = False

    def mark_failed(self, target: str, now: float, error: EtcdError) -> None:
        self.failed.append(target)

    def closed_error(
        self, method: MethodInfo[Message, Message] | None = None, *, in_flight: bool = False
    ) -> ConnectionClosedError:
        return ConnectionClosedError()

    def loop_at(self, target: str | None) -> object:
        return None


class Stream:
    """A started stream as the registry sees it."""

    def __init__(self, endpoint: str, method: MethodInfo[Message, Message] = WATCH_WATCH) -> None:
        self._endpoint = endpoint
        self._method = method
        self.ended: list[EtcdError] = []
        self.aborted = False

    @property
    def endpoint(self) -> str | None:
        return self._endpoint

    @property
    def method(self) -> MethodInfo[Message, Message]:
        return self._method

    def end_for_failover(self, error: EtcdError) -> None:
        self.ended.append(error)

    def abort(self) -> None:
        self.aborted = True


def registry() -> tuple[StreamRegistry, Endpoints, CallMetadata]:
    endpoints = Endpoints()
    metadata = CallMetadata(None, require_leader=False)
    errors = CallErrors(endpoints, tls=False, secure_without_client_cert=False)
    return StreamRegistry(endpoints, metadata, errors), endpoints, metadata


def test_a_connection_failure_quarantines_the_endpoint_and_ends_its_streams() -> None:
    streams, endpoints, _ = registry()
    failing, neighbour, elsewhere = (
        Stream("a:1"),
        Stream("a:1", LEASE_LEASE_KEEP_ALIVE),
        Stream("b:1"),
    )
    for stream in (failing, neighbour, elsewhere):
        streams.started(stream)
    error = ConnectionFailedError("Socket closed")
    assert streams.failed(failing, error) is error
    assert endpoints.failed == ["a:1"]
    assert [type(e) for e in neighbour.ended] == [ConnectionFailedError]
    assert "a:1" in str(neighbour.ended[0])
    assert neighbour.ended[0].method == LEASE_LEASE_KEEP_ALIVE.path
    assert elsewhere.ended == []


def test_a_stream_failure_is_learned_from_once() -> None:
    streams, endpoints, _ = registry()
    stream = Stream("a:1")
    streams.started(stream)
    streams.failed(stream, NoLeaderError())  # seen by a read
    streams.failed(stream, NoLeaderError())  # and by the final status
    assert endpoints.failed == ["a:1"]


def test_a_refused_token_is_marked_stale_not_the_endpoint() -> None:
    streams, endpoints, metadata = registry()
    stream = Stream("a:1")
    streams.started(stream)
    streams.failed(stream, InvalidAuthTokenError())
    assert metadata.stale
    assert endpoints.failed == []


def test_an_error_of_the_request_teaches_nothing() -> None:
    streams, endpoints, metadata = registry()
    stream = Stream("a:1")
    streams.started(stream)
    streams.failed(stream, RevisionCompactedError())
    assert endpoints.failed == []
    assert not metadata.stale


def test_nothing_is_learned_once_closed() -> None:
    streams, endpoints, _ = registry()
    stream = Stream("a:1")
    streams.started(stream)
    endpoints.unusable = True
    streams.failed(stream, ConnectionFailedError())
    streams.stalled(stream)
    assert endpoints.failed == []


def test_a_stalled_stream_fails_its_endpoint() -> None:
    streams, endpoints, _ = registry()
    stalled, other = Stream("a:1"), Stream("a:1")
    streams.started(stalled)
    streams.started(other)
    streams.stalled(object())  # not one of ours: ignored
    streams.stalled(Stream("a:1"))  # not started through this registry: ignored
    assert endpoints.failed == []
    streams.stalled(stalled)
    assert endpoints.failed == ["a:1"]
    assert len(stalled.ended) == len(other.ended) == 1
    streams.failed(stalled, ConnectionFailedError())  # its reader's error: already learned
    assert endpoints.failed == ["a:1"]


def test_live_streams_are_held_weakly() -> None:
    streams, _, _ = registry()
    kept = Stream("a:1")
    streams.started(kept)
    streams.started(Stream("b:1"))  # dropped at once
    assert streams.live() == [kept]


def test_a_forked_child_keeps_the_parents_streams() -> None:
    streams, _, _ = registry()
    stream = Stream("a:1")
    streams.started(stream)
    streams.forked_away()
    held = weakref.ref(stream)
    del stream, streams
    gc.collect()
    assert held() is not None  # its grpc call is the parent's: never freed in the child


def test_request_queue_yields_until_closed_and_stays_exhausted() -> None:
    q: _RequestQueue[int] = _RequestQueue()
    q.put(1)
    q.put(2)
    q.close()
    q.put(3)  # after close: never yielded
    assert list(q) == [1, 2]
    assert list(q) == []
