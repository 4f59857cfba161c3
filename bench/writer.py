"""The writer process of the watch benchmarks: puts keys when told to, from outside the client.

Run by ``bench.harness.Writer`` with the project's interpreter (raw grpc and the project's
message classes), so its CPU is never counted as the client's. Protocol on stdin/stdout: it
connects, prints ``ready``, waits for a line ``go``, writes ``--events`` puts cycling over
``--keys`` keys under ``--prefix`` (``--in-flight`` at a time, at most ``--rate`` per second),
and prints ``done`` with the ``time.monotonic_ns()`` of the last acknowledgement. Each value
starts with the ``time.monotonic_ns()`` of its send as 20 digits (a clock every process of the
machine shares), so a watcher can compute how far it lags behind the writer.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator

import grpc
import grpc.aio

from etcd3.rpc import etcdserverpb as pb

VALUE_SIZE = 100
STAMP_DIGITS = 20
_PUT = "/etcdserverpb.KV/Put"


def stamped_value() -> bytes:
    """A value of ``VALUE_SIZE`` bytes that starts with the monotonic time of now."""
    return b"%020d" % time.monotonic_ns() + b"v" * (VALUE_SIZE - STAMP_DIGITS)


def keys(prefix: bytes, distinct: int, events: int) -> Iterator[bytes]:
    """The keys to put, in order: ``prefix`` + 8 digits, cycling over ``distinct`` keys."""
    for i in range(events):
        yield prefix + b"%08d" % (i % distinct)


def write_sequential(endpoint: str, todo: Iterator[bytes]) -> None:
    with grpc.insecure_channel(endpoint) as channel:
        put = channel.unary_unary(
            _PUT,
            request_serializer=pb.PutRequest.SerializeToString,
            response_deserializer=pb.PutResponse.FromString,
        )
        put(pb.PutRequest(key=b"/bench-writer/warm", value=b"x"), timeout=30)
        _handshake()
        for key in todo:
            put(pb.PutRequest(key=key, value=stamped_value()), timeout=30)


async def write_concurrent(
    endpoint: str, todo: Iterator[bytes], in_flight: int, rate: float
) -> None:
    async with grpc.aio.insecure_channel(endpoint) as channel:
        put = channel.unary_unary(
            _PUT,
            request_serializer=pb.PutRequest.SerializeToString,
            response_deserializer=pb.PutResponse.FromString,
        )
        await put(pb.PutRequest(key=b"/bench-writer/warm", value=b"x"), timeout=30)
        await asyncio.get_running_loop().run_in_executor(None, _handshake)

        start = time.monotonic()
        numbered = enumerate(todo)

        async def lane() -> None:
            for i, key in numbered:
                if rate > 0:  # put number i is due i / rate seconds after the start
                    await asyncio.sleep(start + i / rate - time.monotonic())
                await put(pb.PutRequest(key=key, value=stamped_value()), timeout=30)

        await asyncio.gather(*(lane() for _ in range(in_flight)))


def _handshake() -> None:
    print("ready", flush=True)
    line = sys.stdin.readline().strip()
    if line != "go":
        raise SystemExit(f"writer: expected 'go', got {line!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writer", description=__doc__)
    parser.add_argument("endpoint")
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--keys", type=int, required=True, help="distinct keys, cycled")
    parser.add_argument("--events", type=int, required=True, help="puts in all")
    parser.add_argument("--in-flight", type=int, default=1, help="1: one put after another")
    parser.add_argument("--rate", type=float, default=0, help="puts per second (0: no limit)")
    args = parser.parse_args(argv)
    todo = keys(args.prefix.encode(), args.keys, args.events)
    if args.in_flight <= 1 and not args.rate:
        write_sequential(args.endpoint, todo)
    else:
        asyncio.run(write_concurrent(args.endpoint, todo, max(args.in_flight, 1), args.rate))
    print(f"done {time.monotonic_ns()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
