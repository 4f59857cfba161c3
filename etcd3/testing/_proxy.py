"""A loopback TCP proxy whose link can be slowed, throttled, cut or reset while traffic flows.

One [`FaultProxy`][etcd3.testing.FaultProxy] forwards every connection it accepts on its listening
port to one target port. Each connection is two pipes: *inbound* (from whoever connected, towards
the target: a client's requests, or a peer's raft messages) and *outbound* (from the target back:
replies). A pipe applies the faults of its direction to every chunk of bytes it carries:

- latency and jitter: a chunk is delivered ``latency ± jitter`` seconds after it arrived, never
  before an earlier chunk of the same pipe (TCP keeps order, so jitter cannot reorder);
- bandwidth: chunks leave no faster than the given bytes per second;
- blackhole: bytes are held, not delivered, and no RST or FIN is sent. This is a network that
  loses every packet: the sender sees silence. Once the blackhole is lifted the held bytes are
  delivered in order, as TCP retransmission would deliver them, unless an end gave up on the
  connection meanwhile. A pipe holding more than a few hundred KiB stops reading, so the sender's
  socket buffers fill as they would on a dead link.

Connection-level faults: [`FaultProxy.reset`][etcd3.testing.FaultProxy.reset] aborts connections
with an RST, now and (until cleared) on every new connection;
[`FaultProxy.refuse`][etcd3.testing.FaultProxy.refuse] closes the listening socket so that
connecting fails with "connection refused";
[`FaultProxy.swallow`][etcd3.testing.FaultProxy.swallow] accepts the next connections and never
answers them, as a frozen or overloaded server does.

All proxies of a process run on [`ProxyLoop`][etcd3.testing.ProxyLoop] threads, so they keep
forwarding while the test's own thread blocks in a sync call. Their methods are thread-safe and
return once the change is in effect (new bytes see it; bytes already delivered are not recalled).

The loop, the pipe and the proxy live in one module because each is only ever used through the
others: a pipe runs on a loop, a proxy is the pipes of its connections.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import random
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Literal, TypeVar

__all__ = [
    "Direction",
    "FaultProxy",
    "LinkFaults",
    "ProxyLoop",
    "ProxyStats",
    "SourceResolver",
]

T = TypeVar("T")

Direction = Literal["inbound", "outbound", "both"]
"""Which way a fault applies: ``"inbound"`` (towards the proxied port: requests),
``"outbound"`` (from it: replies) or ``"both"``."""

SourceResolver = Callable[[int, int], "str | None"]
"""Names the peer that opened a connection, given the connection's source port and the proxy's
listening port (``None``: not known). Peer proxies use it so that a partition can cut some peers
and not others."""

_Way = Literal["inbound", "outbound"]

_LOOPBACK = "127.0.0.1"
_HIGH_WATER = 256 * 1024
"""Bytes a pipe queues before it stops reading its source (and resumes below a quarter)."""
_CALL_TIMEOUT = 30.0
_BANDWIDTH_SLICES_PER_SECOND = 50
"""A throttled chunk is cut so that each piece takes at most 1/50 s at the given rate."""


@dataclasses.dataclass(frozen=True)
class LinkFaults:
    """The faults of one direction of a proxy.

    Attributes:
        latency: Seconds each chunk is delayed.
        jitter: Up to this many seconds more or less, uniformly at random (never below zero).
        bandwidth: Bytes per second, or ``None`` for no limit.
        blackhole: Hold every byte (deliver nothing, reset nothing).
    """

    latency: float = 0.0
    jitter: float = 0.0
    bandwidth: float | None = None
    blackhole: bool = False

    def __post_init__(self) -> None:
        if self.latency < 0 or self.jitter < 0:
            raise ValueError("latency and jitter must not be negative")
        if self.bandwidth is not None and self.bandwidth <= 0:
            raise ValueError("bandwidth must be positive (None for no limit)")

    @property
    def is_clear(self) -> bool:
        """Whether this direction forwards bytes as they come."""
        return self == _CLEAR


_CLEAR = LinkFaults()


def _directions(direction: Direction) -> tuple[_Way, ...]:
    if direction == "both":
        return ("inbound", "outbound")
    if direction in ("inbound", "outbound"):
        return (direction,)
    raise ValueError(f"direction must be 'inbound', 'outbound' or 'both', not {direction!r}")


def _rst(transport: asyncio.BaseTransport) -> None:
    """Close ``transport`` with a TCP RST instead of a FIN."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if isinstance(transport, asyncio.Transport):
        transport.abort()
    else:
        transport.close()


class ProxyLoop:
    """A private asyncio event loop on a daemon thread, serving fault proxies.

    Args:
        name: The thread's name.
    """

    def __init__(self, name: str = "etcd3-fault-proxy") -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()
        self._closed = False

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        try:
            self._loop.run_forever()
        finally:
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop (use it only from its own thread, or via
        [`call`][etcd3.testing.ProxyLoop.call])."""
        return self._loop

    def call(self, work: Callable[[], Coroutine[object, None, T]]) -> T:
        """Run ``work()`` on the loop and return its result, from any other thread.

        Raises:
            RuntimeError: Called from the loop's own thread (it would wait for itself), or
                after [`close`][etcd3.testing.ProxyLoop.close].
        """
        if threading.get_ident() == self._thread.ident:
            raise RuntimeError("ProxyLoop.call() from the proxy loop's own thread")
        if self._closed:
            raise RuntimeError("the proxy loop is closed")
        future = asyncio.run_coroutine_threadsafe(work(), self._loop)
        return future.result(_CALL_TIMEOUT)

    def cpu_time(self) -> float:
        """CPU seconds the loop's thread has used (0.0 where threads' clocks are not exposed)."""
        ident = self._thread.ident
        if ident is None or sys.platform == "win32" or not self._thread.is_alive():
            return 0.0
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(ident))
        except (OSError, AttributeError):
            return 0.0

    def close(self) -> None:
        """Stop the loop and wait for its thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


class _Chunk:
    """Bytes in a pipe (``None``: the sender's EOF), and when they are due (``None``: held)."""

    __slots__ = ("data", "due")

    def __init__(self, data: bytes | None, due: float | None) -> None:
        self.data = data
        self.due = due


class _Pipe:
    """One direction of a proxied connection: bytes from ``reader`` to ``writer``, faulted."""

    def __init__(self, connection: _Connection, direction: _Way):
        self._connection = connection
        self._loop = connection.loop
        self.direction = direction
        self.reader: asyncio.Transport | None = None
        self.writer: asyncio.Transport | None = None
        self.faults = _CLEAR
        self._queue: collections.deque[_Chunk] = collections.deque()
        self._queued_bytes = 0
        self._last_due = 0.0
        self._free_at = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._reader_paused = False
        self._writer_full = False
        self._clear = True
        self.delivered = 0
        self.eof_fed = False
        self.eof_delivered = False
        self.closed = False

    # -- input -----------------------------------------------------------------------------

    def feed(self, data: bytes | None) -> None:
        """Take ``data`` from the reader (``None``: the reader sent EOF)."""
        if self.closed or self.eof_fed:
            return
        if data is None:
            self.eof_fed = True
        elif self._clear and not self._queue and self.writer is not None and not self._writer_full:
            self.writer.write(data)
            self.delivered += len(data)
            return
        for piece in self._pieces(data):
            size = 0 if piece is None else len(piece)
            due = None if self.faults.blackhole else self._due(size)
            self._queue.append(_Chunk(piece, due))
            self._queued_bytes += size
        self._drain()

    def _pieces(self, data: bytes | None) -> list[bytes | None]:
        bandwidth = self.faults.bandwidth
        if data is None or bandwidth is None:
            return [data]
        step = max(1024, int(bandwidth / _BANDWIDTH_SLICES_PER_SECOND))
        return [data[i : i + step] for i in range(0, len(data), step)]

    def _due(self, size: int) -> float:
        now = self._loop.time()
        faults = self.faults
        delay = faults.latency
        if faults.jitter:
            delay = max(0.0, delay + random.uniform(-faults.jitter, faults.jitter))
        due = max(now + delay, self._last_due)
        if faults.bandwidth is not None:
            self._free_at = max(self._free_at, now) + size / faults.bandwidth
            due = max(due, self._free_at)
        self._last_due = due
        return due

    def refresh(self, faults: LinkFaults) -> None:
        """Apply new faults: held bytes are released or queued bytes held, as they say."""
        self.faults = faults
        self._clear = faults.is_clear
        for chunk in self._queue:
            if faults.blackhole:
                chunk.due = None
            elif chunk.due is None:
                chunk.due = self._due(0 if chunk.data is None else len(chunk.data))
        self._drain()

    # -- output ----------------------------------------------------------------------------

    def _drain(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._loop.time()
        writer = self.writer
        while self._queue and writer is not None and not self._writer_full:
            data, due = self._queue[0].data, self._queue[0].due
            if due is None:
                break
            if due > now:
                self._timer = self._loop.call_at(due, self._drain)
                break
            self._queue.popleft()
            if data is None:
                self.eof_delivered = True
                self._connection.delivered_eof(self)
                break
            self._queued_bytes -= len(data)
            writer.write(data)
            self.delivered += len(data)
        self._update_reading()

    def set_writer_full(self, full: bool) -> None:
        self._writer_full = full
        if not full:
            self._drain()
        else:
            self._update_reading()

    def attach_writer(self, writer: asyncio.Transport) -> None:
        self.writer = writer
        self._drain()

    def _update_reading(self) -> None:
        reader = self.reader
        if reader is None or self.closed or reader.is_closing():
            return
        stop = self._writer_full or self._queued_bytes > _HIGH_WATER
        if stop and not self._reader_paused:
            reader.pause_reading()
            self._reader_paused = True
        elif (
            self._reader_paused and not self._writer_full and self._queued_bytes < _HIGH_WATER // 4
        ):
            reader.resume_reading()
            self._reader_paused = False

    @property
    def held_bytes(self) -> int:
        """Bytes queued and not yet delivered."""
        return self._queued_bytes

    def close(self) -> None:
        """Drop what is queued; deliver nothing more."""
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._queue.clear()
        self._queued_bytes = 0


class _Side(asyncio.Protocol):
    """One TCP connection of a proxied pair: the accepted one or the one to the target."""

    def __init__(self, connection: _Connection, *, accepted: bool) -> None:
        self._connection = connection
        self.accepted = accepted
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._connection.side_made(self)

    def data_received(self, data: bytes) -> None:
        self._connection.pipe_from(self).feed(data)

    def eof_received(self) -> bool:
        if self._connection.swallowed:
            self._connection.close()  # its client gave up on it: nothing is left to hold
            return False
        self._connection.pipe_from(self).feed(None)
        return True  # keep the other direction open: a half-close is forwarded as one

    def connection_lost(self, exc: Exception | None) -> None:
        self._connection.side_lost(self, exc)

    def pause_writing(self) -> None:
        self._connection.pipe_into(self).set_writer_full(True)

    def resume_writing(self) -> None:
        self._connection.pipe_into(self).set_writer_full(False)


class _Connection:
    """An accepted connection, its connection to the target, and the two pipes between."""

    def __init__(self, proxy: FaultProxy, source: str | None) -> None:
        self.proxy = proxy
        self.loop = proxy.loop.loop
        self.source = source
        self.accepted = _Side(self, accepted=True)
        self.upstream = _Side(self, accepted=False)
        self.inbound = _Pipe(self, "inbound")
        self.outbound = _Pipe(self, "outbound")
        self.closed = False
        self.swallowed = False
        """Accepted and never answered: no connection to the target is made."""

    def pipe_from(self, side: _Side) -> _Pipe:
        return self.inbound if side.accepted else self.outbound

    def pipe_into(self, side: _Side) -> _Pipe:
        return self.outbound if side.accepted else self.inbound

    def refresh(self) -> None:
        self.inbound.refresh(self.proxy._effective_faults("inbound", self.source))
        self.outbound.refresh(self.proxy._effective_faults("outbound", self.source))

    def side_made(self, side: _Side) -> None:
        assert side.transport is not None
        if self.closed:
            _rst(side.transport)  # the client went away while we connected to the target
            return
        if side.accepted:
            self.inbound.reader = side.transport
            self.outbound.writer = side.transport
            self.refresh()
            if not self.swallowed:
                self.loop.create_task(self._connect_upstream())
        else:
            self.outbound.reader = side.transport
            self.inbound.attach_writer(side.transport)

    async def _connect_upstream(self) -> None:
        try:
            await self.loop.create_connection(
                lambda: self.upstream, _LOOPBACK, self.proxy.target_port
            )
        except OSError:
            # The target is down: the client sees its connection reset, as a refused connect
            # would tell it that nobody listens.
            self.reset()

    def delivered_eof(self, pipe: _Pipe) -> None:
        other = self.outbound if pipe is self.inbound else self.inbound
        writer = pipe.writer
        if other.closed or other.eof_delivered or writer is None or not writer.can_write_eof():
            # Nothing more can flow the other way: the exchange is over.
            self.close()
        elif not writer.is_closing():
            try:
                writer.write_eof()
            except OSError:
                self.close()  # the receiving end is gone already (its loss is on its way)

    def side_lost(self, side: _Side, exc: Exception | None) -> None:
        if self.closed:
            return
        if exc is not None:
            # A reset (or a failure) travels on as a reset.
            self.reset()
            return
        # Nothing can reach this side any more; what it sent still arrives, then its EOF.
        self.pipe_into(side).close()
        other = self.upstream if side.accepted else self.accepted
        if other.transport is None or other.transport.is_closing():
            self.close()
        else:
            self.pipe_from(side).feed(None)

    def reset(self) -> None:
        """Abort both sides with an RST."""
        self._end(_rst)

    def close(self) -> None:
        """Close both sides (FIN; queued bytes are dropped)."""
        self._end(lambda transport: transport.close())

    def _end(self, how: Callable[[asyncio.BaseTransport], None]) -> None:
        if self.closed:
            return
        self.closed = True
        self.inbound.close()
        self.outbound.close()
        for side in (self.accepted, self.upstream):
            if side.transport is not None and not side.transport.is_closing():
                how(side.transport)
        self.proxy._forget(self)


@dataclasses.dataclass(frozen=True)
class ProxyStats:
    """Counters of a [`FaultProxy`][etcd3.testing.FaultProxy] since it started."""

    accepted: int
    """Connections accepted."""
    open: int
    """Connections open now."""
    inbound_bytes: int
    """Bytes delivered towards the target (closed connections included)."""
    outbound_bytes: int
    """Bytes delivered from the target back."""
    held_bytes: int
    """Bytes queued in open connections and not delivered yet (e.g. behind a blackhole)."""
    sources: dict[str | None, int]
    """Open connections by source (``None``: unknown, e.g. a client of a client proxy)."""
    swallowed: int = 0
    """Connections accepted and never answered (see
    [`swallow`][etcd3.testing.FaultProxy.swallow])."""


class FaultProxy:
    """A TCP proxy from a loopback port to a target port, with faults switched at run time.

    Created by [`FaultNetwork`][etcd3.testing.FaultNetwork] for each member of a deployment started
    with ``fault_proxy=True``; usable alone in front of any loopback service:

        from etcd3.testing import FaultProxy, ProxyLoop

        loop = ProxyLoop()
        proxy = FaultProxy(loop, listen_port=0, target_port=2379, name="etcd")
        proxy.start()
        proxy.set_latency(0.2, jitter=0.1)     # both directions
        proxy.blackhole("outbound")            # requests arrive, replies are lost
        proxy.clear()
        proxy.close()
        loop.close()

    Args:
        loop: The thread the proxy runs on.
        listen_port: Loopback port to listen on (0: any free port; see
            [`listen_port`][etcd3.testing.FaultProxy.listen_port]).
        target_port: Loopback port each connection is forwarded to.
        name: A label for messages and thread-safe lookups.
        resolve_source: Names the peer behind a connection from its source port, for
            per-source faults ([`block_sources`][etcd3.testing.FaultProxy.block_sources]); without
            it every source is unknown.
    """

    def __init__(
        self,
        loop: ProxyLoop,
        *,
        listen_port: int,
        target_port: int,
        name: str,
        resolve_source: SourceResolver | None = None,
    ) -> None:
        self.loop = loop
        self.name = name
        self.target_port = target_port
        self._listen_port = listen_port
        self._resolve_source = resolve_source
        self._faults: dict[_Way, LinkFaults] = {"inbound": _CLEAR, "outbound": _CLEAR}
        self._blocked: dict[_Way, frozenset[str]] = {
            "inbound": frozenset(),
            "outbound": frozenset(),
        }
        self._reset_new = False
        self._refusing = False
        self._to_swallow = 0
        self._swallowed = 0
        self._listener: socket.socket | None = None
        self._connections: set[_Connection] = set()
        self._accepted = 0
        self._closed_bytes: dict[_Way, int] = {"inbound": 0, "outbound": 0}

    def __repr__(self) -> str:
        return f"<FaultProxy {self.name} :{self._listen_port} -> :{self.target_port}>"

    # -- addresses ---------------------------------------------------------------------------

    @property
    def listen_port(self) -> int:
        """The port the proxy listens on (the bound one once started with port 0)."""
        return self._listen_port

    @property
    def endpoint(self) -> str:
        """``"127.0.0.1:PORT"`` of the listening port."""
        return f"{_LOOPBACK}:{self._listen_port}"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start listening.

        Raises:
            OSError: The listening port cannot be bound (e.g. it is taken).
        """
        self.loop.call(self._listen)

    async def _listen(self) -> None:
        # Accepting is ours rather than loop.create_server()'s: closing an asyncio Server (or
        # cancelling an accept) while a connection is being accepted drops that connection,
        # which would make refuse() lose a connection its client already holds.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((_LOOPBACK, self._listen_port))
            listener.listen(128)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listen_port = listener.getsockname()[1]
        self._listener = listener
        self.loop.loop.add_reader(listener.fileno(), self._accept_pending)

    def _accept_pending(self) -> None:
        listener = self._listener
        while listener is not None:
            try:
                sock, _address = listener.accept()
            except OSError:
                return  # nothing pending (or out of descriptors: retried when readable again)
            sock.setblocking(False)
            self.loop.loop.create_task(self._adopt(sock))

    async def _adopt(self, sock: socket.socket) -> None:
        try:
            await self.loop.loop.connect_accepted_socket(self._accept, sock)
        except OSError:
            sock.close()

    def close(self) -> None:
        """Stop listening and abort every connection (idempotent)."""
        with contextlib.suppress(RuntimeError):
            self.loop.call(self._close)

    async def _close(self) -> None:
        await self._stop_listening()
        for connection in list(self._connections):
            connection.reset()

    async def _stop_listening(self) -> None:
        listener = self._listener
        if listener is not None:
            self._accept_pending()  # connections whose handshake is done are kept
            self.loop.loop.remove_reader(listener.fileno())
            self._listener = None
            listener.close()

    # -- faults ------------------------------------------------------------------------------

    def set_latency(
        self, seconds: float, jitter: float = 0.0, *, direction: Direction = "both"
    ) -> None:
        """Delay every chunk by ``seconds ± jitter`` (order is kept) in ``direction``.

        Args:
            seconds: Mean one-way delay; ``0`` removes it.
            jitter: Uniform spread around ``seconds``.
            direction: ``"inbound"``, ``"outbound"`` or ``"both"``.

        Raises:
            ValueError: A negative delay or an unknown direction.
        """
        self._update(direction, lambda f: dataclasses.replace(f, latency=seconds, jitter=jitter))

    def set_bandwidth(
        self, bytes_per_second: float | None, *, direction: Direction = "both"
    ) -> None:
        """Limit the throughput of each connection in ``direction`` (``None``: no limit).

        Raises:
            ValueError: A non-positive rate or an unknown direction.
        """
        self._update(direction, lambda f: dataclasses.replace(f, bandwidth=bytes_per_second))

    def blackhole(self, direction: Direction = "both") -> None:
        """Hold every byte sent in ``direction``, on open and new connections alike.

        Nothing is delivered and nothing is reset; connections stay open.
        [`clear`][etcd3.testing.FaultProxy.clear] lifts it and delivers what was held, in order.
        """
        self._update(direction, lambda f: dataclasses.replace(f, blackhole=True))

    def reset(self, *, new: bool = False) -> None:
        """Abort every open connection with an RST on both of its ends.

        Args:
            new: Also reset each connection accepted from now on, as soon as it is accepted,
                until [`clear`][etcd3.testing.FaultProxy.clear].
        """
        self.loop.call(lambda: self._reset(new))

    async def _reset(self, new: bool) -> None:
        self._reset_new = self._reset_new or new
        for connection in list(self._connections):
            connection.reset()

    def refuse(self) -> None:
        """Stop listening: connecting fails with "connection refused" until
        [`clear`][etcd3.testing.FaultProxy.clear].

        Open connections are left alone; add [`reset`][etcd3.testing.FaultProxy.reset] to cut them
        too.
        """
        self.loop.call(self._refuse)

    async def _refuse(self) -> None:
        self._refusing = True
        await self._stop_listening()

    def swallow(self, count: int = 1) -> None:
        """Accept the next ``count`` connections and never answer them.

        A swallowed connection is not forwarded: nothing it sends arrives, nothing comes back,
        and it is neither reset nor closed until its client closes it (or the proxy closes).
        This is how a frozen or overloaded server, or a connection lost on the way, looks to a
        client: the kernel completes the TCP handshake, the protocol's own handshake never
        comes, and only the client's connect timeout ends the wait. A refusal is lifted first,
        so that after [`refuse`][etcd3.testing.FaultProxy.refuse] the first connections to
        arrive are the swallowed ones. [`clear`][etcd3.testing.FaultProxy.clear] stops
        swallowing new connections; the ones swallowed already stay unanswered.

        Args:
            count: How many new connections to swallow; later ones are forwarded as usual.

        Raises:
            TypeError: ``count`` is not an int.
            ValueError: ``count`` is less than 1.
            OSError: The port could not be listened on again after a refusal.
        """
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"count must be an int, not {type(count).__name__}")
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count}")
        self.loop.call(lambda: self._swallow(count))

    async def _swallow(self, count: int) -> None:
        self._to_swallow = count
        if self._refusing:
            self._refusing = False
            await self._listen()

    def clear(self) -> None:
        """Remove every fault set on this proxy: latency, bandwidth, blackholes, resets, refusal,
        swallowing.

        Per-source blocks ([`block_sources`][etcd3.testing.FaultProxy.block_sources], used by
        partitions) are kept.

        Raises:
            OSError: The port could not be listened on again after
                [`refuse`][etcd3.testing.FaultProxy.refuse].
        """
        self.loop.call(self._clear)

    async def _clear(self) -> None:
        self._faults = {"inbound": _CLEAR, "outbound": _CLEAR}
        self._reset_new = False
        self._to_swallow = 0
        if self._refusing:
            self._refusing = False
            await self._listen()
        self._refresh()

    def block_sources(
        self, *, inbound: frozenset[str] = frozenset(), outbound: frozenset[str] = frozenset()
    ) -> None:
        """Blackhole the connections of the named sources (replacing earlier blocks).

        A connection whose source is unknown is blocked in a direction as soon as any source is:
        when in doubt, cut.

        Args:
            inbound: Sources whose bytes towards the target are held.
            outbound: Sources to which the target's bytes are held.
        """
        self.loop.call(lambda: self._block(inbound, outbound))

    async def _block(self, inbound: frozenset[str], outbound: frozenset[str]) -> None:
        self._blocked = {"inbound": frozenset(inbound), "outbound": frozenset(outbound)}
        self._refresh()

    def faults(self, direction: _Way) -> LinkFaults:
        """The faults set on ``direction`` (per-source blocks not included)."""
        return self._faults[_directions(direction)[0]]

    def stats(self) -> ProxyStats:
        """Counters: connections accepted and open, bytes delivered and held."""
        return self.loop.call(self._stats)

    async def _stats(self) -> ProxyStats:
        inbound = self._closed_bytes["inbound"]
        outbound = self._closed_bytes["outbound"]
        held = 0
        sources: dict[str | None, int] = {}
        for connection in self._connections:
            inbound += connection.inbound.delivered
            outbound += connection.outbound.delivered
            held += connection.inbound.held_bytes + connection.outbound.held_bytes
            sources[connection.source] = sources.get(connection.source, 0) + 1
        return ProxyStats(
            self._accepted,
            len(self._connections),
            inbound,
            outbound,
            held,
            sources,
            self._swallowed,
        )

    def _update(self, direction: Direction, change: Callable[[LinkFaults], LinkFaults]) -> None:
        updated = {d: change(self._faults[d]) for d in _directions(direction)}

        async def apply() -> None:
            self._faults.update(updated)
            self._refresh()

        self.loop.call(apply)

    # -- on the loop -------------------------------------------------------------------------

    def _effective_faults(self, direction: _Way, source: str | None) -> LinkFaults:
        """The faults a connection from ``source`` gets in ``direction``."""
        faults = self._faults[direction]
        blocked = self._blocked[direction]
        if blocked and (source is None or source in blocked) and not faults.blackhole:
            return dataclasses.replace(faults, blackhole=True)
        return faults

    def _refresh(self) -> None:
        # A copy: releasing held bytes can end a connection, which leaves the set.
        for connection in list(self._connections):
            connection.refresh()

    def _accept(self) -> asyncio.Protocol:
        connection = _Connection(self, None)
        connection.accepted = _AcceptedSide(connection, self)
        self._accepted += 1
        self._connections.add(connection)
        return connection.accepted

    def _identify(self, connection: _Connection, transport: asyncio.BaseTransport) -> None:
        """Resolve the source of a freshly accepted connection (on the loop)."""
        if self._resolve_source is None:
            return
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2 and isinstance(peer[1], int):
            connection.source = self._resolve_source(peer[1], self._listen_port)

    def _take_swallowed(self) -> bool:
        """Whether a freshly accepted connection is one to swallow (on the loop)."""
        if self._to_swallow == 0:
            return False
        self._to_swallow -= 1
        self._swallowed += 1
        return True

    def _forget(self, connection: _Connection) -> None:
        if connection in self._connections:
            self._connections.discard(connection)
            self._closed_bytes["inbound"] += connection.inbound.delivered
            self._closed_bytes["outbound"] += connection.outbound.delivered


class _AcceptedSide(_Side):
    """The accepted side: resolves the source and honours "reset new connections" first."""

    def __init__(self, connection: _Connection, proxy: FaultProxy) -> None:
        super().__init__(connection, accepted=True)
        self._proxy = proxy

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._proxy._reset_new:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            self._connection.reset()
            return
        self._proxy._identify(self._connection, transport)
        self._connection.swallowed = self._proxy._take_swallowed()
        super().connection_made(transport)
