"""TLS, mTLS and auth tokens against real etcd servers, sync and asyncio."""

from __future__ import annotations

import grpc
import pytest

from etcd3._connection import AsyncConnection, Connection
from etcd3.errors import (
    AuthFailedError,
    ConnectionFailedError,
    InvalidAuthTokenError,
    UserEmptyError,
)
from etcd3.testing import EtcdServer
from etcd3.testing._pki import TLSFiles


def tls_files(server: EtcdServer) -> TLSFiles:
    assert server.tls is not None
    return server.tls


def credentials(server: EtcdServer) -> tuple[str, str]:
    assert server.user is not None
    assert server.password is not None
    return server.user, server.password


# --- TLS ----------------------------------------------------------------------------------


def test_mtls_works(etcd_tls_server: EtcdServer) -> None:
    tls = tls_files(etcd_tls_server)
    with Connection(
        etcd_tls_server.endpoint,
        ca_cert=tls.ca,
        cert_key=tls.client_key,
        cert_cert=tls.client_cert,
        timeout=10,
    ) as conn:
        assert conn.uses_secure_channel
        conn.rpc.kv.put(key=b"/tls/k", value=b"v")
        assert conn.rpc.kv.range(key=b"/tls/k").kvs[0].value == b"v"


def test_tls_without_client_cert_says_so(etcd_tls_server: EtcdServer) -> None:
    tls = tls_files(etcd_tls_server)
    with (
        Connection(etcd_tls_server.endpoint, ca_cert=tls.ca, timeout=5) as conn,
        pytest.raises(ConnectionFailedError) as info,
    ):
        conn.rpc.kv.range(key=b"k")
    assert info.value.code is grpc.StatusCode.UNAVAILABLE
    assert "client certificate" in str(info.value)
    assert "cert_key and cert_cert" in str(info.value)


def test_plaintext_to_a_tls_server_fails_typed(etcd_tls_server: EtcdServer) -> None:
    with (
        Connection(etcd_tls_server.endpoint, timeout=5) as conn,
        pytest.raises(ConnectionFailedError) as info,
    ):
        conn.rpc.kv.range(key=b"k")
    assert "client certificate" not in str(info.value)


async def test_async_mtls_works(etcd_tls_server: EtcdServer) -> None:
    tls = tls_files(etcd_tls_server)
    async with AsyncConnection(
        etcd_tls_server.endpoint,
        ca_cert=tls.ca,
        cert_key=tls.client_key,
        cert_cert=tls.client_cert,
        timeout=10,
    ) as conn:
        await conn.rpc.kv.put(key=b"/tls/ak", value=b"v")
        assert (await conn.rpc.kv.range(key=b"/tls/ak")).kvs[0].value == b"v"
        size = 0
        async for chunk in conn.rpc.maintenance.snapshot():
            size += len(chunk.blob)
        assert size > 0


async def test_async_tls_without_client_cert_says_so(etcd_tls_server: EtcdServer) -> None:
    tls = tls_files(etcd_tls_server)
    async with AsyncConnection(etcd_tls_server.endpoint, ca_cert=tls.ca, timeout=5) as conn:
        with pytest.raises(ConnectionFailedError, match="client certificate"):
            await conn.rpc.kv.range(key=b"k")


# --- Auth ---------------------------------------------------------------------------------


def test_token_works_on_plaintext(etcd_auth_server: EtcdServer) -> None:
    user, password = credentials(etcd_auth_server)
    with Connection(etcd_auth_server.endpoint, user=user, password=password, timeout=10) as conn:
        assert not conn.uses_secure_channel
        assert conn.caller.token
        conn.rpc.kv.put(key=b"/auth/k", value=b"v")
        assert conn.rpc.kv.range(key=b"/auth/k").kvs[0].value == b"v"
        # Streams carry the token too.
        assert sum(len(c.blob) for c in conn.rpc.maintenance.snapshot()) > 0


def test_wrong_password(etcd_auth_server: EtcdServer) -> None:
    user, _ = credentials(etcd_auth_server)
    with pytest.raises(AuthFailedError) as info:
        Connection(etcd_auth_server.endpoint, user=user, password="wrong", timeout=10)
    assert info.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "authentication failed" in str(info.value)
    assert isinstance(info.value.__cause__, grpc.RpcError)


def test_no_token_with_auth_on(etcd_auth_server: EtcdServer) -> None:
    with (
        Connection(etcd_auth_server.endpoint, timeout=10) as conn,
        pytest.raises(UserEmptyError) as info,
    ):
        conn.rpc.kv.range(key=b"/auth/k")
    assert "user name is empty" in str(info.value)


def test_invalid_token(etcd_auth_server: EtcdServer) -> None:
    with Connection(etcd_auth_server.endpoint, timeout=10) as conn:
        conn.caller.set_token("not-a-token")
        with pytest.raises(InvalidAuthTokenError) as info:
            conn.rpc.kv.range(key=b"/auth/k")
    assert info.value.code is grpc.StatusCode.UNAUTHENTICATED


def test_authenticate_later(etcd_auth_server: EtcdServer) -> None:
    user, password = credentials(etcd_auth_server)
    with Connection(etcd_auth_server.endpoint, timeout=10) as conn:
        token = conn.authenticate(user, password)
        assert token == conn.caller.token
        conn.rpc.kv.range(key=b"/auth/k")


async def test_async_token_works_on_plaintext(etcd_auth_server: EtcdServer) -> None:
    user, password = credentials(etcd_auth_server)
    conn = AsyncConnection(etcd_auth_server.endpoint, user=user, password=password, timeout=10)
    try:
        # No explicit open(): the first call logs in first.
        await conn.rpc.kv.put(key=b"/auth/ak", value=b"v")
        assert (await conn.rpc.kv.range(key=b"/auth/ak")).kvs[0].value == b"v"
        assert conn.caller.token
    finally:
        await conn.close()


async def test_async_first_use_by_a_stream_logs_in(etcd_auth_server: EtcdServer) -> None:
    user, password = credentials(etcd_auth_server)
    async with AsyncConnection(
        etcd_auth_server.endpoint, user=user, password=password, timeout=10
    ) as conn:
        pass  # open() logged in
    conn = AsyncConnection(etcd_auth_server.endpoint, user=user, password=password, timeout=10)
    try:
        size = 0
        async for chunk in conn.rpc.maintenance.snapshot():
            size += len(chunk.blob)
        assert size > 0
    finally:
        await conn.close()


async def test_async_wrong_password(etcd_auth_server: EtcdServer) -> None:
    user, _ = credentials(etcd_auth_server)
    conn = AsyncConnection(etcd_auth_server.endpoint, user=user, password="wrong", timeout=10)
    try:
        with pytest.raises(AuthFailedError):
            await conn.open()
        with pytest.raises(AuthFailedError):  # each use tries again
            await conn.rpc.kv.range(key=b"/auth/k")
    finally:
        await conn.close()


async def test_async_no_token_with_auth_on(etcd_auth_server: EtcdServer) -> None:
    async with AsyncConnection(etcd_auth_server.endpoint, timeout=10) as conn:
        with pytest.raises(UserEmptyError):
            await conn.rpc.kv.range(key=b"/auth/k")
        conn.caller.set_token("not-a-token")
        with pytest.raises(InvalidAuthTokenError):
            await conn.rpc.kv.range(key=b"/auth/k")
        with pytest.raises(InvalidAuthTokenError):
            async for _ in conn.rpc.maintenance.snapshot():
                pass
