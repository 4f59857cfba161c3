"""Key rewriting for namespaced clients (sans-IO): ``client.namespace(b"app/")``.

A namespace is a key prefix applied below the friendly API, at the caller: every key of a
request gets the prefix, every key of a response or watch event loses it, and every range is
clamped to the namespace. The semantics are those of etcd's Go ``clientv3/namespace`` package:

- a range end of ``b"\\0"`` ("to the end of the keyspace") becomes the namespace's end, so the
  whole keyspace (``key=b"\\0"`` or ``b""``, ``range_end=b"\\0"``) becomes the whole namespace
  (``key=prefix``, ``range_end=range_end_for_key(prefix)``);
- any other range end gets the prefix like a key;
- an empty key without a range end is left alone, so etcd refuses it as it does at the root;
- ``LeaseTimeToLive(keys=True)`` answers only the lease's keys inside the namespace.

What to rewrite is data: ``REWRITES`` maps a gRPC method path to a request rule (applied
to a copy: the caller's message is never changed) and a response rule (applied in place to the
fresh response). Methods without keys (Maintenance, Cluster, Auth, most of Lease, Compact) have
no entry and pass through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, TypeVar, cast

from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
from etcd3._validate import range_end_for_key
from etcd3.rpc import methods
from etcd3.rpc.etcdserverpb import (
    Compare,
    DeleteRangeRequest,
    DeleteRangeResponse,
    LeaseTimeToLiveResponse,
    PutRequest,
    PutResponse,
    RangeRequest,
    RangeResponse,
    RequestOp,
    ResponseOp,
    TxnRequest,
    TxnResponse,
    WatchRequest,
    WatchResponse,
)
from etcd3.rpc.mvccpb import KeyValue
from etcd3.rpc.v3electionpb import (
    CampaignRequest,
    CampaignResponse,
    LeaderKey,
    LeaderRequest,
    LeaderResponse,
    ProclaimRequest,
    ResignRequest,
)
from etcd3.rpc.v3lockpb import LockRequest, LockResponse, UnlockRequest

__all__ = ["REWRITES", "Namespace", "Rule"]

ReqT = TypeVar("ReqT", bound=Message)
RespT = TypeVar("RespT", bound=Message)

_KEYSPACE_END: Final = b"\0"


class Namespace:
    """One key prefix: how keys, ranges and whole messages map into and out of it.

    Args:
        prefix: The non-empty key prefix.

    Attributes:
        prefix: The key prefix.
        end: The range end of the namespace (``range_end_for_key(prefix)``).
        size: ``len(prefix)``.
    """

    __slots__ = ("end", "prefix", "size")

    def __init__(self, prefix: bytes) -> None:
        if not prefix:
            raise ValueError("a namespace prefix must not be empty")
        self.prefix: Final = prefix
        self.end: Final = range_end_for_key(prefix)
        self.size: Final = len(prefix)

    def __repr__(self) -> str:
        return f"Namespace({self.prefix!r})"

    def nested(self, prefix: bytes) -> Namespace:
        """The namespace ``prefix`` inside this one (prefixes concatenate)."""
        return Namespace(self.prefix + prefix)

    def key(self, key: bytes) -> bytes:
        """``key`` inside the namespace."""
        return self.prefix + key

    def interval(self, key: bytes, range_end: bytes) -> tuple[bytes, bytes]:
        """``[key, range_end)`` inside the namespace, clamped to it (Go's ``prefixInterval``)."""
        if range_end == _KEYSPACE_END:
            # "To the end": the namespace's end. From b"\0" (the whole keyspace) that is every
            # key inside the namespace, but not a key equal to the prefix itself: it would read
            # as the empty key, which no call in the namespace can name, and a paged read
            # would start again at b"\0", that is at it, for ever.
            return self.prefix + key, self.end
        return self.prefix + key, (self.prefix + range_end if range_end else b"")

    def strip(self, key: bytes) -> bytes:
        """``key`` (inside the namespace) as the namespace's user sees it."""
        return key[self.size :]

    def request(self, method: MethodInfo[ReqT, RespT], request: ReqT) -> ReqT:
        """A copy of ``request`` with its keys in the namespace (``request`` if it has none)."""
        rule = REWRITES.get(method.path)
        if rule is None or rule.request is None:
            return request
        copy = type(request)()
        copy.CopyFrom(request)
        rule.request(self, copy)
        return copy

    def response(self, method: MethodInfo[ReqT, RespT], response: RespT) -> RespT:
        """``response`` with the namespace stripped from its keys (changed in place)."""
        rule = REWRITES.get(method.path)
        if rule is not None and rule.response is not None:
            rule.response(self, response)
        return response


_Rewrite = Callable[[Namespace, Message], None]


class Rule:
    """How one RPC's messages are rewritten: each function changes its message in place.

    Attributes:
        request: Puts a request's keys into the namespace (``None``: no keys).
        response: Strips the namespace from a response's keys (``None``: no keys).
    """

    __slots__ = ("request", "response")

    def __init__(self, request: _Rewrite | None, response: _Rewrite | None) -> None:
        self.request: Final = request
        self.response: Final = response


def _rule(
    method: MethodInfo[ReqT, RespT],
    request: Callable[[Namespace, ReqT], None] | None,
    response: Callable[[Namespace, RespT], None] | None,
) -> tuple[str, Rule]:
    # The table holds rules of every message type; each is only ever applied to its own.
    return method.path, Rule(cast("_Rewrite | None", request), cast("_Rewrite | None", response))


# -- requests ------------------------------------------------------------------------------------


def _range_request(ns: Namespace, request: RangeRequest | DeleteRangeRequest) -> None:
    if request.key or request.range_end:
        request.key, request.range_end = ns.interval(request.key, request.range_end)


def _put_request(ns: Namespace, request: PutRequest) -> None:
    if request.key:
        request.key = ns.key(request.key)


def _txn_request(ns: Namespace, request: TxnRequest) -> None:
    for compare in request.compare:
        _compare(ns, compare)
    for op in request.success:
        _request_op(ns, op)
    for op in request.failure:
        _request_op(ns, op)


def _compare(ns: Namespace, compare: Compare) -> None:
    compare.key, compare.range_end = ns.interval(compare.key, compare.range_end)


def _request_op(ns: Namespace, op: RequestOp) -> None:
    kind = op.WhichOneof("request")
    if kind == "request_range":
        _range_request(ns, op.request_range)
    elif kind == "request_put":
        _put_request(ns, op.request_put)
    elif kind == "request_delete_range":
        _range_request(ns, op.request_delete_range)
    elif kind == "request_txn":
        _txn_request(ns, op.request_txn)


def _watch_request(ns: Namespace, request: WatchRequest) -> None:
    # Only creations carry keys; cancel and progress requests pass through.
    if request.HasField("create_request"):
        create = request.create_request
        if create.key or create.range_end:
            create.key, create.range_end = ns.interval(create.key, create.range_end)


def _lock_request(ns: Namespace, request: LockRequest) -> None:
    request.name = ns.key(request.name)


def _unlock_request(ns: Namespace, request: UnlockRequest) -> None:
    request.key = ns.key(request.key)


def _named_request(ns: Namespace, request: CampaignRequest | LeaderRequest) -> None:
    request.name = ns.key(request.name)


def _led_request(ns: Namespace, request: ProclaimRequest | ResignRequest) -> None:
    if request.HasField("leader"):
        leader: LeaderKey = request.leader
        leader.name = ns.key(leader.name)
        leader.key = ns.key(leader.key)


# -- responses -----------------------------------------------------------------------------------


def _strip_kvs(ns: Namespace, kvs: Iterable[KeyValue]) -> None:
    size = ns.size
    for kv in kvs:
        kv.key = kv.key[size:]


def _range_response(ns: Namespace, response: RangeResponse) -> None:
    _strip_kvs(ns, response.kvs)


def _put_response(ns: Namespace, response: PutResponse) -> None:
    if response.HasField("prev_kv"):
        response.prev_kv.key = ns.strip(response.prev_kv.key)


def _delete_response(ns: Namespace, response: DeleteRangeResponse) -> None:
    _strip_kvs(ns, response.prev_kvs)


def _txn_response(ns: Namespace, response: TxnResponse) -> None:
    for op in response.responses:
        _response_op(ns, op)


def _response_op(ns: Namespace, op: ResponseOp) -> None:
    kind = op.WhichOneof("response")
    if kind == "response_range":
        _range_response(ns, op.response_range)
    elif kind == "response_put":
        _put_response(ns, op.response_put)
    elif kind == "response_delete_range":
        _delete_response(ns, op.response_delete_range)
    elif kind == "response_txn":
        _txn_response(ns, op.response_txn)


def _watch_response(ns: Namespace, response: WatchResponse) -> None:
    for event in response.events:
        event.kv.key = ns.strip(event.kv.key)
        if event.HasField("prev_kv"):
            event.prev_kv.key = ns.strip(event.prev_kv.key)


def _time_to_live_response(ns: Namespace, response: LeaseTimeToLiveResponse) -> None:
    # A lease may hold keys of other namespaces too: show only this one's (as Go does).
    prefix, size = ns.prefix, ns.size
    inside = [key[size:] for key in response.keys if key.startswith(prefix)]
    del response.keys[:]
    response.keys.extend(inside)


def _lock_response(ns: Namespace, response: LockResponse) -> None:
    response.key = ns.strip(response.key)


def _campaign_response(ns: Namespace, response: CampaignResponse) -> None:
    if response.HasField("leader"):
        response.leader.name = ns.strip(response.leader.name)
        response.leader.key = ns.strip(response.leader.key)


def _leader_response(ns: Namespace, response: LeaderResponse) -> None:
    if response.HasField("kv"):
        response.kv.key = ns.strip(response.kv.key)


REWRITES: Final[dict[str, Rule]] = dict(
    [
        _rule(methods.KV_RANGE, _range_request, _range_response),
        _rule(methods.KV_PUT, _put_request, _put_response),
        _rule(methods.KV_DELETE_RANGE, _range_request, _delete_response),
        _rule(methods.KV_TXN, _txn_request, _txn_response),
        _rule(methods.WATCH_WATCH, _watch_request, _watch_response),
        _rule(methods.LEASE_LEASE_TIME_TO_LIVE, None, _time_to_live_response),
        _rule(methods.LOCK_LOCK, _lock_request, _lock_response),
        _rule(methods.LOCK_UNLOCK, _unlock_request, None),
        _rule(methods.ELECTION_CAMPAIGN, _named_request, _campaign_response),
        _rule(methods.ELECTION_PROCLAIM, _led_request, None),
        _rule(methods.ELECTION_LEADER, _named_request, _leader_response),
        _rule(methods.ELECTION_OBSERVE, _named_request, _leader_response),
        _rule(methods.ELECTION_RESIGN, _led_request, None),
    ]
)
"""Rewrite rules by gRPC method path; methods without keys have none."""
