"""The checked operation messages every transaction API shares, and their refusals."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from etcd3._transactions.messages import (
    delete_op,
    int_operand,
    optional_bytes,
    put_op,
    range_op,
    strict_int,
    value_operand,
)
from etcd3.rpc.etcdserverpb import DeleteRangeRequest, PutRequest, RangeRequest, RequestOp


def test_operations_default_to_the_plain_request() -> None:
    assert put_op("k", "v", None) == RequestOp(request_put=PutRequest(key=b"k", value=b"v"))
    assert range_op("k") == RequestOp(request_range=RangeRequest(key=b"k"))
    assert delete_op("k") == RequestOp(request_delete_range=DeleteRangeRequest(key=b"k"))
    assert optional_bytes(None, "range_end") == b""
    assert optional_bytes("e", "range_end") == b"e"


def test_operations_carry_every_option() -> None:
    put = put_op(b"k", b"v", 7, True)
    assert put == RequestOp(request_put=PutRequest(key=b"k", value=b"v", lease=7, prev_kv=True))
    delete = delete_op(b"a", b"b", True)
    assert delete == RequestOp(
        request_delete_range=DeleteRangeRequest(key=b"a", range_end=b"b", prev_kv=True)
    )
    read = range_op(b"a", b"b", keys_only=True, limit=1, revision=1)
    assert read == RequestOp(
        request_range=RangeRequest(key=b"a", range_end=b"b", keys_only=True, limit=1, revision=1)
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: put_op("k", 1, None), TypeError, "value must be str or bytes, not int"),  # type: ignore[arg-type]
        (
            lambda: put_op("k", 1, None, what="new_value"),  # type: ignore[arg-type]
            TypeError,
            "new_value must be str or bytes, not int",
        ),
        (lambda: put_op("k", "v", None, 1), TypeError, "prev_kv must be a bool, not int"),  # type: ignore[arg-type]
        (lambda: range_op("k", 1), TypeError, "range_end must be str or bytes, not int"),  # type: ignore[arg-type]
        (lambda: range_op("k", keys_only=1), TypeError, "keys_only must be a bool, not int"),  # type: ignore[arg-type]
        (lambda: delete_op("k", 1), TypeError, "range_end must be str or bytes, not int"),  # type: ignore[arg-type]
        (lambda: delete_op("k", None, 1), TypeError, "prev_kv must be a bool, not int"),  # type: ignore[arg-type]
        (lambda: optional_bytes(1, "end"), TypeError, "end must be str or bytes, not int"),  # type: ignore[arg-type]
        (lambda: value_operand(1, "value"), ValueError, "value must be str or bytes, got 1"),
        (
            lambda: int_operand("x", "version"),
            ValueError,
            "version must be an int (or a str of one), got 'x'",
        ),
        (lambda: strict_int(True, "version"), ValueError, "version must be an int, got True"),
    ],
)
def test_refusals_name_the_argument(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=rf"\A{re.escape(message)}\Z"):
        call()
