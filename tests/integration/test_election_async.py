# async-to-sync: source
"""Leader elections on a real etcd: layout, one leader at a time, hand-over order, observe,
proclaim, lost sessions, timeouts, Go-style candidates."""

from __future__ import annotations

import functools
import time

import pytest

from etcd3._acompat import join_workers, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3._concurrency_core import Leader, NotElectionLeaderError, SessionLostError
from etcd3._election_async import AsyncElection
from etcd3._session_async import AsyncSession
from etcd3.testing import EtcdServer


async def _candidates(client: AsyncEtcd3Client, election: AsyncElection) -> int:
    return len([kv async for kv in client.get_prefix(election.prefix, keys_only=True)])


async def _wait_candidates(client: AsyncEtcd3Client, election: AsyncElection, count: int) -> None:
    until = time.monotonic() + 10
    while await _candidates(client, election) != count:
        assert time.monotonic() < until, f"never saw {count} candidates"
        await sleep(0.02)


def _assert_not_leading(election: AsyncElection) -> None:
    assert not election.held
    assert not election.is_leader()
    with pytest.raises(NotElectionLeaderError, match="holds nothing"):
        _ = election.key
    with pytest.raises(NotElectionLeaderError, match="holds nothing"):
        _ = election.revision


async def test_campaign_layout_proclaim_resign(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    name = prefix.decode().strip("/").replace("/", "-")
    election = AsyncElection(async_client, name, ttl=10)
    assert election.prefix == f"/election/{name}/".encode()
    _assert_not_leading(election)
    assert await election.leader() is None

    assert await election.campaign("node-a") is True
    lease = election.lease
    assert lease is not None
    key = election.prefix + f"{lease.id:x}".encode()
    assert election.key == key
    assert election.is_leader()
    assert await election.leader() == Leader(key, b"node-a", election.revision)
    value, meta = await async_client.get(key)
    assert value == b"node-a"
    assert meta is not None
    assert (meta.lease_id, meta.create_revision) == (lease.id, election.revision)

    await election.proclaim(b"node-a:2")
    assert await election.leader() == Leader(key, b"node-a:2", election.revision)
    assert await election.campaign("node-a:3") is True  # leading already: proclaims
    assert await election.leader() == Leader(key, b"node-a:3", election.revision)

    assert await election.resign() is True
    _assert_not_leading(election)
    assert await election.leader() is None
    assert (await async_client.get_lease_info(lease.id, keys=False)).TTL == -1
    assert await election.resign() is False
    with pytest.raises(NotElectionLeaderError):
        await election.proclaim("x")


async def test_one_leader_at_a_time_in_campaign_order(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    candidates = [AsyncElection(async_client, "e", ttl=10, prefix=prefix) for _ in range(3)]
    assert await candidates[0].campaign("c0")
    elected: list[int] = []

    async def campaign(index: int) -> None:
        assert await candidates[index].campaign(f"c{index}", timeout=30)
        elected.append(index)

    jobs = []
    for index in (1, 2):
        jobs.append(spawn(functools.partial(campaign, index), name=f"candidate-{index}"))
        await _wait_candidates(async_client, candidates[0], index + 1)
    await sleep(0.1)
    assert elected == []
    assert [c.is_leader() for c in candidates] == [True, False, False]

    await candidates[0].resign()
    until = time.monotonic() + 10
    while not elected:
        assert time.monotonic() < until
        await sleep(0.01)
    assert elected == [1]
    leader = await candidates[0].leader()
    assert leader is not None
    assert leader.value == b"c1"
    assert [c.is_leader() for c in candidates] == [False, True, False]

    await candidates[1].resign()
    await join_workers(jobs, 10)
    assert elected == [1, 2]
    assert [c.is_leader() for c in candidates] == [False, False, True]
    await candidates[2].close()
    assert await candidates[2].leader() is None


async def test_observe_follows_leaders_and_values(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    first = AsyncElection(async_client, "o", ttl=10, prefix=prefix)
    second = AsyncElection(async_client, "o", ttl=10, prefix=prefix)
    watcher = AsyncElection(async_client, "o", prefix=prefix)
    seen: list[Leader] = []

    async def observe() -> None:
        stream = watcher.observe()
        async for leader in stream:
            seen.append(leader)
            if len(seen) == 4:
                break

    async def wait_seen(count: int) -> None:
        until = time.monotonic() + 10
        while len(seen) < count:
            assert time.monotonic() < until, f"observed {seen}"
            await sleep(0.01)

    observer = spawn(observe, name="observer")
    await sleep(0.2)  # nobody leads: nothing is observed
    assert seen == []
    assert await first.campaign("a")
    first_revision = first.revision
    await wait_seen(1)
    await first.proclaim("a")  # the same value: not a change
    await first.proclaim("b")
    await wait_seen(2)
    campaigner = spawn(lambda: second.campaign("c", timeout=20), name="second")
    await _wait_candidates(async_client, first, 2)
    await first.resign()
    await wait_seen(3)
    await join_workers([campaigner], 10)
    assert second.is_leader()
    await second.proclaim("d")
    await join_workers([observer], 10)
    assert not first.held
    with pytest.raises(NotElectionLeaderError, match="holds nothing"):
        _ = first.key
    key = second.key
    assert [leader.value for leader in seen] == [b"a", b"b", b"c", b"d"]
    assert [leader.key == key for leader in seen] == [False, False, True, True]
    assert seen[0].key == seen[1].key
    # The fencing token changes with the leader, not with a proclaimed value.
    revisions = [first_revision] * 2 + [second.revision] * 2
    assert [leader.revision for leader in seen] == revisions
    assert first_revision < second.revision
    await second.resign()


async def test_lost_session_ends_leadership(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    session = AsyncSession(async_client, 3)
    leader = AsyncElection(session, "lost", prefix=prefix)
    follower = AsyncElection(async_client, "lost", ttl=10, prefix=prefix)
    assert leader.session is session
    assert await leader.campaign("old")
    jobs = [spawn(lambda: follower.campaign("new", timeout=20), name="follower")]
    await _wait_candidates(async_client, leader, 2)

    lease = session.lease
    await async_client.revoke_lease(lease.id)  # e.g. expired during a partition
    assert await session.wait_lost(10)
    assert session.lost
    assert not leader.is_leader()
    with pytest.raises(NotElectionLeaderError):
        await leader.proclaim("still me?")
    await join_workers(jobs, 10)
    assert follower.is_leader()
    assert await follower.leader() == Leader(follower.key, b"new", follower.revision)
    with pytest.raises(SessionLostError):
        await leader.campaign("again")
    await follower.resign()


async def test_campaign_timeout_and_try_once_clean_up(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    leader = AsyncElection(async_client, "t", ttl=10, prefix=prefix)
    other = AsyncElection(async_client, "t", ttl=10, prefix=prefix)
    assert await leader.campaign("L")
    assert await other.campaign("x", timeout=0) is False
    started = time.monotonic()
    assert await other.campaign("x", timeout=0.3) is False
    assert time.monotonic() - started >= 0.3
    assert await _candidates(async_client, leader) == 1
    assert other.lease is None
    await leader.resign()
    assert await other.campaign("x", timeout=0) is True
    await other.resign()


async def test_elections_share_a_session(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    async with AsyncSession(async_client, 10) as session:
        lease = session.lease
        one = AsyncElection(session, "one", prefix=prefix + b"1/")
        two = AsyncElection(session, "two", prefix=prefix + b"2/")
        assert await one.campaign("v1", timeout=0)
        assert await two.campaign("v2", timeout=0)
        assert one.key == prefix + b"1/" + f"{lease.id:x}".encode()
        # A new election object on the same session finds its key and takes over its turn.
        again = AsyncElection(session, "one", prefix=prefix + b"1/")
        assert await again.campaign("v1b", timeout=0)
        assert again.key == one.key
        assert again.revision == one.revision
        assert await again.leader() == Leader(again.key, b"v1b", one.revision)
        await two.close()
        assert not session.closed
    assert [kv async for kv in async_client.get_prefix(prefix)] == []


async def test_go_style_candidate_leads(async_client: AsyncEtcd3Client, prefix: bytes) -> None:
    go_lease = await async_client.lease(10)
    go_key = prefix + f"{go_lease.id:x}".encode()
    written = await async_client.put(go_key, b"go-node", lease=go_lease)
    election = AsyncElection(async_client, "go", ttl=10, prefix=prefix)
    assert await election.leader() == Leader(go_key, b"go-node", written.header.revision)
    assert await election.campaign("py-node", timeout=0) is False
    await go_lease.revoke()
    assert await election.campaign("py-node", timeout=0) is True
    await election.resign()


async def test_election_rejects_bad_arguments(
    async_client: AsyncEtcd3Client, prefix: bytes
) -> None:
    with pytest.raises(TypeError, match="session_or_client"):
        AsyncElection("client", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        AsyncElection(async_client, "")
    with pytest.raises(ValueError, match="ttl"):
        AsyncElection(async_client, "x", ttl=-1)
    election = AsyncElection(async_client, "x", prefix=prefix)
    with pytest.raises(TypeError, match="value"):
        await election.campaign(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        await election.campaign("v", timeout=-2)
    with pytest.raises(TypeError, match="value"):
        await election.proclaim(None)  # type: ignore[arg-type]
    observer = election.observe()  # sends nothing until iterated
    assert election.lease is None
    assert [kv async for kv in async_client.get_prefix(prefix)] == []
    del observer


async def test_client_election_entry_point(etcd_server: EtcdServer, prefix: bytes) -> None:
    async with AsyncEtcd3Client(etcd_server.host, etcd_server.port, timeout=10) as client:
        election = client.election("entry", ttl=5, prefix=prefix)
        assert isinstance(election, AsyncElection)
        async with election:
            assert await election.campaign("me")
            assert election.is_leader()
        assert not election.is_leader()
        assert await election.leader() is None
