"""What every example shares: connect to a given etcd, or start an embedded one."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

import etcd3
from etcd3.testing import EtcdServer

__all__ = ["connect", "endpoint_argument"]


def endpoint_argument(parser: argparse.ArgumentParser) -> None:
    """Add the optional ``ENDPOINT`` argument every example takes."""
    parser.add_argument(
        "endpoint",
        nargs="?",
        default=None,
        help="etcd member as host:port (default: start an embedded etcd for this run)",
    )


@contextmanager
def connect(endpoint: str | None) -> Iterator[tuple[etcd3.Etcd3Client, EtcdServer | None]]:
    """Yield a client of ``endpoint``, or of a throwaway embedded etcd (also yielded).

    Args:
        endpoint: ``host:port``; ``None`` starts an embedded etcd (``etcd3.testing``).
    """
    if endpoint is not None:
        host, _, port = endpoint.rpartition(":")
        with etcd3.client(host or "localhost", int(port), timeout=5) as client:
            yield client, None
        return
    with EtcdServer() as server:
        print(f"(embedded etcd {server.version} on {server.endpoint})")
        with etcd3.client(server.host, server.port, timeout=5) as client:
            yield client, server
