"""Client CPU per watch event, ours against a raw grpc Watch stream in the same run.

``python -m bench.watch_cpu`` starts a private etcd (or uses ``--endpoint``), then, in
interleaved rounds with the order rotated, lets a writer process put ``--events`` keys under a
prefix at ``--rate`` puts per second while one subject watches the prefix in this process:

- ``raw`` / ``raw-aio``: a grpc Watch stream read by the consuming thread (task) itself, each
  event's value read;
- ``raw-handoff``: the same stream read by a reader thread and handed over a
  ``queue.SimpleQueue`` to the consumer (the control: the cost of a hand-off per response);
- ``iter`` / ``iter-aio``: ``client.watch_prefix()`` iterated, each event's value read;
- ``callback`` / ``callback-aio``: ``client.add_watch_prefix_callback()``.

Each round reports the client CPU (``time.process_time()``: every thread, grpc's included)
per event and the lag (delivery time minus the writer's send time, both ``CLOCK_MONOTONIC``);
the summary gives the median of the per-round ratios to the raw subject of the same kind.

``--instructions`` counts instructions instead (valgrind's callgrind, the stable figure on
shared cores): each subject runs in a child process under callgrind twice, with ``--events``
and with a tenth of them; the difference over the events between the two runs is the cost per
event, free of start-up. Wall time moves +-30 % between runs here; instruction counts do not.

``--bytecodes`` says where the Python part of that cost is: each subject runs in this process,
once untraced (imports and first-use work), then under an opcode tracer (``sys.settrace``,
every thread) with a tenth of ``--events`` and with all of them; the difference gives the
bytecodes each Python function executes per event (``--top`` of them are listed). Tracing
slows the consumer down: keep ``--rate`` low (the default for this mode is 300 puts per
second) so that each response still carries one event, as it does at full speed. What grpc
and the event loop run while they wait moves with the timing from run to run; the counts of
our own functions do not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import grpc
import grpc.aio

import etcd3
from etcd3.rpc import etcdserverpb as pb
from etcd3.testing import EtcdServer

if TYPE_CHECKING:
    from _typeshed import TraceFunction

SUBJECTS = ("raw", "raw-handoff", "iter", "callback", "raw-aio", "iter-aio", "callback-aio")
RAW_OF = {
    "raw": "raw",
    "raw-handoff": "raw",
    "iter": "raw",
    "callback": "raw",
    "raw-aio": "raw-aio",
    "iter-aio": "raw-aio",
    "callback-aio": "raw-aio",
}
_WATCH = "/etcdserverpb.Watch/Watch"
_PUT = "/etcdserverpb.KV/Put"


class Run:
    """What one subject saw: events, lags, and the CPU from the first to the last event."""

    def __init__(self, events: int) -> None:
        self.expected = events
        self.count = 0
        self.lags: list[float] = []
        self.cpu0 = 0.0
        self.cpu = 0.0
        self.done = threading.Event()

    def add(self, value: bytes) -> bool:
        """Record one event (its value is the writer's send time); ``True`` at the last."""
        now = time.monotonic_ns()
        if self.count == 0:
            self.cpu0 = time.process_time()
        self.count += 1
        self.lags.append((now - int(value)) / 1e6)
        if self.count >= self.expected:
            self.cpu = time.process_time() - self.cpu0
            self.done.set()
            return True
        return False

    def result(self) -> dict[str, float]:
        lags = sorted(self.lags)
        per_event = self.cpu / max(1, self.count - 1)
        return {
            "cpu_us_per_event": per_event * 1e6,
            "lag_ms_median": statistics.median(lags),
            "lag_ms_p99": lags[int(len(lags) * 0.99) - 1],
        }


def writer_main(endpoint: str, prefix: str, events: int, rate: float) -> None:
    """Put ``events`` keys at ``rate`` per second; each value is its send time (ns)."""
    channel = grpc.insecure_channel(endpoint)
    put = channel.unary_unary(
        _PUT,
        request_serializer=pb.PutRequest.SerializeToString,
        response_deserializer=pb.PutResponse.FromString,
    )
    put(pb.PutRequest(key=b"/bench-warm", value=b"0"))
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.monotonic()
    pending = []
    for n in range(events):
        due = start + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        value = str(time.monotonic_ns()).encode()
        pending.append(
            put.future(pb.PutRequest(key=f"{prefix}{n % 100:04d}".encode(), value=value))
        )
        if len(pending) > 32:
            pending.pop(0).result()
    for future in pending:
        future.result()
    channel.close()


class Writer:
    """The writer process, connected before the clock runs."""

    def __init__(self, endpoint: str, prefix: str, events: int, rate: float) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.watch_cpu",
                "--writer",
                endpoint,
                prefix,
                str(events),
                str(rate),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def wait(self) -> None:
        if self.proc.wait(timeout=600) != 0:
            raise RuntimeError("the writer failed")


def _create(prefix: bytes) -> pb.WatchRequest:
    end = prefix[:-1] + bytes([prefix[-1] + 1])
    return pb.WatchRequest(create_request=pb.WatchCreateRequest(key=prefix, range_end=end))


def _requests(pending: queue.SimpleQueue[pb.WatchRequest | None]) -> Iterator[pb.WatchRequest]:
    while (request := pending.get()) is not None:
        yield request


def run_sync(subject: str, endpoint: str, prefix: bytes, run: Run, writer: Writer) -> None:
    if subject.startswith("raw"):
        channel = grpc.insecure_channel(endpoint)
        watch = channel.stream_stream(
            _WATCH,
            request_serializer=pb.WatchRequest.SerializeToString,
            response_deserializer=pb.WatchResponse.FromString,
        )
        pending: queue.SimpleQueue[pb.WatchRequest | None] = queue.SimpleQueue()
        pending.put(_create(prefix))
        stream = watch(_requests(pending))
        next(stream)  # created
        writer.go()
        if subject == "raw":
            for raw_response in stream:
                for raw_event in raw_response.events:
                    if run.add(raw_event.kv.value):
                        break
                if run.done.is_set():
                    break
        else:
            handoff: queue.SimpleQueue[pb.WatchResponse | None] = queue.SimpleQueue()

            def read() -> None:
                try:
                    for response in stream:
                        handoff.put(response)
                except grpc.RpcError:
                    pass
                handoff.put(None)

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            while (handed := handoff.get()) is not None:
                for raw_event in handed.events:
                    run.add(raw_event.kv.value)
                if run.done.is_set():
                    break
        pending.put(None)
        stream.cancel()
        channel.close()
        return
    host, port = endpoint.rsplit(":", 1)
    with etcd3.client(host, int(port)) as client:
        if subject == "iter":
            events, cancel = client.watch_prefix(prefix)
            writer.go()
            for event in events:
                if run.add(event.value):
                    break
            cancel()
        else:

            def deliver(response: etcd3.WatchResponse | etcd3.EtcdError) -> None:
                if isinstance(response, etcd3.WatchResponse):
                    for event in response:
                        run.add(event.value)

            watch_id = client.add_watch_prefix_callback(prefix, deliver)
            writer.go()
            run.done.wait(600)
            client.cancel_watch(watch_id)


async def run_async(subject: str, endpoint: str, prefix: bytes, run: Run, writer: Writer) -> None:
    if subject == "raw-aio":
        channel = grpc.aio.insecure_channel(endpoint)
        watch = channel.stream_stream(
            _WATCH,
            request_serializer=pb.WatchRequest.SerializeToString,
            response_deserializer=pb.WatchResponse.FromString,
        )
        call = watch()
        await call.write(_create(prefix))
        await call.read()  # created
        writer.go()
        while not run.done.is_set():
            raw_response = await call.read()
            assert isinstance(raw_response, pb.WatchResponse)
            for raw_event in raw_response.events:
                if run.add(raw_event.kv.value):
                    break
        call.cancel()
        await channel.close()
        return
    host, port = endpoint.rsplit(":", 1)
    async with etcd3.async_client(host, int(port)) as client:
        if subject == "iter-aio":
            events, cancel = await client.watch_prefix(prefix)
            writer.go()
            async for event in events:
                if run.add(event.value):
                    break
            await cancel()
        else:
            done = asyncio.Event()

            def deliver(response: etcd3.WatchResponse | etcd3.EtcdError) -> None:
                if isinstance(response, etcd3.WatchResponse):
                    for event in response:
                        if run.add(event.value):
                            done.set()

            watch_id = await client.add_watch_prefix_callback(prefix, deliver)
            writer.go()
            await asyncio.wait_for(done.wait(), 600)
            await client.cancel_watch(watch_id)


def measure(subject: str, endpoint: str, events: int, rate: float) -> dict[str, float]:
    """One subject, one round, in this process."""
    prefix = f"/bench/watch-cpu/{subject}/{time.time_ns()}/"
    run = Run(events)
    writer = Writer(endpoint, prefix, events, rate)
    try:
        if subject.endswith("aio"):
            asyncio.run(run_async(subject, endpoint, prefix.encode(), run, writer))
        else:
            run_sync(subject, endpoint, prefix.encode(), run, writer)
        writer.wait()
    finally:
        if writer.proc.poll() is None:
            writer.proc.kill()
    return run.result()


def _child_command(subject: str, endpoint: str, events: int, rate: float) -> list[str]:
    """The command that runs one subject once (``--child``)."""
    return [
        sys.executable,
        "-m",
        "bench.watch_cpu",
        "--child",
        subject,
        "--endpoint",
        endpoint,
        f"--events={events}",
        f"--rate={rate}",
    ]


def _child(subject: str, endpoint: str, events: int, rate: float) -> dict[str, float]:
    """One subject, one round, in a fresh process (no thread or loop left by another)."""
    out = subprocess.run(
        _child_command(subject, endpoint, events, rate),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def instructions(subject: str, endpoint: str, events: int, rate: float) -> float:
    """Instructions per event of ``subject`` under callgrind (see the module docstring)."""
    counts = []
    for n in (events // 10, events):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={out}",
                    *_child_command(subject, endpoint, n, rate),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            text = out.read_text(errors="replace")
        match = re.search(r"^summary: (\d+)", text, re.MULTILINE) or re.search(
            r"^totals: (\d+)", text, re.MULTILINE
        )
        assert match is not None, "no instruction total in the callgrind output"
        counts.append(int(match[1]))
    return (counts[1] - counts[0]) / (events - events // 10)


def bytecodes(subject: str, endpoint: str, events: int, rate: float) -> dict[str, float]:
    """Python bytecodes per event of ``subject``, by function (see the module docstring)."""
    # Untraced first: the imports and first-use work of a subject happen once per process,
    # and would land in the first traced run only.
    measure(subject, endpoint, events // 10, rate)
    fewer, more = (_traced(subject, endpoint, n, rate) for n in (events // 10, events))
    extra = events - events // 10
    return {name: (more[name] - fewer[name]) / extra for name in fewer.keys() | more.keys()}


def _traced(subject: str, endpoint: str, events: int, rate: float) -> Counter[str]:
    """The bytecodes each function executed while ``subject`` consumed ``events`` events."""
    counts: Counter[str] = Counter()

    def trace(frame: FrameType, event: str, arg: object) -> TraceFunction:
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[f"{Path(code.co_filename).name}:{code.co_name}"] += 1
        return trace

    threading.settrace(trace)
    sys.settrace(trace)
    try:
        measure(subject, endpoint, events, rate)
    finally:
        sys.settrace(None)
        threading.settrace(None)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", help="an etcd to use (default: start one)")
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument(
        "--rate", type=float, help="puts per second (default 2000; 300 with --bytecodes)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--subjects", default=",".join(SUBJECTS))
    parser.add_argument("--instructions", action="store_true", help="count with callgrind")
    parser.add_argument("--bytecodes", action="store_true", help="Python bytecodes by function")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --bytecodes")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--writer", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rate is None:
        args.rate = 300.0 if args.bytecodes else 2000.0
    if args.writer:
        writer_main(args.writer[0], args.writer[1], int(args.writer[2]), float(args.writer[3]))
        return 0
    if args.child:
        print(json.dumps(measure(args.child, args.endpoint, args.events, args.rate)))
        return 0
    subjects = [s for s in args.subjects.split(",") if s]
    server = None
    endpoint = args.endpoint
    if endpoint is None:
        server = EtcdServer().start()
        endpoint = server.endpoint
    try:
        if args.bytecodes:
            report = _bytecodes(subjects, endpoint, args)
        elif args.instructions:
            report = _instructions(subjects, endpoint, args)
        else:
            report = _cpu(subjects, endpoint, args)
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def _cpu(subjects: list[str], endpoint: str, args: argparse.Namespace) -> dict[str, object]:
    rounds: list[dict[str, dict[str, float]]] = []
    for index in range(args.rounds):
        order = subjects[index % len(subjects) :] + subjects[: index % len(subjects)]
        results = {subject: _child(subject, endpoint, args.events, args.rate) for subject in order}
        rounds.append(results)
        line = "  ".join(f"{s} {r['cpu_us_per_event']:.1f}us" for s, r in results.items())
        print(f"round {index + 1}: {line}", file=sys.stderr, flush=True)
    summary: dict[str, dict[str, float]] = {}
    for subject in subjects:
        raw = RAW_OF[subject]
        cpu = [r[subject]["cpu_us_per_event"] for r in rounds]
        entry = {
            "cpu_us_per_event": statistics.median(cpu),
            "lag_ms_median": statistics.median(r[subject]["lag_ms_median"] for r in rounds),
            "lag_ms_p99": statistics.median(r[subject]["lag_ms_p99"] for r in rounds),
        }
        if raw in subjects:
            entry["cpu_ratio_to_raw"] = statistics.median(
                r[subject]["cpu_us_per_event"] / r[raw]["cpu_us_per_event"] for r in rounds
            )
        summary[subject] = entry
    return {
        "events": args.events,
        "rate": args.rate,
        "rounds": args.rounds,
        "cpu_count": os.cpu_count(),
        "summary": summary,
    }


def _instructions(
    subjects: list[str], endpoint: str, args: argparse.Namespace
) -> dict[str, object]:
    per_event = {
        subject: instructions(subject, endpoint, args.events, args.rate) for subject in subjects
    }
    summary: dict[str, dict[str, float]] = {}
    for subject, count in per_event.items():
        entry = {"instructions_per_event": count}
        raw = RAW_OF[subject]
        if raw in per_event:
            entry["ratio_to_raw"] = count / per_event[raw]
        summary[subject] = entry
    return {"events": args.events, "rate": args.rate, "summary": summary}


def _bytecodes(subjects: list[str], endpoint: str, args: argparse.Namespace) -> dict[str, object]:
    summary: dict[str, dict[str, object]] = {}
    for subject in subjects:
        per_event = bytecodes(subject, endpoint, args.events, args.rate)
        summary[subject] = {
            "bytecodes_per_event": round(sum(per_event.values()), 1),
            "by_function": {
                name: round(count, 1)
                for name, count in sorted(per_event.items(), key=lambda item: -item[1])[: args.top]
            },
        }
    return {"events": args.events, "rate": args.rate, "summary": summary}


if __name__ == "__main__":
    raise SystemExit(main())
