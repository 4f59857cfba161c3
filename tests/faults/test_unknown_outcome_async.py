# async-to-sync: source
"""A write whose member dies mid-call: it may have been applied, and its error says so.

The reproduction: pause both followers, send a write to the leader (it proposes the entry and
sends it to the paused followers, whose sockets hold it), kill the leader, resume the followers.
The survivors elect a leader that commits the entry, so the write is in the store although the
call failed with a lost connection. The error must say ``outcome_unknown`` and not
``retryable``: a caller resending on ``retryable`` would apply the write twice.
"""

from __future__ import annotations

import pytest

import etcd3
from etcd3._acompat import Job, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3.errors import EtcdError
from etcd3.testing import EtcdFactory

pytestmark = [pytest.mark.faults, pytest.mark.cluster, pytest.mark.slow]

KEY = "/unknown-outcome/key"
BEFORE = b"before"
AFTER = b"after"
PROPOSED_WITHIN = 0.05
"""Seconds after which the leader has proposed the write and sent it to the followers."""


APPLIED_VALUE = {"put": AFTER, "txn": AFTER, "delete": None}
"""The value the key has once each write applied (``None``: deleted)."""


async def _write(client: AsyncEtcd3Client, write: str) -> None:
    if write == "put":
        await client.put(KEY, AFTER)
    elif write == "txn":
        await client.replace(KEY, BEFORE, AFTER)
    else:
        await client.delete(KEY)


@pytest.mark.parametrize("write", sorted(APPLIED_VALUE))
async def test_a_write_cut_off_by_its_members_death_has_an_unknown_outcome(
    etcd_factory: EtcdFactory, write: str
) -> None:
    cluster = etcd_factory.cluster(3)
    leader = cluster.leader()
    followers = [member for member in cluster.members if member is not leader]
    outcome: list[BaseException | None] = []

    async with etcd3.async_client(endpoints=[leader.endpoint], timeout=10) as client:
        await client.put(KEY, BEFORE)  # also connects the channel

        async def attempt() -> None:
            try:
                await _write(client, write)
            except BaseException as exc:
                outcome.append(exc)
            else:
                outcome.append(None)

        for follower in followers:
            cluster.pause(follower)
        job: Job | None = None
        try:
            job = spawn(attempt, name="write")
            await sleep(PROPOSED_WITHIN)
            cluster.kill(leader)
        finally:
            for follower in followers:
                cluster.resume(follower)
        assert job is not None
        while not outcome:
            await sleep(0.01)

    error = outcome[0]
    assert isinstance(error, EtcdError), f"the write did not fail as expected: {error!r}"
    assert error.outcome_unknown, repr(error)
    assert not error.retryable, repr(error)

    # The survivors committed the write: it took effect although the call failed.
    survivors = [member.endpoint for member in followers]
    async with etcd3.async_client(endpoints=survivors, timeout=10) as reader:
        value, _meta = await reader.get(KEY)
    assert value == APPLIED_VALUE[write]
