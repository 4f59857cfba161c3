"""Connection arguments, TLS material and channel options (no server involved)."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from etcd3._connection import Connection
from etcd3._connection_async import AsyncConnection
from etcd3._connection_settings import (
    CONNECT_TIMEOUT_MS,
    KEEPALIVE_TIME_MS,
    MAX_RECEIVE_MESSAGE_LENGTH,
    TLSConfig,
    channel_options,
)
from etcd3.errors import ConnectionClosedError, ConnectionFailedError


@pytest.fixture
def dead_endpoint() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"127.0.0.1:{port}"


def pem(kind: bytes, body: bytes) -> bytes:
    return b"-----BEGIN %s-----\n%s\n-----END %s-----\n" % (kind, body, kind)


CA_PEM = pem(b"CERTIFICATE", b"CA")
KEY_PEM = pem(b"EC PRIVATE KEY", b"KEY")
CERT_PEM = pem(b"CERTIFICATE", b"CERT")


@pytest.fixture
def pem_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    # Only the kind of PEM block is checked here: grpc parses them when a connection is made.
    ca, key, cert = tmp_path / "ca.pem", tmp_path / "key.pem", tmp_path / "cert.pem"
    ca.write_bytes(CA_PEM)
    key.write_bytes(KEY_PEM)
    cert.write_bytes(CERT_PEM)
    return ca, key, cert


def test_default_channel_options() -> None:
    options = dict(channel_options(None))
    assert options["grpc.max_receive_message_length"] == MAX_RECEIVE_MESSAGE_LENGTH
    assert MAX_RECEIVE_MESSAGE_LENGTH > 30_000 * 300  # a 30k-key range of 200-byte values
    # etcd's enforcement: pings >= 5 s apart, none on a connection without calls.
    assert options["grpc.keepalive_time_ms"] == KEEPALIVE_TIME_MS
    assert KEEPALIVE_TIME_MS > 5_000
    assert options["grpc.keepalive_timeout_ms"] == 5_000
    assert options["grpc.keepalive_permit_without_calls"] == 0
    assert options["grpc.http2.max_pings_without_data"] == 0
    # A restarted member is retried within seconds, not grpc's default of up to 120 s.
    assert options["grpc.max_reconnect_backoff_ms"] == 2_000
    # grpc's minimum connection-attempt time: long enough for a slow handshake (see
    # tests/integration/test_slow_handshake.py), bounded for a swallowed one.
    assert options["grpc.min_reconnect_backoff_ms"] == CONNECT_TIMEOUT_MS == 5_000


def test_user_options_override_ours_key_by_key() -> None:
    options = channel_options(
        [("grpc.keepalive_time_ms", 60_000), ("grpc.primary_user_agent", "x")]
    )
    keys = [key for key, _ in options]
    assert len(keys) == len(set(keys))
    as_dict = dict(options)
    assert as_dict["grpc.keepalive_time_ms"] == 60_000
    assert as_dict["grpc.primary_user_agent"] == "x"
    assert (
        dict(channel_options({"grpc.max_receive_message_length": -1}))[
            "grpc.max_receive_message_length"
        ]
        == -1
    )


def test_options_of_another_shape_are_a_type_error() -> None:
    shape = r"^grpc_options must be a mapping or \(name, value\) pairs, e\.g\. "
    for wrong in ("x", b"x"):
        with pytest.raises(TypeError, match=shape + ".*, not (str|bytes)$"):
            channel_options(wrong)  # type: ignore[arg-type]
    for pair in ("ab", ("grpc.a",), ("grpc.a", 1, 2), (1, 2)):
        with pytest.raises(TypeError, match=shape + r".*, got .* among them$"):
            channel_options([pair])  # type: ignore[list-item]


def test_no_ca_cert_is_plaintext() -> None:
    assert TLSConfig.from_arguments(None, None, None) is None


def test_ca_cert_alone_is_server_verified_tls(pem_files: tuple[Path, Path, Path]) -> None:
    ca, _, _ = pem_files
    tls = TLSConfig.from_arguments(ca, None, None)
    assert tls is not None
    assert tls.root_certificates == CA_PEM
    assert not tls.has_client_cert


def test_all_three_is_mtls_and_files_are_read_once(pem_files: tuple[Path, Path, Path]) -> None:
    ca, key, cert = pem_files
    tls = TLSConfig.from_arguments(str(ca), key, cert)
    assert tls is not None
    assert tls.has_client_cert
    cert.write_bytes(b"CHANGED")
    assert tls.certificate_chain == CERT_PEM
    assert tls.private_key == KEY_PEM


def test_a_file_that_does_not_hold_what_it_is_given_as_is_refused(
    pem_files: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    ca, key, cert = pem_files
    # grpc takes any bytes and fails each connection with "Failed to create security
    # handshaker": a swap or a wrong file is refused at once, naming the argument.
    with pytest.raises(ValueError, match=r"ca_cert .* must hold a certificate .* a private key"):
        TLSConfig.from_arguments(key, None, None)
    with pytest.raises(ValueError, match=r"cert_key .* must hold a private key .* a certificate"):
        TLSConfig.from_arguments(ca, cert, key)
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")
    with pytest.raises(
        ValueError,
        match=r"cert_cert .* must hold a certificate .* holds neither a certificate nor a",
    ):
        TLSConfig.from_arguments(ca, key, empty)


@pytest.mark.parametrize("which", ["key", "cert"])
def test_ca_cert_with_only_one_client_file_is_refused(
    pem_files: tuple[Path, Path, Path], which: str
) -> None:
    ca, key, cert = pem_files
    only_key, only_cert = (key, None) if which == "key" else (None, cert)
    with pytest.raises(ValueError, match="cert_key and cert_cert"):
        TLSConfig.from_arguments(ca, only_key, only_cert)


def test_client_files_without_ca_cert_are_ignored_with_a_warning(
    pem_files: tuple[Path, Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    _, key, cert = pem_files
    for files in ((key, cert), (key, None), (None, cert)):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="etcd3.transport"):
            assert TLSConfig.from_arguments(None, *files) is None
        assert [r.getMessage() for r in caplog.records] == [
            "cert_key and cert_cert are ignored without ca_cert: no client certificate is presented"
        ]
    caplog.clear()
    assert TLSConfig.from_arguments(None, None, None) is None
    assert caplog.records == []


def test_unreadable_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ca_cert"):
        TLSConfig.from_arguments(tmp_path / "missing.pem", None, None)


def test_connection_argument_errors(dead_endpoint: str, pem_files: tuple[Path, Path, Path]) -> None:
    ca, key, _ = pem_files
    with pytest.raises(ValueError, match="user and password"):
        Connection(dead_endpoint, user="root")
    with pytest.raises(ValueError, match="user and password"):
        AsyncConnection(dead_endpoint, password="secret")
    with pytest.raises(ValueError, match="timeout"):
        Connection(dead_endpoint, timeout=-1)
    with pytest.raises(ValueError, match="cert_key and cert_cert"):
        Connection(dead_endpoint, ca_cert=ca, cert_key=key)
    with pytest.raises(ValueError, match="host:port"):
        Connection("127.0.0.1")
    with pytest.raises(ValueError, match="scheme"):
        Connection("grpc://127.0.0.1:2379")
    with pytest.raises(ValueError, match="at least one"):
        Connection([])


def test_connection_endpoints_and_schemes(dead_endpoint: str) -> None:
    port = dead_endpoint.rsplit(":", 1)[1]
    with Connection([f"http://127.0.0.1:{port}", f"https://localhost:{port}"]) as conn:
        assert conn.endpoints == (f"127.0.0.1:{port}", f"localhost:{port}")
        assert conn.endpoint == f"127.0.0.1:{port}"
        assert conn.uses_secure_channel  # one of them is https
    with Connection(f"http://127.0.0.1:{port}") as conn:
        assert not conn.uses_secure_channel
        assert conn.endpoints == (f"127.0.0.1:{port}",)


@pytest.mark.slow
def test_connection_connects_lazily_and_closes_idempotently(dead_endpoint: str) -> None:
    # A read of a refusing port is retried until its deadline is nearly out: a short one.
    with Connection(dead_endpoint, timeout=1) as conn:
        assert not conn.uses_secure_channel
        assert conn.timeout == 1
        assert conn.endpoint == dead_endpoint
        with pytest.raises(ConnectionFailedError):
            conn.rpc.kv.range(key=b"a")
    assert conn.closed
    conn.close()
    with pytest.raises(ConnectionClosedError):
        conn.rpc.kv.range(key=b"a")


def test_secure_connection_flags(dead_endpoint: str, pem_files: tuple[Path, Path, Path]) -> None:
    ca, key, cert = pem_files
    with Connection(dead_endpoint, ca_cert=ca) as conn:
        assert conn.uses_secure_channel
        assert conn._settings.secure_without_client_cert
    with Connection(dead_endpoint, ca_cert=ca, cert_key=key, cert_cert=cert) as conn:
        assert not conn._settings.secure_without_client_cert


@pytest.mark.slow
def test_async_connection_made_outside_a_loop(dead_endpoint: str) -> None:
    conn = AsyncConnection(dead_endpoint, timeout=1)  # a short wait for the refused read
    assert conn.caller.channel is None

    async def use() -> None:
        async with conn:
            with pytest.raises(ConnectionFailedError):
                await conn.rpc.kv.range(key=b"a")
        with pytest.raises(ConnectionClosedError):
            await conn.rpc.kv.range(key=b"a")

    asyncio.run(use())
    assert conn.closed
