"""Sans-IO argument checks and conversions shared by the sync and asyncio clients.

Everything here raises ``TypeError``/``ValueError`` at the call site, before any request is
built or sent (API.md §2: bad input never reaches the server, never hangs).
"""

from __future__ import annotations

import math

from etcd3._runtime import DEFAULT_TIMEOUT, Timeout

__all__ = ["KeyLike", "deadline", "key_bytes", "range_end_for_key", "to_bytes"]

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
