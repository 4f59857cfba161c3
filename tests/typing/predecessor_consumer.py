"""Code written for python-etcd3 and etcd3-client, type-checked as it is (never run).

``mypy --strict`` (``make mypy``) and ``pyright --strict`` (``test_consumers.py``)
must accept it: the predecessors' module paths are typed like the rest of the package.
"""

# pyright: strict

from __future__ import annotations

from collections.abc import Generator, Iterator

import grpc

import etcd3
import etcd3.etcdrpc as etcdrpc  # noqa: PLR0402 - the predecessors' own spelling
from etcd3.base import Alarm, GetResult, KVMetadata, KVResult, Member, Status, TxResult
from etcd3.client import Etcd3Client, EtcdTokenCallCredentials, Transactions
from etcd3.etcdrpc import rpc_pb2 as etcdrpc_rpc_pb2
from etcd3.events import DeleteEvent, Event, PutEvent, new_event
from etcd3.exceptions import (
    ConnectionFailedError,
    ConnectionTimeoutError,
    Etcd3Exception,
    InternalServerError,
    PreconditionFailedError,
    RevisionCompactedError,
    WatchTimedOut,
)
from etcd3.leases import Lease
from etcd3.locks import Lock
from etcd3.members import Member as ClusterMember
from etcd3.request_factory import (
    AlarmType,
    RangeSortOrder,
    build_alarm_request,
    build_create_watch_request,
    build_delete_request,
    build_get_range_request,
    build_put_request,
    build_tx_request,
)
from etcd3.rpc import kv_pb2, membership_pb2, rpc_pb2
from etcd3.transactions import Create, Delete, Get, Mod, Put, TxCondition, TxOp, Value, Version
from etcd3.transactions2 import (
    CompareBuilder,
    CompareBuilderStep1,
    OperationBuilder,
    TransactionBuilder,
    TransactionResponse,
)
from etcd3.utils import (
    increment_last_byte,
    lease_to_id,
    range_end_for_key,
    response_to_event_iterator,
    to_bytes,
)
from etcd3.watch import Watch, WatchCallback, Watcher, WatchResponse


def connect() -> Etcd3Client:
    """``etcd3.client`` is the function, ``etcd3.client.Etcd3Client`` the class it returns."""
    etcd = etcd3.client(host="localhost", port=2379, timeout=2)
    same: Etcd3Client = etcd3.Etcd3Client("localhost", 2379)
    same.close()
    return etcd


def python_etcd3_readme(etcd: Etcd3Client) -> list[str]:
    """python-etcd3's README tour, with the results it binds."""
    printed: list[str] = []
    value, meta = etcd.get("foo")
    if value is not None and meta is not None:
        printed.append(f"{value!r} at {meta.mod_revision}")
    etcd.put("bar", "doot")
    etcd.delete("bar")

    lock = etcd.lock("thing")
    lock.acquire()
    lock.release()
    with etcd.lock("doot-machine") as held:
        printed.append(repr(held.name))

    tx: Transactions = etcd.transactions
    succeeded, responses = etcd.transaction(
        compare=[tx.value("/doot/testing") == "doot", tx.version("/doot/testing") > 0],
        success=[tx.put("/doot/testing", "success")],
        failure=[tx.put("/doot/testing", "failure")],
    )
    printed.append(f"{succeeded} {len(responses)}")

    events_iterator, cancel = etcd.watch("/doot/watch")
    for event in events_iterator:
        printed.append(str(event))
        cancel()

    def watch_callback(event: WatchResponse | Exception) -> None:
        printed.append(str(event))

    watch_id = etcd.add_watch_prefix_callback("/doot/watch/prefix/", watch_callback)
    etcd.cancel_watch(watch_id)
    return printed


def python_etcd3_helpers(etcd: Etcd3Client, raw: etcdrpc.Event) -> list[object]:
    """The helpers of python-etcd3's modules."""
    lease: Lease = etcd.lease(ttl=10)
    lease_id: int = lease_to_id(lease) + lease_to_id(7) + lease_to_id("7") + lease_to_id(None)
    end: bytes = increment_last_byte(b"/prefix/")
    event: PutEvent | DeleteEvent = new_event(raw)
    responses, cancel = etcd.watch_prefix_response("/doot/")
    events: Iterator[Event] = response_to_event_iterator(responses)
    first = next(events)
    cancel()
    credentials = grpc.metadata_call_credentials(EtcdTokenCallCredentials("token"))
    watcher = Watcher(etcd, timeout=5)
    watch = Watch(watcher.add_callback("/k", lambda item: None), etcd_client=etcd)
    watch.cancel()
    lock = Lock("name", ttl=10, etcd_client=etcd)
    members: list[ClusterMember] = list(etcd.members)
    return [lease_id, end, event.key, first.value, credentials, lock.is_acquired(), members]


def etcd3_client_tour(etcd: Etcd3Client) -> list[object]:
    """etcd3-client's getting-started tour, with the types it names."""
    value, meta = etcd.get_strict("/config/feature_x")
    kv_meta: KVMetadata = meta
    prefix: GetResult = list(etcd.get_prefix("/users/", sort_order="desc", keys_only=True))
    first: KVResult = prefix[0]
    paged = [v for v, _ in etcd.get_prefix_paged("/big/", page_size=1000)]
    created, put_response = etcd.put_if_not_exists("/locks/job-42", b"owner=worker-1")
    swapped, _ = etcd.replace("/state", b"old", b"new")
    deleted, _ = etcd.delete("/locks/job-42")
    end = range_end_for_key(b"users/")
    in_range = list(etcd.get_range(b"users/", end))

    builder = TransactionBuilder.new()
    compare: CompareBuilder = builder.compare("/state")
    step: CompareBuilderStep1[str | bytes] = compare.value
    step.eq(b"old")
    branch: OperationBuilder = builder.success
    branch.put("/state", b"new").failure.get("/state")
    response: TransactionResponse = etcd.txn(builder)
    revision = response.as_put(0).header.revision if response.success else 0
    current = response.as_get(0) if not response.success else []
    nested: TransactionResponse | None = response.as_txn(1) if len(response) > 1 else None

    responses, cancel = etcd.watch_response("/config/feature_x", start_revision=revision)
    last_seen: int | None = None
    for resp in responses:
        last_seen = resp.max_mod_revision
        cancel()
    return [
        value,
        kv_meta.version,
        first,
        paged,
        created,
        put_response,
        swapped,
        deleted,
        in_range,
        current,
        nested,
        last_seen,
    ]


def etcd3_client_annotations(etcd: Etcd3Client, lease_id: int) -> list[object]:
    """Results bound to the types etcd3-client's methods declared, and its views' constructors."""
    prefix: Generator[KVResult, None, None] = etcd.get_prefix("/users/")
    in_range: Generator[KVResult, None, None] = etcd.get_range("a", "b")
    everything: Generator[KVResult, None, None] = etcd.get_all(keys_only=True)
    paged: Generator[KVResult, None, None] = etcd.get_prefix_paged("/big/")
    range_paged: Generator[KVResult, None, None] = etcd.get_range_paged("a", "b")
    pages: Generator[etcdrpc.RangeResponse, None, None] = etcd.get_prefix_paged_response("/p/")
    range_pages: Generator[etcdrpc.RangeResponse, None, None] = etcd.get_range_paged_response(
        "a", "b"
    )
    members: Generator[Member, None, None] = etcd.members
    alarms: Generator[Alarm, None, None] = etcd.list_alarms()
    refreshed: Generator[etcdrpc.LeaseKeepAliveResponse, None, None] = etcd.refresh_lease(lease_id)
    deleted: tuple[bool, etcdrpc.DeleteRangeResponse | None] = etcd.delete("/k")
    was_deleted, response = etcd.delete("/k")
    revision = response.header.revision if was_deleted and response is not None else 0
    raw, header = etcdrpc.KeyValue(key=b"k"), etcdrpc.ResponseHeader(revision=3)
    metas: list[KVMetadata] = [
        KVMetadata(kv=raw, header=header),
        KVMetadata(keyvalue=raw, header=header),
        KVMetadata(raw, header),
        KVMetadata.create(kv=raw, header=header),
    ]
    return [
        prefix,
        in_range,
        everything,
        paged,
        range_paged,
        pages,
        range_pages,
        members,
        alarms,
        refreshed,
        deleted,
        revision,
        metas,
    ]


def etcd3_client_types(etcd: Etcd3Client) -> list[object]:
    """etcd3-client's module-level types and builders."""
    compares: list[TxCondition] = [
        etcd3.Value("/k") == "v",
        etcd3.Version("/k") > 1,
        Create("/k") == 0,
        Mod("/k") < 10,
        Value("/j") != b"w",
        Version("/j") == "0",
    ]
    ops: list[TxOp] = [
        Put("/k", "v"),
        Get("/k"),
        Delete("/j"),
        etcd3.Txn(compares, [etcd3.Put("/k", "w")]),
    ]
    result: TxResult = etcd.transaction(compares, ops, [etcd3.Get("/k"), etcd3.Delete("/k")])
    ok, results = result
    got: GetResult = etcd3.as_get_op_result(results[1])
    put: etcdrpc.PutResponse = etcd3.as_put_op_result(results[0])
    request = build_tx_request(compares, ops, None)
    alarm_type: AlarmType = "no space"
    sort: RangeSortOrder = "desc"
    requests = [
        build_get_range_request("/k", sort_order=sort, sort_target="mod"),
        build_put_request("/k", "v", lease=etcd.lease(5)),
        build_delete_request("/k", prev_kv=True),
        build_alarm_request(etcdrpc.AlarmAction.GET, 0, alarm_type),
        build_create_watch_request("/k", filters=["noput"]),
    ]
    alarms: list[Alarm] = etcd.create_alarm(alarm_type=alarm_type)
    status: Status = etcd.status()
    leader: Member | None = status.leader
    callback: WatchCallback = lambda item: None  # noqa: E731
    return [ok, got, put, request, requests, alarms, leader, callback, to_bytes("k")]


def raw_protobuf() -> list[object]:
    """The flat protobuf namespace both predecessors exposed."""
    return [
        etcdrpc.RangeRequest(key=b"k", sort_order=etcdrpc.SortOrder.DESCEND),
        # protoc's spellings: nested enums and their values on the message class.
        etcdrpc.RangeRequest(sort_order=etcdrpc.RangeRequest.DESCEND),
        etcdrpc.RangeRequest.SortOrder.Name(etcdrpc.RangeRequest.ASCEND),
        etcdrpc.AlarmType.Name(etcdrpc.NOSPACE),
        etcdrpc.Compare(result=etcdrpc.Compare.EQUAL, target=etcdrpc.Compare.MOD),
        etcdrpc.WatchCreateRequest(filters=[etcdrpc.WatchCreateRequest.NOPUT]),
        etcdrpc.AlarmType.CORRUPT,
        etcdrpc.NOSPACE,
        etcdrpc.Compare(key=b"k", result=etcdrpc.CompareResult.EQUAL),
        etcdrpc.ResponseOp(response_put=etcdrpc.PutResponse()),
        etcdrpc.KeyValue(key=b"k"),
    ]


def generated_modules() -> list[object]:
    """The modules protoc generated, by their paths in python-etcd3 and in etcd3-client."""
    return [
        rpc_pb2.RangeRequest(key=b"k"),
        kv_pb2.KeyValue(key=b"k"),
        membership_pb2.Member(ID=1),
        etcdrpc_rpc_pb2.PutResponse(),
    ]


def errors(etcd: Etcd3Client) -> str:
    """The predecessors' exception names catch the client's errors."""
    try:
        etcd.get("/k")
    except (ConnectionFailedError, ConnectionTimeoutError) as exc:
        return f"unreachable: {exc}"
    except RevisionCompactedError as exc:
        return f"compacted to {exc.compacted_revision}"
    except (InternalServerError, PreconditionFailedError, WatchTimedOut) as exc:
        return str(exc)
    except Etcd3Exception as exc:
        return str(exc)
    return "ok"


def error_root_is_the_same(error: etcd3.exceptions.Etcd3Exception) -> etcd3.EtcdError:
    return error
