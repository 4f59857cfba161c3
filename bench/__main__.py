"""Benchmarks: our client against raw grpcio stubs, measured side by side in one run.

``make bench`` (``python -m bench``) starts a private etcd, then runs each scenario as the raw
stub and as our layer in interleaved rounds, and prints the median of the per-round ratios.
Absolute numbers move by +-30 % between runs on shared cores (see shared/PERF.md); only the
ratios of one run mean anything. Results are also written to ``bench/results/latest.json``.

Scenarios (key 40 B, value 100 B, as in PERF.md):
- ``put`` / ``get``: sync unary calls from one thread: ops/s and client CPU per op.
- ``aio-put`` / ``aio-get``: asyncio with 64 calls in flight: ops/s.
- ``range-10k``: one Range of 10,000 keys: wall time and peak RSS growth.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import grpc
import grpc.aio
from google.protobuf.message import Message

from etcd3._connection import AsyncConnection, Connection
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
        """Median over rounds of ours/raw for throughput, CPU per op and RSS."""
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


def run(ops: int, rounds: int, range_keys: int) -> list[Scenario]:
    with EtcdServer() as server:
        channel = grpc.insecure_channel(
            server.endpoint, options=[("grpc.max_receive_message_length", -1)]
        )
        raw_put = _raw_unary(channel, "/etcdserverpb.KV/Put", pb.PutRequest, pb.PutResponse)
        raw_range = _raw_unary(channel, "/etcdserverpb.KV/Range", pb.RangeRequest, pb.RangeResponse)
        conn = Connection(server.endpoint)
        kv = conn.rpc.kv
        keys = [_key(i) for i in range(ops)]

        def raw_puts() -> int:
            for k in keys:
                raw_put(pb.PutRequest(key=k, value=VALUE), timeout=10)
            return len(keys)

        def our_puts() -> int:
            for k in keys:
                kv.put(key=k, value=VALUE, timeout=10)
            return len(keys)

        def raw_gets() -> int:
            for k in keys:
                raw_range(pb.RangeRequest(key=k), timeout=10)
            return len(keys)

        def our_gets() -> int:
            for k in keys:
                kv.range(key=k, timeout=10)
            return len(keys)

        big_prefix = b"/bench-range/"
        for i in range(range_keys):
            kv.put(key=big_prefix + f"{i:08d}".encode(), value=VALUE)
        range_end = big_prefix[:-1] + bytes([big_prefix[-1] + 1])

        def raw_range_all() -> int:
            resp = raw_range(pb.RangeRequest(key=big_prefix, range_end=range_end), timeout=60)
            return len(resp.kvs)

        def our_range_all() -> int:
            resp = kv.range(key=big_prefix, range_end=range_end, timeout=60)
            return len(resp.kvs)

        sync_cases = [
            (Scenario("put", ">= 0.95x ops/s, <= 1.10x CPU"), raw_puts, our_puts, False),
            (Scenario("get", ">= 0.95x ops/s, <= 1.10x CPU"), raw_gets, our_gets, False),
            (
                Scenario("range-10k", "<= 1.15x time, <= 1.3x RSS"),
                raw_range_all,
                our_range_all,
                True,
            ),
        ]
        aio_cases = [
            Scenario("aio-put x64", ">= 0.95x ops/s"),
            Scenario("aio-get x64", ">= 0.95x ops/s"),
        ]
        for fn in (raw_puts, our_puts, raw_gets, our_gets):  # warm up both sides
            fn()
        for _ in range(rounds):
            for scenario, raw_fn, our_fn, rss in sync_cases:
                scenario.raw.append(_timed(raw_fn, rss=rss))
                scenario.ours.append(_timed(our_fn, rss=rss))
            asyncio.run(_aio_round(server.endpoint, keys, aio_cases))
        conn.close()
        channel.close()
    return [case[0] for case in sync_cases] + aio_cases


async def _aio_round(endpoint: str, keys: list[bytes], cases: list[Scenario]) -> None:
    channel = grpc.aio.insecure_channel(endpoint)
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
    conn = AsyncConnection(endpoint)
    kv = conn.rpc.kv

    async def pool(make: Callable[[bytes], Awaitable[object]]) -> int:
        it = iter(keys)

        async def worker() -> None:
            for k in it:
                await make(k)

        await asyncio.gather(*(worker() for _ in range(64)))
        return len(keys)

    async def timed(make: Callable[[bytes], Awaitable[object]]) -> Sample:
        t0, c0 = time.perf_counter(), time.process_time()
        ops = await pool(make)
        return Sample(time.perf_counter() - t0, time.process_time() - c0, ops)

    sides: dict[str, tuple[MakeCall, MakeCall]] = {
        "aio-put x64": (
            lambda k: raw_put(pb.PutRequest(key=k, value=VALUE), timeout=10),
            lambda k: kv.put(key=k, value=VALUE, timeout=10),
        ),
        "aio-get x64": (
            lambda k: raw_range(pb.RangeRequest(key=k), timeout=10),
            lambda k: kv.range(key=k, timeout=10),
        ),
    }
    await pool(sides["aio-put x64"][1])  # warm up our connection
    for scenario in cases:
        raw_fn, our_fn = sides[scenario.name]
        scenario.raw.append(await timed(raw_fn))
        scenario.ours.append(await timed(our_fn))
    await conn.close()
    await channel.close()


def report(scenarios: list[Scenario], rounds: int) -> dict[str, object]:
    print(
        f"\n{'scenario':<14} {'raw ops/s':>10} {'ours ops/s':>10} {'ops/s':>7} {'CPU/op':>7} "
        f"{'time':>6} {'RSS':>6}  goal"
    )
    rows = []
    for s in scenarios:
        r = s.ratios()
        raw_rate = statistics.median(x.ops / x.seconds for x in s.raw)
        our_rate = statistics.median(x.ops / x.seconds for x in s.ours)
        rss = f"{r['rss']:.2f}x" if "rss" in r else "-"
        print(
            f"{s.name:<14} {raw_rate:>10.0f} {our_rate:>10.0f} {r['ops_per_s']:>6.2f}x "
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
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    scenarios = run(args.ops, args.rounds, args.range_keys)
    result = report(scenarios, args.rounds)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
