"""Per-key cost of reading a range response: our views against the raw loop and the designs
they were chosen over, in this process, without a server.

A range read's keys arrive in one ``RangeResponse``; raw grpc reads them with a C loop over
upb's repeated field. Our client makes one view per key (``KV`` for ``get_kvs``, ``(value,
KVMetadata)`` for the drop-in ``get_prefix``), which costs a Python step per key. This
measures that step, and the designs that would avoid a Python frame per key, on a response of
``--keys`` keys with 100-byte values, parsed from bytes as grpc hands it over:

- ``raw``: ``for kv in response.kvs: kv.value``;
- ``RangeResult``: iterating our ``RangeResult`` (what ``get_kvs`` returns), each value read;
- ``results generator``: the drop-in ``get_prefix`` loop, a generator making ``(value,
  KVMetadata)`` per key;
- ``tuple views``: a view that subclasses ``tuple`` and reads its fields through C-level
  properties (``operator.attrgetter``), built by ``map`` without any Python frame;
- ``tuple views, drop-in``: ``zip`` of the values and such metadata views, no Python frame;
- ``views by object.__new__``: the generator, with views made by ``object.__new__(KVMetadata)``
  (the class has a Python ``__init__``; ours are of a subclass without one, made by calling it);
- ``one object per key``: the least any view costs, an object holding the key's message made
  in the raw loop itself (no generator, no field but the message; the ``raw_views`` control
  of ``python -m bench`` runs it against a server);
- ``asyncio: async generator``: the asyncio drop-in ``async for value, meta in
  get_prefix(...)``, an asynchronous generator making ``(value, KVMetadata)`` per key;
- ``asyncio: completed futures``: the same views from an iterator whose ``__anext__`` returns
  an ``asyncio.Future`` that already holds the key's pair: awaiting one runs no Python frame,
  making one runs the event loop's ``create_future``.

The asyncio designs run in an event loop of their own, one ``run_until_complete`` per pass.

The figure is the best of ``--repeat`` timings of ``--loops`` passes, in nanoseconds per key,
and its ratio to ``raw``: a comparison within one process and one minute, where the noise of
shared cores matters least.

    python -m bench.iteration
    python -m bench.iteration --keys 100000 --repeat 15
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import operator
import sys
import timeit
from collections.abc import AsyncIterator, Callable, Iterator
from functools import cache, partial

from bench.subjects.raw import read_through_views
from etcd3._views import BareKVMetadata, KVMetadata, RangeResult
from etcd3.rpc.etcdserverpb import RangeResponse, ResponseHeader
from etcd3.rpc.mvccpb import KeyValue


def make_response(keys: int) -> RangeResponse:
    """A response of ``keys`` keys as a client receives it (parsed from its bytes)."""
    response = RangeResponse()
    response.header.revision = keys + 1
    for i in range(keys):
        kv = response.kvs.add()
        kv.key = b"bench/range/%08d" % i
        kv.value = b"x" * 100
        kv.create_revision = kv.mod_revision = i + 1
        kv.version = 1
    return RangeResponse.FromString(response.SerializeToString())


class _TupleMeta(tuple[KeyValue, ResponseHeader]):
    """A metadata view without Python frames: a tuple read through C-level properties."""

    __slots__ = ()
    key = property(operator.attrgetter("kv.key"))
    kv = property(operator.itemgetter(0))


class _TupleKV(_TupleMeta):
    __slots__ = ()
    value = property(operator.attrgetter("kv.value"))


def _raw(response: RangeResponse) -> int:
    size = 0
    for kv in response.kvs:
        size += len(kv.value)
    return size


def _range_result(response: RangeResponse) -> int:
    size = 0
    for kv in RangeResult(response):
        size += len(kv.value)
    return size


def _results(response: RangeResponse) -> Iterator[tuple[bytes, KVMetadata]]:
    # The shape of the drop-in get_prefix loop (the client's own runs after its Range call).
    header = response.header
    bare = BareKVMetadata
    for kv in response.kvs:
        meta = bare()
        meta._kv = kv
        meta._header = header
        yield kv.value, meta


def _new_results(response: RangeResponse) -> Iterator[tuple[bytes, KVMetadata]]:
    header = response.header
    new = object.__new__
    for kv in response.kvs:
        meta = new(KVMetadata)
        meta._kv = kv
        meta._header = header
        yield kv.value, meta


def _drop_in(
    results: Callable[[RangeResponse], Iterator[tuple[bytes, object]]],
) -> Callable[[RangeResponse], int]:
    def read(response: RangeResponse) -> int:
        size = 0
        for value, _meta in results(response):
            size += len(value)
        return size

    return read


def _tuple_views(response: RangeResponse) -> int:
    make = partial(tuple.__new__, _TupleKV)
    size = 0
    for kv in map(make, zip(response.kvs, itertools.repeat(response.header))):
        size += len(kv.value)
    return size


def _tuple_drop_in(response: RangeResponse) -> int:
    kvs = response.kvs
    make = partial(tuple.__new__, _TupleMeta)
    metas = map(make, zip(kvs, itertools.repeat(response.header)))
    size = 0
    for value, _meta in zip(map(operator.attrgetter("value"), kvs), metas, strict=True):
        size += len(value)
    return size


async def _async_results(response: RangeResponse) -> AsyncIterator[tuple[bytes, KVMetadata]]:
    header = response.header
    bare = BareKVMetadata
    for kv in response.kvs:
        meta = bare()
        meta._kv = kv
        meta._header = header
        yield kv.value, meta


class _FutureResults:
    """``(value, KVMetadata)`` per key, each from a future that already holds it."""

    __slots__ = ("_futures",)

    def __init__(self, response: RangeResponse) -> None:
        header = response.header
        create_future = asyncio.get_running_loop().create_future

        def done(kv: KeyValue) -> asyncio.Future[tuple[bytes, KVMetadata]]:
            meta = BareKVMetadata()
            meta._kv = kv
            meta._header = header
            future: asyncio.Future[tuple[bytes, KVMetadata]] = create_future()
            future.set_result((kv.value, meta))
            return future

        self._futures = map(done, response.kvs)

    def __aiter__(self) -> _FutureResults:
        return self

    def __anext__(self) -> asyncio.Future[tuple[bytes, KVMetadata]]:
        future = next(self._futures, None)
        if future is None:
            raise StopAsyncIteration
        return future


@cache
def _loop() -> asyncio.AbstractEventLoop:
    return asyncio.new_event_loop()


def _async_drop_in(
    results: Callable[[RangeResponse], AsyncIterator[tuple[bytes, KVMetadata]]],
) -> Callable[[RangeResponse], int]:
    async def read(response: RangeResponse) -> int:
        size = 0
        async for value, _meta in results(response):
            size += len(value)
        return size

    def run(response: RangeResponse) -> int:
        return _loop().run_until_complete(read(response))

    return run


DESIGNS: dict[str, Callable[[RangeResponse], int]] = {
    "raw": _raw,
    "one object per key": read_through_views,
    "RangeResult": _range_result,
    "results generator": _drop_in(_results),
    "tuple views": _tuple_views,
    "tuple views, drop-in": _tuple_drop_in,
    "views by object.__new__": _drop_in(_new_results),
    "asyncio: async generator": _async_drop_in(_async_results),
    "asyncio: completed futures": _async_drop_in(_FutureResults),
}


def measure(response: RangeResponse, loops: int, repeat: int) -> dict[str, float]:
    """Nanoseconds per key of each design (best of ``repeat`` timings of ``loops`` passes)."""
    expected = _raw(response)
    keys = len(response.kvs)
    per_key: dict[str, float] = {}
    for name, read in DESIGNS.items():
        if read(response) != expected:
            raise RuntimeError(f"{name} read other values than raw")
        best = min(timeit.repeat(partial(read, response), number=loops, repeat=repeat))
        per_key[name] = best / loops / keys * 1e9
    return per_key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.iteration",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--loops", type=int, default=20, help="passes per timing")
    parser.add_argument("--repeat", type=int, default=9, help="timings; the best is kept")
    args = parser.parse_args(argv)
    per_key = measure(make_response(args.keys), args.loops, args.repeat)
    raw = per_key["raw"]
    print(f"{args.keys:,} keys, best of {args.repeat} x {args.loops} passes")
    for name, ns in per_key.items():
        print(f"{name:<28} {ns:7.1f} ns per key  {ns / raw:5.2f}x raw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
