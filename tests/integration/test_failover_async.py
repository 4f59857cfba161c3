# async-to-sync: source
"""Failover and retries on real 3-member clusters: a killed, paused or leaderless member, writes
never applied twice, the retry switch, endpoint auto-sync and the endpoint arguments."""

from __future__ import annotations

import functools
import time

import pytest

import etcd3
from etcd3._acompat import join_workers, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3._connection_async import AsyncConnection
from etcd3._multi_async import AsyncMultiEndpointEtcd3Client, Endpoint
from etcd3._retry import RetryPolicy
from etcd3._runtime import AsyncDuplexStream
from etcd3._transport import AsyncGrpcDuplexStream
from etcd3.errors import (
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    NoLeaderError,
    NoServerAvailableError,
)
from etcd3.rpc.etcdserverpb import (
    LeaseKeepAliveRequest,
    LeaseKeepAliveResponse,
    WatchCreateRequest,
    WatchRequest,
)
from etcd3.testing import EtcdCluster, EtcdFactory, EtcdServer
from etcd3.testing._member import EtcdMember, free_ports


def member_in_use(cluster: EtcdCluster, client: AsyncEtcd3Client) -> EtcdMember:
    return next(m for m in cluster.members if m.endpoint == client.endpoint_in_use)


def dead_endpoint() -> str:
    return f"127.0.0.1:{free_ports(1)[0]}"


async def test_endpoints_are_exposed_and_the_first_is_used(etcd_cluster: EtcdCluster) -> None:
    urls = [m.client_url for m in etcd_cluster.members]
    async with etcd3.async_client(endpoints=urls, timeout=5) as client:
        assert client.endpoints == tuple(etcd_cluster.endpoints)
        assert client.endpoint_in_use == etcd_cluster.endpoints[0]
        await client.put(b"/k", b"v")
        assert (await client.get(b"/k"))[0] == b"v"
        assert client.endpoint_in_use == etcd_cluster.endpoints[0]  # sticky


async def test_reads_continue_after_killing_the_member_in_use(etcd_cluster: EtcdCluster) -> None:
    async with etcd3.async_client(endpoints=etcd_cluster.endpoints, timeout=10) as client:
        await client.put(b"/read", b"1")
        victim = member_in_use(etcd_cluster, client)
        etcd_cluster.kill(victim)
        started = time.monotonic()
        assert (await client.get(b"/read"))[0] == b"1"
        assert time.monotonic() - started < 5
        assert client.endpoint_in_use != victim.endpoint
        assert (await client.get(b"/read"))[0] == b"1"
        etcd_cluster.restart(victim)


async def test_writes_continue_after_killing_the_leader_none_applied_twice(
    etcd_cluster: EtcdCluster,
) -> None:
    leader = etcd_cluster.leader()
    # Start on the leader so its death hits the calls in flight.
    endpoints = [leader.endpoint] + [m.endpoint for m in etcd_cluster.members if m is not leader]
    acked: dict[int, list[int]] = {w: [] for w in range(3)}
    failed: list[EtcdError] = []
    async with etcd3.async_client(endpoints=endpoints, timeout=10) as client:

        async def writer(w: int) -> None:
            for seq in range(60):
                try:
                    await client.put(f"/w/{w}/{seq:03d}", f"{w}:{seq}")
                except EtcdError as exc:  # outcome unknown: not acknowledged
                    failed.append(exc)
                else:
                    acked[w].append(seq)

        workers = [spawn(functools.partial(writer, w), name=f"writer-{w}") for w in range(3)]
        await sleep(0.2)
        etcd_cluster.kill(leader)
        await join_workers(workers, timeout=60)
        got = await client.get_prefix_response(b"/w/")
        etcd_cluster.restart(leader)
    by_key = {kv.key: kv for kv in got.kvs}
    for w, seqs in acked.items():
        for seq in seqs:  # every acknowledged write is there
            kv = by_key[f"/w/{w}/{seq:03d}".encode()]
            assert kv.value == f"{w}:{seq}".encode()
    # A write applied twice would have bumped its key's version to 2.
    assert all(kv.version == 1 for kv in got.kvs)
    assert sum(len(seqs) for seqs in acked.values()) >= 150  # most went through the failover
    assert len(failed) <= 30


async def test_a_paused_member_is_left_within_a_bounded_time(etcd_cluster: EtcdCluster) -> None:
    async with etcd3.async_client(endpoints=etcd_cluster.endpoints, timeout=10) as client:
        await client.put(b"/p", b"1")
        victim = member_in_use(etcd_cluster, client)
        etcd_cluster.pause(victim)
        try:
            started = time.monotonic()
            assert (await client.get(b"/p"))[0] == b"1"
            # One attempt of RetryPolicy().attempt_timeout (2 s) on the frozen member.
            assert time.monotonic() - started < 4
            assert client.endpoint_in_use != victim.endpoint
            started = time.monotonic()
            await client.put(b"/p", b"2")  # later calls go straight to a live member
            assert time.monotonic() - started < 1.5
        finally:
            etcd_cluster.resume(victim)


async def test_a_login_leaves_a_paused_member_within_a_bounded_time(
    etcd_factory: EtcdFactory,
) -> None:
    cluster = etcd_factory.cluster(3, auth=True)
    leader = cluster.leader()
    victim = next(m for m in cluster.members if m is not leader)
    others = [m.endpoint for m in cluster.members if m is not victim]
    cluster.pause(victim)
    try:
        started = time.monotonic()
        async with etcd3.async_client(
            endpoints=[victim.endpoint, *others],
            user=cluster.user,
            password=cluster.password,
            timeout=10,
        ) as client:
            await client.put(b"/login/k", b"v")
            # One attempt of RetryPolicy().attempt_timeout (2 s) on the frozen member.
            assert time.monotonic() - started < 3.5
            assert client.endpoint_in_use != victim.endpoint
    finally:
        cluster.resume(victim)


async def test_a_member_without_leader_refuses_then_recovers(etcd_cluster: EtcdCluster) -> None:
    survivor = etcd_cluster.members[0]
    others = etcd_cluster.members[1:]
    async with etcd3.async_client(endpoints=[survivor.endpoint], timeout=3) as client:
        await client.put(b"/nl", b"before")
        for member in others:
            etcd_cluster.kill(member)
        await sleep(0.5)  # the survivor notices it lost its leader
        started = time.monotonic()
        with pytest.raises(NoLeaderError):
            await client.put(b"/nl", b"during")
        with pytest.raises(NoLeaderError):
            await client.get(b"/nl")
        assert time.monotonic() - started < 7  # within the timeouts, after retries
        for member in others:
            etcd_cluster.restart(member)
        deadline = time.monotonic() + 15
        while True:
            try:
                value, _ = await client.get(b"/nl")
                break
            except NoLeaderError:
                assert time.monotonic() < deadline
                await sleep(0.2)
        assert value == b"before"  # the refused write was never applied


async def test_a_dead_endpoint_is_skipped_and_remembered(etcd_cluster: EtcdCluster) -> None:
    dead = dead_endpoint()
    async with etcd3.async_client(endpoints=[dead, etcd_cluster.endpoints[0]], timeout=5) as client:
        assert client.endpoint_in_use == dead
        await client.put(b"/d", b"1")  # refused before sending: retried elsewhere, write too
        assert client.endpoint_in_use == etcd_cluster.endpoints[0]
        assert (await client.get(b"/d"))[0] == b"1"


async def test_a_call_that_every_endpoint_failed_names_them_all() -> None:
    dead = sorted([dead_endpoint(), dead_endpoint(), dead_endpoint()])
    client = etcd3.async_client(endpoints=dead, timeout=2)
    try:
        with pytest.raises(ConnectionFailedError) as info:
            await client.get(b"/k")
    finally:
        await client.close()
    # grpc's own text names the last endpoint tried only.
    assert str(info.value).endswith(f"(endpoints that failed: {', '.join(dead)})")


async def test_retries_can_be_switched_off(etcd_cluster: EtcdCluster) -> None:
    dead = dead_endpoint()
    async with etcd3.async_client(
        endpoints=[dead, etcd_cluster.endpoints[0]],
        timeout=5,
        retry=RetryPolicy.disabled(),
    ) as client:
        with pytest.raises(ConnectionFailedError):
            await client.get(b"/x")
        # The failure still moved the client on: the next call works.
        assert client.endpoint_in_use == etcd_cluster.endpoints[0]
        assert await client.get(b"/x") == (None, None)


async def test_auto_sync_learns_every_member(etcd_cluster: EtcdCluster) -> None:
    first = etcd_cluster.endpoints[0]
    async with etcd3.async_client(endpoints=[first], timeout=5, auto_sync_interval=0.2) as client:
        assert client.endpoints == (first,)
        deadline = time.monotonic() + 10
        while len(client.endpoints) < 3:
            assert time.monotonic() < deadline
            await sleep(0.25)
            await client.get(b"/sync")  # a call after the interval triggers the sync
        assert set(client.endpoints) == set(etcd_cluster.endpoints)
        assert client.endpoint_in_use == first  # still sticky


async def test_an_endpoint_refresh_keeps_the_deadline_of_the_call_that_runs_it(
    etcd_cluster: EtcdCluster,
) -> None:
    # The refresh asks the member in use; frozen, it would hold the call for a whole attempt
    # (RetryPolicy().attempt_timeout, 2 s) before the call itself even started.
    member = etcd_cluster.members[0]
    async with etcd3.async_client(
        endpoints=[member.endpoint], timeout=5, auto_sync_interval=0.3
    ) as client:
        await client.put(b"/sync/k", b"v")
        etcd_cluster.pause(member)
        try:
            await sleep(0.4)  # a refresh is due
            started = time.monotonic()
            with pytest.raises(ConnectionTimeoutError):
                await client.get(b"/sync/k", timeout_override=0.5)
            assert time.monotonic() - started < 0.9
        finally:
            etcd_cluster.resume(member)


async def test_auto_sync_is_off_by_default(etcd_cluster: EtcdCluster) -> None:
    first = etcd_cluster.endpoints[0]
    async with etcd3.async_client(endpoints=[first], timeout=5) as client:
        await client.get(b"/x")
        await sleep(0.3)
        await client.get(b"/x")
        assert client.endpoints == (first,)


async def test_endpoint_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="not both"):
        etcd3.async_client("otherhost", endpoints=["a:1"])
    with pytest.raises(ValueError, match="not both"):
        etcd3.async_client(port=1234, endpoints=["a:1"])
    with pytest.raises(TypeError, match="sequence"):
        etcd3.async_client(endpoints="a:1")
    with pytest.raises(ValueError, match="at least one"):
        etcd3.async_client(endpoints=[])
    with pytest.raises(ValueError, match="host:port"):
        etcd3.async_client(endpoints=["a"])
    with pytest.raises(TypeError, match="RetryPolicy"):
        etcd3.async_client(endpoints=["a:1"], retry=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="auto_sync_interval"):
        etcd3.async_client(endpoints=["a:1"], auto_sync_interval=0)


# --- python-etcd3's multi-endpoint client ----------------------------------------------------


def plain(endpoint: str, time_retry: float = 300.0) -> Endpoint:
    host, port = endpoint.rsplit(":", 1)
    return Endpoint(host, int(port), secure=False, time_retry=time_retry)


async def test_multi_endpoint_client_fails_over_when_asked(etcd_cluster: EtcdCluster) -> None:
    live = etcd_cluster.endpoints[1]
    async with AsyncMultiEndpointEtcd3Client(
        [plain(dead_endpoint()), plain(live)], timeout=5, failover=True
    ) as client:
        await client.put(b"/multi", b"1")
        assert client.endpoint_in_use == live
        assert (await client.get(b"/multi"))[0] == b"1"
        assert client.failover is True


async def test_multi_endpoint_client_without_failover_reports_no_server(
    etcd_cluster: EtcdCluster,
) -> None:
    dead = dead_endpoint()
    async with AsyncMultiEndpointEtcd3Client(
        [plain(dead), plain(etcd_cluster.endpoints[0])], timeout=5
    ) as client:
        with pytest.raises(NoServerAvailableError, match="failover is off"):
            await client.get(b"/x")
        assert client.endpoint_in_use == dead  # stays put


async def test_multi_endpoint_lone_endpoint_is_retried(etcd_cluster: EtcdCluster) -> None:
    member = etcd_cluster.members[0]
    async with AsyncMultiEndpointEtcd3Client([plain(member.endpoint, 0.1)], timeout=5) as client:
        await client.put(b"/lone", b"1")
        etcd_cluster.kill(member)
        with pytest.raises(NoServerAvailableError):
            await client.get(b"/lone")
        etcd_cluster.restart(member)
        deadline = time.monotonic() + 15
        while True:
            try:
                assert (await client.get(b"/lone"))[0] == b"1"
                break
            except NoServerAvailableError:
                assert time.monotonic() < deadline
                await sleep(0.2)


async def test_multi_endpoint_namespace_is_a_multi_endpoint_client(
    etcd_server: EtcdServer, prefix: bytes
) -> None:
    endpoints = [plain(etcd_server.endpoint, 7.0)]
    async with AsyncMultiEndpointEtcd3Client(endpoints, timeout=5, failover=True) as client:
        scoped = client.namespace(prefix)
        assert type(scoped) is AsyncMultiEndpointEtcd3Client
        assert scoped.failover is True
        assert scoped.endpoint_objects == client.endpoint_objects
        assert scoped.timeout == 5.0
        await scoped.put("k", "v")
        assert (await client.get(prefix + b"k"))[0] == b"v"
        await scoped.close()  # the connection is the client's: it stays open
        assert (await client.get(prefix + b"k"))[0] == b"v"


def test_endpoint_arguments() -> None:
    with pytest.raises(ValueError, match="creds"):
        Endpoint("localhost", 2379)
    with pytest.raises(ValueError, match="port"):
        Endpoint("localhost", 0, secure=False)
    endpoint = Endpoint("::1", 2379, secure=False, time_retry=5)
    assert endpoint.netloc == "[::1]:2379"
    assert "time_retry=5" in repr(endpoint)
    with pytest.raises(ValueError, match="at least one"):
        AsyncMultiEndpointEtcd3Client([])


# --- Streams report their endpoint's failure -------------------------------------------------


async def test_a_stalled_stream_moves_the_streams_of_its_endpoint(etcd_server: EtcdServer) -> None:
    # Two names of one server: two endpoints to the transport.
    first, second = f"127.0.0.1:{etcd_server.port}", f"localhost:{etcd_server.port}"
    async with AsyncConnection([first, second], timeout=5) as conn:
        lease = await conn.rpc.lease.lease_grant(TTL=30)
        stalled = conn.rpc.lease.lease_keep_alive(timeout=None)
        await stalled.send(LeaseKeepAliveRequest(ID=lease.ID))
        assert (await anext(stalled)).ID == lease.ID
        watch = conn.rpc.watch.watch(timeout=None)
        await watch.send(WatchRequest(create_request=WatchCreateRequest(key=b"/stalled")))
        assert (await anext(watch)).created
        assert isinstance(stalled, AsyncGrpcDuplexStream)
        assert isinstance(watch, AsyncGrpcDuplexStream)
        assert stalled.endpoint == watch.endpoint == first

        conn.stream_stalled(object())  # not a stream of this connection: ignored
        assert conn.endpoint == first
        conn.stream_stalled(stalled)
        assert conn.endpoint == second
        with pytest.raises(ConnectionFailedError, match=first):
            await anext(watch)  # the other stream on that endpoint ends too
        with pytest.raises(ConnectionFailedError, match=first):
            await anext(stalled)

        reopened = conn.rpc.lease.lease_keep_alive(timeout=None)
        await reopened.send(LeaseKeepAliveRequest(ID=lease.ID))
        assert (await anext(reopened)).TTL > 0
        assert isinstance(reopened, AsyncGrpcDuplexStream)
        assert reopened.endpoint == second
        reopened.cancel()
        await conn.rpc.lease.lease_revoke(ID=lease.ID)


async def send_until_it_fails(
    stream: AsyncDuplexStream[LeaseKeepAliveRequest, LeaseKeepAliveResponse],
    request: LeaseKeepAliveRequest,
) -> EtcdError:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            await stream.send(request)
        except EtcdError as exc:
            return exc
        await sleep(0.05)
    raise AssertionError("sends kept succeeding on a killed member")


async def test_a_send_that_finds_its_endpoint_dead_moves_the_next_stream(
    etcd_factory: EtcdFactory, etcd_server: EtcdServer
) -> None:
    doomed = etcd_factory()
    async with AsyncConnection([doomed.endpoint, etcd_server.endpoint], timeout=5) as conn:
        lease = await conn.rpc.lease.lease_grant(TTL=30)
        stream = conn.rpc.lease.lease_keep_alive(timeout=None)
        await stream.send(LeaseKeepAliveRequest(ID=lease.ID))
        assert (await anext(stream)).ID == lease.ID
        doomed.kill()
        # Only sends, no read: the failure must reach the transport from send() alone.
        error = await send_until_it_fails(stream, LeaseKeepAliveRequest(ID=lease.ID))
        assert isinstance(error, ConnectionFailedError)
        assert conn.endpoint == etcd_server.endpoint
        assert (await conn.rpc.maintenance.status()).version
        stream.cancel()
