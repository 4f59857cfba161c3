"""etcd's own errors, provoked on a real server, arrive as their table classes."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.empty_pb2 import Empty

from etcd3._connection import Connection
from etcd3._connection_async import AsyncConnection
from etcd3._runtime import DEFAULT_TIMEOUT, CallKind, MethodInfo
from etcd3.errors import (
    AuthNotEnabledError,
    DuplicateKeyError,
    EmptyKeyError,
    InvalidArgumentError,
    LeaseExistsError,
    LeaseTTLTooLargeError,
    MemberNotFoundError,
    PermissionDeniedError,
    RequestTooLargeError,
    TooManyOpsError,
    UnimplementedError,
)
from etcd3.rpc.etcdserverpb import PutRequest, RequestOp, TxnRequest
from etcd3.testing import EtcdServer

MISSING: MethodInfo[Empty, Empty] = MethodInfo(
    service="etcdserverpb.KV",
    name="NoSuchMethod",
    path="/etcdserverpb.KV/NoSuchMethod",
    kind=CallKind.UNARY,
    request_type=Empty,
    response_type=Empty,
    retry_safe=True,
)


@pytest.fixture
def conn(etcd_server: EtcdServer) -> Iterator[Connection]:
    with Connection(etcd_server.endpoint, timeout=10) as connection:
        yield connection


def puts(keys: list[bytes]) -> TxnRequest:
    return TxnRequest(success=[RequestOp(request_put=PutRequest(key=k, value=b"v")) for k in keys])


def test_kv_errors(conn: Connection) -> None:
    with pytest.raises(EmptyKeyError):
        conn.rpc.kv.put(key=b"", value=b"v")
    with pytest.raises(TooManyOpsError, match=r"--max-txn-ops setting, 128 by default"):
        conn.rpc.kv.txn(puts([b"/errors/%d" % i for i in range(129)]))
    with pytest.raises(DuplicateKeyError):
        conn.rpc.kv.txn(puts([b"/errors/dup", b"/errors/dup"]))
    with pytest.raises(RequestTooLargeError) as info:
        conn.rpc.kv.put(key=b"/errors/big", value=b"x" * (1600 * 1024))  # > 1.5 MiB, < grpc limit
    assert isinstance(info.value, InvalidArgumentError)
    assert "--max-request-bytes setting, 1.5 MiB by default" in str(info.value)


def test_lease_errors(conn: Connection) -> None:
    with pytest.raises(LeaseTTLTooLargeError, match="the longest TTL etcd grants is 9,000,000,000"):
        conn.rpc.lease.lease_grant(TTL=10**12)
    lease_id = secrets.randbelow(2**40) + 1
    conn.rpc.lease.lease_grant(TTL=30, ID=lease_id)
    try:
        with pytest.raises(LeaseExistsError):
            conn.rpc.lease.lease_grant(TTL=30, ID=lease_id)
    finally:
        conn.rpc.lease.lease_revoke(ID=lease_id)


def test_cluster_and_auth_errors(conn: Connection) -> None:
    with pytest.raises(MemberNotFoundError):
        conn.rpc.cluster.member_remove(ID=0xDEAD)
    with pytest.raises(AuthNotEnabledError):
        conn.rpc.auth.authenticate(name="root", password="x")


def test_permission_denied(etcd_auth_server: EtcdServer) -> None:
    assert etcd_auth_server.user is not None
    assert etcd_auth_server.password is not None
    name = "nobody-" + secrets.token_hex(4)
    password = secrets.token_urlsafe(12)
    with Connection(
        etcd_auth_server.endpoint,
        user=etcd_auth_server.user,
        password=etcd_auth_server.password,
        timeout=10,
    ) as admin:
        admin.rpc.auth.user_add(name=name, password=password)
        try:
            with (
                Connection(
                    etcd_auth_server.endpoint, user=name, password=password, timeout=10
                ) as nobody,
                pytest.raises(PermissionDeniedError) as info,
            ):
                nobody.rpc.kv.range(key=b"/secret")
            assert info.value.code is grpc.StatusCode.PERMISSION_DENIED
        finally:
            admin.rpc.auth.user_delete(name=name)


def test_unimplemented_names_the_method(conn: Connection) -> None:
    with pytest.raises(UnimplementedError) as info:
        conn.caller.unary(MISSING, Empty(), DEFAULT_TIMEOUT, None)
    assert "/etcdserverpb.KV/NoSuchMethod" in str(info.value)
    assert "older etcd" in str(info.value)


async def test_async_errors(etcd_server: EtcdServer) -> None:
    async with AsyncConnection(etcd_server.endpoint, timeout=10) as conn:
        with pytest.raises(EmptyKeyError):
            await conn.rpc.kv.put(key=b"", value=b"v")
        with pytest.raises(UnimplementedError, match="NoSuchMethod"):
            await conn.caller.unary(MISSING, Empty(), DEFAULT_TIMEOUT, None)
        with pytest.raises(MemberNotFoundError):
            await conn.rpc.cluster.member_remove(ID=0xDEAD)
