# async-to-sync: source
"""Transparent token refresh on real etcd: expired tokens (``--auth-token-ttl``), auth store
changes, one shared refresh for concurrent callers, and passwords kept out of logs and errors."""

from __future__ import annotations

import functools
import logging

import pytest

import etcd3
from etcd3._acompat import join_workers, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3.errors import AuthFailedError, EtcdError
from etcd3.testing import EtcdFactory, EtcdServer

REFRESH_MESSAGE = "authenticating again"


def refreshes(caplog: pytest.LogCaptureFixture) -> int:
    return sum(REFRESH_MESSAGE in record.getMessage() for record in caplog.records)


def login(server: EtcdServer) -> AsyncEtcd3Client:
    return etcd3.async_client(
        server.host, server.port, timeout=10, user=server.user, password=server.password
    )


@pytest.fixture
def short_ttl_server(etcd_factory: EtcdFactory) -> EtcdServer:
    return etcd_factory(auth=True, auth_token_ttl=2)


async def test_a_client_idle_longer_than_the_token_ttl_keeps_working(
    short_ttl_server: EtcdServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="etcd3")
    async with login(short_ttl_server) as client:
        await client.put(b"/idle", b"1")
        token = client._conn.caller.token
        await sleep(3.5)  # the token expires after 2 s without use
        assert (await client.get(b"/idle"))[0] == b"1"
        await client.put(b"/idle", b"2")  # a write: refused before applying, then retried
        assert (await client.get(b"/idle"))[0] == b"2"
        assert client._conn.caller.token != token
        assert refreshes(caplog) == 1


async def test_concurrent_callers_share_one_refresh(
    short_ttl_server: EtcdServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="etcd3")
    async with login(short_ttl_server) as client:
        await client.put(b"/shared", b"v")
        await sleep(3.5)
        results: list[bytes | None] = []
        errors: list[EtcdError] = []

        async def reader() -> None:
            try:
                results.append((await client.get(b"/shared"))[0])
            except EtcdError as exc:
                errors.append(exc)

        workers = [spawn(functools.partial(reader), name=f"reader-{n}") for n in range(8)]
        await join_workers(workers, timeout=30)
        assert errors == []
        assert results == [b"v"] * 8
        assert refreshes(caplog) == 1


async def test_an_auth_store_change_is_absorbed(etcd_auth_server: EtcdServer) -> None:
    async with login(etcd_auth_server) as client, login(etcd_auth_server) as admin:
        await client.put(b"/rev", b"1")
        token = client._conn.caller.token
        # Any change of users or roles bumps the auth revision; older tokens are refused.
        await admin.user_add("refresh-test-user", "pw-of-the-other-user")
        try:
            await client.put(b"/rev", b"2")
            assert (await client.get(b"/rev"))[0] == b"2"
        finally:
            await admin.user_delete("refresh-test-user")
        # A simple token need not change with the revision; the call just has to work.
        assert client._conn.caller.token is not None
        assert token is not None


async def test_passwords_stay_out_of_errors_and_logs(
    etcd_auth_server: EtcdServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="etcd3")
    assert etcd_auth_server.password is not None
    secret = "s3cret-" + etcd_auth_server.password[:6]

    async def wrong_login() -> None:
        # The sync client logs in in its constructor, the asyncio one on first use.
        client = etcd3.async_client(
            etcd_auth_server.host, etcd_auth_server.port, timeout=5, user="root", password=secret
        )
        try:
            await client.get(b"/x")
        finally:
            await client.close()

    with pytest.raises(AuthFailedError) as info:
        await wrong_login()
    assert secret not in str(info.value)
    assert secret not in repr(info.value)
    assert all(secret not in record.getMessage() for record in caplog.records)


async def test_a_client_without_credentials_does_not_refresh(
    short_ttl_server: EtcdServer,
) -> None:
    assert short_ttl_server.user is not None
    assert short_ttl_server.password is not None
    async with login(short_ttl_server) as client:
        token = await client._conn.caller.authenticate(
            short_ttl_server.user, short_ttl_server.password
        )
        assert client._conn.caller.token == token
    anon = etcd3.async_client(short_ttl_server.host, short_ttl_server.port, timeout=5)
    try:
        with pytest.raises(EtcdError):
            await anon.get(b"/x")  # no token at all: refused, nothing to refresh with
    finally:
        await anon.close()
