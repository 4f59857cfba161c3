# async-to-sync: source
"""Logging on real failures: a failover is logged once at INFO and its retry at DEBUG on the
``etcd3.transport`` logger; a token refresh once at INFO, with neither the password nor any
token in any record; a healthy client logs nothing."""

from __future__ import annotations

import logging

import pytest

import etcd3
from etcd3._acompat import sleep
from etcd3.testing import EtcdFactory

TRANSPORT = "etcd3.transport"


def etcd3_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "etcd3" or r.name.startswith("etcd3.")]


async def test_a_failover_is_logged_once_at_info_and_its_retry_at_debug(
    etcd_factory: EtcdFactory, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = etcd_factory(), etcd_factory()
    caplog.set_level(logging.DEBUG, logger="etcd3")
    async with etcd3.async_client(
        endpoints=[first.endpoint, second.endpoint], timeout=10
    ) as client:
        await client.put(b"/log", b"1")
        assert etcd3_records(caplog) == []  # the healthy path logs nothing
        first.kill()
        assert (await client.get(b"/log"))[0] is None  # answered by the other server
        assert (await client.get(b"/log"))[0] is None
    records = etcd3_records(caplog)
    assert {r.name for r in records} == {TRANSPORT}
    infos = [r.getMessage() for r in records if r.levelno == logging.INFO]
    assert len(infos) == 1
    assert first.endpoint in infos[0]
    assert infos[0].endswith(f"now using {second.endpoint}")
    debugs = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
    assert any(
        m.startswith("etcd3: retrying /etcdserverpb.KV/Range on " + second.endpoint) for m in debugs
    )
    assert all(r.levelno < logging.WARNING for r in records)


async def test_a_token_refresh_is_logged_once_at_info_without_secrets(
    etcd_factory: EtcdFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = etcd_factory(auth=True, auth_token_ttl=2)
    assert server.user is not None
    assert server.password is not None
    caplog.set_level(logging.DEBUG, logger="etcd3")
    async with etcd3.async_client(
        server.host, server.port, timeout=10, user=server.user, password=server.password
    ) as client:
        await client.put(b"/t", b"1")
        old_token = client._conn.caller.token
        await sleep(3.5)  # the token expires after 2 s without use
        assert (await client.get(b"/t"))[0] == b"1"
        new_token = client._conn.caller.token
    assert old_token is not None
    assert new_token is not None
    assert new_token != old_token
    records = etcd3_records(caplog)
    refreshes = [r for r in records if "authenticating again" in r.getMessage()]
    assert [(r.name, r.levelno) for r in refreshes] == [(TRANSPORT, logging.INFO)]
    for record in records:
        text = record.getMessage() + repr(record.args) + str(record.exc_info)
        for secret in (server.password, old_token, new_token):
            assert secret not in text


async def test_a_lost_lease_is_logged_once_at_warning(
    etcd_factory: EtcdFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = etcd_factory()
    caplog.set_level(logging.DEBUG, logger="etcd3")
    async with (
        etcd3.async_client(server.host, server.port, timeout=10) as client,
        etcd3.async_client(server.host, server.port, timeout=10) as other,
    ):
        lease = await client.lease(5, keep_alive=True)
        await other.revoke_lease(lease.id)  # revoked behind the keep-alive's back
        for _ in range(100):
            if lease.lost_error is not None:
                break
            await sleep(0.1)
        assert lease.lost_error is not None
    warnings = [r for r in etcd3_records(caplog) if r.levelno >= logging.WARNING]
    assert [(r.name, r.levelno) for r in warnings] == [("etcd3.lease", logging.WARNING)]
    assert f"{lease.id:#x} lost" in warnings[0].getMessage()


async def test_a_watch_resume_is_logged_at_info(
    etcd_factory: EtcdFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = etcd_factory()
    caplog.set_level(logging.DEBUG, logger="etcd3")
    async with etcd3.async_client(server.host, server.port, timeout=10) as client:
        _events, cancel = await client.watch_prefix(b"/w/")
        server.kill()
        server.restart()
        for _ in range(100):  # the put may race the watch's re-creation: retry until seen
            await client.put(b"/w/k", b"after")
            infos = [
                r
                for r in etcd3_records(caplog)
                if r.name == "etcd3.watch" and r.levelno == logging.INFO
            ]
            if infos:
                break
            await sleep(0.1)
        assert infos, "no INFO record of the watch stream being re-opened"
        assert "re-opened" in infos[0].getMessage()
        await cancel()
