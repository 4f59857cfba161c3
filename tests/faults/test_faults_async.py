# async-to-sync: source
"""Fault injection on real 3-member etcd clusters, asyncio and sync: what the client promises
when members die, pause, restart and lose their leader.

Each scenario starts its own cluster (``etcd_factory.cluster(3)``), points a client at every
member (``endpoints=[...]``), injects faults (SIGKILL, SIGSTOP, restarts, compaction, token
expiry) and asserts the promised property. Figures (durations, counts, CPU) go to the
``figures`` fixture: printed with ``-s`` and summarised at the end of the run.

The bookkeeping and the judgements are sans-IO, in ``fault_support.py``; this file only moves
the clusters and the clients. Cluster operations that wait (restart until healthy) run in a
thread in the asyncio twin, so that the load keeps running meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import grpc.aio
import pytest

import etcd3
from etcd3._acompat import ASYNC, Job, sleep, spawn
from etcd3._client_async import AsyncEtcd3Client
from etcd3._connection import KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS
from etcd3.errors import (
    ConnectionClosedError,
    EtcdError,
    FutureRevisionError,
    RevisionCompactedError,
)
from etcd3.testing import EtcdCluster, EtcdFactory, EtcdMember
from faults.fault_support import (
    Change,
    Collector,
    CpuMeter,
    Load,
    check_same_history,
    check_writes,
    member_at,
    thread_names,
    write_value,
)

pytestmark = [pytest.mark.faults, pytest.mark.cluster, pytest.mark.slow]

T = TypeVar("T")

CALL_TIMEOUT = 5.0
"""The clients' default deadline per call (retries included)."""
MEMBER_CATCH_UP_S = 10.0
"""How long a member that restarted may take to apply what the others have."""
MOVE_ON_BOUND = 10.0
"""Seconds within which calls and watches must have moved off a failed member."""
WRITERS = 4
KEYS_PER_WRITER = 8
WRITE_TIMEOUT = 2.0
"""Deadline of each load write: a put caught by a member's death may hang (its outcome is
unknown, so it is not retried) until then; shorter than the down phases, so writers move on."""
DOWN = 3.0
"""Seconds the leader, then a follower, stays down."""
PACE = 0.01
"""Seconds each load worker rests between two operations (a steady, not a flooding, load)."""
OUTAGE = 5.0
QUORUM_PHASES = (
    "steady",
    "leader_down",
    "leader_restart",
    "follower_down",
    "follower_restart",
    "after",
)
"""Phases of the kill scenario in which a majority of members is up."""


# --- Helpers (I/O) -------------------------------------------------------------------------


def endpoints_of(cluster: EtcdCluster) -> list[str]:
    return [member.endpoint for member in cluster.members]


def make_client(
    endpoints: list[str],
    user: str | None = None,
    password: str | None = None,
) -> AsyncEtcd3Client:
    return etcd3.async_client(
        timeout=CALL_TIMEOUT, user=user, password=password, endpoints=endpoints
    )


async def check_members_agree(cluster: EtcdCluster, revision: int) -> None:
    """Every member's store hashes the same at ``revision`` (etcd's HashKV).

    Members that disagree lost or skipped an entry on the server side, whatever the client did:
    this is checked before the history is, so that such a failure names the server.
    """
    hashes: dict[str, int] = {}
    for member in cluster.members:
        async with etcd3.async_client(endpoints=[member.endpoint], timeout=CALL_TIMEOUT) as one:
            deadline = time.monotonic() + MEMBER_CATCH_UP_S
            while True:
                try:
                    hashes[member.name] = (await one.hash_kv(revision)).hash
                    break
                except FutureRevisionError:  # still applying up to ``revision``
                    if time.monotonic() > deadline:
                        raise
                    await sleep(0.1)
    assert len(set(hashes.values())) == 1, (
        f"etcd's members disagree on the store at revision {revision}: {hashes}"
    )


async def blocking(operation: Callable[..., T], *args: object) -> T:
    """Run a blocking cluster operation; in asyncio in a thread, so the load keeps going."""
    if ASYNC:
        return await asyncio.to_thread(operation, *args)
    else:
        return operation(*args)


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` until it holds and return the seconds it took; fail after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        await sleep(0.02)
    return time.monotonic() - start


async def put_until_acked(
    client: AsyncEtcd3Client, key: bytes, tag: bytes, bound: float
) -> tuple[bytes, int, int]:
    """Put ``tag-0``, ``tag-1``, ... until one is acknowledged.

    A put that raised has an unknown outcome, so each try writes a new value.

    Returns:
        ``(acknowledged value, its revision, failed tries)``.
    """
    until = time.monotonic() + bound
    failures: list[EtcdError] = []
    while time.monotonic() < until:
        value = b"%s-%d" % (tag, len(failures))
        try:
            response = await client.put(key, value)
        except EtcdError as exc:
            failures.append(exc)
            await sleep(0.05)
        else:
            return value, response.header.revision, len(failures)
    raise AssertionError(f"no put acknowledged within {bound} s: {failures[-3:]!r}")


async def store_history(client: AsyncEtcd3Client, prefix: bytes) -> list[Change]:
    """The store's complete history under ``prefix``: a fresh watch replaying from revision 1.

    Cross-checked with a range: each key's current value is its last change in the history.
    """
    latest = await client.get_prefix_response(
        prefix, sort_order="descend", sort_target="mod", limit=1
    )
    if not latest.kvs:
        return []
    last = latest.kvs[0].mod_revision
    replay = Collector()
    watch_id = await client.add_watch_prefix_callback(prefix, replay, start_revision=1)
    try:
        await wait_until(
            lambda: replay.last_revision >= last or bool(replay.snapshot()[1]),
            30,
            f"replaying the history of {prefix!r} up to revision {last}",
        )
    finally:
        await client.cancel_watch(watch_id)
    history, errors = replay.snapshot()
    assert not errors, f"the history replay failed: {errors!r}"
    current = {kv.key: kv.value for kv in (await client.get_prefix_response(prefix)).kvs}
    last_values = {change.key: change.value for change in history}
    assert last_values == current, "the replayed history does not end in the current values"
    return history


async def check_watch_after_resume(
    client: AsyncEtcd3Client, live: Collector, prefix: bytes
) -> None:
    """A write after the fault reaches the watch, which then delivered exactly the store's
    history of ``prefix``, without errors."""
    resumed, _rev, _ = await put_until_acked(client, prefix + b"resumed", b"resumed", 5)
    await wait_until(lambda: resumed in live.arrivals, 5, "the watch after the resume")
    history = await store_history(client, prefix)
    delivered, errors = live.snapshot()
    assert not errors, f"the watch reported errors: {errors!r}"
    check_same_history(delivered, history)


async def writer(client: AsyncEtcd3Client, load: Load, prefix: bytes, writer_id: int) -> None:
    """Put unique values (writer id, sequence number) until the load stops."""
    with load.running():
        await _write_until_stopped(client, load, prefix, writer_id)


async def _write_until_stopped(
    client: AsyncEtcd3Client, load: Load, prefix: bytes, writer_id: int
) -> None:
    seq = 0
    while not load.stopping:
        value = write_value(writer_id, seq)
        key = prefix + b"w%d/%d" % (writer_id, seq % KEYS_PER_WRITER)
        seq += 1
        phase = load.phase
        start = time.monotonic()
        try:
            response = await client.put(key, value, timeout_override=WRITE_TIMEOUT)
        except Exception as exc:  # anything but an EtcdError is a defect, asserted later
            load.write_failed(phase, value, exc)
            await sleep(0.05)
        else:
            load.wrote(phase, value, response.header.revision, time.monotonic() - start)
            await sleep(PACE)


async def reader(client: AsyncEtcd3Client, load: Load, key: bytes) -> None:
    """Read ``key`` (a call that is safe to retry) until the load stops."""
    with load.running():
        await _read_until_stopped(client, load, key)


async def _read_until_stopped(client: AsyncEtcd3Client, load: Load, key: bytes) -> None:
    while not load.stopping:
        phase = load.phase
        start = time.monotonic()
        try:
            await client.get(key)
        except Exception as exc:
            load.read_failed(phase, exc)
        else:
            load.read(phase, time.monotonic() - start)
        await sleep(PACE)


async def stop_workers(load: Load, workers: list[Job]) -> None:
    load.stopping = True
    await wait_until(
        lambda: load.finished == len(workers), CALL_TIMEOUT + 5, "the load workers stop"
    )


async def killed_and_restarted(
    cluster: EtcdCluster, load: Load, members: list[EtcdMember], name: str, down: float
) -> dict[str, float]:
    """Kill ``members``, keep them down ``down`` s, restart them; phases ``name_down`` and
    ``name_restart``. Returns how long each restart took."""
    load.phase = f"{name}_down"
    for member in members:
        cluster.kill(member)
    await sleep(down)
    load.phase = f"{name}_restart"
    took: dict[str, float] = {}
    for index, member in enumerate(members):
        start = time.monotonic()
        await blocking(cluster.restart, member)
        took[f"{name}_restart_{index}_s"] = time.monotonic() - start
    return took


# --- 1 + 2: kills under write load, with a watch over all of it -----------------------------


async def test_kills_under_load_lose_no_ack_apply_nothing_twice_and_watch_sees_all(
    etcd_factory: EtcdFactory, figures: dict[str, object]
) -> None:
    """Kill the leader, a follower, then two members (restarting each time) under writes from
    several workers and reads: every acknowledged write is in the history exactly once at its
    revision; nothing is applied twice; reads (safe to retry) never fail while a majority is up;
    a watch over the prefix delivers exactly the store's history."""
    cluster = etcd_factory.cluster(3)
    prefix = b"/faults/load/"
    load = Load()
    started = time.monotonic()
    async with make_client(endpoints_of(cluster)) as client:
        live = Collector()
        await client.add_watch_prefix_callback(prefix, live)
        workers = [
            spawn(functools.partial(writer, client, load, prefix, i), name=f"fault-writer-{i}")
            for i in range(WRITERS)
        ]
        workers.append(
            spawn(functools.partial(reader, client, load, prefix + b"w0/0"), name="fault-reader")
        )
        try:
            await sleep(1.0)
            leader = await blocking(cluster.leader)
            figures.update(await killed_and_restarted(cluster, load, [leader], "leader", DOWN))
            load.phase = "steady"
            await sleep(0.5)
            # The follower the client uses, if it uses one: the kill must be felt.
            followers = await blocking(cluster.followers)
            in_use = member_at(cluster, client.endpoint_in_use)
            follower = in_use if in_use in followers else followers[0]
            figures.update(await killed_and_restarted(cluster, load, [follower], "follower", DOWN))
            load.phase = "steady"
            await sleep(0.5)
            leader = await blocking(cluster.leader)
            in_use = member_at(cluster, client.endpoint_in_use)
            other = in_use if in_use is not leader else follower
            figures.update(await killed_and_restarted(cluster, load, [leader, other], "two", 2.0))
            load.phase = "after"
            await sleep(1.5)
        finally:
            await stop_workers(load, workers)
        figures["load_s"] = time.monotonic() - started
        figures.update(sorted(load.counts.items()))
        figures.update({f"max_{k}_s": v for k, v in sorted(load.max_latency.items())})

        assert not load.foreign, f"errors outside the EtcdError tree: {load.foreign[:5]}"
        for phase in ("steady", "leader_down", "follower_down", "after"):
            assert load.counts[f"{phase}.acked"] > 0, f"no write acknowledged in phase {phase}"
        quorum_read_errors = [(p, e) for p, e in load.read_errors if p in QUORUM_PHASES]
        assert not quorum_read_errors, (
            f"reads failed while a majority was up: {quorum_read_errors[:5]}"
        )

        history = await store_history(client, prefix)
        await check_members_agree(cluster, history[-1].revision)
        figures.update({f"writes_{k}": v for k, v in check_writes(load.writes, history).items()})
        catch_up = await wait_until(
            lambda: live.last_revision >= history[-1].revision or bool(live.snapshot()[1]),
            20,
            "the live watch catches up with the last write",
        )
        figures["watch_catch_up_s"] = catch_up
        delivered, errors = live.snapshot()
        assert not errors, f"the live watch reported errors: {errors!r}"
        check_same_history(delivered, history)
        figures["watch_events"] = len(delivered)


# --- 3: SIGSTOP of the member in use ---------------------------------------------------------


async def test_pausing_the_member_in_use_moves_calls_and_watches_on(
    etcd_factory: EtcdFactory, figures: dict[str, object]
) -> None:
    """Freeze (SIGSTOP) the member the client uses: a read issued right after still succeeds,
    writes succeed again, and the watch delivers new writes, all within MOVE_ON_BOUND."""
    cluster = etcd_factory.cluster(3)
    prefix = b"/faults/pause/"
    async with make_client(endpoints_of(cluster)) as client:
        live = Collector()
        await client.add_watch_prefix_callback(prefix, live)
        await client.put(prefix + b"before", b"before")
        await wait_until(lambda: live.values() == [b"before"], 5, "the watch is live")
        paused = member_at(cluster, client.endpoint_in_use)
        figures["paused_was_leader"] = paused.is_leader()
        cluster.pause(paused)
        paused_at = time.monotonic()
        try:
            value, _kv = await client.get(prefix + b"before")
            get_seconds = figures["get_after_pause_s"] = time.monotonic() - paused_at
            assert value == b"before"
            acked, _rev, failures = await put_until_acked(
                client, prefix + b"after", b"after-pause", MOVE_ON_BOUND
            )
            figures["put_after_pause_s"] = time.monotonic() - paused_at
            figures["put_failures"] = failures
            await wait_until(
                lambda: acked in live.arrivals, MOVE_ON_BOUND, "the watch delivers a new write"
            )
            figures["watch_after_pause_s"] = live.arrivals[acked] - paused_at
            moved_to = client.endpoint_in_use
        finally:
            cluster.resume(paused)
        assert moved_to != paused.endpoint
        assert get_seconds < MOVE_ON_BOUND
        assert live.arrivals[acked] - paused_at < MOVE_ON_BOUND

        await check_watch_after_resume(client, live, prefix)


IDLE_WATCH_BOUND = (KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS) / 1000 + MOVE_ON_BOUND
"""Seconds within which an idle watch leaves a frozen member: one keepalive interval, one
unanswered ping, then MOVE_ON_BOUND to re-create it elsewhere (grpc's 60 s default ping
timeout would exceed it)."""


async def test_pausing_the_member_of_an_idle_watch_moves_the_watch_on(
    etcd_factory: EtcdFactory, figures: dict[str, object]
) -> None:
    """Freeze the member of a client that only watches (no unary call notices the freeze):
    grpc keepalive ends the stream and the watch resumes on another member, losing nothing."""
    cluster = etcd_factory.cluster(3)
    prefix = b"/faults/idle-pause/"
    victim, *others = cluster.members
    async with (
        make_client([victim.endpoint, *(m.endpoint for m in others)]) as watching,
        make_client([m.endpoint for m in others]) as writing,
    ):
        live = Collector()
        await watching.add_watch_prefix_callback(prefix, live)
        await writing.put(prefix + b"before", b"before")
        await wait_until(lambda: live.values() == [b"before"], 5, "the watch is live")
        assert watching.endpoint_in_use == victim.endpoint
        cluster.pause(victim)
        paused_at = time.monotonic()
        try:
            acked, _rev, _ = await put_until_acked(
                writing, prefix + b"during", b"during", MOVE_ON_BOUND
            )
            await wait_until(
                lambda: acked in live.arrivals, IDLE_WATCH_BOUND, "the idle watch moves on"
            )
            figures["idle_watch_moved_s"] = live.arrivals[acked] - paused_at
        finally:
            cluster.resume(victim)
        assert live.arrivals[acked] - paused_at < IDLE_WATCH_BOUND
        await check_watch_after_resume(writing, live, prefix)


# --- 4: compaction past a disconnected watch's resume point ---------------------------------


async def test_compaction_past_a_disconnected_watch_raises_with_the_compact_revision(
    etcd_factory: EtcdFactory, figures: dict[str, object]
) -> None:
    """A watch whose only member is down while the others write and compact gets, once its
    member is back, RevisionCompactedError carrying the compact revision (and nothing else)."""
    cluster = etcd_factory.cluster(3)
    prefix = b"/faults/compact/"
    watched, *others = cluster.members
    async with (
        make_client([watched.endpoint]) as watching,
        make_client([m.endpoint for m in others]) as writing,
    ):
        live = Collector()
        await watching.add_watch_prefix_callback(prefix, live)
        first = (await writing.put(prefix + b"k", b"1")).header.revision
        await wait_until(lambda: live.last_revision == first, 5, "the watch delivers")
        cluster.kill(watched)
        await put_until_acked(writing, prefix + b"k", b"2", MOVE_ON_BOUND)
        _value, latest, _ = await put_until_acked(writing, prefix + b"k", b"3", MOVE_ON_BOUND)
        await writing.compact(latest, physical=True)
        await blocking(cluster.restart, watched)
        figures["error_after_restart_s"] = await wait_until(
            lambda: bool(live.snapshot()[1]), 15, "the watch reports the compaction"
        )
        await sleep(0.3)  # anything else would arrive now
        delivered, errors = live.snapshot()
        assert [change.revision for change in delivered] == [first]
        assert len(errors) == 1, errors
        assert isinstance(errors[0], RevisionCompactedError), repr(errors[0])
        assert errors[0].compacted_revision == latest
        figures["compacted_revision"] = latest


# --- 5: auth tokens that expire while the client idles --------------------------------------


async def test_idle_client_outlives_its_auth_token(
    etcd_factory: EtcdFactory, figures: dict[str, object]
) -> None:
    """With --auth-token-ttl=2, a client idle for longer keeps working: unary calls, the open
    watch, and the watch re-created on another member after the one in use dies."""
    cluster = etcd_factory.cluster(3, auth=True, auth_token_ttl=2)
    prefix = b"/faults/auth/"
    async with make_client(
        endpoints_of(cluster), user=cluster.user, password=cluster.password
    ) as client:
        live = Collector()
        await client.add_watch_prefix_callback(prefix, live)
        await client.put(prefix + b"a", b"fresh")
        await wait_until(lambda: b"fresh" in live.arrivals, 5, "the watch is live")
        await sleep(3.5)  # the token expires
        start = time.monotonic()
        value, _kv = await client.get(prefix + b"a")
        assert value == b"fresh"
        figures["get_after_idle_s"] = time.monotonic() - start
        await client.put(prefix + b"b", b"after-idle")
        await wait_until(lambda: b"after-idle" in live.arrivals, 5, "the open watch delivers")

        await sleep(3.5)  # expired again; now the watch must be re-created elsewhere
        in_use = member_at(cluster, client.endpoint_in_use)
        cluster.kill(in_use)
        killed_at = time.monotonic()
        value, _kv = await client.get(prefix + b"a")
        figures["get_after_kill_s"] = time.monotonic() - killed_at
        acked, _rev, failures = await put_until_acked(
            client, prefix + b"c", b"after-kill", MOVE_ON_BOUND
        )
        figures["put_failures_after_kill"] = failures
        await wait_until(
            lambda: acked in live.arrivals or bool(live.snapshot()[1]),
            MOVE_ON_BOUND,
            "the re-created watch delivers",
        )
        delivered, errors = live.snapshot()
        assert not errors, f"the watch reported errors: {errors!r}"
        figures["watch_after_kill_s"] = live.arrivals[acked] - killed_at
        await blocking(cluster.restart, in_use)
        check_same_history(delivered, await store_history(client, prefix))


# --- 6: every member down with open watches --------------------------------------------------


async def test_total_outage_costs_no_cpu_and_everything_resumes(
    etcd_factory: EtcdFactory, figures: dict[str, object]
) -> None:
    """All members down for OUTAGE s with open watches and a kept-alive lease: the client uses
    under 5 % of a core meanwhile; afterwards calls work and both watches deliver new writes."""
    cluster = etcd_factory.cluster(3)
    prefix = b"/faults/outage/"
    async with make_client(endpoints_of(cluster)) as client:
        live = Collector()
        await client.add_watch_prefix_callback(prefix, live)
        events, cancel = await client.watch_prefix(prefix + b"it/")
        lease = await client.lease(30, keep_alive=True)
        await client.put(prefix + b"before", b"before", lease=lease)
        await wait_until(lambda: b"before" in live.arrivals, 5, "the watch is live")

        for member in cluster.members:
            cluster.kill(member)
        meter = CpuMeter()
        await sleep(OUTAGE)
        cpu, wall = meter.read()
        figures["outage_cpu_s"] = cpu
        figures["outage_wall_s"] = wall
        figures["outage_cpu_share"] = cpu / wall

        start = time.monotonic()
        for member in cluster.members:
            await blocking(functools.partial(member.restart, wait=False))
        for member in cluster.members:
            await blocking(member.wait_healthy)
        healthy_at = time.monotonic()
        figures["cluster_restart_s"] = healthy_at - start
        value, _kv = await client.get(prefix + b"before")
        figures["first_get_s"] = time.monotonic() - healthy_at
        assert value == b"before"
        acked, _rev, failures = await put_until_acked(
            client, prefix + b"after", b"after", MOVE_ON_BOUND
        )
        figures["put_failures"] = failures
        await wait_until(
            lambda: acked in live.arrivals or bool(live.snapshot()[1]),
            MOVE_ON_BOUND,
            "the callback watch resumes",
        )
        figures["watch_resumed_s"] = live.arrivals[acked] - healthy_at
        it_revision = (await client.put(prefix + b"it/x", b"x")).header.revision
        if ASYNC:
            event = await asyncio.wait_for(anext(events), MOVE_ON_BOUND)
        else:
            event = await anext(events)  # a blocking next() in the sync twin
        assert (event.key, event.value) == (prefix + b"it/x", b"x")
        await cancel()
        # The callback watch covers it/ too; its dispatch may trail the iterator's.
        await wait_until(
            lambda: live.last_revision >= it_revision, 5, "the callback watch delivers it/x"
        )
        assert not lease.lost
        delivered, errors = live.snapshot()
        assert not errors, f"the watch reported errors: {errors!r}"
        check_same_history(delivered, await store_history(client, prefix))
        assert cpu / wall < 0.05, f"{cpu:.2f} s CPU in {wall:.2f} s of outage"


# --- 7: close() in the middle of an outage ---------------------------------------------------


async def call_and_record(
    client: AsyncEtcd3Client, key: bytes, kind: str, outcomes: list[tuple[str, bool]]
) -> None:
    """One call in flight across close() (``kind``: get, put or watch); records how it ended:
    ``(error class name, typed?)``."""
    try:
        if kind == "get":
            await client.get(key)
        elif kind == "put":
            await client.put(key, b"in-flight")
        else:
            await client.add_watch_callback(key, Collector())
    except BaseException as exc:  # CancelledError too: whatever ends the call is the outcome
        outcomes.append((type(exc).__name__, isinstance(exc, EtcdError)))
    else:
        outcomes.append(("returned", True))


async def test_close_during_an_outage_leaves_nothing_behind(
    etcd_factory: EtcdFactory,
    figures: dict[str, object],
    printed: Callable[[], tuple[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """close() while no member answers, with watches, a kept-alive lease and calls in flight:
    returns promptly, the calls end with typed errors, later calls raise
    ConnectionClosedError, no thread or task is left, nothing is printed or logged."""
    cluster = etcd_factory.cluster(3)
    prefix = b"/faults/close/"
    caplog.set_level(logging.DEBUG, logger="etcd3")
    if ASYNC:
        # grpc.aio serves every channel of the process from one poller thread of its own,
        # started with the first channel and ended when no grpc.aio object is referenced any
        # more (this test still holds the closed client and its iterator). Whether it already
        # runs depends on the tests before this one: open a channel so that it is part of the
        # baseline either way, and close it at the end.
        grpc_engine = grpc.aio.insecure_channel(endpoints_of(cluster)[0])
    baseline = {thread.ident for thread in threading.enumerate() if thread.ident is not None}
    client = make_client(endpoints_of(cluster))
    live = Collector()
    await client.add_watch_prefix_callback(prefix, live)
    events, _cancel = await client.watch_prefix(prefix)
    lease = await client.lease(30, keep_alive=True)
    await client.put(prefix + b"k", b"v", lease=lease)
    await wait_until(lambda: b"v" in live.arrivals, 5, "the watch is live")

    # One member dead (reconnect attempts run), two frozen (connections stay up and calls
    # hang on them): the calls below are surely in flight when close() comes.
    first, *rest = cluster.members
    cluster.kill(first)
    for member in rest:
        cluster.pause(member)
    outcomes: list[tuple[str, bool]] = []
    callers = [
        spawn(
            functools.partial(call_and_record, client, prefix + b"k", kind, outcomes),
            name=f"fault-call-{kind}",
        )
        for kind in ("get", "put", "watch")
    ]
    await sleep(0.5)
    assert outcomes == [], "the calls were meant to be in flight during close()"
    printed()
    caplog.clear()

    start = time.monotonic()
    await client.close()
    close_seconds = figures["close_s"] = time.monotonic() - start
    await client.close()  # idempotent
    figures["calls_ended_s"] = await wait_until(
        lambda: len(outcomes) == len(callers), 3, "in-flight calls end after close()"
    )
    figures["in_flight_outcomes"] = ",".join(sorted(name for name, _typed in outcomes))
    with pytest.raises(ConnectionClosedError):
        await client.get(prefix + b"k")
    with pytest.raises(ConnectionClosedError):
        await client.put(prefix + b"k", b"late")
    assert len([e async for e in events]) <= 1  # what was queued, if anything; then the end
    figures["threads_gone_s"] = await wait_until(
        lambda: not thread_names(exclude=baseline), 5, f"threads end: {thread_names(baseline)}"
    )
    if ASYNC:
        await grpc_engine.close()
        assert all(task.done() for task in callers)
        leftovers = [t for t in asyncio.all_tasks() if t.get_name().startswith("etcd3")]
        assert leftovers == [], leftovers
    out, err = printed()
    assert (out, err) == ("", ""), "close() printed something"
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], f"close() logged warnings: {loud}"
    assert all(typed for _name, typed in outcomes), f"untyped in-flight outcomes: {outcomes}"
    assert close_seconds < 5.0
