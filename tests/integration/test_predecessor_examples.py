"""The predecessors' documented examples run unchanged against a real etcd.

``predecessor_docs.py`` holds every Python block of python-etcd3 0.12's README and usage page
and of etcd3-client 0.104's getting-started tour, as printed. No block is edited: what a block
needs from the deployment it was written for is given to it here:

- an etcd at the default address ``localhost:2379`` (the ``default_address`` fixture);
- the names a fragment assumes (etcd3-client's fragments say they assume a connected client
  ``etcd``; some also use ``last_seen``, ``process`` or a live ``lease``);
- the keys a fragment reads and the store revision it reads at;
- writers for the watches, and the end of the watches that never end by themselves (closing the
  client, which ends every iterator);
- for the TLS example, certificate files under ``/etc/etcd`` (in a private mount namespace).

python-etcd3's README block has one defect as printed: a ``with`` statement whose body is only a
comment, which Python cannot compile. The test proves that, then runs the block with ``pass``
under that comment, the only edit any user of the example had to make.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from predecessor_docs import (
    ETCD3_CLIENT_GETTING_STARTED,
    PYTHON_ETCD3_README,
    PYTHON_ETCD3_USAGE,
)

import etcd3
from etcd3.testing import EtcdFactory, EtcdServer, make_pki

DefaultAddress = Callable[[EtcdServer], AbstractContextManager[None]]
"""The ``default_address`` fixture: serves a server at ``127.0.0.1:2379`` too, meanwhile."""
WAIT = 30.0  # seconds any step of a deployment waits for the example

Namespace = dict[str, object]


# --- The deployment: what the examples assume exists ---------------------------------------


@contextlib.contextmanager
def writer(server: EtcdServer, keys: list[str]) -> Iterator[None]:
    """Put to each of ``keys`` in turn, every few milliseconds, meanwhile."""
    stop = threading.Event()

    def write() -> None:
        with etcd3.client(server.host, server.port, timeout=10) as client:
            count = 0
            while not stop.wait(0.005):
                count += 1
                client.put(keys[count % len(keys)], str(count))

    thread = threading.Thread(target=write, name="writer", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def wait_until(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"the example did not {what} within {WAIT} s")
        time.sleep(0.01)


@pytest.fixture(scope="module")
def server(etcd_binary: Path) -> Iterator[EtcdServer]:
    with EtcdServer(binary=etcd_binary, name="predecessor-docs") as started:
        yield started


@pytest.fixture
def client(server: EtcdServer) -> Iterator[etcd3.Etcd3Client]:
    """Our own client of the server, to prepare the store and check what an example did."""
    with etcd3.client(server.host, server.port, timeout=10) as ours:
        ours.delete_prefix("")  # every example starts from an empty keyspace
        yield ours


def run(source: str, namespace: Namespace) -> str:
    """Run ``source`` in ``namespace``; return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<example>", "exec", dont_inherit=True), namespace)
    return out.getvalue()


def close_clients(namespace: Namespace, *also: object) -> None:
    for value in {id(v): v for v in (*namespace.values(), *also)}.values():
        if isinstance(value, etcd3.Etcd3Client):
            value.close()


# --- python-etcd3 --------------------------------------------------------------------------


def test_python_etcd3_readme_runs(
    server: EtcdServer, client: etcd3.Etcd3Client, default_address: DefaultAddress
) -> None:
    empty_with = "with etcd.lock('doot-machine') as lock:\n    # do something\n"
    with pytest.raises(IndentationError, match="expected an indented block after 'with'"):
        compile(PYTHON_ETCD3_README, "README.rst", "exec")
    assert PYTHON_ETCD3_README.count(empty_with) == 1
    source = PYTHON_ETCD3_README.replace(empty_with, empty_with + "    pass\n")

    namespace: Namespace = {}
    try:
        with (
            default_address(server),
            writer(server, ["/doot/watch", "/doot/watch/prefix/a", "/doot/watch/prefix/b"]),
        ):
            out = run(source, namespace)
    finally:
        close_clients(namespace)

    # Both watch loops saw their 11 events, then ended on cancel().
    assert namespace["watch_count"] == 11
    printed = out.splitlines()
    assert sum("key=b'/doot/watch'" in line for line in printed) >= 11
    assert sum("key=b'/doot/watch/prefix/" in line for line in printed) >= 11
    # The transaction's compare failed on a missing key: the failure branch ran.
    assert client.get("/doot/testing")[0] == b"failure"
    assert client.get("bar") == (None, None)
    assert list(client.get_prefix("/locks/")) == []  # both locks were released


def test_python_etcd3_usage_page_runs(
    server: EtcdServer, client: etcd3.Etcd3Client, default_address: DefaultAddress
) -> None:
    namespace: Namespace = {}
    made: list[object] = []
    try:
        with default_address(server):
            for block in PYTHON_ETCD3_USAGE:
                run(block, namespace)
                made.append(namespace.get("etcd"))
    finally:
        close_clients(namespace, *made)
    assert client.get("/key")[0] == b"dooot"
    clients = [c for c in made if c is not None]
    assert len({id(c) for c in clients}) == 3  # three clients made, the last one put
    assert all(isinstance(c, etcd3.Etcd3Client) for c in clients)


# --- etcd3-client ----------------------------------------------------------------------------


@dataclass
class Fragment:
    """What one fragment of the tour is given, and what it must have done."""

    store: dict[str, bytes] = field(default_factory=dict)
    check: Callable[[Namespace, str, etcd3.Etcd3Client], None] = lambda ns, out, client: None
    names: Namespace = field(default_factory=dict)  # what the page's earlier blocks bound


def _revision(client: etcd3.Etcd3Client, key: str) -> int:
    _, meta = client.get_strict(key)
    return meta.mod_revision


def _check_get(ns: Namespace, out: str, client: etcd3.Etcd3Client) -> None:
    assert out == f"b'on' {_revision(client, '/config/feature_x')}\n"


def _check_put(ns: Namespace, out: str, client: etcd3.Etcd3Client) -> None:
    assert client.get("/config/feature_x")[0] == b"on"
    assert out == f"{_revision(client, '/config/feature_x')}\n"


def _check_replace(ns: Namespace, out: str, client: etcd3.Etcd3Client) -> None:
    assert ns["swapped"] is True
    assert client.get("/state")[0] == b"new"


def _check_txn_put(ns: Namespace, out: str, client: etcd3.Etcd3Client) -> None:
    assert out == f"acquired at revision {_revision(client, '/locks/job-42')}\n"


def _check_txn_several(ns: Namespace, out: str, client: etcd3.Etcd3Client) -> None:
    assert out == f"1 {_revision(client, '/new-key')} 1\n"
    assert client.get("/old-key") == (None, None)


def _check_lease(ns: Namespace, out: str, client: etcd3.Etcd3Client) -> None:
    assert client.get("/sessions/abc") == (None, None)  # gone with the revoked lease
    lease = ns["lease"]
    assert isinstance(lease, etcd3.Lease)
    with pytest.raises(etcd3.LeaseNotFoundError):
        lease.refresh()


FRAGMENTS: dict[str, Fragment] = {
    "range-end-for-key": Fragment(check=lambda ns, out, c: _is(ns["end"], b"users0")),
    "get": Fragment({"/config/feature_x": b"on"}, _check_get),
    "get-strict": Fragment(
        {"/config/feature_x": b"on"}, lambda ns, out, c: _is(ns["value"], b"on")
    ),
    "get-prefix": Fragment(
        {"/users/alice": b"1", "/users/bob": b"2", "/usersx": b"3"},
        lambda ns, out, c: _is(out, "b'/users/alice' b'1'\nb'/users/bob' b'2'\n"),
    ),
    "get-range": Fragment(
        {"a": b"1", "l": b"2", "m": b"3"}, lambda ns, out, c: _is(ns["value"], b"2")
    ),
    "put": Fragment(check=_check_put),
    "put-if-not-exists": Fragment(check=lambda ns, out, c: _is(ns["created"], True)),
    "replace": Fragment({"/state": b"old"}, _check_replace),
    "delete": Fragment({"/locks/job-42": b"x"}, lambda ns, out, c: _is(ns["deleted"], True)),
    "delete-prefix": Fragment(
        {"/sessions/a": b"1", "/sessions/b": b"2", "/session": b"3"},
        lambda ns, out, c: _is(out, "2\n"),
    ),
    "delete-range": Fragment(
        {"a": b"1", "l": b"2", "m": b"3"},
        lambda ns, out, c: _is([c.get(k)[0] for k in "alm"], [None, None, b"3"]),
    ),
    "txn-put-if-absent": Fragment(check=_check_txn_put),
    "txn-cas-fallback": Fragment(
        {"/state": b"newer"},
        lambda ns, out, c: _is(out, "current value is b'newer'\n"),
        {"TransactionBuilder": etcd3.TransactionBuilder},
    ),
    "txn-several-ops": Fragment(
        {"/state": b"old", "/old-key": b"1", "/some-other-key": b"2"},
        _check_txn_several,
        {"TransactionBuilder": etcd3.TransactionBuilder},
    ),
    "lease": Fragment(check=_check_lease),
}


def _is(got: object, expected: object) -> None:
    assert got == expected


@pytest.mark.parametrize("label", FRAGMENTS)
def test_etcd3_client_fragment_runs(
    label: str, server: EtcdServer, client: etcd3.Etcd3Client
) -> None:
    fragment = FRAGMENTS[label]
    for key, value in fragment.store.items():
        client.put(key, value)
    with etcd3.client(server.host, server.port, timeout=10) as etcd:
        namespace: Namespace = {"etcd": etcd, **fragment.names}
        out = run(ETCD3_CLIENT_GETTING_STARTED[label], namespace)
        fragment.check(namespace, out, client)


def test_the_tour_is_covered() -> None:
    """Every block of the tour is run by one of the tests here."""
    special = {
        "connect",
        "connect-tls",
        "connect-auth",
        "timeout-override",
        "get-prefix-paged",
        "get-options",
        "watch-response",
        "watch-prefix-response",
        "lease-refresh",
    }
    assert set(FRAGMENTS).isdisjoint(special)
    assert set(FRAGMENTS) | special == set(ETCD3_CLIENT_GETTING_STARTED)


def test_etcd3_client_connect_blocks_run(
    server: EtcdServer, client: etcd3.Etcd3Client, default_address: DefaultAddress
) -> None:
    client.put("/some/key", "v")
    namespace: Namespace = {}
    made: list[object] = []
    try:
        with default_address(server):
            run(ETCD3_CLIENT_GETTING_STARTED["connect"], namespace)
            made.append(namespace["etcd"])
            assert isinstance(made[0], etcd3.Etcd3Client)
            assert made[0].get("/some/key")[0] == b"v"
            run(ETCD3_CLIENT_GETTING_STARTED["timeout-override"], namespace)
            made.append(namespace["etcd"])
    finally:
        close_clients(namespace, *made)
    own = made[1]
    assert own is not made[0]  # the with block made its own client, and closed it
    assert isinstance(own, etcd3.Etcd3Client)
    with pytest.raises(etcd3.ConnectionClosedError):
        own.get("/some/key")


def test_etcd3_client_auth_block_runs(
    etcd_factory: EtcdFactory, default_address: DefaultAddress
) -> None:
    server = etcd_factory(auth=True)
    assert server.user == "root"
    assert server.password is not None
    with etcd3.client(server.host, server.port, user="root", password=server.password) as admin:
        admin.put("/config/feature_x", "on")
        admin.user_change_password("root", "hunter2")  # the deployment's password
    namespace: Namespace = {"etcd3": etcd3}
    try:
        with default_address(server):
            run(ETCD3_CLIENT_GETTING_STARTED["connect-auth"], namespace)
            etcd = namespace["etcd"]
            assert isinstance(etcd, etcd3.Etcd3Client)
            assert etcd.get("/config/feature_x")[0] == b"on"  # authenticated as root
    finally:
        close_clients(namespace)


# Runs in a private mount namespace: /etc seen through an overlay that adds /etc/etcd with the
# PEM files a TLS deployment keeps there; the rest of the machine sees nothing of it.
_TLS_PROGRAM = """
import os, shutil, subprocess, sys
scratch, ca, cert, key, source = sys.argv[1:]
subprocess.run(["mount", "-t", "tmpfs", "tmpfs", scratch], check=True)
os.makedirs(os.path.join(scratch, "upper", "etcd"))
os.makedirs(os.path.join(scratch, "work"))
for src, name in ((ca, "ca.crt"), (cert, "client.crt"), (key, "client.key")):
    shutil.copy(src, os.path.join(scratch, "upper", "etcd", name))
options = f"lowerdir=/etc,upperdir={scratch}/upper,workdir={scratch}/work"
subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, "/etc"], check=True)

import etcd3

namespace = {"etcd3": etcd3}
exec(compile(source, "<example>", "exec", dont_inherit=True), namespace)
etcd = namespace["etcd"]
assert isinstance(etcd, etcd3.Etcd3Client) and etcd.uses_secure_channel
etcd.close()
print("ok")
"""


def test_etcd3_client_tls_block_runs(tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        pytest.skip("giving the example /etc/etcd needs a mount namespace (root and unshare)")
    pki = make_pki(tmp_path / "pki")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    source = ETCD3_CLIENT_GETTING_STARTED["connect-tls"]
    assert '"/etc/etcd/ca.crt"' in source
    argv = [str(scratch), str(pki.ca), str(pki.client_cert), str(pki.client_key), source]
    had_etc_etcd = Path("/etc/etcd").exists()
    proc = subprocess.run(
        [unshare, "--mount", "--propagation", "private", sys.executable, "-c", _TLS_PROGRAM, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "ok\n"
    assert Path("/etc/etcd").exists() == had_etc_etcd  # the machine's /etc is untouched


def test_etcd3_client_paged_read_runs(server: EtcdServer, client: etcd3.Etcd3Client) -> None:
    keys = [f"/big/keyspace/{i:04d}" for i in range(2500)]
    for start in range(0, len(keys), 100):
        tx = etcd3.TransactionBuilder.new()
        for key in keys[start : start + 100]:
            tx.success.put(key, key.encode())
        client.txn(tx)
    processed: list[bytes] = []
    with etcd3.client(server.host, server.port, timeout=10) as etcd:
        namespace: Namespace = {"etcd": etcd, "process": processed.append}
        run(ETCD3_CLIENT_GETTING_STARTED["get-prefix-paged"], namespace)
    assert processed == [key.encode() for key in keys]  # three pages, every key once, in order


async def _advance_store(server: EtcdServer, revision: int) -> None:
    """Write until the store's revision is at least ``revision`` (each put adds one)."""
    async with etcd3.async_client(server.host, server.port, timeout=30) as filler:
        current = (await filler.put("/filler", "x")).header.revision
        while current < revision:
            batch = min(500, revision - current)
            await asyncio.gather(*(filler.put("/filler", str(i)) for i in range(batch)))
            current = (await filler.put("/filler", "x")).header.revision


def test_etcd3_client_read_options_run(server: EtcdServer, client: etcd3.Etcd3Client) -> None:
    # The fragment reads at revision 12345: the deployment's store is at least that old.
    asyncio.run(_advance_store(server, 12345))
    client.put("/users/alice", "1")
    client.put("/users/bob", "2")
    client.put("/events/1", "a")
    client.put("/events/2", "b")
    with etcd3.client(server.host, server.port, timeout=10) as etcd:
        namespace: Namespace = {"etcd": etcd}
        run(ETCD3_CLIENT_GETTING_STARTED["get-options"], namespace)
    assert namespace["keys"] == [b"/users/alice", b"/users/bob"]
    assert (namespace["v"], namespace["m"].key) == (b"a", b"/events/1")  # type: ignore[attr-defined]


def test_etcd3_client_lease_refresh_runs(server: EtcdServer, client: etcd3.Etcd3Client) -> None:
    with etcd3.client(server.host, server.port, timeout=10) as etcd:
        lease = etcd.lease(ttl=60)
        namespace: Namespace = {"etcd": etcd, "lease": lease}
        run(ETCD3_CLIENT_GETTING_STARTED["lease-refresh"], namespace)
        assert 0 < lease.remaining_ttl <= 60
        lease.revoke()


class Deployment:
    """Runs ``steps`` (each waits for the example, then acts) in a thread, then closes the
    example's client ``etcd``: its watch iterator ends, and so does the example's endless loop.
    """

    def __init__(self, namespace: Namespace, steps: list[Callable[[], object]]) -> None:
        self._namespace = namespace
        self._steps = steps
        self.failures: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="deployment", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for step in self._steps:
                step()
        except BaseException as exc:  # the test asserts there was none
            self.failures.append(exc)
        finally:
            etcd = self._namespace["etcd"]
            assert isinstance(etcd, etcd3.Etcd3Client)
            etcd.close()

    def join(self) -> None:
        self._thread.join(timeout=WAIT)
        assert not self._thread.is_alive()


def test_etcd3_client_watch_response_runs(server: EtcdServer, client: etcd3.Etcd3Client) -> None:
    first = client.put("/config/feature_x", "v1").header.revision
    second = client.put("/config/feature_x", "v2").header.revision
    third: list[int] = []
    with etcd3.client(server.host, server.port, timeout=10) as etcd:
        namespace: Namespace = {"etcd": etcd, "last_seen": first}

        def seen(revision: int) -> Callable[[], bool]:
            def check() -> bool:
                last_seen = namespace["last_seen"]
                return isinstance(last_seen, int) and last_seen >= revision

            return check

        def put_third() -> None:
            third.append(client.put("/config/feature_x", "v3").header.revision)

        deployment = Deployment(
            namespace,
            [
                lambda: wait_until(seen(second), "replay the history from last_seen"),
                put_third,
                lambda: wait_until(seen(third[0]), "receive a live event"),
            ],
        )
        out = run(ETCD3_CLIENT_GETTING_STARTED["watch-response"], namespace)
        deployment.join()
    assert deployment.failures == []
    assert out.splitlines() == [
        "b'/config/feature_x' b'v1'",
        "b'/config/feature_x' b'v2'",
        "b'/config/feature_x' b'v3'",
    ]
    assert namespace["last_seen"] == third[0]


def test_etcd3_client_watch_prefix_response_runs(
    server: EtcdServer, client: etcd3.Etcd3Client
) -> None:
    with etcd3.client(server.host, server.port, timeout=10) as etcd:
        namespace: Namespace = {"etcd": etcd}

        def event_key() -> object:
            event = namespace.get("event")
            return getattr(event, "key", None)

        deployment = Deployment(
            namespace,
            [
                lambda: wait_until(lambda: "responses" in namespace, "create its watch"),
                lambda: client.put("/users/carol", "3"),
                lambda: wait_until(lambda: event_key() == b"/users/carol", "receive the event"),
            ],
        )
        run(ETCD3_CLIENT_GETTING_STARTED["watch-prefix-response"], namespace)
        deployment.join()
    assert deployment.failures == []
    assert event_key() == b"/users/carol"
