"""Bulk export with paging: dump a prefix to JSON lines, one consistent snapshot, low memory.

``get_prefix_paged_response`` reads the prefix page by page (one Range call of ``page_size``
keys each), every page at the revision of the first one: the export is a snapshot of one
moment even while others write, and only one page is held in memory at a time.

Each output line is ``{"key": ..., "value": ..., "mod_revision": ..., "lease": ...}``; keys
and values are text when they are UTF-8, else ``{"base64": ...}``.

Run: ``python examples/bulk_export.py [host:port] [--prefix P] [--page-size N] [--out FILE]``
(no endpoint: an embedded etcd, filled with sample keys first).
"""

from __future__ import annotations

import argparse
import base64
import json
from collections.abc import Sequence
from typing import Protocol

from _embedded import connect, endpoint_argument

import etcd3

JsonBytes = str | dict[str, str]


class Writable(Protocol):
    """Where lines go: a text file, ``sys.stdout``, or anything with ``write(str)``."""

    def write(self, text: str, /) -> int: ...


def _text(data: bytes) -> JsonBytes:
    try:
        return data.decode()
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def export(
    client: etcd3.Etcd3Client, prefix: bytes, out: Writable, page_size: int = 1000
) -> tuple[int, int, int]:
    """Write every key under ``prefix`` to ``out`` as JSON lines.

    Returns:
        ``(keys, pages, revision)``: what was written, in how many pages, at which revision.
    """
    keys = pages = revision = 0
    for page in client.get_prefix_paged_response(prefix, page_size=page_size):
        pages += 1
        revision = revision or page.header.revision
        for kv in page.kvs:
            record = {
                "key": _text(kv.key),
                "value": _text(kv.value),
                "mod_revision": kv.mod_revision,
                "lease": kv.lease,
            }
            out.write(json.dumps(record) + "\n")
            keys += 1
    return keys, pages, revision


def main(argv: Sequence[str] | None = None) -> None:
    """Export a prefix (sample data on the embedded etcd) and report what was written."""
    parser = argparse.ArgumentParser(description=__doc__)
    endpoint_argument(parser)
    parser.add_argument("--prefix", default="/inventory/", help="key prefix to export")
    parser.add_argument("--page-size", type=int, default=100, help="keys per Range call")
    parser.add_argument("--out", default=None, help="output file (default: a summary only)")
    args = parser.parse_args(argv)
    prefix = args.prefix.encode()
    with connect(args.endpoint) as (client, server):
        if server is not None:
            for i in range(1050):
                client.put(prefix + b"item-%04d" % i, json.dumps({"id": i, "qty": i % 7}))
            client.put(prefix + b"binary", b"\xff\x00raw")
        if args.out is None:
            sink = _Counter()
            keys, pages, revision = export(client, prefix, sink, args.page_size)
            print(f"first line: {sink.first}")
        else:
            with open(args.out, "w", encoding="utf-8") as out:
                keys, pages, revision = export(client, prefix, out, args.page_size)
        print(f"exported {keys} keys in {pages} pages at revision {revision}")


class _Counter:
    """A sink keeping only the first line (for the summary-only run)."""

    first: str | None = None

    def write(self, line: str) -> int:
        if self.first is None:
            self.first = line.rstrip("\n")
        return len(line)


if __name__ == "__main__":
    main()
