"""A member that answers the connection handshake late is still connected to.

A member that has just restarted, or a loaded host, accepts the TCP connection at once (the
kernel does) but sends its HTTP/2 SETTINGS only later. grpc gives a connection attempt
``grpc.min_reconnect_backoff_ms`` to complete (5 s here). The client once set it to 100 ms,
and a member slower than the reconnect backoff cap (2 s) was then never connected to. These
tests put a relay in front of a real etcd that holds every new connection for longer than
that cap before passing bytes on.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

import etcd3
from etcd3.testing import EtcdServer

# Longer than the client's reconnect backoff cap (2 s): no attempt's deadline can be stretched
# by the backoff to cover it, only a connect timeout that is not cut short.
HOLD_SECONDS = 3.0


class _SlowRelay:
    """Accepts on a loopback port and relays each connection to ``upstream`` after a hold."""

    def __init__(self, upstream: tuple[str, int], hold: float) -> None:
        self._upstream = upstream
        self._hold = hold
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._track(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        if self._closed.wait(self._hold):
            return
        try:
            upstream = socket.create_connection(self._upstream)
        except OSError:
            conn.close()
            return
        self._track(upstream)
        threading.Thread(target=self._pump, args=(upstream, conn), daemon=True).start()
        self._pump(conn, upstream)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()


@pytest.fixture
def slow_relay(etcd_server: EtcdServer) -> Iterator[_SlowRelay]:
    relay = _SlowRelay((etcd_server.host, etcd_server.port), HOLD_SECONDS)
    try:
        yield relay
    finally:
        relay.close()


def test_sync_client_connects_to_a_member_slow_to_answer(slow_relay: _SlowRelay) -> None:
    with etcd3.client("127.0.0.1", slow_relay.port, timeout=20) as client:
        client.put(b"/slow-handshake/sync", b"v")
        value, meta = client.get(b"/slow-handshake/sync")
    assert value == b"v"
    assert meta is not None
    assert meta.key == b"/slow-handshake/sync"


async def test_async_client_connects_to_a_member_slow_to_answer(slow_relay: _SlowRelay) -> None:
    async with etcd3.async_client("127.0.0.1", slow_relay.port, timeout=20) as client:
        await client.put(b"/slow-handshake/async", b"v")
        value, meta = await client.get(b"/slow-handshake/async")
    assert value == b"v"
    assert meta is not None
    assert meta.key == b"/slow-handshake/async"
