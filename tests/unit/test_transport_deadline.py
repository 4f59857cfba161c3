"""The error for an answer that came after its call's deadline (the timeout grpc is given is
``etcd3._timeouts.rpc_timeout``, tested with that module)."""

from __future__ import annotations

import grpc

from etcd3._transport._deadline import late_answer
from etcd3.errors import ConnectionTimeoutError
from etcd3.rpc.methods import KV_PUT, KV_RANGE


def test_a_late_answer_to_a_write_has_an_unknown_outcome() -> None:
    err = late_answer(KV_PUT)
    assert isinstance(err, ConnectionTimeoutError)
    assert err.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert err.method == KV_PUT.path
    assert err.outcome_unknown  # the put reached etcd: it may well have applied
    assert not err.retryable


def test_a_late_answer_to_a_read_is_safe_to_repeat() -> None:
    err = late_answer(KV_RANGE)
    assert not err.outcome_unknown
    assert err.retryable
