"""The scenarios, written once for every subject (raw grpc, our client, each peer); stdlib only.

A subject (``Subject``) supplies small operations: one put, one get, one whole range
read, one watch consumer. The functions here wrap them in the measurement, so every subject
is timed by the same code; what a subject cannot do raises ``Unsupported``. This module
runs inside every worker, including the peers' venvs, so it imports nothing outside the
standard library.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench import probe

Metrics = dict[str, float]

VALUE = b"v" * 100
KEY_PREFIX = b"/bench/"
STAMP_DIGITS = 20


class Unsupported(Exception):
    """The subject has no API for this scenario (the report marks the row)."""


@dataclass(frozen=True)
class Setup:
    """What every worker is told: where etcd is and how to start the writer."""

    host: str
    port: int
    project_python: str
    root: str

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"


class Subject:
    """One implementation under test. Override what it can do; the rest is unsupported.

    Sync operations run on the calling thread; ``a``-prefixed ones are coroutines, run on
    the worker's event loop (``loop``), where asyncio clients are created lazily.
    """

    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        self.setup = setup
        self.loop = loop

    def version(self) -> str:
        """The implementation's version string for the report."""
        raise NotImplementedError

    def close(self) -> None:
        """Release clients and channels."""

    def put(self, key: bytes) -> None:
        raise Unsupported("no sync API")

    def get(self, key: bytes) -> object:
        """Read one key; what a caller gets: the value, read out of the response."""
        raise Unsupported("no sync API")

    def range_values(self, prefix: bytes) -> int:
        """Read every key under ``prefix`` in one call, touch every value, return the count.

        The subject's preferred read (ours: the typed-first one).
        """
        raise Unsupported("no sync API")

    def range_dropin_values(self, prefix: bytes) -> int:
        """``range_values`` through the predecessors' ``get_prefix`` iterator.

        By default the subject's only range read.
        """
        return self.range_values(prefix)

    def paged_values(self, prefix: bytes, page_size: int) -> int:
        """Read every key under ``prefix`` page by page, touch every value, return the count."""
        raise Unsupported("no paged read")

    def watch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        """Watch ``prefix``, ``WatchRun.go``, feed each value to ``WatchRun.add``."""
        raise Unsupported("no sync API")

    def fan_out(self, keys: list[bytes], run: WatchRun) -> None:
        """One watch per key (callbacks), then ``WatchRun.created``, ``go``, ``wait``."""
        raise Unsupported("not measured for this subject")

    async def aput(self, key: bytes) -> None:
        raise Unsupported("no asyncio API")

    async def aget(self, key: bytes) -> object:
        """``get`` in asyncio."""
        raise Unsupported("no asyncio API")

    async def arange_values(self, prefix: bytes) -> int:
        raise Unsupported("no asyncio API")

    async def arange_dropin_values(self, prefix: bytes) -> int:
        """``arange_values`` through ``async for ... in get_prefix(...)``; by default the same."""
        return await self.arange_values(prefix)

    async def awatch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        raise Unsupported("no asyncio API")

    async def afan_out(self, keys: list[bytes], run: WatchRun) -> None:
        raise Unsupported("not measured for this subject")


class Writer:
    """The writer process (``bench.writer``): started and connected before the clock runs."""

    def __init__(
        self,
        setup: Setup,
        prefix: bytes,
        *,
        keys: int,
        events: int,
        in_flight: int = 1,
        rate: float = 0,
    ) -> None:
        self._proc = subprocess.Popen(
            [
                setup.project_python,
                "-m",
                "bench.writer",
                setup.endpoint,
                f"--prefix={prefix.decode()}",
                f"--keys={keys}",
                f"--events={events}",
                f"--in-flight={in_flight}",
                f"--rate={rate}",
            ],
            cwd=setup.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._expect("ready")

    def _expect(self, word: str) -> str:
        """Read the writer's next line, which must start with ``word``; return the rest."""
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        said, _, rest = line.partition(" ")
        if said != word:
            self._proc.kill()
            raise RuntimeError(f"writer said {line!r}, expected {word!r}")
        return rest

    def go(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write("go\n")
        self._proc.stdin.flush()

    def finish(self) -> int:
        """Wait until every put is acknowledged and the writer has exited.

        Returns:
            The ``time.monotonic_ns()`` of the last acknowledgement.
        """
        done_ns = int(self._expect("done"))
        if self._proc.wait(timeout=60) != 0:
            raise RuntimeError(f"writer exited with {self._proc.returncode}")
        return done_ns

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


class WatchRun:
    """One watch measurement: the subject calls ``go`` once its watches exist, then
    ``add`` for every event value (from any thread); the clock stops at the last one.

    ``add`` costs every subject the same (a lock, a clock read, a parse of the value's stamp).
    """

    def __init__(self, writer: Writer, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.lag_ns = 0
        self.rss_created_kib = 0
        self.finished_ns = 0
        """``time.monotonic_ns()`` when the last expected event arrived."""
        self._writer = writer
        self._clock = probe.Stopwatch()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._on_done: Callable[[], object] = lambda: None

    def created(self) -> None:
        """Record the RSS once every watch exists (before ``go``)."""
        self.rss_created_kib = probe.rss_kib()

    def go(self) -> None:
        self._clock.start()
        self._writer.go()

    def add(self, value: bytes) -> bool:
        """Count one delivered event; True once all expected events have arrived."""
        now = time.monotonic_ns()
        with self._lock:
            self.count += 1
            self.lag_ns += now - int(value[:STAMP_DIGITS])
            if self.count == self.expected:
                self.finished_ns = now
                self._clock.stop()
                self._done.set()
                self._on_done()
            return self.count >= self.expected

    def wait(self, timeout: float) -> None:
        """Block until every expected event has arrived (for callback consumers)."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"{self.count} of {self.expected} events after {timeout} s")

    async def await_done(self, timeout: float) -> None:
        """``wait`` for asyncio consumers, without blocking the loop."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        with self._lock:
            if self.count >= self.expected:
                return
            self._on_done = lambda: loop.call_soon_threadsafe(done.set_result, None)
        try:
            await asyncio.wait_for(done, timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(
                f"{self.count} of {self.expected} events after {timeout} s"
            ) from None

    def metrics(self) -> Metrics:
        return {
            "events": float(self.count),
            "cpu_us_per_event": self._clock.cpu / max(self.count, 1) * 1e6,
            "seconds": self._clock.seconds,
            "lag_ms": self.lag_ns / max(self.count, 1) / 1e6,
        }


# -- the scenarios ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    """Sizes of one run (``--quick`` shrinks them)."""

    ops: int = 2000
    aio_ops: int = 4000
    in_flight: int = 64
    range_keys: int = 10_000
    paged_keys: int = 40_000
    page_size: int = 1000
    watch_events: int = 5000
    watch_rate: int = 4000
    fan_out_watches: int = 1000
    fan_out_events: int = 10_000


RANGE_PREFIX = KEY_PREFIX + b"range/"
PAGED_PREFIX = KEY_PREFIX + b"paged/"
FAN_OUT_PREFIX = KEY_PREFIX + b"fan-out/"


def unary_keys(count: int) -> list[bytes]:
    """The keys of the unary scenarios: 40 bytes each."""
    return [KEY_PREFIX + b"kv/%029d" % i for i in range(count)]


def _unary(call: Callable[[bytes], object], keys: list[bytes]) -> Metrics:
    clock = probe.Stopwatch()
    clock.start()
    for key in keys:
        call(key)
    clock.stop()
    return {"ops_per_s": len(keys) / clock.seconds, "cpu_us_per_op": clock.cpu / len(keys) * 1e6}


async def _in_flight(
    call: Callable[[bytes], Awaitable[object]], keys: list[bytes], width: int
) -> Metrics:
    todo = iter(keys)

    async def lane() -> None:
        for key in todo:
            await call(key)

    clock = probe.Stopwatch()
    clock.start()
    await asyncio.gather(*(lane() for _ in range(width)))
    clock.stop()
    return {"ops_per_s": len(keys) / clock.seconds, "cpu_us_per_op": clock.cpu / len(keys) * 1e6}


def _range_metrics(clock: probe.Stopwatch, base_kib: int, got: int, expected: int) -> Metrics:
    if got != expected:
        raise RuntimeError(f"range read {got} keys, expected {expected}")
    return {
        "ms": clock.seconds * 1e3,
        "cpu_ms": clock.cpu * 1e3,
        "rss_kib": float(probe.peak_rss_kib() - base_kib),
    }


def sync_put(s: Subject, p: Params, run_id: str) -> Metrics:
    return _unary(s.put, unary_keys(p.ops))


def sync_get(s: Subject, p: Params, run_id: str) -> Metrics:
    return _unary(s.get, unary_keys(p.ops))


def aio_put(s: Subject, p: Params, run_id: str) -> Metrics:
    return s.loop.run_until_complete(_in_flight(s.aput, unary_keys(p.aio_ops), p.in_flight))


def aio_get(s: Subject, p: Params, run_id: str) -> Metrics:
    return s.loop.run_until_complete(_in_flight(s.aget, unary_keys(p.aio_ops), p.in_flight))


def _sync_range(read: Callable[[bytes], int], p: Params) -> Metrics:
    clock = probe.Stopwatch()
    base = probe.reset_peak_rss()
    clock.start()
    got = read(RANGE_PREFIX)
    clock.stop()
    return _range_metrics(clock, base, got, p.range_keys)


def sync_range(s: Subject, p: Params, run_id: str) -> Metrics:
    return _sync_range(s.range_values, p)


def sync_range_dropin(s: Subject, p: Params, run_id: str) -> Metrics:
    return _sync_range(s.range_dropin_values, p)


def sync_paged(s: Subject, p: Params, run_id: str) -> Metrics:
    clock = probe.Stopwatch()
    base = probe.reset_peak_rss()
    clock.start()
    got = s.paged_values(PAGED_PREFIX, p.page_size)
    clock.stop()
    return _range_metrics(clock, base, got, p.paged_keys)


def _aio_range(s: Subject, read: Callable[[bytes], Awaitable[int]], p: Params) -> Metrics:
    async def measured() -> Metrics:
        clock = probe.Stopwatch()
        base = probe.reset_peak_rss()
        clock.start()
        got = await read(RANGE_PREFIX)
        clock.stop()
        return _range_metrics(clock, base, got, p.range_keys)

    return s.loop.run_until_complete(measured())


def aio_range(s: Subject, p: Params, run_id: str) -> Metrics:
    return _aio_range(s, s.arange_values, p)


def aio_range_dropin(s: Subject, p: Params, run_id: str) -> Metrics:
    return _aio_range(s, s.arange_dropin_values, p)


def _watch(s: Subject, p: Params, prefix: bytes, body: Callable[[WatchRun], None]) -> Metrics:
    """A prefix watch fed by the writer at ``watch_rate`` events per second.

    Paced below what every client consumes, so each keeps up: a consumer that falls behind
    receives events in bigger batches, at another cost per event, and rounds would mix both.
    """
    events = p.watch_events
    writer = Writer(
        s.setup,
        prefix,
        keys=min(events, 100),
        events=events,
        in_flight=p.in_flight,
        rate=p.watch_rate,
    )
    try:
        run = WatchRun(writer, events)
        body(run)
        writer.finish()
    finally:
        writer.kill()
    if run.count != events:
        raise RuntimeError(f"watch delivered {run.count} events, expected {events}")
    return run.metrics()


def sync_watch(s: Subject, p: Params, run_id: str) -> Metrics:
    prefix = KEY_PREFIX + f"watch/{run_id}/".encode()
    return _watch(s, p, prefix, lambda run: s.watch_prefix(prefix, run))


def aio_watch(s: Subject, p: Params, run_id: str) -> Metrics:
    prefix = KEY_PREFIX + f"watch/{run_id}/".encode()
    return _watch(
        s,
        p,
        prefix,
        lambda run: s.loop.run_until_complete(s.awatch_prefix(prefix, run)),
    )


def _fan_out(
    s: Subject, p: Params, run_id: str, body: Callable[[list[bytes], WatchRun], None]
) -> Metrics:
    prefix = FAN_OUT_PREFIX + f"{run_id}/".encode()
    keys = [prefix + b"%08d" % i for i in range(p.fan_out_watches)]
    writer = Writer(
        s.setup,
        prefix,
        keys=p.fan_out_watches,
        events=p.fan_out_events,
        in_flight=p.in_flight,
        rate=p.watch_rate,
    )
    try:
        run = WatchRun(writer, p.fan_out_events)
        before = probe.rss_kib()
        body(keys, run)
        writer.finish()
    finally:
        writer.kill()
    metrics = run.metrics()
    metrics["kib_per_watch"] = (run.rss_created_kib - before) / p.fan_out_watches
    return metrics


def sync_fan_out(s: Subject, p: Params, run_id: str) -> Metrics:
    return _fan_out(s, p, run_id, s.fan_out)


def aio_fan_out(s: Subject, p: Params, run_id: str) -> Metrics:
    return _fan_out(
        s, p, run_id, lambda keys, run: s.loop.run_until_complete(s.afan_out(keys, run))
    )


Scenario = Callable[[Subject, Params, str], Metrics]

SCENARIOS: dict[str, Scenario] = {
    "sync_put": sync_put,
    "sync_get": sync_get,
    "aio_put": aio_put,
    "aio_get": aio_get,
    "sync_range": sync_range,
    "aio_range": aio_range,
    "sync_range_dropin": sync_range_dropin,
    "aio_range_dropin": aio_range_dropin,
    "sync_paged": sync_paged,
    "sync_watch": sync_watch,
    "aio_watch": aio_watch,
    "sync_fan_out": sync_fan_out,
    "aio_fan_out": aio_fan_out,
}
