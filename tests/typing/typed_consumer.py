"""Every everyday task written the typed-first way, type-checked as it is (never run).

``mypy --strict`` (``make mypy``) and ``pyright`` in strict mode (``test_consumers.py``) must
accept it as written: no cast, no assert for typing, no ignore. Each function is one task, in
the sync client and in the asyncio one.
"""

# pyright: strict

from __future__ import annotations

import os

from typing_extensions import assert_never

import etcd3

# --- Connecting -----------------------------------------------------------------------------


def connect_from_environment() -> etcd3.Etcd3Client:
    # A port read from the environment is a str: its digits are a port as they are.
    return etcd3.client(os.environ.get("ETCD_HOST", "localhost"), os.environ["ETCD_PORT"])


def endpoints_from_environment() -> list[etcd3.Endpoint]:
    return [etcd3.Endpoint(host, port, secure=False) for host, port in [("a", "2379")]]


# --- Reading one key, a prefix, a range, page by page ---------------------------------------


def mode_revision(client: etcd3.Etcd3Client) -> int:
    kv = client.get_kv("/config/mode")
    if kv is None:
        return -1
    return kv.mod_revision


def settings(client: etcd3.Etcd3Client) -> dict[bytes, bytes]:
    result = client.get_kvs("/config/", prefix=True)
    print("read at revision", result.header.revision, "of", result.total, "keys")
    return {kv.key: kv.value for kv in result}


def first_two(client: etcd3.Etcd3Client) -> list[bytes]:
    return [kv.key for kv in client.get_kvs("/a", "/b", limit=2)[:2]]


def export(client: etcd3.Etcd3Client) -> int:
    count = 0
    for value, meta in client.get_prefix_paged("/big/", page_size=500):
        count += len(meta.key) + len(value)
    return count


async def mode_revision_async(client: etcd3.AsyncEtcd3Client) -> int:
    kv = await client.get_kv("/config/mode")
    return -1 if kv is None else kv.mod_revision


async def settings_async(client: etcd3.AsyncEtcd3Client) -> dict[bytes, bytes]:
    return {kv.key: kv.value for kv in await client.get_kvs("/config/", prefix=True)}


async def export_async(client: etcd3.AsyncEtcd3Client) -> list[bytes]:
    return [meta.key async for _value, meta in client.get_prefix_paged("/big/", page_size=500)]


# --- Writing and deleting ------------------------------------------------------------------


def write(client: etcd3.Etcd3Client) -> int:
    written = client.put("/config/mode", "blue", prev_kv=True)
    if written.HasField("prev_kv"):
        print("was", written.prev_kv.value)
    _, created = client.put_if_not_exists("/config/owner", "me")
    if created is not None:
        print("created at revision", created.header.revision)
    _, swapped = client.replace("/config/mode", "blue", "green")
    if swapped is not None:
        print("swapped at revision", swapped.header.revision)
    _, deleted = client.delete("/config/stale")
    if deleted is not None:
        print("deleted", deleted.deleted)
    gone = client.delete_prefix("/tmp/", prev_kv=True)
    print("deleted", gone.deleted, [kv.key for kv in gone.prev_kvs])
    existed, _deleted = client.delete("/config/stale")
    print("existed:", existed)
    return written.header.revision


async def write_async(client: etcd3.AsyncEtcd3Client) -> int:
    written = await client.put("/config/mode", "blue")
    await client.delete_range("/a", "/b")
    return written.header.revision


# --- Transactions ---------------------------------------------------------------------------


def compare_and_swap(client: etcd3.Etcd3Client, old: bytes, new: bytes) -> bool:
    tx = etcd3.TransactionBuilder.new()
    tx.compare("/config/mode").value.eq(old)
    tx.success.put("/config/mode", new)
    tx.failure.get("/config/mode")
    result = client.txn(tx)
    if not result.success:
        for value, meta in result.as_get(0):
            print("now", value, "at", meta.mod_revision)
    return result.success


async def compare_and_swap_async(client: etcd3.AsyncEtcd3Client, old: bytes, new: bytes) -> bool:
    tx = etcd3.TransactionBuilder.new()
    tx.compare("/config/mode").mod.eq(7)
    tx.success.put("/config/mode", new)
    return (await client.txn(tx)).success


# --- Watching -------------------------------------------------------------------------------


def follow(client: etcd3.Etcd3Client) -> list[bytes]:
    seen: list[bytes] = []
    events, cancel = client.watch_prefix("/config/", start_revision=1)
    for event in events:
        seen.append(event.key)
        if isinstance(event, etcd3.DeleteEvent):
            cancel()
    return seen


def mirror(client: etcd3.Etcd3Client, state: dict[bytes, bytes]) -> None:
    # An event is a PutEvent or a DeleteEvent: a match over both is exhaustive.
    events, cancel = client.watch_prefix("/config/")
    for event in events:
        match event:
            case etcd3.PutEvent():
                state[event.key] = event.value
            case etcd3.DeleteEvent():
                state.pop(event.key, None)
            case _:
                assert_never(event)
        if not state:
            cancel()


def on_change(client: etcd3.Etcd3Client) -> int:
    def callback(response: etcd3.WatchResponse | etcd3.EtcdError) -> None:
        if isinstance(response, etcd3.EtcdError):
            print("watch ended:", response)
            return
        for event in response:
            print(event.key, event.value, event.mod_revision)

    watch_id = client.add_watch_prefix_callback("/config/", callback)
    client.cancel_watch(watch_id)
    return watch_id


async def follow_async(client: etcd3.AsyncEtcd3Client) -> list[bytes]:
    events, cancel = await client.watch_prefix("/config/")
    seen: list[bytes] = []
    async for event in events:
        seen.append(event.value)
        await cancel()
    return seen


# --- Leases, locks, elections, sessions -----------------------------------------------------


def register(client: etcd3.Etcd3Client) -> int:
    with client.lease(10) as lease:
        client.put("/services/api", "10.0.0.5:8080", lease=lease)
        print("ttl left:", lease.remaining_ttl)
        return lease.id


def exclusive(client: etcd3.Etcd3Client) -> int:
    with client.lock("inventory", ttl=30) as lock:
        return lock.revision


def lead(client: etcd3.Etcd3Client) -> bytes | None:
    election = client.election("scheduler")
    if election.campaign("node-1", timeout=5):
        election.proclaim("node-1 at 10.0.0.5")
    leader = election.leader()
    return None if leader is None else leader.value


def announce(client: etcd3.Etcd3Client) -> int:
    # Keys of one's own on the session's lease go when the process does, with its locks.
    with client.session(ttl=10) as session:
        client.put("/members/node-1", "10.0.0.5", lease=session.lease)
        with etcd3.Lock("inventory", session=session) as lock:
            return lock.revision


async def announce_async(client: etcd3.AsyncEtcd3Client) -> int:
    async with client.session(ttl=10) as session:
        await client.put("/members/node-1", "10.0.0.5", lease=session.lease)
        return session.lease.id


async def lead_async(client: etcd3.AsyncEtcd3Client) -> int:
    async with client.lock("inventory") as lock:
        return lock.revision


# --- Namespaces, cluster, errors ------------------------------------------------------------


def scoped(client: etcd3.Etcd3Client) -> bytes | None:
    app = client.namespace("/app/")
    app.put("mode", "blue")
    kv = app.get_kv("mode")
    return None if kv is None else kv.value


def health(client: etcd3.Etcd3Client) -> str:
    status = client.status()
    leader = status.leader
    return f"{status.version} leader={None if leader is None else leader.name}"


def careful_write(client: etcd3.Etcd3Client) -> bool:
    try:
        client.put("/jobs/42/state", "done")
    except etcd3.EtcdError as err:
        if err.outcome_unknown:
            kv = client.get_kv("/jobs/42/state")
            return kv is not None and kv.value == b"done"
        if err.retryable:
            client.put("/jobs/42/state", "done")
            return True
        raise
    return True
