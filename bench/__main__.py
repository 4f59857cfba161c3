"""Benchmarks: our client against raw grpcio stubs, measured side by side in one run.

``make bench`` (``python -m bench``) starts a private etcd, then runs each scenario as the raw
stub and as our layer in interleaved rounds, and prints the median of the per-round ratios.
Absolute numbers move by +-30 % between runs on shared cores (see shared/PERF.md); only the
ratios of one run mean anything. Results are also written to ``bench/results/latest.json``.

Scenarios (key 40 B, value 100 B, as in PERF.md); "rpc" is the generated layer
(``client.rpc.kv.put(...)``), "client" the friendly API (``client.put(...)``):
- ``put`` / ``get``: sync unary calls from one thread: ops/s and client CPU per op.
- ``aio put/get x64``: asyncio with 64 calls in flight: ops/s.
- ``range 10k``: one Range of 10,000 keys: wall time and peak RSS growth.
- ``paged 4x keys``: peak RSS of a paged read of 4x the keys over that of 1x (raw: 1x).
- ``watch``: client CPU per live event while another process writes (raw stream vs watch).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import grpc
import grpc.aio
from google.protobuf.message import Message

import etcd3
from etcd3.rpc import etcdserverpb as pb
from etcd3.testing import EtcdServer

RespT = TypeVar("RespT", bound=Message)
MakeCall = Callable[[bytes], Awaitable[object]]
KEY_SIZE = 40
VALUE = b"v" * 100
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Sample:
    """One round of one side of a scenario."""

    seconds: float
    cpu_seconds: float
    ops: int
    rss_kib: int = 0


@dataclass
class Scenario:
    name: str
    goal: str
    raw: list[Sample] = field(default_factory=list)
    ours: list[Sample] = field(default_factory=list)

    def ratios(self) -> dict[str, float]:
        """Median over rounds of ours/raw for throughput, CPU per op, time and RSS."""
        pairs = list(zip(self.raw, self.ours, strict=True))
        out = {
            "ops_per_s": statistics.median(
                (o.ops / o.seconds) / (r.ops / r.seconds) for r, o in pairs
            ),
            "cpu_per_op": statistics.median(
                (o.cpu_seconds / o.ops) / (r.cpu_seconds / r.ops) for r, o in pairs
            ),
            "time": statistics.median(o.seconds / r.seconds for r, o in pairs),
        }
        if all(r.rss_kib > 0 for r in self.raw):
            out["rss"] = statistics.median(max(o.rss_kib, 1) / r.rss_kib for r, o in pairs)
        return out


def _key(i: int) -> bytes:
    return f"/bench/{i:033d}".encode()[:KEY_SIZE].ljust(KEY_SIZE, b"k")


def _reset_peak_rss() -> int:
    """Reset the kernel's peak-RSS mark; return the current RSS in KiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def _status_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field_name} not in /proc/self/status")


def _timed(fn: Callable[[], int], *, rss: bool = False) -> Sample:
    gc.collect()
    base = _reset_peak_rss() if rss else 0
    t0, c0 = time.perf_counter(), time.process_time()
    ops = fn()
    t1, c1 = time.perf_counter(), time.process_time()
    peak = _status_kib("VmHWM") - base if rss else 0
    return Sample(t1 - t0, c1 - c0, ops, peak)


def _raw_unary(
    channel: grpc.Channel, path: str, req: type[Message], resp: type[RespT]
) -> grpc.UnaryUnaryMultiCallable[Message, RespT]:
    return channel.unary_unary(
        path, request_serializer=req.SerializeToString, response_deserializer=resp.FromString
    )


def _fill(client: etcd3.Etcd3Client, prefix: bytes, count: int) -> None:
    for i in range(count):
        client.put(prefix + f"{i:08d}".encode(), VALUE)


_WRITER = """
import sys, grpc
from etcd3.rpc import etcdserverpb as pb
endpoint, prefix, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
channel = grpc.insecure_channel(endpoint)
put = channel.unary_unary(
    "/etcdserverpb.KV/Put",
    request_serializer=pb.PutRequest.SerializeToString,
    response_deserializer=pb.PutResponse.FromString,
)
for i in range(count):
    put(pb.PutRequest(key=prefix + b"%08d" % i, value=b"v" * 100), timeout=10)
"""


def _writer(endpoint: str, prefix: bytes, count: int) -> subprocess.Popen[bytes]:
    """Write ``count`` keys from another process, so its CPU is not counted here."""
    return subprocess.Popen([sys.executable, "-c", _WRITER, endpoint, prefix.decode(), str(count)])


def run(ops: int, rounds: int, range_keys: int, events: int) -> list[Scenario]:
    with EtcdServer() as server:
        channel = grpc.insecure_channel(
            server.endpoint, options=[("grpc.max_receive_message_length", -1)]
        )
        raw_put = _raw_unary(channel, "/etcdserverpb.KV/Put", pb.PutRequest, pb.PutResponse)
        raw_range = _raw_unary(channel, "/etcdserverpb.KV/Range", pb.RangeRequest, pb.RangeResponse)
        raw_watch = channel.stream_stream(
            "/etcdserverpb.Watch/Watch",
            request_serializer=pb.WatchRequest.SerializeToString,
            response_deserializer=pb.WatchResponse.FromString,
        )
        client = etcd3.client(server.host, server.port)
        kv = client.rpc.kv
        keys = [_key(i) for i in range(ops)]

        def raw_puts() -> int:
            for k in keys:
                raw_put(pb.PutRequest(key=k, value=VALUE), timeout=10)
            return len(keys)

        def rpc_puts() -> int:
            for k in keys:
                kv.put(key=k, value=VALUE, timeout=10)
            return len(keys)

        def client_puts() -> int:
            for k in keys:
                client.put(k, VALUE, timeout_override=10)
            return len(keys)

        def raw_gets() -> int:
            for k in keys:
                raw_range(pb.RangeRequest(key=k), timeout=10)
            return len(keys)

        def rpc_gets() -> int:
            for k in keys:
                kv.range(key=k, timeout=10)
            return len(keys)

        def client_gets() -> int:
            for k in keys:
                client.get(k, timeout_override=10)
            return len(keys)

        big, bigger = b"/bench-range/", b"/bench-range4x/"
        _fill(client, big, range_keys)
        _fill(client, bigger, 4 * range_keys)

        def raw_range_all() -> int:
            end = etcd3.range_end_for_key(big)
            response = raw_range(pb.RangeRequest(key=big, range_end=end), timeout=60)
            values = [kv.value for kv in response.kvs]
            return len(values)

        def client_range_all() -> int:
            values = [value for value, _meta in client.get_prefix(big, timeout_override=60)]
            return len(values)

        def paged(prefix: bytes) -> Callable[[], int]:
            def read() -> int:
                return sum(1 for _ in client.get_prefix_paged(prefix, page_size=1000))

            return read

        watch_seq = iter(range(1_000_000))

        def raw_watch_events() -> int:
            prefix = f"/bench-watch/raw{next(watch_seq)}/".encode()
            created = pb.WatchRequest(
                create_request=pb.WatchCreateRequest(
                    key=prefix, range_end=etcd3.range_end_for_key(prefix)
                )
            )
            stream = raw_watch(iter([created]))
            next(stream)  # created
            writer = _writer(server.endpoint, prefix, events)
            seen = 0
            for response in stream:
                seen += len(response.events)
                if seen >= events:
                    break
            stream.cancel()
            writer.wait()
            return seen

        def client_watch_events() -> int:
            prefix = f"/bench-watch/ours{next(watch_seq)}/".encode()
            iterator, cancel = client.watch_prefix(prefix)
            writer = _writer(server.endpoint, prefix, events)
            seen = 0
            for _event in iterator:
                seen += 1
                if seen >= events:
                    break
            cancel()
            writer.wait()
            return seen

        goal_unary = ">= 0.95x ops/s, <= 1.10x CPU"
        sync_cases: list[tuple[Scenario, Callable[[], int], Callable[[], int], bool]] = [
            (Scenario("rpc put", goal_unary), raw_puts, rpc_puts, False),
            (Scenario("rpc get", goal_unary), raw_gets, rpc_gets, False),
            (Scenario("client put", goal_unary), raw_puts, client_puts, False),
            (Scenario("client get", goal_unary), raw_gets, client_gets, False),
            (
                Scenario(f"range {range_keys // 1000}k", "<= 1.15x time, <= 1.3x RSS"),
                raw_range_all,
                client_range_all,
                True,
            ),
            (
                Scenario("paged 4x keys", "RSS ~1x (one page, not the total)"),
                paged(big),
                paged(bigger),
                True,
            ),
            (
                Scenario("watch", "<= 1.2x CPU/event, no loss"),
                raw_watch_events,
                client_watch_events,
                False,
            ),
        ]
        aio_cases = [
            Scenario("aio put x64", ">= 0.95x ops/s"),
            Scenario("aio get x64", ">= 0.95x ops/s"),
        ]
        for fn in (raw_puts, client_puts, raw_gets, client_gets):  # warm up both sides
            fn()
        for _ in range(rounds):
            for scenario, raw_fn, our_fn, rss in sync_cases:
                scenario.raw.append(_timed(raw_fn, rss=rss))
                scenario.ours.append(_timed(our_fn, rss=rss))
            asyncio.run(_aio_round(server, keys, aio_cases))
        for scenario, *_ in sync_cases:
            if scenario.name == "watch":
                lost = [s.ops for s in scenario.ours if s.ops != events]
                assert not lost, f"watch delivered {lost} events, expected {events}"
        client.close()
        channel.close()
    return [case[0] for case in sync_cases] + aio_cases


async def _aio_round(server: EtcdServer, keys: list[bytes], cases: list[Scenario]) -> None:
    channel = grpc.aio.insecure_channel(server.endpoint)
    raw_put = channel.unary_unary(
        "/etcdserverpb.KV/Put",
        request_serializer=pb.PutRequest.SerializeToString,
        response_deserializer=pb.PutResponse.FromString,
    )
    raw_range = channel.unary_unary(
        "/etcdserverpb.KV/Range",
        request_serializer=pb.RangeRequest.SerializeToString,
        response_deserializer=pb.RangeResponse.FromString,
    )
    client = etcd3.async_client(server.host, server.port)

    async def pool(make: MakeCall) -> int:
        it = iter(keys)

        async def worker() -> None:
            for k in it:
                await make(k)

        await asyncio.gather(*(worker() for _ in range(64)))
        return len(keys)

    async def timed(make: MakeCall) -> Sample:
        t0, c0 = time.perf_counter(), time.process_time()
        ops = await pool(make)
        return Sample(time.perf_counter() - t0, time.process_time() - c0, ops)

    sides: dict[str, tuple[MakeCall, MakeCall]] = {
        "aio put x64": (
            lambda k: raw_put(pb.PutRequest(key=k, value=VALUE), timeout=10),
            lambda k: client.put(k, VALUE, timeout_override=10),
        ),
        "aio get x64": (
            lambda k: raw_range(pb.RangeRequest(key=k), timeout=10),
            lambda k: client.get(k, timeout_override=10),
        ),
    }
    await pool(sides["aio put x64"][1])  # warm up our connection
    for scenario in cases:
        raw_fn, our_fn = sides[scenario.name]
        scenario.raw.append(await timed(raw_fn))
        scenario.ours.append(await timed(our_fn))
    await client.close()
    await channel.close()


def report(scenarios: list[Scenario], rounds: int) -> dict[str, object]:
    print(
        f"\n{'scenario':<15} {'raw ops/s':>10} {'ours ops/s':>10} {'ops/s':>7} {'CPU/op':>7} "
        f"{'time':>6} {'RSS':>6}  goal"
    )
    rows = []
    for s in scenarios:
        r = s.ratios()
        raw_rate = statistics.median(x.ops / x.seconds for x in s.raw)
        our_rate = statistics.median(x.ops / x.seconds for x in s.ours)
        rss = f"{r['rss']:.2f}x" if "rss" in r else "-"
        print(
            f"{s.name:<15} {raw_rate:>10.0f} {our_rate:>10.0f} {r['ops_per_s']:>6.2f}x "
            f"{r['cpu_per_op']:>6.2f}x {r['time']:>5.2f}x {rss:>6}  {s.goal}"
        )
        rows.append(
            {
                "name": s.name,
                "goal": s.goal,
                "ratios": r,
                "raw": [asdict(x) for x in s.raw],
                "ours": [asdict(x) for x in s.ours],
            }
        )
    print(f"(median of {rounds} interleaved rounds; ratios are ours / raw grpc stub)")
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "grpcio": grpc.__version__,
        "rounds": rounds,
        "scenarios": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--ops", type=int, default=2000, help="calls per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--range-keys", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=5000, help="watch events per round")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    scenarios = run(args.ops, args.rounds, args.range_keys, args.events)
    result = report(scenarios, args.rounds)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
