"""Locks across processes: separate Python processes exclude each other, and a holder killed
with SIGKILL passes the lock on once its session's lease expires."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import etcd3
from etcd3._lock import Lock
from etcd3.testing import EtcdServer

# Each worker: N times, take the lock, then prove exclusion with the file system: create a
# marker that must not exist (O_EXCL), read-pause-write a counter, remove the marker.
_WORKER = """
import os, sys, time
import etcd3
from etcd3._lock import Lock

host, port, prefix, rounds, folder = sys.argv[1:6]
counter = os.path.join(folder, "counter")
marker = os.path.join(folder, "inside")
with etcd3.client(host, int(port), timeout=10) as client:
    lock = Lock("procs", 10, client, prefix=prefix, acquire_timeout=120)
    for _ in range(int(rounds)):
        with lock:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            with open(counter) as f:
                seen = int(f.read())
            time.sleep(0.01)
            with open(counter, "w") as f:
                f.write(str(seen + 1))
            os.close(fd)
            os.remove(marker)
"""

# The holder: take the lock with a short TTL, say so, then hang until killed.
_HOLDER = """
import sys, time
import etcd3
from etcd3._lock import Lock

host, port, prefix, ttl = sys.argv[1:5]
client = etcd3.client(host, int(port), timeout=10)
lock = Lock("held", int(ttl), client, prefix=prefix)
assert lock.acquire(10)
print("locked", flush=True)
time.sleep(600)
"""


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)  # reaps it and closes its pipes


def _start(
    started: list[subprocess.Popen[str]], script: str, *args: object
) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started.append(process)
    return process


@pytest.mark.slow
def test_processes_exclude_each_other(
    etcd_server: EtcdServer,
    prefix: bytes,
    tmp_path: Path,
    processes: list[subprocess.Popen[str]],
) -> None:
    workers, rounds = 4, 5
    (tmp_path / "counter").write_text("0")
    for _ in range(workers):
        _start(
            processes,
            _WORKER,
            etcd_server.host,
            etcd_server.port,
            prefix.decode(),
            rounds,
            tmp_path,
        )
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert (tmp_path / "counter").read_text() == str(workers * rounds)
    assert not (tmp_path / "inside").exists()
    with etcd3.client(etcd_server.host, etcd_server.port, timeout=10) as client:
        assert list(client.get_prefix(prefix)) == []  # every waiter key is gone


@pytest.mark.slow
def test_killed_holder_passes_the_lock_on_after_its_ttl(
    etcd_server: EtcdServer, prefix: bytes, processes: list[subprocess.Popen[str]]
) -> None:
    ttl = 2
    holder = _start(processes, _HOLDER, etcd_server.host, etcd_server.port, prefix.decode(), ttl)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    with etcd3.client(etcd_server.host, etcd_server.port, timeout=10) as client:
        lock = Lock("held", 10, client, prefix=prefix)
        time.sleep(ttl + 1)  # the holder's keep-alive outlives its TTL...
        assert lock.acquire(0) is False  # ...so the lock stays taken
        holder.kill()
        holder.wait(10)
        killed = time.monotonic()
        assert lock.acquire(15) is True
        waited = time.monotonic() - killed
        # The dead holder's lease expires at most one TTL after its last renewal.
        assert waited <= ttl + 2, waited
        assert lock.is_acquired()
        assert lock.release()
