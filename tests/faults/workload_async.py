# async-to-sync: source
"""The load of the network-fault scenarios: one client's random operations, recorded.

A worker runs puts, linearizable and serializable gets, deletes, compare-and-swap transactions
(on the mod revision or the value it last read) and, when asked, leases kept alive by the client:
it grants one, puts a key with it, and revokes it later. Every call goes into a
``History`` with its interval and outcome. The asyncio worker is the
source; ``workload.py`` is its generated sync twin, and the scenarios run both at once.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time

from etcd3 import TransactionBuilder
from etcd3._acompat import sleep
from etcd3._client_async import AsyncEtcd3Client
from etcd3._lease_async import AsyncLease
from etcd3.errors import LeaseLostError, LeaseNotFoundError
from faults.history import History, Kind

__all__ = ["Plan", "work"]


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one worker does.

    Attributes:
        name: The worker's name in the history (unique).
        prefix: The prefix of every key it touches.
        keys: How many keys there are (``prefix + b"k0"`` ...).
        seed: Seed of its random choices.
        call_timeout: Deadline of each call.
        pace: Seconds to rest between two calls.
        leases: Whether to use leases kept alive by the client.
        lease_ttl: Their TTL.
    """

    name: str
    prefix: bytes
    keys: int
    seed: int
    call_timeout: float = 2.0
    pace: float = 0.003
    leases: bool = True
    lease_ttl: int = 5


@dataclasses.dataclass
class _Held:
    lease: AsyncLease
    key: bytes
    granted: float


async def work(
    client: AsyncEtcd3Client, history: History, plan: Plan, stop: threading.Event
) -> None:
    """Run random operations until ``stop`` is set, then revoke the lease still held."""
    worker = _Worker(client, history, plan)
    while not stop.is_set():
        await worker.one()
        await sleep(plan.pace)
    if worker.held is not None:
        await worker.revoke()


class _Worker:
    def __init__(self, client: AsyncEtcd3Client, history: History, plan: Plan) -> None:
        self.client = client
        self.history = history
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.seq = 0
        self.seen: dict[bytes, tuple[bytes | None, int]] = {}
        """The value and mod revision this worker last read, per key."""
        self.held: _Held | None = None

    def _value(self) -> bytes:
        self.seq += 1
        return b"%s:%d" % (self.plan.name.encode(), self.seq)

    async def one(self) -> None:
        key = self.plan.prefix + b"k%d" % self.rng.randrange(self.plan.keys)
        roll = self.rng.random()
        if roll < 0.30:
            await self.put(key)
        elif roll < 0.55:
            await self.get(key, serializable=False)
        elif roll < 0.62:
            await self.get(key, serializable=True)
        elif roll < 0.67:
            await self.delete(key)
        elif roll < 0.82:
            await self.cas(key, on_value=False)
        elif roll < 0.92:
            await self.cas(key, on_value=True)
        elif self.plan.leases and self.held is None:
            await self.grant_and_put(key)
        elif self.held is not None:
            await self.revoke()
        else:
            await self.put(key)

    async def put(self, key: bytes, lease: AsyncLease | None = None) -> None:
        value = self._value()
        lease_id = lease.id if lease is not None else 0
        call = self.history.invoke(self.plan.name, Kind.PUT, key, value=value, lease=lease_id)
        try:
            response = await self.client.put(
                key, value, lease=lease, timeout_override=self.plan.call_timeout
            )
        except Exception as exc:  # anything but an EtcdError is a defect, reported by History
            self.history.raised(call, exc)
        else:
            self.history.returned(call, revision=response.header.revision)

    async def get(self, key: bytes, *, serializable: bool) -> None:
        kind = Kind.SERIAL_GET if serializable else Kind.GET
        call = self.history.invoke(self.plan.name, kind, key)
        try:
            response = await self.client.get_response(
                key, serializable=serializable, timeout_override=self.plan.call_timeout
            )
        except Exception as exc:
            self.history.raised(call, exc)
            return
        found, mod = (
            (response.kvs[0].value, response.kvs[0].mod_revision) if response.kvs else (None, 0)
        )
        self.history.returned(
            call, revision=response.header.revision, found=found, mod_revision=mod
        )
        if not serializable:
            self.seen[key] = (found, mod)

    async def delete(self, key: bytes) -> None:
        call = self.history.invoke(self.plan.name, Kind.DELETE, key)
        try:
            # A one-key range: delete() drops the response (and its revision) when nothing
            # was deleted.
            response = await self.client.delete_range(
                key, key + b"\0", timeout_override=self.plan.call_timeout
            )
        except Exception as exc:
            self.history.raised(call, exc)
        else:
            self.history.returned(
                call, revision=response.header.revision, succeeded=response.deleted > 0
            )

    async def cas(self, key: bytes, *, on_value: bool) -> None:
        found, mod = self.seen.get(key, (None, 0))
        value = self._value()
        tx = TransactionBuilder.new()
        expect: int | bytes
        if on_value:
            expect = found if found is not None else b"never-written"
            tx.compare(key).value.eq(expect)
            kind = Kind.CAS_VALUE
        else:
            expect = mod
            tx.compare(key).mod.eq(mod)
            kind = Kind.CAS_MOD
        tx.success.put(key, value)
        call = self.history.invoke(self.plan.name, kind, key, value=value, expect=expect)
        try:
            result = await self.client.txn(tx, timeout_override=self.plan.call_timeout)
        except Exception as exc:
            self.history.raised(call, exc)
        else:
            self.history.returned(call, revision=result.header.revision, succeeded=result.success)

    async def grant_and_put(self, key: bytes) -> None:
        granted = time.monotonic()
        try:
            lease = await self.client.lease(
                self.plan.lease_ttl,
                timeout_override=self.plan.call_timeout,
                keep_alive=True,
                on_lost=self._lost_callback(key, granted),
            )
        except Exception as exc:
            self.history.errors[f"grant:{type(exc).__name__}"] += 1
            return
        self.held = _Held(lease, key, granted)
        await self.put(key, lease)

    def _lost_callback(self, key: bytes, granted: float) -> _LeaseLost:
        return _LeaseLost(self.history, self.plan.name, key, granted)

    async def revoke(self) -> None:
        held, self.held = self.held, None
        assert held is not None
        held.lease.stop_keep_alive()
        lease_id = held.lease.id
        call = self.history.invoke(self.plan.name, Kind.REVOKE, held.key, lease=lease_id)
        try:
            response = await self.client.rpc.lease.lease_revoke(
                ID=lease_id, timeout=self.plan.call_timeout
            )
        except LeaseNotFoundError as exc:
            # Gone already: it expired (keep-alive lost it), so its key may have gone with it.
            self.history.raised(call, exc)
            self.history.lease_may_expire(self.plan.name, held.key, lease_id, held.granted)
        except Exception as exc:
            self.history.raised(call, exc)
        else:
            self.history.returned(call, revision=response.header.revision)


class _LeaseLost:
    """Keep-alive lost a lease: record that it may have expired since it was granted."""

    def __init__(self, history: History, client: str, key: bytes, granted: float) -> None:
        self.history = history
        self.client = client
        self.key = key
        self.granted = granted

    def __call__(self, error: LeaseLostError) -> None:
        self.history.lease_may_expire(self.client, self.key, error.lease_id, self.granted)
