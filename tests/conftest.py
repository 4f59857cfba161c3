"""Shared test configuration.

The etcd fixtures (``etcd_server``, ``etcd_tls_server``, ``etcd_auth_server``, ``etcd_cluster``,
``etcd_factory``) come from the package's pytest plugin (``_etcd3_pytest_plugin``, registered
through the ``pytest11`` entry point), so nothing needs to be imported here. The client fixtures
below serve the friendly client's tests; the header names the etcd every test runs against
(``--etcd-version`` / ``$ETCD3_ETCD_VERSION`` choose another).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import itertools
import json
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import etcd3
from etcd3.testing import (
    EtcdBinaryNotFound,
    EtcdServer,
    FaultProxy,
    ProxyLoop,
    find_etcd_binary,
)
from etcd3.testing._binary import etcd_version

ROOT = Path(__file__).resolve().parent.parent

_prefixes = itertools.count()


def pytest_report_header(config: pytest.Config) -> str:
    try:
        binary = find_etcd_binary(
            config.getoption("etcd_bin"), version=config.getoption("etcd_version")
        )
    except EtcdBinaryNotFound as exc:
        return f"etcd: not available ({exc})"
    return f"etcd: {etcd_version(binary)} ({binary})"


# grpc's C core logs a failed TLS handshake on stderr from its own threads, and may do so after
# the channel that started it was closed (the TLS tests provoke such failures on purpose). A
# plaintext client cannot have caused such a line.
_TLS_HANDSHAKE_LOG = re.compile(r"^[IWE]\d{4} [^\n]*ssl_transport_security\.cc:\d+\] .*\n", re.M)


@pytest.fixture
def printed(capfd: pytest.CaptureFixture[str]) -> Callable[[], tuple[str, str]]:
    """Read what was printed since the last read, as ``(stdout, stderr)``, for a test of a
    plaintext client that must print nothing.

    File descriptors are captured, so grpc's C core is heard too; the TLS handshake lines that
    other tests' channels leave behind are dropped.
    """

    def read() -> tuple[str, str]:
        out, err = capfd.readouterr()
        return out, _TLS_HANDSHAKE_LOG.sub("", err)

    return read


@pytest.fixture
def no_gc() -> Iterator[None]:
    """Only reference counts free objects: what the garbage collector would free stays."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose connections complete (kernel backlog) but are never served: a
    member that is paused or wedged."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        yield listener.getsockname()[1]


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


DEFAULT_ADDRESS = ("127.0.0.1", 2379)
"""Where etcd listens by default: where the docs' programs and the predecessors' examples
connect."""


@contextlib.contextmanager
def _serving_at_default_address(server: EtcdServer) -> Iterator[None]:
    lock_path = Path(tempfile.gettempdir()) / f"etcd3-tests-port-{DEFAULT_ADDRESS[1]}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent test runs on this machine take turns
        loop = ProxyLoop(name="etcd3-default-address")
        try:
            proxy = FaultProxy(
                loop, listen_port=DEFAULT_ADDRESS[1], target_port=server.port, name="default"
            )
            try:
                proxy.start()
            except OSError as exc:
                pytest.fail(f"{DEFAULT_ADDRESS} (etcd's default address) is taken: {exc}")
            try:
                yield
            finally:
                proxy.close()
        finally:
            loop.close()


@pytest.fixture
def default_address() -> Callable[[EtcdServer], AbstractContextManager[None]]:
    """``with default_address(server):`` makes ``server`` answer at ``127.0.0.1:2379`` too.

    A fault proxy listens there meanwhile. Fails, not skips, when the port is taken by
    something else.
    """
    return _serving_at_default_address


class StrictTypeCheckers:
    """``mypy --strict`` and ``pyright`` in strict mode over files, as a consumer runs them."""

    def mypy(self, files: Sequence[Path]) -> list[str]:
        """mypy's errors for ``files`` under ``--strict`` and the project's settings."""
        from mypy import api as mypy_api

        stdout, stderr, status = mypy_api.run(
            [
                "--strict",
                "--no-incremental",
                "--config-file",
                str(ROOT / "pyproject.toml"),
                *map(str, files),
            ]
        )
        if status == 0:
            return []
        errors = [line for line in (stdout + stderr).splitlines() if ": error:" in line]
        return errors or [stdout + stderr]

    def pyright(self, files: Sequence[Path], root: Path = ROOT) -> list[str]:
        """pyright's errors and warnings for ``files``; each must say ``# pyright: strict``.

        ``root`` is the project root pyright resolves the files' own imports from.
        """
        pyright = Path(sys.executable).with_name("pyright")
        assert pyright.exists(), "pyright is a dev dependency: run `make dev`"
        for path in files:
            assert "# pyright: strict" in path.read_text(encoding="utf-8"), path
        proc = subprocess.run(
            [str(pyright), "--pythonpath", sys.executable, "--outputjson", *map(str, files)],
            capture_output=True,
            text=True,
            cwd=root,
            timeout=900,
            check=False,
        )
        report = json.loads(proc.stdout)
        assert report["summary"]["filesAnalyzed"] == len(files), proc.stdout[-2000:]
        return [
            f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
            for d in report["generalDiagnostics"]
            if d["severity"] in {"error", "warning"}
        ]


@pytest.fixture(scope="session")
def strict_type_checkers() -> StrictTypeCheckers:
    """Runs the two type checkers a consumer of the package uses, in strict mode."""
    return StrictTypeCheckers()
