"""Service registry with leases: register, discover, and disappear when you die.

Each instance writes ``/services/<service>/<instance> = <address>`` with a lease kept alive in
the background. Discovery is one prefix read. An instance that exits deregisters at once (the
lease is revoked); one that crashes stops renewing, and etcd deletes its key when the lease's
TTL runs out: nobody has to clean up after it.

Run: ``python examples/service_registry.py [host:port]`` (no argument: embedded etcd).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from _embedded import connect, endpoint_argument

import etcd3

PREFIX = "/services/"


def register(
    client: etcd3.Etcd3Client, service: str, instance: str, address: str, ttl: int = 2
) -> etcd3.Lease:
    """Register an instance under a kept-alive lease; revoke the lease to deregister."""
    lease = client.lease(ttl, keep_alive=True)
    client.put(f"{PREFIX}{service}/{instance}", address, lease=lease)
    return lease


def discover(client: etcd3.Etcd3Client, service: str) -> dict[str, str]:
    """The live instances of a service: ``{instance: address}``."""
    prefix = f"{PREFIX}{service}/".encode()
    return {
        meta.key[len(prefix) :].decode(): value.decode()
        for value, meta in client.get_prefix(prefix)
    }


def wait_until_gone(client: etcd3.Etcd3Client, service: str, instance: str, limit: float) -> float:
    """Seconds until ``instance`` disappeared from discovery (at most ``limit``)."""
    start = time.monotonic()
    while instance in discover(client, service) and time.monotonic() - start < limit:
        time.sleep(0.1)
    return time.monotonic() - start


def main(argv: Sequence[str] | None = None) -> None:
    """Register three instances, deregister one, let one crash, print what discovery sees."""
    parser = argparse.ArgumentParser(description=__doc__)
    endpoint_argument(parser)
    args = parser.parse_args(argv)
    with connect(args.endpoint) as (client, _):
        client.delete_prefix(f"{PREFIX}api/")
        leases = {
            name: register(client, "api", name, f"10.0.0.{i}:8080", ttl=1)
            for i, name in enumerate(("a", "b", "c"), start=1)
        }
        print(f"registered: {sorted(discover(client, 'api').items())}")

        ttl = leases["a"].ttl  # as granted: a server may raise small TTLs to its minimum
        time.sleep(ttl + 0.5)  # longer than the TTL: keep-alive renews the leases
        print(f"after {ttl + 0.5} s (TTL {ttl} s): {sorted(discover(client, 'api'))}")

        leases["a"].revoke()  # a clean exit deregisters at once
        print(f"a exited: {sorted(discover(client, 'api'))}")

        leases["b"].stop_keep_alive()  # a crash: nobody renews the lease any more
        waited = wait_until_gone(client, "api", "b", limit=10)
        print(f"b crashed; its key expired after {waited:.1f} s: {sorted(discover(client, 'api'))}")

        leases["c"].revoke()
        print(f"c exited: {sorted(discover(client, 'api'))}")


if __name__ == "__main__":
    main()
