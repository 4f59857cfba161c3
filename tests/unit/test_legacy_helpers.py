"""The predecessors' helpers that the core API lacks, sans-IO: what each one does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from etcd3 import DeleteEvent, PutEvent, WatchResponse
from etcd3.client import EtcdTokenCallCredentials
from etcd3.events import new_event
from etcd3.request_factory import (
    build_alarm_request,
    build_create_watch_request,
    build_delete_request,
    build_get_range_request,
    build_put_request,
    build_tx_request,
)
from etcd3.rpc import etcdserverpb, mvccpb
from etcd3.rpc.etcdserverpb import (
    AlarmAction,
    AlarmRequest,
    AlarmType,
    CompareResult,
    DeleteRangeRequest,
    FilterType,
    PutRequest,
    RangeRequest,
    ResponseHeader,
    SortOrder,
    SortTarget,
    TxnRequest,
    WatchCreateRequest,
    WatchRequest,
)
from etcd3.rpc.txn import compare_value, op_put, op_range
from etcd3.testing import make_pki
from etcd3.transactions import Get, Put, Value
from etcd3.utils import (
    get_secure_creds,
    increment_last_byte,
    lease_to_id,
    response_to_event_iterator,
)
from etcd3.watch import Watch


@dataclass(frozen=True)
class FakeLease:
    id: int


KV = mvccpb.KeyValue(key=b"k", value=b"v", create_revision=3, mod_revision=5, version=2, lease=7)
PREV = mvccpb.KeyValue(key=b"k", value=b"old", create_revision=3, mod_revision=4, version=1)


# --- etcd3.utils ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [(b"a", b"b"), ("ab", b"ac"), (b"a\x00", b"a\x01"), (b"\xfe", b"\xff"), (b"/x/", b"/x0")],
)
def test_increment_last_byte(given: str | bytes, expected: bytes) -> None:
    assert increment_last_byte(given) == expected


def test_increment_last_byte_refuses_what_has_no_next_byte() -> None:
    with pytest.raises(ValueError, match="0xFF"):
        increment_last_byte(b"a\xff")
    with pytest.raises(ValueError, match="empty"):
        increment_last_byte(b"")
    with pytest.raises(TypeError, match="byte_string"):
        increment_last_byte(1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lease", "expected"),
    [(None, 0), (0, 0), (5, 5), ("7", 7), (FakeLease(9), 9), (2**63 - 1, 2**63 - 1)],
)
def test_lease_to_id(lease: int | str | FakeLease | None, expected: int) -> None:
    assert lease_to_id(lease) == expected


def test_lease_to_id_refuses_what_is_no_lease() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        lease_to_id("seven")
    with pytest.raises(ValueError, match="lease id"):
        lease_to_id(-1)
    with pytest.raises(TypeError, match="lease"):
        lease_to_id(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lease"):
        lease_to_id(object())  # type: ignore[arg-type]


def _raw_response(*events: mvccpb.Event) -> etcdserverpb.WatchResponse:
    return etcdserverpb.WatchResponse(header=ResponseHeader(revision=9), events=events)


def test_response_to_event_iterator_flattens_lazily() -> None:
    put = mvccpb.Event(type=mvccpb.EventType.PUT, kv=KV)
    delete = mvccpb.Event(type=mvccpb.EventType.DELETE, kv=mvccpb.KeyValue(key=b"j"))
    pulled: list[int] = []

    def responses() -> Iterator[WatchResponse]:
        for number, raw in enumerate(
            [_raw_response(put, delete), _raw_response(), _raw_response(put)]
        ):
            pulled.append(number)
            yield WatchResponse(raw)

    events = response_to_event_iterator(responses())
    assert pulled == []  # nothing read before the first event is asked for
    first = next(events)
    assert isinstance(first, PutEvent)
    assert (first.key, first.value, first.header.revision) == (b"k", b"v", 9)
    assert pulled == [0]
    rest = list(events)
    assert [type(e) for e in rest] == [DeleteEvent, PutEvent]
    assert rest[0].key == b"j"
    assert pulled == [0, 1, 2]


def test_response_to_event_iterator_takes_raw_responses() -> None:
    put = mvccpb.Event(type=mvccpb.EventType.PUT, kv=KV)
    assert list(response_to_event_iterator([_raw_response(put, put)])) == [put, put]


def test_get_secure_creds(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    assert isinstance(get_secure_creds(str(pki.ca)), grpc.ChannelCredentials)
    mtls = get_secure_creds(pki.ca, cert_key=pki.client_key, cert_cert=pki.client_cert)
    assert isinstance(mtls, grpc.ChannelCredentials)
    with pytest.raises(ValueError, match="cert_key and cert_cert"):
        get_secure_creds(pki.ca, cert_key=pki.client_key)
    with pytest.raises(ValueError, match="cannot read ca_cert"):
        get_secure_creds(tmp_path / "missing.pem")


# --- etcd3.events ----------------------------------------------------------------------------


def test_new_event_picks_the_view_of_the_type() -> None:
    put = new_event(mvccpb.Event(type=mvccpb.EventType.PUT, kv=KV, prev_kv=PREV))
    assert isinstance(put, PutEvent)
    assert (put.key, put.value, put.create_revision, put.mod_revision) == (b"k", b"v", 3, 5)
    assert (put.version, put.lease, put.prev_value, put.prev_mod_revision) == (2, 7, b"old", 4)
    assert put.header == ResponseHeader()  # a raw event carries no response header
    delete = new_event(mvccpb.Event(type=mvccpb.EventType.DELETE, kv=mvccpb.KeyValue(key=b"k")))
    assert isinstance(delete, DeleteEvent)
    assert (delete.key, delete.value) == (b"k", b"")


def test_new_event_refuses_an_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown watch event type"):
        new_event(mvccpb.Event(type=7, kv=KV))  # type: ignore[arg-type]


# --- etcd3.client.EtcdTokenCallCredentials -------------------------------------------------


def test_token_call_credentials_send_the_token() -> None:
    plugin = EtcdTokenCallCredentials("tok-123")
    calls: list[tuple[object, object]] = []

    def callback(metadata: object, error: object) -> None:
        calls.append((metadata, error))

    plugin(None, callback)  # type: ignore[arg-type]  # grpc's context is not read
    assert calls == [((("token", "tok-123"),), None)]
    assert isinstance(plugin, grpc.AuthMetadataPlugin)
    assert isinstance(grpc.metadata_call_credentials(plugin), grpc.CallCredentials)


# --- etcd3.request_factory -----------------------------------------------------------------


def test_build_get_range_request() -> None:
    assert build_get_range_request("k") == RangeRequest(key=b"k")
    request = build_get_range_request(b"a", "z", "desc", "mod", True, True, 10, 7)
    assert request == RangeRequest(
        key=b"a",
        range_end=b"z",
        sort_order=SortOrder.DESCEND,
        sort_target=SortTarget.MOD,
        serializable=True,
        keys_only=True,
        limit=10,
        revision=7,
    )
    # <= 0 means "no limit" and "the latest revision", as the server reads them.
    assert build_get_range_request(b"a", limit=-1, revision=-3) == RangeRequest(key=b"a")
    assert build_get_range_request(b"a", sort_order="ascend").sort_order == SortOrder.ASCEND
    with pytest.raises(ValueError, match="sort_order"):
        build_get_range_request(b"a", sort_order="up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sort_target"):
        build_get_range_request(b"a", sort_target="size")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        build_get_range_request(b"")


def test_build_put_and_delete_requests() -> None:
    assert build_put_request("k", "v") == PutRequest(key=b"k", value=b"v")
    assert build_put_request(b"k", b"v", FakeLease(3), True) == PutRequest(
        key=b"k", value=b"v", lease=3, prev_kv=True
    )
    assert build_put_request(b"k", b"v", 4).lease == 4
    assert build_delete_request("a") == DeleteRangeRequest(key=b"a")
    assert build_delete_request(b"a", b"b", True) == DeleteRangeRequest(
        key=b"a", range_end=b"b", prev_kv=True
    )
    with pytest.raises(TypeError, match="value"):
        build_put_request(b"k", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        build_delete_request(b"")


@pytest.mark.parametrize(
    ("name", "alarm"),
    [("none", AlarmType.NONE), ("no space", AlarmType.NOSPACE), ("corrupt", AlarmType.CORRUPT)],
)
def test_build_alarm_request(name: str, alarm: AlarmType) -> None:
    request = build_alarm_request(AlarmAction.ACTIVATE, 42, name)  # type: ignore[arg-type]
    assert request == AlarmRequest(action=AlarmAction.ACTIVATE, memberID=42, alarm=alarm)


def test_build_alarm_request_errors() -> None:
    assert build_alarm_request(AlarmAction.GET, 0, "none").memberID == 0  # 0: every member
    with pytest.raises(ValueError, match="alarm_type"):
        build_alarm_request(AlarmAction.GET, 0, "full")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="member_id"):
        build_alarm_request(AlarmAction.GET, -1, "none")
    with pytest.raises(ValueError, match="AlarmAction"):
        build_alarm_request(9, 0, "none")  # type: ignore[arg-type]


def test_build_tx_request() -> None:
    request = build_tx_request([Value("k") == "v"], [Put("k", "w")], [Get("k")])
    assert request == TxnRequest(
        compare=[compare_value(b"k", CompareResult.EQUAL, b"v")],
        success=[op_put(key=b"k", value=b"w")],
        failure=[op_range(key=b"k")],
    )
    assert build_tx_request([], None, None) == TxnRequest()


def test_build_create_watch_request() -> None:
    assert build_create_watch_request("k") == WatchRequest(
        create_request=WatchCreateRequest(key=b"k")
    )
    request = build_create_watch_request(
        b"a", "z", start_revision=5, progress_notify=True, filters=["noput"], prev_kv=True
    )
    assert request == WatchRequest(
        create_request=WatchCreateRequest(
            key=b"a",
            range_end=b"z",
            start_revision=5,
            progress_notify=True,
            filters=[FilterType.NOPUT],
            prev_kv=True,
        )
    )
    assert build_create_watch_request(
        b"a", filters=[FilterType.NODELETE]
    ).create_request.filters == [FilterType.NODELETE]
    with pytest.raises(ValueError, match="watch filter"):
        build_create_watch_request(b"a", filters=["nothing"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="start_revision"):
        build_create_watch_request(b"a", start_revision=0)


# --- etcd3.watch.Watch ---------------------------------------------------------------------


def test_watch_holds_its_id_and_iterator() -> None:
    events = iter([new_event(mvccpb.Event(type=mvccpb.EventType.PUT, kv=KV))])
    watch = Watch(3, events)
    assert (watch.watch_id, watch.iterator, watch.etcd_client) == (3, events, None)
    with pytest.raises(ValueError, match="no etcd_client"):
        watch.cancel()
