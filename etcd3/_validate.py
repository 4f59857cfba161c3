"""Sans-IO argument checks and conversions shared by the sync and asyncio clients.

Everything here raises ``TypeError``/``ValueError`` at the call site, before any request is
built or sent (API.md §2: bad input never reaches the server, never hangs).
"""

from __future__ import annotations

import math
from typing import Protocol

from etcd3._runtime import DEFAULT_TIMEOUT, Timeout

__all__ = [
    "KeyLike",
    "SupportsLeaseId",
    "deadline",
    "key_bytes",
    "lease_id",
    "range_end_for_key",
    "to_bytes",
]

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
