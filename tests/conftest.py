"""Shared test configuration.

The etcd fixtures (``etcd_server``, ``etcd_tls_server``, ``etcd_auth_server``, ``etcd_cluster``,
``etcd_factory``) come from :mod:`etcd3.testing.plugin`, registered through the package's
``pytest11`` entry point, so nothing needs to be imported here. The client fixtures below
serve the friendly client's tests.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import pytest

import etcd3
from etcd3.testing import EtcdServer

_prefixes = itertools.count()


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> bytes:
    """A key prefix unique to this test, for tests sharing the session's etcd server."""
    return f"/t/{request.node.name}/{next(_prefixes)}/".encode()


@pytest.fixture
def client(etcd_server: EtcdServer) -> Iterator[etcd3.Etcd3Client]:
    """A sync client of the shared plain server (default deadline 10 s)."""
    with etcd3.client(etcd_server.host, etcd_server.port, timeout=10) as c:
        yield c


@pytest.fixture
async def async_client(etcd_server: EtcdServer) -> AsyncIterator[etcd3.AsyncEtcd3Client]:
    """An asyncio client of the shared plain server (default deadline 10 s)."""
    async with etcd3.async_client(etcd_server.host, etcd_server.port, timeout=10) as c:
        yield c
