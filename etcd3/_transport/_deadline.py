"""A call's deadline: what grpc is given, and the answer that comes too late.

A caller turns the ``timeout`` of a call (:data:`~etcd3._runtime.Timeout`) into grpc's
``timeout=`` with :func:`resolve_timeout`, and holds the call to it when the answer arrives with
:func:`late_answer`: grpc lets an answer that lands close to the deadline beat its own deadline
timer (on loopback, a call with a deadline of a microsecond succeeds), and a deadline promises
that the call is over by then, answered or not.
"""

from __future__ import annotations

import grpc
from google.protobuf.message import Message

from etcd3._runtime import DEFAULT_TIMEOUT, MethodInfo, Timeout
from etcd3.errors import ConnectionTimeoutError

__all__ = ["late_answer", "resolve_timeout"]


def resolve_timeout(
    timeout: Timeout, default: float | None, method: str | None = None
) -> float | None:
    """Turn a per-call ``timeout`` into grpc's ``timeout=`` (seconds from now, or ``None``).

    Args:
        timeout: :data:`~etcd3._runtime.DEFAULT_TIMEOUT` (use ``default``), ``None`` (no
            deadline) or seconds.
        default: The deadline :data:`~etcd3._runtime.DEFAULT_TIMEOUT` stands for: the client's
            default for unary calls, ``None`` for streams.
        method: The gRPC path, for the error message.

    Returns:
        The deadline in seconds, or ``None`` for none.

    Raises:
        ConnectionTimeoutError: ``timeout`` (or the ``default`` it stands for) is 0: the
            deadline has expired before the call.
        ValueError: ``timeout`` is negative or not a number.
    """
    if timeout is DEFAULT_TIMEOUT:
        if default != 0:
            return default
        # A default of 0 expires as surely as an explicit 0: handed to grpc, a fast answer
        # could beat grpc's deadline timer and the call would succeed.
        timeout = default
    if timeout is None:
        return None
    if timeout > 0:
        return timeout
    if timeout == 0:
        raise ConnectionTimeoutError(
            "deadline of 0 s expired before the call was sent",
            code=grpc.StatusCode.DEADLINE_EXCEEDED,
            method=method,
            retryable=False,  # the same deadline expires again
            outcome_unknown=False,  # nothing was sent
        )
    raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout!r}")


def late_answer(method: MethodInfo[Message, Message]) -> ConnectionTimeoutError:
    """The error for an answer that arrived after the call's deadline.

    The request reached etcd: a call that changes state has an unknown outcome (it may well
    have applied), exactly as when grpc's own deadline timer wins.

    Args:
        method: The call's method.
    """
    return ConnectionTimeoutError(
        "the answer came after the call's deadline",
        method=method.path,
        retry_safe=method.retry_safe,
    )
