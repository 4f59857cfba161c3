"""The answer that comes after its call's deadline.

A caller turns the ``timeout`` of a call into grpc's ``timeout=`` with
``etcd3._timeouts.rpc_timeout``, and holds the call to it when the answer arrives with
``late_answer``: grpc lets an answer that lands close to the deadline beat its own deadline
timer (on loopback, a call with a deadline of a microsecond succeeds), and a deadline promises
that the call is over by then, answered or not.
"""

from __future__ import annotations

from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
from etcd3.errors import ConnectionTimeoutError

__all__ = ["late_answer"]


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
