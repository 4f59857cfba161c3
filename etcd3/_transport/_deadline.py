"""The answer, or the failure, that comes after its call's deadline.

A caller turns the ``timeout`` of a call into grpc's ``timeout=`` with
``etcd3._timeouts.rpc_timeout``, and holds the call to it when the answer arrives with
``late_answer``: grpc lets an answer that lands close to the deadline beat its own deadline
timer (on loopback, a call with a deadline of a microsecond succeeds), and a deadline promises
that the call is over by then, answered or not. A failure that ends the call is checked the
same way with ``final_error``: etcd's own end of the call can win the same race.
"""

from __future__ import annotations

from collections.abc import Collection

import grpc
from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
from etcd3.errors import (
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    RequestCancelledError,
    RequestTimedOutError,
)

__all__ = ["expired_unsent", "final_error", "late_answer", "left_after"]


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


def expired_unsent(method: MethodInfo[Message, Message], during: str) -> ConnectionTimeoutError:
    """The error for a call whose deadline passed before its next attempt was sent.

    Nothing of that attempt reached etcd, so the error is neither retryable (the same deadline
    has passed) nor of unknown outcome on that account.

    Args:
        method: The call's method.
        during: What used up the time (``"while the token was renewed"``).
    """
    return ConnectionTimeoutError(
        f"the call's deadline passed {during}",
        code=grpc.StatusCode.DEADLINE_EXCEEDED,
        method=method.path,
        retryable=False,
        outcome_unknown=False,
    )


def left_after(
    method: MethodInfo[Message, Message], deadline: float | None, spent: float, during: str
) -> float | None:
    """What is left of a call's ``deadline`` after ``spent`` seconds on work before it (a
    login, an endpoint refresh).

    Args:
        method: The call's method.
        deadline: The call's deadline in seconds (``None``: none).
        spent: Seconds the work took.
        during: What the work was (``"while the client logged in"``).

    Raises:
        ConnectionTimeoutError: Nothing is left (``expired_unsent``): the call is not sent.
    """
    if deadline is None:
        return None
    left = deadline - spent
    if left <= 0:
        raise expired_unsent(method, during)
    return left


def final_error(
    error: EtcdError,
    method: MethodInfo[Message, Message],
    remaining: float | None,
    timeout: float | None = None,
    attempts: int = 1,
    tried: Collection[str] = (),
) -> EtcdError:
    """The error a call (or stream) raises when it failed with ``error``.

    etcd learns a call's deadline from grpc and ends the call itself when it passes: with
    "request timed out" (``RequestTimedOutError``) for a request waiting for its commit, or by
    resetting the call (``RequestCancelledError``). Either can beat grpc's own deadline timer
    on the client. Past the call's deadline it is the deadline that ended the call, so the
    caller gets the deadline's ``ConnectionTimeoutError`` (etcd's error as its cause), as when
    grpc's timer wins. Any other error, or one before the deadline, is ``error`` itself.

    grpc's own text for its deadline ("Deadline Exceeded") names neither the call nor its
    timeout: a ``ConnectionTimeoutError`` that carries only that text gets both in its
    message (``details`` keeps grpc's text). grpc's text for a failed connection names the
    last endpoint tried: a ``ConnectionFailedError`` after several endpoints failed names
    them all. Either is added once, however often the error passes through here.

    Args:
        error: The failure's mapped error.
        method: The call's method.
        remaining: Seconds left until the call's deadline (``None``: none; negative: past).
        timeout: The call's whole timeout in seconds (``None``: unknown or none).
        attempts: How many attempts the call made.
        tried: The endpoints that failed during the call.
    """
    if len(tried) > 1 and type(error) is ConnectionFailedError:
        failed = f" (endpoints that failed: {', '.join(sorted(tried))})"
        if not str(error).endswith(failed):
            error.args = (f"{error}{failed}",)
    if type(error) is ConnectionTimeoutError and str(error) == _GRPC_DEADLINE:
        error.args = (_no_answer(error.details, method, remaining, timeout, attempts),)
        return error
    if remaining is None or remaining > 0 or not isinstance(error, _DEADLINE_ENDINGS):
        return error
    timeout_error = ConnectionTimeoutError(
        f"the call's deadline passed and etcd ended the call ({error})",
        method=method.path,
        retry_safe=method.retry_safe,
    )
    timeout_error.__cause__ = error
    return timeout_error


def _no_answer(
    details: str,
    method: MethodInfo[Message, Message],
    remaining: float | None,
    timeout: float | None,
    attempts: int,
) -> str:
    """The message of a call that timed out with grpc's ``details``."""
    if attempts > 1 and (remaining is None or remaining > 0):
        # Each attempt timed out on its own shorter deadline and the retries ran out first
        # (or the call has no deadline of its own, only its attempts do).
        within = f"to any of its {attempts} attempts, each within its own timeout"
    elif timeout is not None:
        # What is left of a longer wait can be 0.999991 s (shown as 1) or 0.0004 s.
        shown = f"{timeout:.3g}" if timeout < 1 else f"{round(timeout, 3):g}"
        within = f"within the call's timeout of {shown} s"
    else:
        within = "within its attempt's timeout"
    return f"{method.path}: no answer {within} ({details})"


_GRPC_DEADLINE = "Deadline Exceeded"
"""grpc's text for a call its deadline timer ended."""

_DEADLINE_ENDINGS = (RequestTimedOutError, RequestCancelledError)
"""What etcd ends a call with when its deadline passes on the server first."""
