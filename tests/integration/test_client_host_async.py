# async-to-sync: source
"""``host`` may name the whole endpoint: ``"host:port"`` or an ``http(s)://`` URL connects
(the URL's scheme decides TLS); what cannot be one endpoint fails at construction."""

from __future__ import annotations

import logging

import pytest

import etcd3
from etcd3.testing import EtcdServer


async def test_host_port_and_url_forms_connect(etcd_server: EtcdServer) -> None:
    host, port = etcd_server.host, etcd_server.port
    forms = [
        (f"{host}:{port}", 2379),
        (f"http://{host}:{port}", 2379),
        (f"http://{host}:{port}/", 2379),
        (f"HTTP://{host}:{port}", port),  # the same port twice is no conflict
        (f"http://{host}", port),  # a URL without a port takes ``port``
        (f"{host}:{port}", port),
    ]
    for given, port_arg in forms:
        async with etcd3.async_client(given, port_arg, timeout=10) as client:
            assert client.endpoint_in_use == etcd_server.endpoint, given
            assert not client.uses_secure_channel
            await client.put(b"/host-forms", given)
            assert (await client.get(b"/host-forms"))[0] == given.encode()


async def test_an_https_url_as_host_uses_tls(etcd_tls_server: EtcdServer) -> None:
    tls = etcd_tls_server.tls
    assert tls is not None
    assert etcd_tls_server.client_url.startswith("https://")
    async with etcd3.async_client(
        etcd_tls_server.client_url,
        ca_cert=tls.ca,
        cert_key=tls.client_key,
        cert_cert=tls.client_cert,
        timeout=10,
    ) as client:
        assert client.uses_secure_channel
        assert client.endpoint_in_use == etcd_tls_server.endpoint
        await client.put(b"/host-tls", b"1")
        assert (await client.get(b"/host-tls"))[0] == b"1"


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [
        ("http://127.0.0.1:2380", 2381, "names port 2380 and port=2381 another"),
        ("127.0.0.1:2380", 1234, "names port 2380 and port=1234 another"),
        ("grpc://127.0.0.1:2379", 2379, "the scheme must be http:// or https://"),
        ("http://127.0.0.1:2379/v3/kv", 2379, "without a path"),
        ("127.0.0.1:port", 2379, "the port must be a number"),
        ("", 2379, "must name a host"),
    ],
)
def test_a_host_that_is_not_one_endpoint_fails_at_construction(
    host: str, port: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        etcd3.async_client(host, port)
    with pytest.raises(ValueError, match=message):
        etcd3.AsyncEtcd3Client(host, port)


def test_host_and_port_types_fail_at_construction() -> None:
    with pytest.raises(TypeError, match="host must be a str"):
        etcd3.async_client(b"127.0.0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="port must be an int"):
        etcd3.async_client("127.0.0.1", 2379.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"port must be an int in 1\.\.65535"):
        etcd3.async_client("127.0.0.1", 0)
    with pytest.raises(ValueError, match=r"port must be an int in 1\.\.65535 or its digits"):
        etcd3.async_client("127.0.0.1", "port")


async def test_a_port_given_as_digits_connects(etcd_server: EtcdServer) -> None:
    # Predecessor code formatted the port into "host:port": one read from the environment
    # (a str) connected, and still does.
    port = str(etcd_server.port)
    async with etcd3.async_client(etcd_server.host, port) as client:
        await client.put(b"/port-as-digits", b"v")
        assert (await client.get(b"/port-as-digits"))[0] == b"v"


@pytest.mark.parametrize("name", ["etcd_server", "etcd_tls_server", "etcd_auth_server"])
async def test_client_options_connect_to_any_test_server(
    name: str, request: pytest.FixtureRequest
) -> None:
    server: EtcdServer = request.getfixturevalue(name)
    options = server.client_options()
    assert options["endpoints"] == server.endpoints
    tls = server.tls
    files = (options["ca_cert"], options["cert_key"], options["cert_cert"])
    assert files == ((None,) * 3 if tls is None else (tls.ca, tls.client_key, tls.client_cert))
    assert (options["user"], options["password"]) == (server.user, server.password)
    async with etcd3.async_client(**options, timeout=10) as client:
        assert client.uses_secure_channel == (tls is not None)
        await client.put(b"/client-options", name)
        assert (await client.get(b"/client-options"))[0] == name.encode()


async def test_client_files_without_ca_cert_connect_in_plaintext(
    etcd_server: EtcdServer, etcd_tls_server: EtcdServer, caplog: pytest.LogCaptureFixture
) -> None:
    tls = etcd_tls_server.tls
    assert tls is not None
    with caplog.at_level(logging.WARNING, logger="etcd3.transport"):
        client = etcd3.async_client(
            etcd_server.host,
            etcd_server.port,
            cert_key=tls.client_key,
            cert_cert=tls.client_cert,
            timeout=10,
        )
    assert "ignored without ca_cert" in caplog.text
    async with client:
        assert not client.uses_secure_channel
        await client.put(b"/client-files-without-ca", b"plain")
        assert (await client.get(b"/client-files-without-ca"))[0] == b"plain"
