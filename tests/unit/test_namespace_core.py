"""The namespace rewrite rules (sans-IO): prefixing, stripping and clamping, per RPC."""

from __future__ import annotations

import pytest

from etcd3._namespace_core import REWRITES, Namespace
from etcd3.rpc import methods
from etcd3.rpc.etcdserverpb import (
    Compare,
    DeleteRangeRequest,
    DeleteRangeResponse,
    LeaseGrantRequest,
    LeaseGrantResponse,
    LeaseTimeToLiveRequest,
    LeaseTimeToLiveResponse,
    PutRequest,
    PutResponse,
    RangeRequest,
    RangeResponse,
    RequestOp,
    ResponseOp,
    TxnRequest,
    TxnResponse,
    WatchCancelRequest,
    WatchCreateRequest,
    WatchRequest,
    WatchResponse,
)
from etcd3.rpc.mvccpb import Event, EventType, KeyValue
from etcd3.rpc.v3electionpb import (
    CampaignRequest,
    CampaignResponse,
    LeaderKey,
    LeaderRequest,
    LeaderResponse,
    ProclaimRequest,
    ResignRequest,
)
from etcd3.rpc.v3lockpb import LockRequest, LockResponse, UnlockRequest, UnlockResponse

NS = Namespace(b"app/")


@pytest.mark.parametrize(
    ("key", "range_end", "expected"),
    [
        (b"k", b"", (b"app/k", b"")),  # one key
        (b"a", b"c", (b"app/a", b"app/c")),  # a range
        (b"k", b"\0", (b"app/k", b"app0")),  # from a key to the end: the namespace's end
        (b"", b"\0", (b"app/", b"app0")),  # the whole keyspace: the whole namespace
        # The friendly API's whole keyspace: every key inside, not the bare prefix b"app/".
        (b"\0", b"\0", (b"app/\0", b"app0")),
        (b"", b"m", (b"app/", b"app/m")),
        (b"a\xff", b"b", (b"app/a\xff", b"app/b")),
    ],
)
def test_interval(key: bytes, range_end: bytes, expected: tuple[bytes, bytes]) -> None:
    assert NS.interval(key, range_end) == expected


@pytest.mark.parametrize(
    ("prefix", "end"),
    [(b"a", b"b"), (b"a\xff", b"b"), (b"a\xff\xff", b"b"), (b"\xff", b"\0"), (b"\xff\xff", b"\0")],
)
def test_namespace_end_skips_trailing_0xff(prefix: bytes, end: bytes) -> None:
    ns = Namespace(prefix)
    assert ns.end == end
    assert ns.interval(b"", b"\0") == (prefix, end)


def test_key_strip_nested_and_empty_prefix() -> None:
    assert NS.key(b"k") == b"app/k"
    assert NS.strip(b"app/k") == b"k"
    nested = NS.nested(b"sub/")
    assert (nested.prefix, nested.end) == (b"app/sub/", b"app/sub0")
    assert repr(nested) == "Namespace(b'app/sub/')"
    with pytest.raises(ValueError, match=r"^a namespace prefix must not be empty$"):
        Namespace(b"")


def test_requests_are_copied_not_changed() -> None:
    request = RangeRequest(key=b"a", range_end=b"\0", limit=3)
    rewritten = NS.request(methods.KV_RANGE, request)
    assert (rewritten.key, rewritten.range_end, rewritten.limit) == (b"app/a", b"app0", 3)
    assert (request.key, request.range_end) == (b"a", b"\0")


def test_methods_without_keys_pass_through_untouched() -> None:
    request = LeaseGrantRequest(TTL=5)
    assert NS.request(methods.LEASE_LEASE_GRANT, request) is request
    assert methods.LEASE_LEASE_GRANT.path not in REWRITES
    assert methods.KV_COMPACT.path not in REWRITES
    assert methods.MAINTENANCE_STATUS.path not in REWRITES
    assert methods.LEASE_LEASE_KEEP_ALIVE.path not in REWRITES


def test_responses_without_keys_pass_through_untouched() -> None:
    # No rule at all (lease grant), and a rule for the request only (unlock).
    granted = LeaseGrantResponse(ID=7, TTL=5)
    assert NS.response(methods.LEASE_LEASE_GRANT, granted) is granted
    assert granted == LeaseGrantResponse(ID=7, TTL=5)
    unlocked = UnlockResponse()
    assert NS.response(methods.LOCK_UNLOCK, unlocked) is unlocked
    assert NS.request(methods.LEASE_LEASE_TIME_TO_LIVE, LeaseTimeToLiveRequest(ID=7)).ID == 7


def test_empty_key_without_range_is_left_for_etcd_to_refuse() -> None:
    assert NS.request(methods.KV_RANGE, RangeRequest()).key == b""
    assert NS.request(methods.KV_PUT, PutRequest(value=b"v")).key == b""
    assert NS.request(methods.KV_DELETE_RANGE, DeleteRangeRequest()).key == b""


def test_put_and_delete_requests() -> None:
    put = NS.request(methods.KV_PUT, PutRequest(key=b"k", value=b"v", lease=7))
    assert (put.key, put.value, put.lease) == (b"app/k", b"v", 7)
    delete = NS.request(methods.KV_DELETE_RANGE, DeleteRangeRequest(key=b"", range_end=b"\0"))
    assert (delete.key, delete.range_end) == (b"app/", b"app0")


def test_txn_request_compares_and_every_op_kind_nested() -> None:
    inner = TxnRequest(
        compare=[Compare(key=b"n", value=b"1")],
        success=[RequestOp(request_put=PutRequest(key=b"deep"))],
    )
    request = TxnRequest(
        compare=[Compare(key=b"c", range_end=b"\0", version=1)],
        success=[
            RequestOp(request_range=RangeRequest(key=b"r", range_end=b"s")),
            RequestOp(request_put=PutRequest(key=b"p")),
            RequestOp(request_txn=inner),
        ],
        failure=[RequestOp(request_delete_range=DeleteRangeRequest(key=b"d"))],
    )
    out = NS.request(methods.KV_TXN, request)
    assert [(c.key, c.range_end, c.version) for c in out.compare] == [(b"app/c", b"app0", 1)]
    assert (out.success[0].request_range.key, out.success[0].request_range.range_end) == (
        b"app/r",
        b"app/s",
    )
    assert out.success[1].request_put.key == b"app/p"
    nested = out.success[2].request_txn
    assert nested.compare[0].key == b"app/n"
    assert nested.success[0].request_put.key == b"app/deep"
    assert out.failure[0].request_delete_range.key == b"app/d"
    assert request.success[2].request_txn.compare[0].key == b"n"  # the original is unchanged


def test_watch_requests() -> None:
    create = WatchRequest(create_request=WatchCreateRequest(key=b"", range_end=b"\0", prev_kv=True))
    out = NS.request(methods.WATCH_WATCH, create)
    assert (out.create_request.key, out.create_request.range_end) == (b"app/", b"app0")
    assert out.create_request.prev_kv
    cancel = WatchRequest(cancel_request=WatchCancelRequest(watch_id=3))
    out = NS.request(methods.WATCH_WATCH, cancel)
    assert out.WhichOneof("request_union") == "cancel_request"
    assert out.cancel_request.watch_id == 3


def test_lock_and_election_requests() -> None:
    assert NS.request(methods.LOCK_LOCK, LockRequest(name=b"L", lease=1)).name == b"app/L"
    assert NS.request(methods.LOCK_UNLOCK, UnlockRequest(key=b"L/1")).key == b"app/L/1"
    assert NS.request(methods.ELECTION_CAMPAIGN, CampaignRequest(name=b"E")).name == b"app/E"
    assert NS.request(methods.ELECTION_LEADER, LeaderRequest(name=b"E")).name == b"app/E"
    assert NS.request(methods.ELECTION_OBSERVE, LeaderRequest(name=b"E")).name == b"app/E"
    leader = LeaderKey(name=b"E", key=b"E/1", rev=4, lease=1)
    for method, request in (
        (methods.ELECTION_PROCLAIM, ProclaimRequest(leader=leader, value=b"v")),
        (methods.ELECTION_RESIGN, ResignRequest(leader=leader)),
    ):
        out = NS.request(method, request)
        assert (out.leader.name, out.leader.key, out.leader.rev) == (b"app/E", b"app/E/1", 4)


def _kv(key: bytes) -> KeyValue:
    return KeyValue(key=key, value=b"v", mod_revision=2)


def test_kv_responses_are_stripped_in_place() -> None:
    rng = RangeResponse(kvs=[_kv(b"app/a"), _kv(b"app/b")], count=2)
    assert NS.response(methods.KV_RANGE, rng) is rng
    assert [kv.key for kv in rng.kvs] == [b"a", b"b"]

    put = NS.response(methods.KV_PUT, PutResponse(prev_kv=_kv(b"app/k")))
    assert put.prev_kv.key == b"k"
    bare = NS.response(methods.KV_PUT, PutResponse())
    assert not bare.HasField("prev_kv")

    delete = NS.response(methods.KV_DELETE_RANGE, DeleteRangeResponse(prev_kvs=[_kv(b"app/d")]))
    assert [kv.key for kv in delete.prev_kvs] == [b"d"]


def test_txn_response_every_kind_nested() -> None:
    response = TxnResponse(
        responses=[
            ResponseOp(response_range=RangeResponse(kvs=[_kv(b"app/r")])),
            ResponseOp(response_put=PutResponse(prev_kv=_kv(b"app/p"))),
            ResponseOp(response_delete_range=DeleteRangeResponse(prev_kvs=[_kv(b"app/d")])),
            ResponseOp(
                response_txn=TxnResponse(
                    responses=[ResponseOp(response_range=RangeResponse(kvs=[_kv(b"app/n")]))]
                )
            ),
        ]
    )
    out = NS.response(methods.KV_TXN, response)
    assert out.responses[0].response_range.kvs[0].key == b"r"
    assert out.responses[1].response_put.prev_kv.key == b"p"
    assert out.responses[2].response_delete_range.prev_kvs[0].key == b"d"
    assert out.responses[3].response_txn.responses[0].response_range.kvs[0].key == b"n"


def test_watch_response_events_and_prev_kv() -> None:
    response = WatchResponse(
        watch_id=1,
        events=[
            Event(type=EventType.PUT, kv=_kv(b"app/a")),
            Event(type=EventType.DELETE, kv=_kv(b"app/b"), prev_kv=_kv(b"app/b")),
        ],
    )
    out = NS.response(methods.WATCH_WATCH, response)
    assert [(e.kv.key, e.prev_kv.key) for e in out.events] == [(b"a", b""), (b"b", b"b")]
    assert not out.events[0].HasField("prev_kv")


def test_lease_time_to_live_keeps_only_keys_inside() -> None:
    response = LeaseTimeToLiveResponse(ID=1, TTL=5, keys=[b"app/a", b"other/b", b"app/c", b"ap"])
    out = NS.response(methods.LEASE_LEASE_TIME_TO_LIVE, response)
    assert list(out.keys) == [b"a", b"c"]
    assert (out.ID, out.TTL) == (1, 5)


def test_lock_and_election_responses() -> None:
    assert NS.response(methods.LOCK_LOCK, LockResponse(key=b"app/L/1")).key == b"L/1"
    campaign = CampaignResponse(leader=LeaderKey(name=b"app/E", key=b"app/E/1", rev=3))
    out = NS.response(methods.ELECTION_CAMPAIGN, campaign)
    assert (out.leader.name, out.leader.key, out.leader.rev) == (b"E", b"E/1", 3)
    leader = NS.response(methods.ELECTION_LEADER, LeaderResponse(kv=_kv(b"app/E/1")))
    assert leader.kv.key == b"E/1"
    observed = NS.response(methods.ELECTION_OBSERVE, LeaderResponse(kv=_kv(b"app/E/2")))
    assert observed.kv.key == b"E/2"
    nobody = NS.response(methods.ELECTION_LEADER, LeaderResponse())
    assert not nobody.HasField("kv")
