"""Clusters behind fault proxies: partitions and isolation do to real etcd what they say."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest

import etcd3
from etcd3.errors import ConnectionTimeoutError, EtcdError
from etcd3.testing import EtcdCluster, EtcdFactory, EtcdMember

pytestmark = pytest.mark.cluster

BOUND = 10.0
"""Seconds within which the cluster must have reacted to a fault."""


def pinned(
    member: EtcdMember, timeout: float = 2.0, *, require_leader: bool = True
) -> etcd3.Etcd3Client:
    """A client that talks to ``member`` only (``require_leader=False``: also while the member
    has no leader, as serializable reads from a minority need)."""
    return etcd3.client(endpoints=[member.endpoint], timeout=timeout, require_leader=require_leader)


def wait_until(condition: Callable[[], bool], what: str) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > BOUND:
            raise AssertionError(f"not within {BOUND} s: {what}")
        time.sleep(0.02)
    return time.monotonic() - start


def test_peer_connections_are_attributed_to_their_members(
    etcd_proxied_cluster: EtcdCluster,
) -> None:
    cluster = etcd_proxied_cluster
    names = {member.name for member in cluster.members}
    with pinned(cluster.members[0]) as client:
        client.put("/attributed", "x")  # raft traffic between every pair
    for member in cluster.members:
        sources = cluster.network.peer_proxy(member.name).stats().sources
        assert sources, f"no peer connection into {member.name}"
        assert set(sources) <= names - {member.name}, sources


def test_a_partitioned_leader_loses_quorum_and_the_majority_goes_on(
    etcd_proxied_cluster: EtcdCluster,
) -> None:
    cluster = etcd_proxied_cluster
    leader = cluster.leader()
    majority = [member for member in cluster.members if member is not leader]
    with (
        pinned(leader) as minority_client,
        pinned(leader, require_leader=False) as minority_reader,
        pinned(majority[0]) as majority_client,
    ):
        minority_client.put("/p/k", "before")
        cluster.partition([leader], majority)
        wait_until(lambda: any(m.is_leader() for m in majority), "the majority elects a leader")
        wait_until(lambda: not leader.is_leader(), "the old leader steps down")

        with pytest.raises(EtcdError):
            minority_client.put("/p/k", "lost")
        with pytest.raises(EtcdError):
            minority_client.get("/p/k")  # a linearizable read needs a quorum
        majority_client.put("/p/k", "after")
        stale, _meta = minority_reader.get("/p/k", serializable=True)
        assert stale == b"before"  # the minority still serves its own, older state

        cluster.heal()
        wait_until(
            lambda: minority_client.get("/p/k", serializable=True)[0] == b"after",
            "the old leader catches up after the heal",
        )
        assert minority_client.get("/p/k")[0] == b"after"


def test_client_isolation_leaves_the_cluster_whole(etcd_proxied_cluster: EtcdCluster) -> None:
    cluster = etcd_proxied_cluster
    leader = cluster.leader()
    follower = cluster.followers()[0]
    with pinned(follower, timeout=1.0) as cut_off, pinned(leader) as other:
        cut_off.put("/c/k", "1")
        cluster.isolate(follower, peers=False)
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError):  # silence, not a refusal or a reset
            cut_off.get("/c/k")
        assert time.monotonic() - start >= 0.9
        other.put("/c/k", "2")
        assert cluster.leader() is leader, "isolating clients must not cost an election"
        cluster.heal()
        wait_until(lambda: cut_off.get("/c/k")[0] == b"2", "the isolated client reads again")


def test_peer_isolation_keeps_serving_clients_stale_data(
    etcd_proxied_cluster: EtcdCluster,
) -> None:
    cluster = etcd_proxied_cluster
    follower = cluster.followers()[0]
    others = [member for member in cluster.members if member is not follower]
    with pinned(follower, require_leader=False) as alone, pinned(others[0]) as writer:
        writer.put("/i/k", "1")
        wait_until(lambda: alone.get("/i/k", serializable=True)[0] == b"1", "replicated")
        cluster.isolate(follower, clients=False)
        writer.put("/i/k", "2")
        time.sleep(0.3)
        assert alone.get("/i/k", serializable=True)[0] == b"1"
        cluster.heal()
        wait_until(lambda: alone.get("/i/k", serializable=True)[0] == b"2", "caught up")


def test_a_one_way_block_starves_only_its_target(etcd_proxied_cluster: EtcdCluster) -> None:
    cluster = etcd_proxied_cluster
    leader = cluster.leader()
    starved, fed = cluster.followers()
    with pinned(starved, require_leader=False) as reader, pinned(leader) as writer:
        cluster.network.block(leader.name, starved.name)
        writer.put("/b/k", "new")  # the leader and the other follower are a quorum
        wait_until(lambda: pinned(fed).get("/b/k", serializable=True)[0] == b"new", "fed")
        time.sleep(0.3)
        assert reader.get("/b/k", serializable=True)[0] is None
        assert cluster.network.blocked == {(leader.name, starved.name)}
        cluster.heal()
        wait_until(lambda: reader.get("/b/k", serializable=True)[0] == b"new", "caught up")


def test_partition_checks_its_groups(etcd_proxied_cluster: EtcdCluster) -> None:
    cluster = etcd_proxied_cluster
    m0, m1, m2 = cluster.members
    with pytest.raises(ValueError, match="missing"):
        cluster.partition([m0], [m1])
    with pytest.raises(ValueError, match="more than one group"):
        cluster.partition([m0, m1], [m1, m2])
    with pytest.raises(KeyError):
        cluster.network.partition(["nobody"], [m0.name, m1.name, m2.name])


def test_a_removed_member_rejoins_empty_and_catches_up(
    etcd_proxied_cluster: EtcdCluster,
) -> None:
    cluster = etcd_proxied_cluster
    follower = cluster.followers()[0]
    old_id = follower.member_id
    cluster.remove(follower)
    assert not follower.is_running
    with pinned(cluster.leader()) as client:
        client.put("/r/k", "while-removed")
        assert {m.id for m in client.members} == {
            m.member_id for m in cluster.members if m is not follower
        }
        cluster.rejoin(follower)
        assert follower.member_id != old_id
        with pinned(follower) as rejoined:
            wait_until(
                lambda: rejoined.get("/r/k", serializable=True)[0] == b"while-removed",
                "the rejoined member has the data written while it was away",
            )


def test_a_server_behind_a_blackhole_times_out_then_recovers(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory(fault_proxy=True)
    assert server.endpoint == server.network.client_proxy(server.name).endpoint
    with etcd3.client(endpoints=[server.endpoint], timeout=1.0) as client:
        client.put("/s/k", "v")
        server.network.client_proxy(server.name).blackhole()
        with pytest.raises(ConnectionTimeoutError):
            client.get("/s/k")
        server.network.heal()
        assert client.get("/s/k")[0] == b"v"


def test_without_fault_proxy_there_is_no_network(etcd_cluster: EtcdCluster) -> None:
    with pytest.raises(RuntimeError, match="fault_proxy=True"):
        etcd_cluster.partition([etcd_cluster.members[0]], etcd_cluster.members[1:])


# A call whose token expired authenticates again and retries: the login is part of the call and
# gets what is left of its deadline, not the client's whole default timeout (which would overrun
# the call, and let an attempt that then times out mark a merely slow member as failed).
SLOW = 0.75
"""One-way latency: each round trip takes 1.5 s, so get + authenticate + get = 4.5 s."""


REAUTH_CASES = [
    # The login gets the 1.5 s left of a 3 s call: it runs out of time itself.
    pytest.param(1, 3.0, id="the login runs out of time"),
    # Within 3.6 s: the login succeeds with 0.6 s left, and the get's next attempt has those
    # 0.6 s, not the 2 s it had before the login (its answer would come 0.9 s late). A token
    # of 2 s outlives the 1.5 s its first use takes to reach etcd.
    pytest.param(2, 3.6, id="the attempt after the login gets what is left"),
]


@pytest.mark.parametrize(("ttl", "timeout"), REAUTH_CASES)
def test_a_call_that_authenticates_again_keeps_its_deadline(
    etcd_factory: EtcdFactory, ttl: int, timeout: float
) -> None:
    server = etcd_factory(auth=True, auth_token_ttl=ttl, fault_proxy=True)
    with etcd3.client(
        endpoints=[server.endpoint], user=server.user, password=server.password, timeout=timeout
    ) as client:
        client.put("/reauth/k", "v")
        time.sleep(ttl + 1.5)  # the idle token expires at the server
        server.network.client_proxy(server.name).set_latency(SLOW)
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError):
            client.get("/reauth/k")
        assert time.monotonic() - start < timeout + 0.5


@pytest.mark.parametrize(("ttl", "timeout"), REAUTH_CASES)
async def test_an_async_call_that_authenticates_again_keeps_its_deadline(
    etcd_factory: EtcdFactory, ttl: int, timeout: float
) -> None:
    server = etcd_factory(auth=True, auth_token_ttl=ttl, fault_proxy=True)
    async with etcd3.async_client(
        endpoints=[server.endpoint], user=server.user, password=server.password, timeout=timeout
    ) as client:
        await client.put("/reauth/k", "v")
        await asyncio.sleep(ttl + 1.5)
        server.network.client_proxy(server.name).set_latency(SLOW)
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError):
            await client.get("/reauth/k")
        assert time.monotonic() - start < timeout + 0.5


async def test_the_first_async_call_logs_in_within_its_own_deadline(
    etcd_factory: EtcdFactory,
) -> None:
    # An asyncio client logs in on its first call (a sync one in its constructor): the login
    # (1.5 s on these links) is waited for no longer than that call's deadline, and goes on
    # for the next call.
    server = etcd_factory(auth=True, fault_proxy=True)
    server.network.client_proxy(server.name).set_latency(SLOW)
    client = etcd3.async_client(
        endpoints=[server.endpoint], user=server.user, password=server.password, timeout=10
    )
    try:
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError, match="while the client logged in"):
            await client.get("/login/k", timeout_override=1.0)
        assert time.monotonic() - start < 1.4
        assert await client.get("/login/k") == (None, None)  # the login went on meanwhile
    finally:
        await client.close()


# Two calls find the token expired; the first logs in (get + authenticate: 3 s on these links)
# and the second, sent 0.3 s later with 2 s to live, waits for that login no longer than its
# own deadline: it fails at 2 s, not when the other's login ends (2.7 s after it started). A
# token of 2 s outlives the 1.5 s its first use takes to reach etcd.
WAITER_START = 0.3
WAITER_TIMEOUT = 2.0


def test_a_call_waiting_for_another_calls_login_keeps_its_deadline(
    etcd_factory: EtcdFactory,
) -> None:
    server = etcd_factory(auth=True, auth_token_ttl=2, fault_proxy=True)
    with etcd3.client(
        endpoints=[server.endpoint], user=server.user, password=server.password, timeout=10
    ) as client:
        client.put("/reauth/k", "v")
        time.sleep(3.5)  # the idle token expires at the server
        server.network.client_proxy(server.name).set_latency(SLOW)
        outcome: list[object] = []
        first = threading.Thread(target=lambda: outcome.append(client.get("/reauth/k")[0]))
        first.start()
        time.sleep(WAITER_START)
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError, match="token was renewed"):
            client.get("/reauth/k", timeout_override=WAITER_TIMEOUT)
        waited = time.monotonic() - start
        first.join(10)
        assert outcome == [b"v"]  # the login it waited for worked
        assert waited < WAITER_TIMEOUT + 0.4


async def test_an_async_call_waiting_for_another_calls_login_keeps_its_deadline(
    etcd_factory: EtcdFactory,
) -> None:
    server = etcd_factory(auth=True, auth_token_ttl=2, fault_proxy=True)
    async with etcd3.async_client(
        endpoints=[server.endpoint], user=server.user, password=server.password, timeout=10
    ) as client:
        await client.put("/reauth/k", "v")
        await asyncio.sleep(3.5)
        server.network.client_proxy(server.name).set_latency(SLOW)
        first = asyncio.ensure_future(client.get("/reauth/k"))
        await asyncio.sleep(WAITER_START)
        start = time.monotonic()
        with pytest.raises(ConnectionTimeoutError, match="token was renewed"):
            await client.get("/reauth/k", timeout_override=WAITER_TIMEOUT)
        waited = time.monotonic() - start
        assert (await first)[0] == b"v"
        assert waited < WAITER_TIMEOUT + 0.4


# A read slower than the attempt cap (a slow link, a large range) is not a hung member: an
# attempt that runs out of its cap doubles it, so a later attempt completes. Round trips of
# 0.8 s against a cap of 0.5 s: the second attempt (1 s) answers, within about 1.4 s.
SLOW_LINK = 0.4
CAPPED = etcd3.RetryPolicy(attempt_timeout=0.5)


def test_a_read_slower_than_the_attempt_cap_completes(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory(fault_proxy=True)
    with etcd3.client(endpoints=[server.endpoint], timeout=None, retry=CAPPED) as client:
        client.put("/slow/k", "v")
        server.network.client_proxy(server.name).set_latency(SLOW_LINK)
        start = time.monotonic()
        assert client.get("/slow/k")[0] == b"v"
        assert time.monotonic() - start < 3.0


async def test_an_async_read_slower_than_the_attempt_cap_completes(
    etcd_factory: EtcdFactory,
) -> None:
    server = etcd_factory(fault_proxy=True)
    async with etcd3.async_client(
        endpoints=[server.endpoint], timeout=None, retry=CAPPED
    ) as client:
        await client.put("/slow/k", "v")
        server.network.client_proxy(server.name).set_latency(SLOW_LINK)
        start = time.monotonic()
        assert (await client.get("/slow/k"))[0] == b"v"
        assert time.monotonic() - start < 3.0
