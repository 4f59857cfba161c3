"""A call's deadline: the timeout grpc is given, and the error for an answer that came late."""

from __future__ import annotations

import math

import grpc
import pytest

from etcd3._runtime import DEFAULT_TIMEOUT
from etcd3._transport import resolve_timeout
from etcd3._transport._deadline import late_answer
from etcd3.errors import ConnectionTimeoutError
from etcd3.rpc.methods import KV_PUT, KV_RANGE


def test_default_timeout_means_the_given_default() -> None:
    assert resolve_timeout(DEFAULT_TIMEOUT, 7.5) == 7.5
    assert resolve_timeout(DEFAULT_TIMEOUT, None) is None


def test_none_means_no_deadline_even_with_a_default() -> None:
    assert resolve_timeout(None, 7.5) is None


def test_numbers_are_deadlines() -> None:
    assert resolve_timeout(3, None) == 3
    assert resolve_timeout(0.25, 10.0) == 0.25


def test_zero_has_already_expired() -> None:
    with pytest.raises(ConnectionTimeoutError) as info:
        resolve_timeout(0, 10.0, "/etcdserverpb.KV/Range")
    assert info.value.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert info.value.method == "/etcdserverpb.KV/Range"
    assert not info.value.retryable


def test_a_default_of_zero_has_already_expired_too() -> None:
    # Not left to grpc: a fast answer can beat its deadline timer (the call then succeeds).
    with pytest.raises(ConnectionTimeoutError) as info:
        resolve_timeout(DEFAULT_TIMEOUT, 0.0, "/etcdserverpb.KV/Range")
    assert info.value.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert info.value.method == "/etcdserverpb.KV/Range"


@pytest.mark.parametrize("bad", [-1, -0.001, math.nan])
def test_negative_or_nan_is_a_value_error(bad: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        resolve_timeout(bad, None)


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
