"""Timeouts and deadlines (sans-IO): what a caller passed, turned into the one deadline of a call.

Two words, one meaning each, everywhere in the client:

- a **timeout** is a duration in seconds (what callers pass: ``timeout=``,
  ``timeout_override=``); ``None`` for a timeout means "none", except where the client's
  default stands in (below);
- a **deadline** is an instant on the ``time.monotonic()`` clock by which something must end;
  ``None`` for a deadline means "never".

The rule users see (``docs/guide/errors.md``, section "Timeouts"):

- ``Etcd3Client(timeout=...)`` is the default timeout of every call (``None``: no deadline);
- ``timeout_override=None`` on a call means that default; a number of seconds is this call's
  timeout instead; ``0`` has expired before anything is sent (``ConnectionTimeoutError``);
  ``math.inf`` means no deadline for this call, whatever the client's default;
- waits that take a ``timeout`` of their own (``Lock.acquire``, ``watch_once``,
  ``Lease.wait_lost``, ...) wait forever with ``None`` or ``math.inf``;
- the generated layer (``client.rpc.kv.range(..., timeout=...)``) takes
  [`DEFAULT_TIMEOUT`][etcd3.DEFAULT_TIMEOUT] for the client's default and ``None`` (or
  ``math.inf``) for no deadline;
- a negative or NaN timeout is a ``ValueError``, anything but a number (or ``None``) a
  ``TypeError``, raised before any request is built.

Each public call turns its arguments into one timeout with ``call_timeout``, once. A call
made of one RPC (or one stream) hands that timeout to the generated layer, where the transport
turns it into the deadline its retries share. A call made of several RPCs (``status()``, a
lock's wait) takes its deadline with ``deadline_after`` and gives each RPC the
``time_left`` (``request_timeout`` where a wait's own timeout bounds RPCs that otherwise have
the client's), so the timeout bounds the whole call.
"""

from __future__ import annotations

import math
import threading
import time

import grpc

from etcd3._runtime import DEFAULT_TIMEOUT, Timeout
from etcd3.errors import ConnectionTimeoutError

__all__ = [
    "call_timeout",
    "deadline_after",
    "request_timeout",
    "rpc_timeout",
    "time_left",
    "timeout_arg",
]


def timeout_arg(timeout: object, what: str = "timeout") -> float | None:
    """A timeout in seconds as given: ``None`` or ``math.inf`` for none, else a number >= 0.

    A finite timeout longer than the platform can wait (``threading.TIMEOUT_MAX``, about 292
    years) is none too.

    Args:
        timeout: What the caller passed.
        what: The parameter's name, for the error message.

    Returns:
        The timeout as a ``float``, or ``None`` for none.

    Raises:
        TypeError: Neither ``None`` nor a number (``bool`` is refused).
        ValueError: A negative or NaN number.
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"{what} must be a number of seconds or None, not {type(timeout).__name__}")
    if math.isnan(timeout) or timeout < 0:
        raise ValueError(f"{what} must be >= 0 seconds or None, got {timeout!r}")
    if timeout > threading.TIMEOUT_MAX:
        # Longer than any wait the platform can time (about 292 years): no limit, as inf.
        return None
    return float(timeout)


def call_timeout(timeout_override: object, default: float | None) -> float | None:
    """The timeout of one public call: ``timeout_override``, or the client's ``default``.

    Args:
        timeout_override: What the caller passed: ``None`` for ``default``, seconds (``0``
            included: already expired), or ``math.inf`` for no deadline.
        default: The client's timeout (``None``: no deadline).

    Returns:
        Seconds, or ``None`` for no deadline.

    Raises:
        TypeError: ``timeout_override`` is neither ``None`` nor a number.
        ValueError: ``timeout_override`` is negative or NaN.
    """
    if timeout_override is None:
        return default
    return timeout_arg(timeout_override, "timeout_override")


def rpc_timeout(timeout: Timeout, default: float | None, method: str | None = None) -> float | None:
    """The timeout of one RPC of the generated layer, as grpc's ``timeout=`` takes it.

    Args:
        timeout: [`DEFAULT_TIMEOUT`][etcd3.DEFAULT_TIMEOUT] (use ``default``), ``None`` or
            ``math.inf`` (no deadline), or seconds.
        default: What [`DEFAULT_TIMEOUT`][etcd3.DEFAULT_TIMEOUT] stands for: the client's timeout
            for unary calls, ``None`` for streams.
        method: The gRPC path, for the error.

    Returns:
        Seconds (> 0), or ``None`` for no deadline.

    Raises:
        ConnectionTimeoutError: The timeout (or the ``default`` it stands for) is ``0``: the
            deadline has passed before the call was sent (nothing was sent, so the error is
            neither retryable nor of unknown outcome). Handed to grpc, a fast answer could
            beat grpc's own deadline timer and the call would succeed.
        TypeError: ``timeout`` is not a number.
        ValueError: ``timeout`` is negative or NaN.
    """
    seconds = timeout_arg(default if timeout is DEFAULT_TIMEOUT else timeout)
    if seconds == 0:
        raise ConnectionTimeoutError(
            "deadline of 0 s expired before the call was sent",
            code=grpc.StatusCode.DEADLINE_EXCEEDED,
            method=method,
            retryable=False,  # the same deadline expires again
            outcome_unknown=False,  # nothing was sent
        )
    return seconds


def deadline_after(timeout: float | None) -> float | None:
    """The deadline ``timeout`` seconds from now (``None``: no deadline).

    Args:
        timeout: Seconds, or ``None`` for none.

    Returns:
        A ``time.monotonic()`` instant, or ``None``.
    """
    return None if timeout is None else time.monotonic() + timeout


def time_left(deadline: float | None) -> float | None:
    """The timeout left until ``deadline``: never negative, ``None`` for no deadline.

    Args:
        deadline: A ``time.monotonic()`` instant, or ``None``.

    Returns:
        Seconds (``0.0`` once the deadline has passed), or ``None``.
    """
    if deadline is None:
        return None
    return max(0.0, deadline - time.monotonic())


def request_timeout(deadline: float | None, default: float | None) -> float | None:
    """The timeout of one RPC of a wait that ends at ``deadline``: the client's ``default``,
    or what is left of the wait when that is shorter.

    Args:
        deadline: The wait's ``time.monotonic()`` deadline, or ``None`` for none.
        default: The client's timeout (``None``: no deadline).

    Returns:
        Seconds (``0.0`` once the deadline has passed), or ``None`` for no deadline.
    """
    left = time_left(deadline)
    if left is None:
        return default
    return left if default is None else min(left, default)
