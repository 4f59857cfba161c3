"""What the transaction APIs share: checked arguments turned into etcd messages, and back.

Each function checks the friendly arguments (``str``/``bytes`` keys, lease objects, sort names)
and builds the message with the generated facade of [`etcd3.rpc.txn`][etcd3.rpc.txn], so the legacy
operation objects, the builder and the recipes send identical messages for the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import SupportsIndex, SupportsInt, TypeAlias

from etcd3._validate import (
    KeyLike,
    SortOrderLike,
    SortTargetLike,
    SupportsLeaseId,
    flag,
    key_bytes,
    lease_id,
    limit_arg,
    revision_arg,
    sort_order_arg,
    sort_target_arg,
    to_bytes,
)
from etcd3._views import GetResult, metadata_view
from etcd3.rpc.etcdserverpb import Compare, RangeResponse, RequestOp, ResponseHeader
from etcd3.rpc.txn import op_delete_range, op_put, op_range

__all__ = [
    "CompareFactory",
    "delete_op",
    "get_result",
    "int_operand",
    "optional_bytes",
    "put_op",
    "range_op",
    "strict_int",
    "value_operand",
]

CompareFactory: TypeAlias = Callable[..., Compare]
"""One of the generated ``compare_*`` functions: ``(key, result, operand, *, range_end)``."""


def optional_bytes(value: KeyLike | None, what: str) -> bytes:
    """``value`` as bytes, ``b""`` (the field left unset) for ``None``."""
    return b"" if value is None else to_bytes(value, what)


def int_operand(value: object, what: str) -> int:
    """``int(value)`` for the operator compares, which take ``"0"`` as well as ``0``.

    Raises:
        ValueError: ``value`` is not an int nor a string of one.
    """
    if isinstance(value, (str, bytes, SupportsInt, SupportsIndex)):
        try:
            return int(value)
        except ValueError:
            pass
    raise ValueError(f"{what} must be an int (or a str of one), got {value!r}")


def strict_int(value: object, what: str) -> int:
    """An ``int`` operand of the builder's compares (``bool`` excluded).

    Raises:
        ValueError: ``value`` is not an int.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an int, got {value!r}")
    return value


def value_operand(value: object, what: str) -> bytes:
    """The operand of a value compare as bytes.

    Raises:
        ValueError: ``value`` is neither ``str`` nor ``bytes``.
    """
    if not isinstance(value, (str, bytes)):
        raise ValueError(f"{what} must be str or bytes, got {value!r}")
    return to_bytes(value, what)


def put_op(
    key: KeyLike,
    value: KeyLike,
    lease: int | SupportsLeaseId | None,
    prev_kv: bool = False,
    *,
    what: str = "value",
) -> RequestOp:
    """A checked put operation.

    Args:
        key: The key.
        value: The value.
        lease: A lease id or a ``Lease`` to attach to the key (``None``: none).
        prev_kv: Return the key's previous value in the result.
        what: The name of ``value`` in error messages.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key or an out-of-range lease id.
    """
    return op_put(
        key=key_bytes(key),
        value=to_bytes(value, what),
        lease=lease_id(lease),
        prev_kv=flag(prev_kv, "prev_kv"),
    )


def range_op(
    key: KeyLike,
    range_end: KeyLike | None = None,
    *,
    sort_order: SortOrderLike = None,
    sort_target: SortTargetLike = None,
    keys_only: bool = False,
    limit: int = 0,
    revision: int = 0,
) -> RequestOp:
    """A checked get (range read) operation; the options as ``OperationBuilder.get`` takes them.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key, an unknown sort option or an int beyond int64.
    """
    return op_range(
        key=key_bytes(key),
        range_end=optional_bytes(range_end, "range_end"),
        sort_order=sort_order_arg(sort_order),
        sort_target=sort_target_arg(sort_target),
        keys_only=flag(keys_only, "keys_only"),
        limit=limit_arg(limit),
        revision=revision_arg(revision),
    )


def delete_op(key: KeyLike, range_end: KeyLike | None = None, prev_kv: bool = False) -> RequestOp:
    """A checked delete operation.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key.
    """
    return op_delete_range(
        key=key_bytes(key),
        range_end=optional_bytes(range_end, "range_end"),
        prev_kv=flag(prev_kv, "prev_kv"),
    )


def get_result(response: RangeResponse, header: ResponseHeader) -> GetResult:
    """A range's keys as a ``GetResult``: ``(value, KVMetadata)`` per key.

    Args:
        response: The range response (a transaction's carries no header of its own).
        header: The header the metadata reports (the transaction's).

    Returns:
        One entry per key, in the response's order.
    """
    return [(kv.value, metadata_view(kv, header)) for kv in response.kvs]
