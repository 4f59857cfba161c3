# async-to-sync: source
"""TLS, mTLS and auth tokens against real etcd servers."""

from __future__ import annotations

import socket
from pathlib import Path

import grpc
import pytest

from etcd3._acompat import ASYNC
from etcd3._connection_async import AsyncConnection
from etcd3.errors import (
    CLIENT_CERT_REFUSED_HINT,
    NO_CREDENTIALS_HINT,
    REFUSED_HINT,
    TLS_SERVER_HINT,
    UNTRUSTED_SERVER_HINT,
    AuthFailedError,
    ConnectionFailedError,
    EtcdError,
    InvalidAuthTokenError,
    UserEmptyError,
)
from etcd3.testing import EtcdServer, make_pki
from etcd3.testing._binary import version_tuple
from etcd3.testing._pki import TLSFiles

NAMES_CAUSES = version_tuple(grpc.__version__) >= (1, 62)
"""This grpc names the cause of a failed connection (1.42 says only "failed to connect to all
addresses"): the hint for the cause must then be there."""
FAILING_DEADLINE = 2.0
"""The timeout of a connection whose every attempt fails (refused, or a TLS handshake that
fails): its reads are retried until the next wait would pass their deadline, and the tests
check the error they end with, which the first failed attempt already gives."""


def tls_files(server: EtcdServer) -> TLSFiles:
    assert server.tls is not None
    return server.tls


def credentials(server: EtcdServer) -> tuple[str, str]:
    assert server.user is not None
    assert server.password is not None
    return server.user, server.password


# --- TLS ----------------------------------------------------------------------------------


async def test_mtls_works(etcd_tls_server: EtcdServer) -> None:
    tls = tls_files(etcd_tls_server)
    async with AsyncConnection(
        etcd_tls_server.endpoint,
        ca_cert=tls.ca,
        cert_key=tls.client_key,
        cert_cert=tls.client_cert,
        timeout=10,
    ) as conn:
        assert conn.uses_secure_channel
        await conn.rpc.kv.put(key=b"/tls/k", value=b"v")
        assert (await conn.rpc.kv.range(key=b"/tls/k")).kvs[0].value == b"v"
        size = 0
        async for chunk in conn.rpc.maintenance.snapshot():
            size += len(chunk.blob)
        assert size > 0


async def test_tls_without_client_cert_says_so(etcd_tls_server: EtcdServer) -> None:
    tls = tls_files(etcd_tls_server)
    conn = AsyncConnection(etcd_tls_server.endpoint, ca_cert=tls.ca, timeout=FAILING_DEADLINE)
    try:
        with pytest.raises(ConnectionFailedError) as info:
            await conn.rpc.kv.range(key=b"k")
    finally:
        await conn.close()
    assert info.value.code is grpc.StatusCode.UNAVAILABLE
    assert "client certificate" in str(info.value)
    assert "cert_key and cert_cert" in str(info.value)
    assert "did not speak TLS" not in str(info.value)


async def test_plaintext_to_a_tls_server_fails_typed(etcd_tls_server: EtcdServer) -> None:
    conn = AsyncConnection(etcd_tls_server.endpoint, timeout=FAILING_DEADLINE)
    try:
        with pytest.raises(ConnectionFailedError) as info:
            await conn.rpc.kv.range(key=b"k")
    finally:
        await conn.close()
    assert "client certificate" not in str(info.value)
    if NAMES_CAUSES or info.value.details.endswith(": Socket closed"):
        assert str(info.value).endswith(f"({TLS_SERVER_HINT})")


async def failure(endpoint: str, ca: Path, key: Path | None, cert: Path | None) -> EtcdError:
    """The error of a read through a new connection with these TLS files."""
    async with AsyncConnection(
        endpoint, ca_cert=ca, cert_key=key, cert_cert=cert, timeout=FAILING_DEADLINE
    ) as conn:
        with pytest.raises(ConnectionFailedError) as info:
            await conn.rpc.kv.range(key=b"k")
    return info.value


@pytest.mark.parametrize(
    ("stranger", "cause", "hint"),
    [
        ("server", "CERTIFICATE_VERIFY_FAILED", UNTRUSTED_SERVER_HINT),
        ("client", "ALERT_BAD_CERTIFICATE", CLIENT_CERT_REFUSED_HINT),
    ],
    ids=["server", "client"],
)
async def test_a_certificate_of_another_ca_says_whose_it_is(
    etcd_tls_server: EtcdServer, tmp_path: Path, stranger: str, cause: str, hint: str
) -> None:
    tls, other = tls_files(etcd_tls_server), make_pki(tmp_path)
    # The client trusts another CA than the server's, or presents a certificate of one.
    ca = other.ca if stranger == "server" else tls.ca
    key, cert = (
        (tls.client_key, tls.client_cert)
        if stranger == "server"
        else (
            other.client_key,
            other.client_cert,
        )
    )
    err = await failure(etcd_tls_server.endpoint, ca, key, cert)
    if NAMES_CAUSES or cause in err.details:
        assert str(err).endswith(f"({hint})")
        assert "cert_key and cert_cert" not in str(err)


async def test_nothing_listening_says_so_also_over_tls(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        endpoint = f"127.0.0.1:{sock.getsockname()[1]}"
    err = await failure(endpoint, pki.ca, None, None)
    if NAMES_CAUSES or "Connection refused" in err.details:
        assert str(err).endswith(f"({REFUSED_HINT})")
        assert "client certificate" not in str(err)


@pytest.mark.parametrize("client_cert", [False, True], ids=["tls", "mtls"])
async def test_tls_to_a_plaintext_server_says_it_does_not_speak_tls(
    etcd_server: EtcdServer, tmp_path: Path, client_cert: bool
) -> None:
    pki = make_pki(tmp_path)
    async with AsyncConnection(
        etcd_server.endpoint,
        ca_cert=pki.ca,
        cert_key=pki.client_key if client_cert else None,
        cert_cert=pki.client_cert if client_cert else None,
        timeout=2,
    ) as conn:
        with pytest.raises(ConnectionFailedError) as info:
            await conn.rpc.kv.range(key=b"k")
    assert info.value.code is grpc.StatusCode.UNAVAILABLE
    if info.value.details.strip() == "failed to connect to all addresses":
        # Older grpc (1.42) gives no cause: the message names both TLS causes.
        assert "the server may not speak TLS on this port" in str(info.value)
    else:
        assert "the server did not speak TLS" in str(info.value)
        assert "client certificate" not in str(info.value)


# --- Auth ---------------------------------------------------------------------------------


async def test_token_works_on_plaintext(etcd_auth_server: EtcdServer) -> None:
    user, password = credentials(etcd_auth_server)
    conn = AsyncConnection(etcd_auth_server.endpoint, user=user, password=password, timeout=10)
    try:
        # asyncio: no explicit open(), the first call logs in first; sync: the constructor did.
        assert not conn.uses_secure_channel
        await conn.rpc.kv.put(key=b"/auth/k", value=b"v")
        assert (await conn.rpc.kv.range(key=b"/auth/k")).kvs[0].value == b"v"
        assert conn.caller.token
        # Streams carry the token too.
        assert sum([len(c.blob) async for c in conn.rpc.maintenance.snapshot()]) > 0
    finally:
        await conn.close()


async def test_first_use_by_a_stream_logs_in(etcd_auth_server: EtcdServer) -> None:
    user, password = credentials(etcd_auth_server)
    async with AsyncConnection(
        etcd_auth_server.endpoint, user=user, password=password, timeout=10
    ) as conn:
        assert conn.caller.token  # open() logged in
    conn = AsyncConnection(etcd_auth_server.endpoint, user=user, password=password, timeout=10)
    try:
        size = 0
        async for chunk in conn.rpc.maintenance.snapshot():
            size += len(chunk.blob)
        assert size > 0
    finally:
        await conn.close()


async def test_wrong_password(etcd_auth_server: EtcdServer) -> None:
    user, _ = credentials(etcd_auth_server)

    async def log_in() -> None:
        # sync: the constructor logs in and raises; asyncio: open() does.
        conn = AsyncConnection(etcd_auth_server.endpoint, user=user, password="wrong", timeout=10)
        try:
            await conn.open()
        finally:
            await conn.close()

    with pytest.raises(AuthFailedError) as info:
        await log_in()
    assert info.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "authentication failed" in str(info.value)
    assert isinstance(info.value.__cause__, grpc.RpcError)


if ASYNC:
    # Only asyncio: a sync connection with wrong credentials never comes to exist.

    async def test_each_use_of_a_connection_that_failed_to_log_in_tries_again(
        etcd_auth_server: EtcdServer,
    ) -> None:
        user, _ = credentials(etcd_auth_server)
        conn = AsyncConnection(etcd_auth_server.endpoint, user=user, password="wrong", timeout=10)
        try:
            with pytest.raises(AuthFailedError):
                await conn.open()
            with pytest.raises(AuthFailedError):
                await conn.rpc.kv.range(key=b"/auth/k")
        finally:
            await conn.close()


async def test_no_token_with_auth_on(etcd_auth_server: EtcdServer) -> None:
    async with AsyncConnection(etcd_auth_server.endpoint, timeout=10) as conn:
        with pytest.raises(UserEmptyError) as info:
            await conn.rpc.kv.range(key=b"/auth/k")
        assert str(info.value) == f"etcdserver: user name is empty ({NO_CREDENTIALS_HINT})"
        assert info.value.details == "etcdserver: user name is empty"


async def test_invalid_token(etcd_auth_server: EtcdServer) -> None:
    async with AsyncConnection(etcd_auth_server.endpoint, timeout=10) as conn:
        conn.caller.set_token("not-a-token")
        with pytest.raises(InvalidAuthTokenError) as info:
            await conn.rpc.kv.range(key=b"/auth/k")
        assert info.value.code is grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(InvalidAuthTokenError):
            async for _ in conn.rpc.maintenance.snapshot():
                pass


async def test_authenticate_later(etcd_auth_server: EtcdServer) -> None:
    user, password = credentials(etcd_auth_server)
    async with AsyncConnection(etcd_auth_server.endpoint, timeout=10) as conn:
        token = await conn.authenticate(user, password)
        assert token == conn.caller.token
        await conn.rpc.kv.range(key=b"/auth/k")
