"""A consumer of the coordination recipes (locks, sessions, elections), type-checked with
mypy --strict (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
The entry points are methods of the clients (the recipes mixin).
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3
from etcd3._election import Election
from etcd3._election_async import AsyncElection
from etcd3._lock import Lock
from etcd3._lock_async import AsyncLock
from etcd3._session_async import AsyncSession

Client = etcd3.Etcd3Client
AsyncClient = etcd3.AsyncEtcd3Client


def sync_consumer(client: Client) -> None:
    lock = client.lock("job", ttl=30)
    reveal_type(lock)  # R: etcd3._lock.Lock
    reveal_type(Lock("job", 60, client))  # R: etcd3._lock.Lock
    reveal_type(lock.acquire(timeout=None))  # R: bool
    reveal_type(lock.release())  # R: bool
    reveal_type(lock.is_acquired())  # R: bool
    reveal_type(lock.refresh().TTL)  # R: int
    reveal_type(lock.held)  # R: bool
    reveal_type(lock.key)  # R: bytes
    reveal_type(lock.revision)  # R: int
    reveal_type(lock.lease)  # R: etcd3._lease.Lease | None
    reveal_type(lock.name)  # R: str | bytes
    reveal_type(lock.ttl)  # R: int
    with lock as held:
        reveal_type(held)  # R: etcd3._lock.Lock

    session = client.session(10)
    reveal_type(session)  # R: etcd3._session.Session
    reveal_type(session.open())  # R: etcd3._lease.Lease
    reveal_type(session.lost)  # R: bool
    reveal_type(session.wait_lost(1.0))  # R: bool
    reveal_type(Lock("job", session=session))  # R: etcd3._lock.Lock
    with session as opened:
        reveal_type(opened)  # R: etcd3._session.Session
        reveal_type(opened.lease)  # R: etcd3._lease.Lease

    election = client.election("boss")
    reveal_type(election)  # R: etcd3._election.Election
    reveal_type(Election(session, "boss"))  # R: etcd3._election.Election
    reveal_type(election.campaign("me", timeout=5))  # R: bool
    reveal_type(election.proclaim(b"me"))  # R: None
    reveal_type(election.resign())  # R: bool
    reveal_type(election.is_leader())  # R: bool
    leader = election.leader()
    reveal_type(leader)  # R: tuple[bytes, bytes, int, fallback=etcd3._concurrency_core.Leader] | None
    if leader is not None:
        _key, _value, _revision = leader
        reveal_type(leader.value)  # R: bytes
    reveal_type(election.observe())  # R: typing.Iterator[tuple[bytes, bytes, int, fallback=etcd3._concurrency_core.Leader]]


async def async_consumer(client: AsyncClient) -> None:
    lock = client.lock("job")
    reveal_type(lock)  # R: etcd3._lock_async.AsyncLock
    reveal_type(AsyncLock("job", 60, client))  # R: etcd3._lock_async.AsyncLock
    reveal_type(await lock.acquire(0))  # R: bool
    reveal_type(await lock.release())  # R: bool
    reveal_type(await lock.is_acquired())  # R: bool
    reveal_type(lock.lease)  # R: etcd3._lease_async.AsyncLease | None
    async with lock as held:
        reveal_type(held)  # R: etcd3._lock_async.AsyncLock

    session = client.session()
    reveal_type(session)  # R: etcd3._session_async.AsyncSession
    reveal_type(await session.open())  # R: etcd3._lease_async.AsyncLease
    reveal_type(await session.wait_lost())  # R: bool
    reveal_type(AsyncLock("job", session=session))  # R: etcd3._lock_async.AsyncLock

    election = AsyncElection(session, "boss")
    reveal_type(client.election("boss"))  # R: etcd3._election_async.AsyncElection
    reveal_type(await election.campaign("me"))  # R: bool
    reveal_type(await election.leader())  # R: tuple[bytes, bytes, int, fallback=etcd3._concurrency_core.Leader] | None
    reveal_type(election.observe())  # R: typing.AsyncIterator[tuple[bytes, bytes, int, fallback=etcd3._concurrency_core.Leader]]
    async for leader in election.observe():
        reveal_type(leader.key)  # R: bytes
        break
    async with AsyncSession(client, 5) as opened:
        reveal_type(opened)  # R: etcd3._session_async.AsyncSession
        reveal_type(opened.lease)  # R: etcd3._lease_async.AsyncLease
