"""The generated service classes with a fake caller: requests, MethodInfo, timeout, metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

from etcd3._runtime import (
    DEFAULT_TIMEOUT,
    AsyncCaller,
    CallKind,
    Metadata,
    MethodInfo,
    SyncCaller,
    Timeout,
)
from etcd3.rpc import (
    KV,
    AsyncKV,
    AsyncStubs,
    Stubs,
    etcdserverpb,
    methods,
    services,
    v3electionpb,
    v3lockpb,
)

SERVER_STREAM: object = object()
DUPLEX_STREAM: object = object()


@dataclass
class Call:
    kind: str
    method: MethodInfo[Message, Message]
    request: Message | None
    timeout: Timeout
    metadata: Metadata | None


@dataclass
class FakeCaller:
    """Records every call; answers with a default response (or a marker for streams)."""

    calls: list[Call] = field(default_factory=list)

    def unary(self, method: Any, request: Any, timeout: Timeout, metadata: Any) -> Any:
        self.calls.append(Call("unary", method, request, timeout, metadata))
        return method.response_type()

    def server_stream(self, method: Any, request: Any, timeout: Timeout, metadata: Any) -> Any:
        self.calls.append(Call("server_stream", method, request, timeout, metadata))
        return SERVER_STREAM

    def bidi_stream(self, method: Any, timeout: Timeout, metadata: Any) -> Any:
        self.calls.append(Call("bidi_stream", method, None, timeout, metadata))
        return DUPLEX_STREAM


@dataclass
class AsyncFakeCaller(FakeCaller):
    async def unary(self, method: Any, request: Any, timeout: Timeout, metadata: Any) -> Any:
        return FakeCaller.unary(self, method, request, timeout, metadata)


def sync_caller(fake: FakeCaller) -> SyncCaller:
    return cast(SyncCaller, fake)


def async_caller(fake: AsyncFakeCaller) -> AsyncCaller:
    return cast(AsyncCaller, fake)


def test_unary_builds_the_request_from_keywords() -> None:
    fake = FakeCaller()
    response = KV(sync_caller(fake)).range(
        key=b"a", range_end=b"b", limit=5, sort_order=etcdserverpb.SortOrder.DESCEND
    )
    assert isinstance(response, etcdserverpb.RangeResponse)
    (call,) = fake.calls
    assert call.kind == "unary"
    assert call.method is methods.KV_RANGE
    assert call.request == etcdserverpb.RangeRequest(
        key=b"a", range_end=b"b", limit=5, sort_order=etcdserverpb.SortOrder.DESCEND
    )
    assert call.timeout is DEFAULT_TIMEOUT
    assert call.metadata is None


def test_unary_passes_a_prebuilt_request_through_unchanged() -> None:
    fake = FakeCaller()
    request = etcdserverpb.PutRequest(key=b"k", value=b"v")
    KV(sync_caller(fake)).put(request, timeout=0, metadata=[("x-a", "1")])
    (call,) = fake.calls
    assert call.request is request
    assert call.method is methods.KV_PUT
    assert call.timeout == 0  # 0 is a deadline, not "default"
    assert call.metadata == [("x-a", "1")]


def test_timeout_none_means_no_deadline() -> None:
    fake = FakeCaller()
    KV(sync_caller(fake)).compact(revision=3, timeout=None)
    assert fake.calls[0].timeout is None
    assert fake.calls[0].request == etcdserverpb.CompactionRequest(revision=3)


@pytest.mark.parametrize(
    "fields",
    [
        {"key": b"a"},
        {"limit": 1},
        {"sort_order": etcdserverpb.SortOrder.ASCEND},
        {"serializable": True},
    ],
)
def test_request_and_fields_together_is_a_type_error(fields: dict[str, Any]) -> None:
    fake = FakeCaller()
    with pytest.raises(TypeError, match=r"range\(\) takes a request or keyword fields"):
        KV(sync_caller(fake)).range(etcdserverpb.RangeRequest(), **fields)
    assert fake.calls == []


def _foreign_class(message: type[Message]) -> Any:
    """The class of ``message``'s proto type in a pool of its own, as another library's
    compiled etcd protos would make it."""
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(file: Any) -> None:
        if file.name in added:
            return
        added.add(file.name)
        for dependency in file.dependencies:
            add(dependency)
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        pool.Add(proto)

    add(message.DESCRIPTOR.file)
    descriptor = pool.FindMessageTypeByName(message.DESCRIPTOR.full_name)
    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is None:  # protobuf before 4.22
        get_class = getattr(message_factory.MessageFactory(pool), "GetPrototype")  # noqa: B009
    return get_class(descriptor)


def test_a_request_of_another_type_is_a_type_error() -> None:
    # Sent as it is, its bytes would parse as the method's request: a RangeRequest's key and
    # range end as a DeleteRangeRequest's.
    fake = FakeCaller()
    kv = KV(sync_caller(fake))
    with pytest.raises(TypeError) as raised:
        kv.delete_range(etcdserverpb.RangeRequest(key=b"k"))  # type: ignore[arg-type]
    assert str(raised.value) == (
        "delete_range() takes etcdserverpb.DeleteRangeRequest as its request, not RangeRequest"
    )
    with pytest.raises(TypeError, match=r"^put\(\) takes etcdserverpb.PutRequest .*, not str$"):
        kv.put("k")  # type: ignore[arg-type]
    assert fake.calls == []


def test_a_request_of_the_same_type_from_another_pool_passes() -> None:
    fake = FakeCaller()
    foreign = _foreign_class(etcdserverpb.PutRequest)
    assert foreign is not etcdserverpb.PutRequest
    request = foreign(key=b"k", value=b"v")
    KV(sync_caller(fake)).put(request)
    assert fake.calls[0].request is request


async def test_the_asyncio_service_checks_the_request_too() -> None:
    fake = AsyncFakeCaller()
    with pytest.raises(TypeError, match=r"^range\(\) takes etcdserverpb.RangeRequest"):
        await AsyncKV(async_caller(fake)).range(etcdserverpb.PutRequest())  # type: ignore[arg-type]
    assert fake.calls == []


def test_message_and_repeated_fields() -> None:
    fake = FakeCaller()
    compare = etcdserverpb.Compare(key=b"k")
    success = [etcdserverpb.RequestOp(request_put=etcdserverpb.PutRequest(key=b"k"))]
    KV(sync_caller(fake)).txn(compare=[compare], success=success)
    request = fake.calls[0].request
    assert isinstance(request, etcdserverpb.TxnRequest)
    assert list(request.compare) == [compare]
    assert list(request.success) == success
    assert list(request.failure) == []
    with pytest.raises(TypeError):
        KV(sync_caller(fake)).txn(etcdserverpb.TxnRequest(), failure=success)

    # A message-typed field: given → set, omitted (None) → unset.
    stubs = Stubs(sync_caller(fake))
    stubs.election.resign(leader=v3electionpb.LeaderKey(name=b"n", key=b"k"))
    resign = fake.calls[-1].request
    assert isinstance(resign, v3electionpb.ResignRequest)
    assert resign.HasField("leader")
    stubs.election.resign()
    empty = fake.calls[-1].request
    assert isinstance(empty, v3electionpb.ResignRequest)
    assert not empty.HasField("leader")
    with pytest.raises(TypeError):
        stubs.election.resign(v3electionpb.ResignRequest(), leader=v3electionpb.LeaderKey())


def test_enum_and_optional_message_kwargs() -> None:
    fake = FakeCaller()
    Stubs(sync_caller(fake)).auth.role_grant_permission(name="r", perm=None)
    request = fake.calls[-1].request
    assert isinstance(request, etcdserverpb.AuthRoleGrantPermissionRequest)
    assert request.name == "r"
    Stubs(sync_caller(fake)).maintenance.alarm(
        action=etcdserverpb.AlarmAction.GET, alarm=etcdserverpb.AlarmType.NOSPACE
    )
    assert fake.calls[-1].method is methods.MAINTENANCE_ALARM


def test_empty_request_rpc() -> None:
    fake = FakeCaller()
    Stubs(sync_caller(fake)).maintenance.status()
    assert fake.calls[-1].request == etcdserverpb.StatusRequest()
    assert fake.calls[-1].method is methods.MAINTENANCE_STATUS


def test_server_stream_returns_the_callers_stream() -> None:
    fake = FakeCaller()
    stubs = Stubs(sync_caller(fake))
    assert stubs.maintenance.snapshot(timeout=7.5) is SERVER_STREAM
    call = fake.calls[-1]
    assert (call.kind, call.method, call.timeout) == (
        "server_stream",
        methods.MAINTENANCE_SNAPSHOT,
        7.5,
    )
    assert stubs.election.observe(name=b"e") is SERVER_STREAM
    assert fake.calls[-1].request == v3electionpb.LeaderRequest(name=b"e")
    assert fake.calls[-1].method.kind is CallKind.SERVER_STREAM


def test_bidi_stream_takes_only_timeout_and_metadata() -> None:
    fake = FakeCaller()
    stubs = Stubs(sync_caller(fake))
    assert stubs.watch.watch(metadata=[("k", "v")]) is DUPLEX_STREAM
    assert stubs.lease.lease_keep_alive() is DUPLEX_STREAM
    watch, keepalive = fake.calls
    assert (watch.kind, watch.method, watch.metadata) == (
        "bidi_stream",
        methods.WATCH_WATCH,
        [("k", "v")],
    )
    assert keepalive.method is methods.LEASE_LEASE_KEEP_ALIVE
    assert keepalive.timeout is DEFAULT_TIMEOUT


async def test_async_unary_and_streams() -> None:
    fake = AsyncFakeCaller()
    kv = AsyncKV(async_caller(fake))
    response = await kv.range(key=b"a", timeout=1.0)
    assert isinstance(response, etcdserverpb.RangeResponse)
    assert fake.calls[-1].request == etcdserverpb.RangeRequest(key=b"a")
    assert fake.calls[-1].timeout == 1.0
    stubs = AsyncStubs(async_caller(fake))
    assert stubs.maintenance.snapshot() is SERVER_STREAM  # plain def, no await
    assert stubs.watch.watch() is DUPLEX_STREAM
    with pytest.raises(TypeError):
        await kv.put(etcdserverpb.PutRequest(), key=b"x")
    lock = await stubs.lock.lock(name=b"l", lease=5)
    assert isinstance(lock, v3lockpb.LockResponse)
    assert fake.calls[-1].method is methods.LOCK_LOCK


def test_stubs_expose_every_service_by_the_agreed_names() -> None:
    fake = FakeCaller()
    stubs, astubs = Stubs(sync_caller(fake)), AsyncStubs(async_caller(AsyncFakeCaller()))
    names = ["kv", "watch", "lease", "cluster", "maintenance", "auth", "lock", "election"]
    for name in names:
        sync_service, async_service = getattr(stubs, name), getattr(astubs, name)
        assert type(sync_service).__name__ == type(async_service).__name__.removeprefix("Async")
        assert type(async_service).__name__.startswith("Async")
    assert Stubs.__slots__ == ("caller", *names)
    assert not hasattr(stubs, "__dict__")
    assert stubs.caller is stubs.kv._caller  # one caller behind every service


def test_method_table() -> None:
    assert len(methods.ALL_METHODS) == 48
    assert len({m.path for m in methods.ALL_METHODS}) == 48
    info = methods.KV_RANGE
    assert info.service == "etcdserverpb.KV"
    assert info.name == "Range"
    assert info.path == "/etcdserverpb.KV/Range"
    assert info.kind is CallKind.UNARY
    assert info.request_type is etcdserverpb.RangeRequest
    assert info.response_type is etcdserverpb.RangeResponse
    assert info.retry_safe
    assert not methods.KV_PUT.retry_safe
    assert methods.WATCH_WATCH.kind is CallKind.BIDI_STREAM
    assert methods.ELECTION_OBSERVE.kind is CallKind.SERVER_STREAM
    assert methods.LOCK_LOCK.path == "/v3lockpb.Lock/Lock"
    streams = {m.name for m in methods.ALL_METHODS if m.kind is not CallKind.UNARY}
    assert streams == {"Watch", "LeaseKeepAlive", "Snapshot", "Observe"}


def test_every_method_calls_its_own_method_info() -> None:
    """Each generated method hands the caller the MethodInfo of the RPC it is named after."""
    fake = FakeCaller()
    stubs = Stubs(sync_caller(fake))
    by_attr = {cls.__name__: attr for attr, cls in _service_classes().items()}
    for info in methods.ALL_METHODS:
        service = getattr(stubs, by_attr[info.service.rsplit(".", 1)[1]])
        method = getattr(service, _snake(info.name))
        method()
        assert fake.calls[-1].method is info
        if info.kind is not CallKind.BIDI_STREAM:
            assert type(fake.calls[-1].request) is info.request_type


def _service_classes() -> dict[str, type]:
    return {
        attr: getattr(services, name)
        for attr, name in [
            ("kv", "KV"),
            ("watch", "Watch"),
            ("lease", "Lease"),
            ("cluster", "Cluster"),
            ("maintenance", "Maintenance"),
            ("auth", "Auth"),
            ("lock", "Lock"),
            ("election", "Election"),
        ]
    }


def _snake(name: str) -> str:
    from codegen.naming import method_name

    return method_name(name)
