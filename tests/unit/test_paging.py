"""The paged-read cursor against an in-memory model of etcd's Range semantics.

The model answers a ``RangeRequest`` as etcd does for key-ordered reads: ``[key, range_end)``
with ``range_end == b"\\0"`` meaning "no upper bound", at most ``limit`` keys, ``more`` when
keys were left out. Every subset of a set of tricky keys is read at every page size.
"""

from __future__ import annotations

import itertools
import sys

import pytest

from etcd3._paging import PageCursor
from etcd3._validate import range_end_for_key
from etcd3.rpc.etcdserverpb import RangeRequest, RangeResponse, ResponseHeader
from etcd3.rpc.mvccpb import KeyValue

STORE_REVISION = 42

# Keys that are prefixes of others, keys ending in 0xFF, the smallest and largest keys.
TRICKY = [b"\0", b"a", b"a\0", b"a\0\0", b"a\x01", b"ab", b"a\xff", b"a\xff\xff", b"b", b"\xff"]


def model_range(store: list[bytes], request: RangeRequest) -> RangeResponse:
    """What etcd answers to a key-ordered, limited Range over ``store``."""
    assert request.key, "etcd refuses an empty key"
    if request.range_end == b"\0":
        matched = [k for k in sorted(store) if k >= request.key]
    else:
        matched = [k for k in sorted(store) if request.key <= k < request.range_end]
    page = matched[: request.limit] if request.limit > 0 else matched
    return RangeResponse(
        header=ResponseHeader(revision=STORE_REVISION),
        kvs=[KeyValue(key=k, value=b"v" + k, mod_revision=STORE_REVISION) for k in page],
        more=len(page) < len(matched),
        count=len(matched),
    )


def read_all(
    store: list[bytes], start: bytes, end: bytes, page_size: int, revision: int = 0
) -> tuple[list[bytes], list[RangeRequest]]:
    """Run a cursor to completion; return the keys read and the requests sent."""
    cursor = PageCursor(start, end, page_size=page_size, revision=revision)
    keys: list[bytes] = []
    sent: list[RangeRequest] = []
    request = cursor.request
    while request is not None:
        sent.append(request)
        assert len(sent) <= len(store) + 1, "the cursor does not terminate"
        response = model_range(store, request)
        keys.extend(kv.key for kv in response.kvs)
        request = cursor.advance(response)
    assert cursor.request is None
    return keys, sent


def subsets(keys: list[bytes]) -> list[list[bytes]]:
    return [list(c) for n in range(len(keys) + 1) for c in itertools.combinations(keys, n)]


@pytest.mark.parametrize("start", [b"\0", b"a", b"a\0", b"a\xff"])
def test_whole_ranges_every_subset_every_page_size(start: bytes) -> None:
    for store in subsets(TRICKY[:8]):
        expected = sorted(k for k in store if k >= start)
        for page_size in range(1, len(store) + 2):
            keys, sent = read_all(store, start, b"\0", page_size)
            assert keys == expected, (store, page_size)
            # Full pages, then one page holding the rest: never an extra round trip
            # beyond the one that finds `more` false.
            assert len(sent) == max(1, -(-len(expected) // page_size))


@pytest.mark.parametrize("prefix", [b"", b"a", b"a\0", b"a\xff", b"\xff"])
def test_prefix_reads_every_subset_every_page_size(prefix: bytes) -> None:
    start = prefix or b"\0"
    end = range_end_for_key(prefix)
    for store in subsets(TRICKY):
        if len(store) % 3:  # a third of the 1,024 subsets keeps the test quick
            continue
        expected = sorted(k for k in store if k.startswith(prefix))
        for page_size in range(1, len(store) + 2):
            keys, _ = read_all(store, start, end, page_size)
            assert keys == expected, (prefix, store, page_size)


def test_empty_prefix_is_whole_keyspace() -> None:
    keys, sent = read_all(TRICKY, b"\0", range_end_for_key(b""), 3)
    assert keys == sorted(TRICKY)
    assert [r.key for r in sent] == [b"\0", b"a\0\0", b"ab\0", b"b\0"]
    assert all(r.range_end == b"\0" for r in sent)


def test_next_page_starts_right_after_last_key() -> None:
    store = [b"k", b"k\0", b"k\xff", b"l"]
    _, sent = read_all(store, b"k", b"l\0", 1)
    assert [r.key for r in sent] == [b"k", b"k\0", b"k\0\0", b"k\xff\0"]


def test_first_page_revision_pins_the_rest() -> None:
    _, sent = read_all(TRICKY, b"\0", b"\0", 4)
    assert [r.revision for r in sent] == [0, STORE_REVISION, STORE_REVISION]


def test_given_revision_is_used_for_every_page() -> None:
    _, sent = read_all(TRICKY, b"\0", b"\0", 4, revision=7)
    assert [r.revision for r in sent] == [7, 7, 7]


@pytest.mark.parametrize("revision", [0, -5])
def test_non_positive_revision_means_pin_first_page(revision: int) -> None:
    cursor = PageCursor(b"a", b"b", page_size=1, revision=revision)
    assert cursor.revision == 0
    assert cursor.request is not None
    assert cursor.request.revision == 0
    cursor.advance(model_range([b"a", b"a1"], cursor.request))
    assert cursor.revision == STORE_REVISION


def test_requests_carry_the_options_unchanged() -> None:
    cursor = PageCursor(b"a", b"c", page_size=2, keys_only=True, serializable=True, revision=3)
    first = cursor.request
    assert first is not None
    second = cursor.advance(model_range([b"a", b"b", b"bb"], first))
    assert second is not None
    for request in (first, second):
        assert (request.range_end, request.limit, request.keys_only, request.serializable) == (
            b"c",
            2,
            True,
            True,
        )
        assert request.sort_order == 0
        assert request.sort_target == 0
        assert not request.count_only
    assert second.key == b"b\0"


def test_stops_when_more_is_false_even_on_a_full_page() -> None:
    cursor = PageCursor(b"a", b"\0", page_size=2)
    response = RangeResponse(kvs=[KeyValue(key=b"a"), KeyValue(key=b"b")], more=False)
    assert cursor.advance(response) is None
    assert cursor.request is None


def test_stops_on_an_empty_page_even_if_more() -> None:
    cursor = PageCursor(b"a", b"\0", page_size=2)
    assert cursor.advance(RangeResponse(more=True)) is None


def test_advance_after_the_end_is_an_error() -> None:
    cursor = PageCursor(b"a", b"\0", page_size=2)
    cursor.advance(RangeResponse())
    with pytest.raises(RuntimeError, match=r"^the paged read is already complete$"):
        cursor.advance(RangeResponse())


def test_defaults_read_pages_of_1000_keys_with_values_linearizably_pinning_the_first_page() -> None:
    assert PageCursor(b"a", b"b").request == RangeRequest(key=b"a", range_end=b"b", limit=1000)


@pytest.mark.parametrize("page_size", [0, -1, -1000])
def test_page_size_must_be_positive(page_size: int) -> None:
    with pytest.raises(ValueError, match=rf"^page_size must be > 0, got {page_size}$"):
        PageCursor(b"a", b"b", page_size=page_size)


@pytest.mark.parametrize("page_size", [True, 1.5, "10", None])
def test_page_size_must_be_an_int(page_size: object) -> None:
    with pytest.raises(TypeError, match=r"^page_size must be an int, not "):
        PageCursor(b"a", b"b", page_size=page_size)


@pytest.mark.parametrize(("start", "end"), [(b"", b"b"), (b"a", b""), (b"", b"")])
def test_empty_bounds_are_refused(start: bytes, end: bytes) -> None:
    with pytest.raises(ValueError, match=r"^a paged read needs a non-empty start and end$"):
        PageCursor(start, end)


@pytest.mark.parametrize(("option", "value"), [("keys_only", 1), ("serializable", "yes")])
def test_flags_must_be_bools(option: str, value: object) -> None:
    with pytest.raises(TypeError, match=rf"^{option} must be a bool, not {type(value).__name__}$"):
        PageCursor(b"a", b"b", **{option: value})


def test_the_cursor_keeps_no_reference_to_a_response() -> None:
    cursor = PageCursor(b"a", b"\0", page_size=1)
    assert cursor.request is not None
    response = model_range([b"a", b"b"], cursor.request)
    before = sys.getrefcount(response)
    cursor.advance(response)
    assert sys.getrefcount(response) == before
