"""FaultProxy against plain loopback sockets: each control does what it says, and no more."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from etcd3.testing import FaultProxy, LinkFaults, ProxyLoop

WAIT = 5.0
"""Seconds a socket read may take before a test calls it a hang."""
QUIET = 0.5
"""Seconds of silence that show bytes are held (not merely slow)."""


class Target:
    """A loopback server recording what each connection receives; it echoes unless told not to."""

    def __init__(self, *, echo: bool = True) -> None:
        self.echo = echo
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.received = bytearray()
        self.connections: list[socket.socket] = []
        self.ends: list[str] = []
        """How each connection ended: "eof" or the error's name."""
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        while True:
            try:
                data = conn.recv(65536)
            except OSError as exc:
                with self._lock:
                    self.ends.append(type(exc).__name__)
                return
            if not data:
                with self._lock:
                    self.ends.append("eof")
                return
            with self._lock:
                self.received += data
            if self.echo:
                conn.sendall(data)

    def got(self) -> bytes:
        with self._lock:
            return bytes(self.received)

    def close(self) -> None:
        self._listener.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def loop() -> Iterator[ProxyLoop]:
    proxy_loop = ProxyLoop("test-fault-proxy")
    yield proxy_loop
    proxy_loop.close()


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.close()


@pytest.fixture
def proxy(loop: ProxyLoop, target: Target) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(loop, listen_port=0, target_port=target.port, name="test")
    fault_proxy.start()
    yield fault_proxy
    fault_proxy.close()


def connect(proxy: FaultProxy) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=WAIT)
    sock.settimeout(WAIT)
    return sock


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise AssertionError(f"EOF after {len(data)} of {size} bytes")
        data += chunk
    return bytes(data)


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not (condition() if callable(condition) else condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT} s: {what}")
        time.sleep(0.01)


def exchange(proxy: FaultProxy) -> bytes:
    """Connect, send a byte and read one back (raises if the proxy resets the connection)."""
    with connect(proxy) as sock:
        sock.sendall(b"x")
        return sock.recv(1)


def assert_silent(sock: socket.socket) -> None:
    """Nothing arrives on ``sock`` for QUIET seconds, and the connection is neither reset nor
    closed (a blackhole sends nothing at all)."""
    sock.settimeout(QUIET)
    try:
        data = sock.recv(1)
    except TimeoutError:
        return
    finally:
        sock.settimeout(WAIT)
    raise AssertionError(f"expected silence, got {data!r} (b'' is an EOF)")


def test_forwards_both_ways_and_counts(proxy: FaultProxy, target: Target) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"hello")
        assert recv_exactly(sock, 5) == b"hello"
        stats = proxy.stats()
    assert (stats.accepted, stats.inbound_bytes, stats.outbound_bytes) == (1, 5, 5)
    assert stats.sources == {None: 1}
    assert target.got() == b"hello"


def test_latency_delays_each_way_and_jitter_keeps_order(proxy: FaultProxy) -> None:
    with connect(proxy) as sock:
        proxy.set_latency(0.1)
        start = time.monotonic()
        sock.sendall(b"x")
        recv_exactly(sock, 1)
        assert time.monotonic() - start >= 0.2  # 0.1 s there, 0.1 s back
        proxy.set_latency(0.05, jitter=0.05)
        expected = b"".join(b"%04d" % i for i in range(200))
        for i in range(200):
            sock.sendall(b"%04d" % i)
            time.sleep(0.0005)
        assert recv_exactly(sock, len(expected)) == expected


def test_blackhole_delivers_nothing_resets_nothing_and_releases_in_order(
    proxy: FaultProxy, target: Target
) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"before")
        assert recv_exactly(sock, 6) == b"before"
        proxy.blackhole()
        sock.sendall(b"held-1")
        sock.sendall(b"held-2")
        assert_silent(sock)
        assert target.got() == b"before", "bytes crossed a blackhole"
        assert target.ends == [], "the target saw its connection end"
        assert proxy.stats().held_bytes == 12
        proxy.clear()
        assert recv_exactly(sock, 12) == b"held-1held-2"
        assert target.got() == b"beforeheld-1held-2"


def test_blackhole_of_new_connections(proxy: FaultProxy, target: Target) -> None:
    proxy.blackhole()
    with connect(proxy) as sock:  # accepted: a blackhole does not refuse
        sock.sendall(b"ping")
        assert_silent(sock)
        assert target.got() == b""


def test_outbound_blackhole_lets_requests_arrive_and_loses_replies(
    proxy: FaultProxy, target: Target
) -> None:
    with connect(proxy) as sock:
        proxy.blackhole("outbound")
        assert proxy.faults("outbound") == LinkFaults(blackhole=True)
        assert proxy.faults("inbound") == LinkFaults()
        sock.sendall(b"request")
        wait_for(lambda: target.got() == b"request", "the request arrives")
        assert_silent(sock)


def test_reset_aborts_both_ends_of_open_connections(proxy: FaultProxy, target: Target) -> None:
    with connect(proxy) as sock:
        sock.sendall(b"x")
        recv_exactly(sock, 1)
        proxy.reset()
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
        wait_for(lambda: target.ends == ["ConnectionResetError"], "the target sees a reset")
    with connect(proxy) as sock:  # new connections are not affected
        sock.sendall(b"y")
        assert recv_exactly(sock, 1) == b"y"


def test_reset_new_resets_every_new_connection_until_cleared(proxy: FaultProxy) -> None:
    proxy.reset(new=True)
    with pytest.raises(ConnectionResetError):
        exchange(proxy)
    proxy.clear()
    with connect(proxy) as sock:
        sock.sendall(b"z")
        assert recv_exactly(sock, 1) == b"z"


def test_refuse_closes_the_port_and_clear_reopens_it(proxy: FaultProxy) -> None:
    with connect(proxy) as open_before:
        proxy.refuse()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=WAIT)
        open_before.sendall(b"still")  # open connections are left alone
        assert recv_exactly(open_before, 5) == b"still"
        proxy.clear()
        with connect(proxy) as sock:
            sock.sendall(b"again")
            assert recv_exactly(sock, 5) == b"again"


def test_swallow_leaves_the_next_connections_unanswered_then_forwards(
    proxy: FaultProxy, target: Target
) -> None:
    proxy.refuse()
    proxy.swallow(2)  # the port listens again: the first two connections are swallowed
    with connect(proxy) as first, connect(proxy) as second:
        for swallowed in (first, second):
            swallowed.sendall(b"lost")
            assert_silent(swallowed)  # neither answered, nor reset, nor closed
        assert proxy.stats().swallowed == 2
    wait_for(lambda: proxy.stats().open == 0, "closed swallowed connections are let go")
    with connect(proxy) as sock:
        sock.sendall(b"x")
        assert recv_exactly(sock, 1) == b"x"
    assert target.got() == b"x"  # nothing of the swallowed connections arrived


def test_clear_stops_swallowing(proxy: FaultProxy) -> None:
    proxy.swallow(1)
    proxy.clear()
    assert exchange(proxy) == b"x"
    assert proxy.stats().swallowed == 0


def test_bandwidth_limits_throughput(proxy: FaultProxy) -> None:
    proxy.set_bandwidth(200_000, direction="inbound")
    payload = bytes(100_000)
    with connect(proxy) as sock:
        start = time.monotonic()
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload
        assert time.monotonic() - start >= 0.45  # 100 kB at 200 kB/s, less one slice


def test_a_blackholed_sender_is_stopped_not_buffered_without_bound(proxy: FaultProxy) -> None:
    proxy.blackhole("inbound")
    with connect(proxy) as sock:
        sock.setblocking(False)
        sent = 0
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                sent += sock.send(bytes(65536))
            except BlockingIOError:
                break
        else:
            raise AssertionError(f"sent {sent} bytes into a blackhole without blocking")
        wait_for(lambda: proxy.stats().held_bytes > 0, "the proxy reads into its queue")
        time.sleep(QUIET)  # it would go on reading now if it were unbounded
        held = proxy.stats().held_bytes
        assert held < 1024 * 1024, held


def test_a_target_that_is_down_resets_the_client(loop: ProxyLoop) -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        dead_port = placeholder.getsockname()[1]
    proxy = FaultProxy(loop, listen_port=0, target_port=dead_port, name="dead")
    proxy.start()
    try:
        with pytest.raises(ConnectionResetError):
            exchange(proxy)
    finally:
        proxy.close()


def test_half_close_is_forwarded(loop: ProxyLoop) -> None:
    target = Target(echo=False)
    proxy = FaultProxy(loop, listen_port=0, target_port=target.port, name="half")
    proxy.start()
    try:
        with connect(proxy) as sock:
            sock.sendall(b"request")
            sock.shutdown(socket.SHUT_WR)
            wait_for(lambda: target.ends == ["eof"], "the target sees the EOF")
            target.connections[0].sendall(b"late reply")
            assert recv_exactly(sock, 10) == b"late reply"
            target.connections[0].shutdown(socket.SHUT_WR)
            assert sock.recv(1) == b""
    finally:
        proxy.close()
        target.close()


def test_bad_settings_are_refused(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError, match="negative"):
        proxy.set_latency(-1)
    with pytest.raises(ValueError, match="positive"):
        proxy.set_bandwidth(0)
    with pytest.raises(ValueError, match="direction"):
        proxy.blackhole("sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count"):
        proxy.swallow(0)
    with pytest.raises(TypeError, match="count"):
        proxy.swallow(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="count"):
        proxy.swallow(True)


def test_loop_refuses_calls_from_its_own_thread(loop: ProxyLoop) -> None:
    async def nested() -> None:
        loop.call(nested)

    with pytest.raises(RuntimeError, match="own thread"):
        loop.call(nested)
