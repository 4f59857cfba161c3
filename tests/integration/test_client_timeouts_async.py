# async-to-sync: source
"""The timeout rule end to end: ``timeout_override=math.inf`` is no deadline for one call,
``None`` the client's timeout, ``0`` a deadline that has passed; on every call that takes
``timeout_override``, against a private server (some calls change the cluster)."""

from __future__ import annotations

import inspect
import io
import math
import time
from collections.abc import Callable

import pytest
from server_features import has

import etcd3
from etcd3._client_async import AsyncEtcd3Client
from etcd3._lease_async import AsyncLease
from etcd3._session_async import AsyncSession
from etcd3.errors import ConnectionTimeoutError, EtcdError, UnimplementedError, WatchTimedOut
from etcd3.testing import EtcdFactory, EtcdServer


def _takes_timeout_override(cls: type) -> set[str]:
    return {
        f"{cls.__name__}.{name}"
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_")
        and callable(member)
        and "timeout_override" in inspect.signature(member).parameters
    }


_Inf = Callable[[str], float]


class _Calls:
    """``timeout_override`` values that also record which method they were passed to."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def inf(self, method: str) -> float:
        self.seen.add(method)
        return math.inf


async def test_zero_and_none_follow_the_client_and_the_call(etcd_server: EtcdServer) -> None:
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=0) as client:
        with pytest.raises(ConnectionTimeoutError, match="before the call was sent"):
            await client.get("/timeouts/k")  # the client's timeout: expired
        with pytest.raises(ConnectionTimeoutError, match="before the call was sent"):
            await client.put("/timeouts/k", "v", timeout_override=None)
        await client.put("/timeouts/k", "v", timeout_override=math.inf)
        assert (await client.get("/timeouts/k", timeout_override=5))[0] == b"v"
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=10) as client:
        with pytest.raises(ConnectionTimeoutError):
            await client.get("/timeouts/k", timeout_override=0)
        assert client.timeout == 10.0
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=math.inf) as client:
        assert client.timeout is None  # no default deadline
        assert (await client.get("/timeouts/k"))[0] == b"v"
    with pytest.raises(ValueError, match="timeout"):
        etcd3.async_client(etcd_server.host, etcd_server.port, timeout=-1)


async def test_a_call_without_an_answer_names_itself_and_its_timeout(
    etcd_factory: EtcdFactory,
) -> None:
    server = etcd_factory()
    async with etcd3.async_client(server.host, server.port, timeout=10) as client:
        await client.put("/timeouts/k", "v")
        server.pause()  # connected, but no answer comes
        try:
            with pytest.raises(ConnectionTimeoutError) as put:
                await client.put("/timeouts/k", "w", timeout_override=0.3)
            with pytest.raises(ConnectionTimeoutError) as get:
                await client.get("/timeouts/k", timeout_override=0.4)
            # A wait for a watch's first event bounds its creation too, not only the
            # client's timeout (10 s) does.
            started = time.monotonic()
            with pytest.raises(WatchTimedOut) as once:
                await client.watch_once("/timeouts/k", timeout=0.5)
            assert time.monotonic() - started < 3
        finally:
            server.resume()
        assert str(once.value).startswith(
            "etcd did not confirm the watch of b'/timeouts/k' within 0.5 s: "
        )
        assert str(put.value) == (
            "/etcdserverpb.KV/Put: no answer within the call's timeout of 0.3 s (Deadline Exceeded)"
        )
        assert put.value.outcome_unknown
        assert str(get.value) == (
            "/etcdserverpb.KV/Range: no answer within the call's timeout of 0.4 s "
            "(Deadline Exceeded)"
        )
        assert get.value.details == "Deadline Exceeded"


async def test_math_inf_is_no_deadline_on_every_call(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    calls = _Calls()
    inf = calls.inf
    async with etcd3.async_client(server.host, server.port, timeout=0) as client:
        await _kv_and_transactions(client, inf)
        await _leases(client, inf)
        await _watches(client, inf)
        await _cluster(client, inf)
        await _auth(client, inf, server.version)
    expected = (
        _takes_timeout_override(AsyncEtcd3Client)
        | _takes_timeout_override(AsyncLease)
        | _takes_timeout_override(AsyncSession)
    )
    assert calls.seen == expected


async def _kv_and_transactions(client: AsyncEtcd3Client, inf: _Inf) -> None:
    await client.put("/t/a", "1", timeout_override=inf("AsyncEtcd3Client.put"))
    await client.put("/t/b", "2", timeout_override=math.inf)
    assert (await client.get("/t/a", timeout_override=inf("AsyncEtcd3Client.get")))[0] == b"1"
    got = await client.get_response("/t/a", timeout_override=inf("AsyncEtcd3Client.get_response"))
    assert got.count == 1
    strict = await client.get_strict("/t/a", timeout_override=inf("AsyncEtcd3Client.get_strict"))
    assert strict[0] == b"1"
    kv = await client.get_kv("/t/a", timeout_override=inf("AsyncEtcd3Client.get_kv"))
    assert kv is not None
    assert kv.value == b"1"
    kvs = await client.get_kvs("/t/", prefix=True, timeout_override=inf("AsyncEtcd3Client.get_kvs"))
    assert [item.value for item in kvs] == [b"1", b"2"]

    def values(items: list[tuple[bytes, etcd3.KVMetadata]]) -> list[bytes]:
        return [value for value, _meta in items]

    every = [b"1", b"2"]
    name = "AsyncEtcd3Client.get_prefix"
    assert (
        values([item async for item in client.get_prefix("/t/", timeout_override=inf(name))])
        == every
    )
    name = "AsyncEtcd3Client.get_prefix_response"
    assert (await client.get_prefix_response("/t/", timeout_override=inf(name))).count == 2
    name = "AsyncEtcd3Client.get_range"
    assert (
        values([i async for i in client.get_range("/t/a", "/t/c", timeout_override=inf(name))])
        == every
    )
    name = "AsyncEtcd3Client.get_range_response"
    assert (await client.get_range_response("/t/a", "/t/c", timeout_override=inf(name))).count == 2
    name = "AsyncEtcd3Client.get_all"
    assert values([item async for item in client.get_all(timeout_override=inf(name))]) == every
    name = "AsyncEtcd3Client.get_all_response"
    assert (await client.get_all_response(timeout_override=inf(name))).count == 2
    name = "AsyncEtcd3Client.get_range_paged"
    paged = client.get_range_paged("/t/a", "/t/c", page_size=1, timeout_override=inf(name))
    assert values([item async for item in paged]) == every
    name = "AsyncEtcd3Client.get_range_paged_response"
    pages = client.get_range_paged_response("/t/a", "/t/c", page_size=1, timeout_override=inf(name))
    assert len([page async for page in pages]) == 2
    name = "AsyncEtcd3Client.get_prefix_paged"
    paged = client.get_prefix_paged("/t/", page_size=1, timeout_override=inf(name))
    assert values([item async for item in paged]) == every
    name = "AsyncEtcd3Client.get_prefix_paged_response"
    pages = client.get_prefix_paged_response("/t/", page_size=1, timeout_override=inf(name))
    assert len([page async for page in pages]) == 2

    tx = client.transactions
    succeeded, _ = await client.transaction(
        [tx.value("/t/a") == b"1"],
        [tx.put("/t/a", "3")],
        timeout_override=inf("AsyncEtcd3Client.transaction"),
    )
    assert succeeded
    built = etcd3.TransactionBuilder.new()
    built.success.put("/t/c", "4")
    assert (await client.txn(built, timeout_override=inf("AsyncEtcd3Client.txn"))).success
    name = "AsyncEtcd3Client.put_if_not_exists"
    assert (await client.put_if_not_exists("/t/d", "5", timeout_override=inf(name)))[0]
    name = "AsyncEtcd3Client.replace"
    assert (await client.replace("/t/d", "5", "6", timeout_override=inf(name)))[0]

    assert await client.delete("/t/d", timeout_override=inf("AsyncEtcd3Client.delete"))
    name = "AsyncEtcd3Client.delete_range"
    assert (await client.delete_range("/t/c", "/t/d", timeout_override=inf(name))).deleted == 1
    name = "AsyncEtcd3Client.delete_prefix"
    assert (await client.delete_prefix("/t/", timeout_override=inf(name))).deleted == 2
    revision = (await client.put("/t/e", "7", timeout_override=math.inf)).header.revision
    await client.compact(revision, timeout_override=inf("AsyncEtcd3Client.compact"))


async def _leases(client: AsyncEtcd3Client, inf: _Inf) -> None:
    lease = await client.lease(30, timeout_override=inf("AsyncEtcd3Client.lease"))
    leases = await client.leases(timeout_override=inf("AsyncEtcd3Client.leases"))
    assert lease.id in [status.ID for status in leases.leases]
    name = "AsyncEtcd3Client.get_lease_info"
    assert (await client.get_lease_info(lease.id, timeout_override=inf(name))).grantedTTL == 30
    name = "AsyncEtcd3Client.refresh_lease"
    answers = [a async for a in client.refresh_lease(lease.id, timeout_override=inf(name))]
    assert answers[0].TTL == 30
    assert (await lease.refresh(timeout_override=inf("AsyncLease.refresh"))).TTL == 30
    await lease.revoke(timeout_override=inf("AsyncLease.revoke"))
    other = await client.lease(30, timeout_override=math.inf)
    name = "AsyncEtcd3Client.revoke_lease"
    await client.revoke_lease(other.id, timeout_override=inf(name))

    session = AsyncSession(client, 30)
    opened = await session.open(timeout_override=inf("AsyncSession.open"))
    assert opened.ttl == 30
    # Closing revokes the lease with the client's timeout (0 here): it expires instead.
    with pytest.raises(ConnectionTimeoutError):
        await session.close()


async def _watches(client: AsyncEtcd3Client, inf: _Inf) -> None:
    name = "AsyncEtcd3Client.watch"
    _events, cancel = await client.watch("/w/a", timeout_override=inf(name))
    await cancel()
    name = "AsyncEtcd3Client.watch_prefix"
    _events, cancel = await client.watch_prefix("/w/", timeout_override=inf(name))
    await cancel()
    name = "AsyncEtcd3Client.watch_response"
    _responses, cancel = await client.watch_response("/w/a", timeout_override=inf(name))
    await cancel()
    name = "AsyncEtcd3Client.watch_prefix_response"
    _responses, cancel = await client.watch_prefix_response("/w/", timeout_override=inf(name))
    await cancel()
    name = "AsyncEtcd3Client.watcher"
    handle = await client.watcher("/w/", prefix=True, timeout_override=inf(name))
    await handle.cancel()
    name = "AsyncEtcd3Client.watchers"
    handles = await client.watchers(["/w/a", "/w/b"], timeout_override=inf(name))
    for handle in handles:
        await handle.cancel()

    def ignore(_response: object) -> None:
        pass

    name = "AsyncEtcd3Client.add_watch_callback"
    watch_id = await client.add_watch_callback("/w/a", ignore, timeout_override=inf(name))
    await client.cancel_watch(watch_id, timeout_override=inf("AsyncEtcd3Client.cancel_watch"))
    name = "AsyncEtcd3Client.add_watch_prefix_callback"
    watch_id = await client.add_watch_prefix_callback("/w/", ignore, timeout_override=inf(name))
    await client.cancel_watch(watch_id, timeout_override=math.inf)

    for name, once in (
        ("watch_once", client.watch_once),
        ("watch_once_response", client.watch_once_response),
        ("watch_prefix_once", client.watch_prefix_once),
        ("watch_prefix_once_response", client.watch_prefix_once_response),
    ):
        with pytest.raises(WatchTimedOut):  # created without a deadline; nothing changed
            await once("/w/", 0.2, timeout_override=inf(f"AsyncEtcd3Client.{name}"))


async def _cluster(client: AsyncEtcd3Client, inf: _Inf) -> None:
    name = "AsyncEtcd3Client.get_members"
    (member,) = [m async for m in client.get_members(timeout_override=inf(name))]
    status = await client.status(timeout_override=inf("AsyncEtcd3Client.status"))
    assert status.leader == member
    await client.defragment(timeout_override=inf("AsyncEtcd3Client.defragment"))
    assert await client.hash(timeout_override=inf("AsyncEtcd3Client.hash"))
    await client.hash_kv(timeout_override=inf("AsyncEtcd3Client.hash_kv"))
    sink = io.BytesIO()
    await client.snapshot(sink, timeout_override=inf("AsyncEtcd3Client.snapshot"))
    assert sink.getvalue()

    learner = await client.add_member(
        ["http://127.0.0.1:1"], is_learner=True, timeout_override=inf("AsyncEtcd3Client.add_member")
    )
    await client.update_member(
        learner.id, ["http://127.0.0.1:2"], timeout_override=inf("AsyncEtcd3Client.update_member")
    )
    with pytest.raises(EtcdError) as refused:  # a learner that never started is not ready
        await client.promote_member(
            learner.id, timeout_override=inf("AsyncEtcd3Client.promote_member")
        )
    assert not isinstance(refused.value, ConnectionTimeoutError)
    await client.remove_member(learner.id, timeout_override=inf("AsyncEtcd3Client.remove_member"))
    # The only member leads already: handing leadership to itself is a no-op.
    await client.move_leader(member.id, timeout_override=inf("AsyncEtcd3Client.move_leader"))

    name = "AsyncEtcd3Client.create_alarm"
    assert await client.create_alarm(member.id, timeout_override=inf(name))
    listed = client.list_alarms(timeout_override=inf("AsyncEtcd3Client.list_alarms"))
    assert [alarm.member_id async for alarm in listed] == [member.id]
    await client.disarm_alarm(member.id, timeout_override=inf("AsyncEtcd3Client.disarm_alarm"))


async def _auth(client: AsyncEtcd3Client, inf: _Inf, server_version: str) -> None:
    name = "AsyncEtcd3Client.auth_status"
    if has(server_version, "AuthStatus"):
        status = await client.auth_status(timeout_override=inf(name))
        assert not status.enabled
    else:  # the server lacks the RPC: it says so at once, deadline or not
        with pytest.raises(UnimplementedError, match="AuthStatus"):
            await client.auth_status(timeout_override=inf(name))
    await client.user_add("ann", "pw", timeout_override=inf("AsyncEtcd3Client.user_add"))
    name = "AsyncEtcd3Client.user_change_password"
    await client.user_change_password("ann", "pw2", timeout_override=inf(name))
    await client.role_add("reader", timeout_override=inf("AsyncEtcd3Client.role_add"))
    name = "AsyncEtcd3Client.role_grant_permission"
    await client.role_grant_permission("reader", "/r", timeout_override=inf(name))
    assert await client.role_get("reader", timeout_override=inf("AsyncEtcd3Client.role_get"))
    name = "AsyncEtcd3Client.role_revoke_permission"
    await client.role_revoke_permission("reader", "/r", timeout_override=inf(name))
    name = "AsyncEtcd3Client.user_grant_role"
    await client.user_grant_role("ann", "reader", timeout_override=inf(name))
    assert await client.user_get("ann", timeout_override=inf("AsyncEtcd3Client.user_get"))
    name = "AsyncEtcd3Client.user_revoke_role"
    await client.user_revoke_role("ann", "reader", timeout_override=inf(name))
    assert await client.user_list(timeout_override=inf("AsyncEtcd3Client.user_list"))
    assert await client.role_list(timeout_override=inf("AsyncEtcd3Client.role_list"))
    await client.user_delete("ann", timeout_override=inf("AsyncEtcd3Client.user_delete"))
    await client.role_delete("reader", timeout_override=inf("AsyncEtcd3Client.role_delete"))

    await client.user_add("root", "pw", timeout_override=math.inf)
    await client.user_grant_role("root", "root", timeout_override=math.inf)
    await client.auth_enable(timeout_override=inf("AsyncEtcd3Client.auth_enable"))
    with pytest.raises(EtcdError) as refused:  # this client is not root: the server says no
        await client.auth_disable(timeout_override=inf("AsyncEtcd3Client.auth_disable"))
    assert not isinstance(refused.value, ConnectionTimeoutError)
