"""Shared test configuration.

The etcd fixtures (``etcd_server``, ``etcd_tls_server``, ``etcd_auth_server``, ``etcd_cluster``,
``etcd_factory``) come from the package's pytest plugin (``_etcd3_pytest_plugin``, registered
through the ``pytest11`` entry point), so nothing needs to be imported here. The client fixtures
below serve the friendly client's tests; the header names the etcd every test runs against
(``--etcd-version`` / ``$ETCD3_ETCD_VERSION`` choose another).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import pytest

import etcd3
from etcd3.testing import EtcdBinaryNotFound, EtcdServer, find_etcd_binary
from etcd3.testing._binary import etcd_version

_prefixes = itertools.count()


def pytest_report_header(config: pytest.Config) -> str:
    try:
        binary = find_etcd_binary(
            config.getoption("etcd_bin"), version=config.getoption("etcd_version")
        )
    except EtcdBinaryNotFound as exc:
        return f"etcd: not available ({exc})"
    return f"etcd: {etcd_version(binary)} ({binary})"


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
