"""Sans-IO argument checks and conversions shared by the sync and asyncio clients.

Everything here raises ``TypeError``/``ValueError`` at the call site, before any request is
built or sent (API.md §2: bad input never reaches the server, never hangs).
"""

from __future__ import annotations

import math
from typing import Protocol, TypeAlias, TypeVar

from etcd3._runtime import DEFAULT_TIMEOUT, Timeout
from etcd3.rpc.etcdserverpb import RangeRequest, SortOrder, SortTarget

__all__ = [
    "KeyLike",
    "RangeSortOrder",
    "RangeSortTarget",
    "SortOrderLike",
    "SortTargetLike",
    "SupportsLeaseId",
    "credentials",
    "deadline",
    "flag",
    "key_bytes",
    "lease_id",
    "limit_arg",
    "positive_int",
    "range_bound",
    "range_end_for_key",
    "range_request",
    "revision_arg",
    "single_key_request",
    "sort_order_arg",
    "sort_target_arg",
    "to_bytes",
]

RangeSortOrder: TypeAlias = SortOrder
"""The order of a range's results (``etcdserverpb.RangeRequest.SortOrder``)."""

RangeSortTarget: TypeAlias = SortTarget
"""What a range's results are sorted by (``etcdserverpb.RangeRequest.SortTarget``)."""

SortOrderLike: TypeAlias = str | SortOrder | None
"""``None`` (no sorting), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"`` or a ``SortOrder``."""

SortTargetLike: TypeAlias = str | SortTarget | None
"""``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"`` or a ``SortTarget``."""

_SORT_ORDERS: dict[str, SortOrder] = {
    "asc": SortOrder.ASCEND,
    "ascend": SortOrder.ASCEND,
    "desc": SortOrder.DESCEND,
    "descend": SortOrder.DESCEND,
}
_SORT_TARGETS: dict[str, SortTarget] = {
    "key": SortTarget.KEY,
    "value": SortTarget.VALUE,
    "version": SortTarget.VERSION,
    "create": SortTarget.CREATE,
    "mod": SortTarget.MOD,
}

_INT64_MAX = (1 << 63) - 1

KeyLike = str | bytes
"""A key or value: ``str`` is UTF-8 encoded, ``bytes`` is sent as is."""


def to_bytes(value: object, what: str = "value") -> bytes:
    """``value`` as bytes (``str`` UTF-8 encoded); ``TypeError`` for anything else."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def key_bytes(key: object, what: str = "key") -> bytes:
    """A single key as bytes; an empty key is a ``ValueError`` (etcd would reject it)."""
    data = to_bytes(key, what)
    if not data:
        raise ValueError(f"{what} must not be empty")
    return data


def range_end_for_key(key: KeyLike) -> bytes:
    """The range end that selects every key with prefix ``key``.

    Trailing ``0xFF`` bytes are dropped, then the last byte is incremented (``a`` -> ``b``,
    ``a\\xff`` -> ``b``). An empty or all-``0xFF`` prefix has no upper bound: ``b"\\0"``, which
    etcd reads as "to the end of the keyspace".
    """
    data = to_bytes(key, "key prefix").rstrip(b"\xff")
    if not data:
        return b"\0"
    return data[:-1] + bytes([data[-1] + 1])


def deadline(timeout_override: float | None) -> Timeout:
    """Map a friendly ``timeout_override`` onto the generated layer's ``timeout``.

    ``None`` means the client's default; a number (``0`` included: an expired deadline) is
    this call's deadline in seconds. Negative, NaN and non-numbers are refused here.
    """
    if timeout_override is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout_override, bool) or not isinstance(timeout_override, (int, float)):
        raise TypeError(
            f"timeout_override must be a number of seconds or None, "
            f"not {type(timeout_override).__name__}"
        )
    if math.isnan(timeout_override) or timeout_override < 0:
        raise ValueError(f"timeout_override must be >= 0 seconds, got {timeout_override!r}")
    return float(timeout_override)


class SupportsLeaseId(Protocol):
    """Anything with a lease ``id`` (the client's ``Lease``), accepted where a lease is."""

    @property
    def id(self) -> int:
        """The lease id."""
        ...


def lease_id(lease: int | SupportsLeaseId | None) -> int:
    """The lease id to send: ``0`` (no lease) for ``None``, an ``int`` as is, else ``lease.id``.

    Raises:
        TypeError: Neither ``None``, an ``int`` nor an object with an ``int`` ``id``.
        ValueError: A negative id, or one beyond int64.
    """
    if lease is None:
        return 0
    value = lease if isinstance(lease, int) else getattr(lease, "id", None)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"lease must be an int lease id, a Lease or None, not {type(lease).__name__}"
        )
    if not 0 <= value <= _INT64_MAX:
        raise ValueError(f"lease id must be in 0..2**63-1, got {value}")
    return value


def flag(value: object, what: str) -> bool:
    """A boolean option; anything but ``True``/``False`` is a ``TypeError``."""
    if value is True or value is False:
        return value
    raise TypeError(f"{what} must be a bool, not {type(value).__name__}")


def _int(value: object, what: str) -> int:
    if type(value) is int:
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = int(value)
    else:
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if number > _INT64_MAX:
        raise ValueError(f"{what} must be at most 2**63-1, got {number}")
    return number


def positive_int(value: object, what: str) -> int:
    """An ``int`` > 0 (``TypeError`` for another type, ``ValueError`` if <= 0)."""
    number = _int(value, what)
    if number <= 0:
        raise ValueError(f"{what} must be > 0, got {number}")
    return number


def revision_arg(revision: object, what: str = "revision") -> int:
    """A read revision: ``<= 0`` means the latest (sent as ``0``)."""
    number = _int(revision, what)
    return number if number > 0 else 0


def limit_arg(limit: object) -> int:
    """A range limit: ``<= 0`` means no limit (sent as ``0``)."""
    number = _int(limit, "limit")
    return number if number > 0 else 0


def _filter_revision(value: object, what: str) -> int:
    number = _int(value, what)
    if number < 0:
        raise ValueError(f"{what} must be >= 0 (0: no filter), got {number}")
    return number


E = TypeVar("E", SortOrder, SortTarget)


def _named_enum(value: object, what: str, kind: type[E], default: E, names: dict[str, E]) -> E:
    if value is None:
        return default
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        found = names.get(value)
        if found is not None:
            return found
        choices = ", ".join(repr(name) for name in names)
        raise ValueError(f"{what} must be None or one of {choices}, got {value!r}")
    raise TypeError(f"{what} must be a str, {kind.__name__} or None, not {type(value).__name__}")


def sort_order_arg(sort_order: object) -> SortOrder:
    """``None`` or a sort order name (``"asc"``, ``"ascend"``, ``"desc"``, ``"descend"``)."""
    return _named_enum(sort_order, "sort_order", SortOrder, SortOrder.NONE, _SORT_ORDERS)


def sort_target_arg(sort_target: object) -> SortTarget:
    """``None`` (by key) or a sort target name (``"key"``, ``"value"``, ``"version"``, ...)."""
    return _named_enum(sort_target, "sort_target", SortTarget, SortTarget.KEY, _SORT_TARGETS)


def range_bound(range_end: object, what: str = "range_end") -> bytes:
    """An explicit range end; empty is refused (``b"\\0"`` means "no upper bound")."""
    data = to_bytes(range_end, what)
    if not data:
        raise ValueError(f'{what} must not be empty (b"\\0" means no upper bound)')
    return data


def single_key_request(key: object, serializable: object, revision: object) -> RangeRequest:
    """The ``RangeRequest`` that reads one key (the hot path: defaults skip the checks)."""
    data = key_bytes(key)
    if serializable is False and revision == 0 and type(revision) is int:
        return RangeRequest(key=data)
    return RangeRequest(
        key=data,
        serializable=flag(serializable, "serializable"),
        revision=revision_arg(revision),
    )


def range_request(
    key: bytes,
    range_end: bytes,
    keys_only: object = False,
    sort_order: object = None,
    sort_target: object = None,
    limit: object = 0,
    serializable: object = False,
    revision: object = 0,
    *,
    count_only: object = False,
    min_mod_revision: object = 0,
    max_mod_revision: object = 0,
    min_create_revision: object = 0,
    max_create_revision: object = 0,
) -> RangeRequest:
    """A checked ``RangeRequest`` over ``[key, range_end)`` from the friendly read options.

    ``key`` and ``range_end`` are already bytes; every other option is checked here
    (``TypeError`` for a wrong type, ``ValueError`` for a bad value or a negative filter).
    """
    return RangeRequest(
        key=key,
        range_end=range_end,
        limit=limit_arg(limit),
        revision=revision_arg(revision),
        sort_order=sort_order_arg(sort_order),
        sort_target=sort_target_arg(sort_target),
        serializable=flag(serializable, "serializable"),
        keys_only=flag(keys_only, "keys_only"),
        count_only=flag(count_only, "count_only"),
        min_mod_revision=_filter_revision(min_mod_revision, "min_mod_revision"),
        max_mod_revision=_filter_revision(max_mod_revision, "max_mod_revision"),
        min_create_revision=_filter_revision(min_create_revision, "min_create_revision"),
        max_create_revision=_filter_revision(max_create_revision, "max_create_revision"),
    )


def credentials(user: object, password: object) -> tuple[str, str] | None:
    """``(user, password)``, or ``None`` when neither is given.

    Raises:
        ValueError: Only one of them is given.
        TypeError: A value that is not a ``str``.
    """
    if user is None and password is None:
        return None
    if user is None or password is None:
        raise ValueError("user and password go together: pass both or neither")
    if not isinstance(user, str) or not isinstance(password, str):
        raise TypeError("user and password must be str")
    return user, password
