"""Network-fault scenarios on a real 3-member cluster behind fault proxies, judged by the checker.

A scenario is a fault (a coroutine that partitions, slows, cuts or restarts members and heals the
cluster again) and the endpoints each client is given. ``run_scenario`` does the rest, the
same way for every scenario:

1. start a cluster with ``fault_proxy=True`` (auth on with short-lived tokens unless told
   otherwise) and open two asyncio and two sync clients, each running a random
   ``workload_async`` worker (with leases kept alive by the client) into one
   ``History``, and two watches over the prefix (one per kind of client);
2. let the load settle, inject the fault, heal, let the load recover, stop it;
3. read the store's complete history (a watch replaying from revision 1 with ``prev_kv``,
   cross-checked with a range read), wait for the live watches to catch up, and judge: the
   history linearizable (``check_history``), every watch equal to the
   store's history (``check_watch``);
4. report the figures: operations, unknown outcomes, verdicts, longest unavailability, client CPU
   while the fault lasted.

The asyncio workers run as tasks of the test's event loop, the sync ones in threads, all at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import etcd3
from etcd3.testing import EtcdCluster, EtcdFactory, EtcdMember
from faults import workload
from faults.history import History, Kind, Op, Status
from faults.kv_model import KvVerdict, check_history
from faults.watch_check import (
    StoreEvent,
    WatchRecorder,
    WatchVerdict,
    check_store_history,
    check_watch,
)
from faults.workload_async import Plan, work

__all__ = [
    "SCENARIOS",
    "Report",
    "Run",
    "Scenario",
    "run_scenario",
]

T = TypeVar("T")

SETTLE = 2.0
"""Seconds of load before the fault."""
RECOVER = 3.0
"""Seconds of load after the heal."""
CATCH_UP = 30.0
"""Seconds the watches and the history replay get to reach the last revision."""
KEYS = 12


@dataclasses.dataclass
class Run:
    """What a fault coroutine works with."""

    cluster: EtcdCluster
    figures: dict[str, object]
    clients: list[str]
    """Names of the clients, in the order of the scenario's endpoint lists."""
    fault_window: list[float] = dataclasses.field(default_factory=list)
    """``[start, end]`` monotonic times of the fault, set by ``fault`` and ``healed``."""
    notes: dict[str, object] = dataclasses.field(default_factory=dict)

    def fault(self) -> None:
        """Mark the moment the fault begins."""
        self.fault_window[:] = [time.monotonic()]

    def healed(self) -> None:
        """Mark the moment the fault ends."""
        self.fault_window.append(time.monotonic())


async def blocking(operation: Callable[..., T], *args: object) -> T:
    """Run a blocking cluster operation in a thread, so that the asyncio load keeps going."""
    return await asyncio.to_thread(operation, *args)


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A fault and the endpoints of the four clients.

    Attributes:
        name: Short name (also the key prefix).
        inject: Injects the fault and heals (calls ``run.fault()`` and ``run.healed()``).
        endpoints: The endpoint list of each client (asyncio, asyncio, sync, sync), given the
            cluster; by default every client has every member, each starting at another one.
        extra_args: etcd flags for this scenario's cluster.
        call_timeout: Deadline of each call of the load.
        retry: The clients' retry policy (``None``: the default).
        token_ttl: Seconds an idle auth token lives (``None``: etcd's default, 300 s).
    """

    name: str
    inject: Callable[[Run], Awaitable[None]]
    endpoints: Callable[[EtcdCluster], list[list[str]]] | None = None
    extra_args: tuple[str, ...] = ()
    call_timeout: float = 2.0
    retry: etcd3.RetryPolicy | None = None
    token_ttl: int | None = 2


def rotated(cluster: EtcdCluster) -> list[list[str]]:
    """Every member for every client, each client starting at the next member."""
    ends = cluster.endpoints
    return [ends[i % 3 :] + ends[: i % 3] for i in range(4)]


def starting_at(member: EtcdMember, cluster: EtcdCluster) -> list[str]:
    """Every member, ``member`` first (the one a client uses until it fails)."""
    return [member.endpoint, *(m.endpoint for m in cluster.members if m is not member)]


# --- The faults -------------------------------------------------------------------------------

FAULT = 6.0
"""Seconds most faults last."""
KEEPALIVE_DETECTION = 20.0
"""Seconds a blackhole lasts: longer than grpc keepalive's ping interval plus its timeout."""


def _leader_partition_endpoints(cluster: EtcdCluster) -> list[list[str]]:
    leader = cluster.leader()
    followers = [m for m in cluster.members if m is not leader]
    return [
        [leader.endpoint],  # the minority side only
        starting_at(leader, cluster),
        [m.endpoint for m in followers],  # the majority side only
        starting_at(followers[0], cluster),
    ]


async def minority_leader(run: Run) -> None:
    """Cut the leader from both followers; clients on both sides."""
    leader = await blocking(run.cluster.leader)
    followers = [m for m in run.cluster.members if m is not leader]
    run.notes["isolated"] = leader.name
    run.fault()
    run.cluster.partition([leader], followers)
    await asyncio.sleep(FAULT)
    run.cluster.heal()
    run.healed()


def _victim_first(cluster: EtcdCluster) -> list[list[str]]:
    return [starting_at(cluster.members[0], cluster)] * 4


async def blackhole_in_use(run: Run) -> None:
    """Blackhole the member every client uses (clients only: the cluster stays whole). Nothing
    is reset: only deadlines and keepalive can tell the clients to move on."""
    victim = run.cluster.members[0]
    run.notes["isolated"] = victim.name
    run.fault()
    run.cluster.isolate(victim, peers=False)
    await asyncio.sleep(KEEPALIVE_DETECTION)
    run.cluster.heal()
    run.healed()


LATENCY = 0.2
JITTER = 0.1


async def slow_links(run: Run) -> None:
    """200 ms ± 100 ms one way on every client and peer link."""
    run.notes["leader_before"] = (await blocking(run.cluster.leader)).name
    run.notes["leader_changes_before"] = leader_changes(run.cluster)
    run.fault()
    run.cluster.network.set_latency(LATENCY, JITTER)
    await asyncio.sleep(FAULT + 2)
    run.cluster.heal()
    run.healed()
    run.notes["leader_changes_after"] = leader_changes(run.cluster)
    run.notes["leader_after"] = (await blocking(run.cluster.leader)).name


def leader_changes(cluster: EtcdCluster) -> int:
    """Leader changes seen by all members, from their metrics."""
    total = 0
    for member in cluster.members:
        match = re.search(
            r"^etcd_server_leader_changes_seen_total\s+(\S+)$", member.metrics(), re.MULTILINE
        )
        total += int(float(match.group(1))) if match else 0
    return total


async def replies_lost(run: Run) -> None:
    """Requests reach the member every client uses; its replies are lost."""
    victim = run.cluster.members[0]
    run.notes["isolated"] = victim.name
    run.fault()
    run.cluster.network.client_proxy(victim.name).blackhole("outbound")
    await asyncio.sleep(FAULT + 2)
    run.cluster.heal()
    run.healed()


async def rolling_restart(run: Run) -> None:
    """Kill and restart every member in turn, followers first."""
    leader = await blocking(run.cluster.leader)
    order = [m for m in run.cluster.members if m is not leader] + [leader]
    run.fault()
    for member in order:
        run.cluster.kill(member)
        await asyncio.sleep(1.0)
        await blocking(run.cluster.restart, member)
        await asyncio.sleep(1.0)
    run.healed()


async def remove_and_rejoin(run: Run) -> None:
    """Remove the member two clients start at, run without it, add it back empty."""
    victim = run.cluster.members[0]
    if victim.is_leader():
        run.notes["victim_was_leader"] = True
    run.notes["isolated"] = victim.name
    run.fault()
    await blocking(run.cluster.remove, victim)
    await asyncio.sleep(3.0)
    await blocking(run.cluster.rejoin, victim)
    run.healed()


async def random_partition(run: Run, rng: random.Random) -> None:
    """Cut one member from the others (both ways, or one way only), for a random while."""
    members = run.cluster.members
    alone = rng.choice(members)
    others = [m for m in members if m is not alone]
    run.fault()
    if rng.random() < 0.5:
        run.cluster.partition([alone], others)
    else:
        source, target = (alone, rng.choice(others))
        if rng.random() < 0.5:
            source, target = target, source
        run.cluster.network.block(source.name, target.name)
    await asyncio.sleep(rng.uniform(1.0, FAULT))
    run.cluster.heal()
    run.healed()


SLOW_NETWORK_TIMING = ("--heartbeat-interval=100", "--election-timeout=2000")
"""Raft timing for links of 200 ms ± 100 ms: heartbeats every 100 ms, elections after 2 s."""

SLOW_NETWORK_RETRY = etcd3.RetryPolicy(attempt_timeout=4.0)
"""Attempts for links of 200 ms ± 100 ms: a linearizable read there takes up to about 2.5 s
(several round trips between members), so attempts of the default 2 s would expire on
healthy members and move the clients between them."""

SCENARIOS = {
    "minority_leader": Scenario("minority_leader", minority_leader, _leader_partition_endpoints),
    "blackhole_in_use": Scenario("blackhole_in_use", blackhole_in_use, _victim_first),
    "slow_links": Scenario(
        "slow_links",
        slow_links,
        extra_args=SLOW_NETWORK_TIMING,
        call_timeout=5.0,
        retry=SLOW_NETWORK_RETRY,
    ),
    "replies_lost": Scenario("replies_lost", replies_lost, _victim_first),
    "rolling_restart": Scenario("rolling_restart", rolling_restart),
    "remove_and_rejoin": Scenario(
        "remove_and_rejoin",
        remove_and_rejoin,
        lambda c: [starting_at(c.members[0], c)] * 2 + rotated(c)[2:],
    ),
}


# --- Running one ------------------------------------------------------------------------------


@dataclasses.dataclass
class Report:
    """What a scenario run recorded and concluded."""

    figures: dict[str, object]
    history: History
    verdict: KvVerdict
    watches: list[WatchVerdict]
    store_problems: list[str]
    notes: dict[str, object]
    in_use_before: list[str]
    in_use_after: list[str]
    fault_window: tuple[float, float]
    """Monotonic start and end of the fault."""

    @property
    def ok(self) -> bool:
        return (
            self.verdict.ok
            and all(w.ok for w in self.watches)
            and not self.store_problems
            and not self.history.foreign
        )

    def explain(self) -> str:
        parts = []
        if self.history.foreign:
            parts.append(f"errors outside the EtcdError tree: {self.history.foreign[:5]}")
        if not self.verdict.ok:
            parts.append(self.verdict.explain())
        for watch in self.watches:
            if not watch.ok:
                parts.append(f"watch {watch.name}: " + "; ".join(watch.problems[:5]))
        if self.store_problems:
            parts.append("store history: " + "; ".join(self.store_problems[:5]))
        return "\n".join(parts) or "ok"


async def run_scenario(
    factory: EtcdFactory,
    scenario: Scenario,
    *,
    seed: int,
    auth: bool = True,
    leases: bool = True,
) -> Report:
    """Run ``scenario`` once and judge it (see the module docstring)."""
    cluster = factory.cluster(
        3,
        fault_proxy=True,
        auth=auth,
        auth_token_ttl=scenario.token_ttl if auth else None,
        extra_args=scenario.extra_args,
    )
    prefix = f"/nf/{scenario.name}/{seed}/".encode()
    endpoint_lists = (scenario.endpoints or rotated)(cluster)
    names = ["async-0", "async-1", "sync-0", "sync-1"]
    rng = random.Random(seed)
    plans = [
        Plan(
            name,
            prefix,
            KEYS,
            rng.randrange(2**32),
            call_timeout=scenario.call_timeout,
            leases=leases,
        )
        for name in names
    ]
    history = History()
    stop = threading.Event()
    user, password = cluster.user, cluster.password
    async_clients = [
        etcd3.async_client(
            endpoints=ends,
            timeout=scenario.call_timeout,
            retry=scenario.retry,
            user=user,
            password=password,
        )
        for ends in endpoint_lists[:2]
    ]
    sync_clients = [
        etcd3.client(
            endpoints=ends,
            timeout=scenario.call_timeout,
            retry=scenario.retry,
            user=user,
            password=password,
        )
        for ends in endpoint_lists[2:]
    ]
    watches = [
        WatchRecorder("async-watch", prefix, 1, prev_kv=True),
        WatchRecorder("sync-watch", prefix, 1, prev_kv=False),
    ]
    figures: dict[str, object] = {}
    run = Run(cluster, figures, names)
    try:
        await async_clients[0].add_watch_prefix_callback(
            prefix, watches[0], start_revision=1, prev_kv=True
        )
        await asyncio.to_thread(
            functools.partial(
                sync_clients[0].add_watch_prefix_callback, prefix, watches[1], start_revision=1
            )
        )
        tasks = [
            asyncio.get_running_loop().create_task(
                work(client, history, plan, stop), name=plan.name
            )
            for client, plan in zip(async_clients, plans[:2], strict=True)
        ]
        threads = [
            threading.Thread(
                target=workload.work, args=(client, history, plan, stop), name=plan.name
            )
            for client, plan in zip(sync_clients, plans[2:], strict=True)
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        await asyncio.sleep(SETTLE)
        in_use_before = _in_use(async_clients, sync_clients)
        steady = _Cpu(cluster)
        await asyncio.sleep(1.0)
        figures["cpu_steady"] = steady.share()
        fault_cpu = _Cpu(cluster)
        await scenario.inject(run)
        figures["cpu_fault"] = fault_cpu.share()
        await asyncio.sleep(RECOVER)
        in_use_after = _in_use(async_clients, sync_clients)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), scenario.call_timeout * 3 + 5)
        for thread in threads:
            await asyncio.to_thread(thread.join, scenario.call_timeout * 3 + 5)
            assert not thread.is_alive(), f"{thread.name} did not stop"
        figures["load_s"] = time.monotonic() - started
        figures["proxy_cpu_share"] = cluster.network.cpu_time() / (time.monotonic() - started)

        await blocking(cluster.wait_healthy)
        last, store = await _store_history(cluster, prefix, history)
        for watch in watches:
            await _caught_up(watch, last)
        store_problems = check_store_history(store)
        start = time.perf_counter()
        verdict = check_history(history.ops, failed=history.failed, store=store)
        figures["check_s"] = time.perf_counter() - start
        watch_verdicts = [check_watch(w, store, until=last) for w in watches]
    finally:
        stop.set()
        for client in async_clients:
            await client.close()
        for sync_client in sync_clients:
            await asyncio.to_thread(sync_client.close)
    _summarize(figures, history, verdict, watch_verdicts, run, names)
    start_fault, end_fault = run.fault_window
    return Report(
        figures,
        history,
        verdict,
        watch_verdicts,
        store_problems,
        run.notes,
        in_use_before,
        in_use_after,
        (start_fault, end_fault),
    )


def _in_use(
    async_clients: Sequence[etcd3.AsyncEtcd3Client], sync_clients: Sequence[etcd3.Etcd3Client]
) -> list[str]:
    return [c.endpoint_in_use for c in async_clients] + [c.endpoint_in_use for c in sync_clients]


class _Cpu:
    """CPU share of the test process, without the fault proxies' thread, since creation."""

    def __init__(self, cluster: EtcdCluster) -> None:
        self._network = cluster.network
        self._wall = time.monotonic()
        self._cpu = time.process_time() - self._network.cpu_time()

    def share(self) -> float:
        cpu = time.process_time() - self._network.cpu_time() - self._cpu
        return cpu / max(1e-9, time.monotonic() - self._wall)


async def _store_history(
    cluster: EtcdCluster, prefix: bytes, history: History
) -> tuple[int, list[StoreEvent]]:
    """End the history with a write of ours, and return the store's revision after it and the
    prefix's complete history up to that revision.

    Nothing but the load writes under the prefix or elsewhere, so that revision is the
    revision of the prefix's last change: every watch must deliver up to it.
    """
    async with etcd3.async_client(
        endpoints=cluster.endpoints, timeout=10, user=cluster.user, password=cluster.password
    ) as client:
        call = history.invoke("harness", Kind.PUT, prefix + b"end", value=b"end")
        response = await client.put(prefix + b"end", b"end")
        history.returned(call, revision=response.header.revision)
        current = await client.get_prefix_response(prefix)
        last = current.header.revision
        replay = WatchRecorder("replay", prefix, 1, prev_kv=True)
        watch_id = await client.add_watch_prefix_callback(
            prefix, replay, start_revision=1, prev_kv=True
        )
        try:
            await _caught_up(replay, last)
        finally:
            await client.cancel_watch(watch_id)
        responses, errors = replay.snapshot()
        assert not errors, f"the history replay failed: {errors!r}"
        assert replay.last_revision >= last, f"the history replay stopped short of {last}"
        store = [e for response in responses for e in response if e.revision <= last]
        latest: dict[bytes, bytes | None] = {}
        for event in store:
            latest[event.key] = None if event.deleted else event.value
        in_range = {kv.key: kv.value for kv in current.kvs}
        assert {k: v for k, v in latest.items() if v is not None} == in_range, (
            "the replayed history does not end in the range's values"
        )
        return last, store


async def _caught_up(watch: WatchRecorder, last: int) -> None:
    """Wait (boundedly) until ``watch`` delivered every change up to revision ``last`` or
    reported an error; a stream that stops short is judged by check_watch."""
    deadline = time.monotonic() + CATCH_UP
    while time.monotonic() < deadline:
        if watch.last_revision >= last or watch.snapshot()[1]:
            return
        await asyncio.sleep(0.05)


def _summarize(
    figures: dict[str, object],
    history: History,
    verdict: KvVerdict,
    watches: Sequence[WatchVerdict],
    run: Run,
    names: Sequence[str],
) -> None:
    counts = history.counts()
    figures["ops"] = counts["ok"]
    figures["unknown"] = counts["unknown"]
    figures["failed"] = counts["failed"]
    for kind in ("async", "sync"):
        mine = [op for op in history.ops if op.client.startswith(f"{kind}-")]
        figures[f"ops_{kind}"] = sum(op.status is Status.OK for op in mine)
        figures[f"unknown_{kind}"] = sum(
            op.status is Status.UNKNOWN and op.kind is not Kind.EXPIRE for op in mine
        )
    figures["leases_lost"] = sum(op.kind is Kind.EXPIRE for op in history.ops)
    figures["linearizable"] = verdict.ok
    figures["watches_ok"] = all(w.ok for w in watches)
    figures["watch_events"] = "/".join(str(w.events) for w in watches)
    gaps = unavailability(history.ops, names)
    worst = max(gaps, key=lambda name: gaps[name])
    figures["longest_unavailable_s"] = gaps[worst]
    figures["longest_unavailable_client"] = worst
    for kind in ("async", "sync"):
        figures[f"unavailable_{kind}_s"] = max(v for k, v in gaps.items() if k.startswith(kind))
    figures["any_client_unavailable_s"] = unavailability(history.ops, ["*"])["*"]
    if len(run.fault_window) == 2:
        figures["fault_s"] = run.fault_window[1] - run.fault_window[0]
    top = history.errors.most_common(4)
    figures["errors"] = ",".join(f"{name}={n}" for name, n in top) or "-"


def unavailability(ops: Sequence[Op], clients: Sequence[str]) -> dict[str, float]:
    """Per client, the longest time between two successive successful operations (``"*"``:
    any client)."""
    returns: dict[str, list[float]] = {name: [] for name in clients}
    for op in ops:
        if op.status is Status.OK:
            for name in (op.client, "*"):
                if name in returns:
                    returns[name].append(op.ret)
    gaps = {}
    for name, times in returns.items():
        times.sort()
        gaps[name] = max((b - a for a, b in itertools.pairwise(times)), default=0.0)
    return gaps


# --- The soak: every fault, at random, on one cluster -----------------------------------------

NEMESES: dict[str, Callable[[Run, random.Random], Awaitable[None]]] = {
    "minority_leader": lambda run, _rng: minority_leader(run),
    "blackhole_in_use": lambda run, _rng: blackhole_in_use(run),
    "slow_links": lambda run, _rng: slow_links(run),
    "replies_lost": lambda run, _rng: replies_lost(run),
    "rolling_restart": lambda run, _rng: rolling_restart(run),
    "remove_and_rejoin": lambda run, _rng: remove_and_rejoin(run),
    "random_partition": random_partition,
}


def soak(seconds: float, seed: int, log: Callable[[str], None]) -> Scenario:
    """A scenario that injects random faults (``NEMESES``) one after another for
    ``seconds``, on one cluster under continuous load; ``log`` hears each one."""
    rng = random.Random(seed)

    async def inject(run: Run) -> None:
        end = time.monotonic() + seconds
        done: dict[str, int] = {}
        while time.monotonic() < end:
            name = rng.choice(sorted(NEMESES))
            log(f"{time.monotonic() - end + seconds:7.1f} s: {name}")
            await NEMESES[name](run, rng)
            done[name] = done.get(name, 0) + 1
            await asyncio.sleep(rng.uniform(0.5, 3.0))
        run.notes["nemeses"] = done

    return Scenario("soak", inject, extra_args=SLOW_NETWORK_TIMING, call_timeout=5.0)
