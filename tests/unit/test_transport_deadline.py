"""The errors for an answer or a failure that came after its call's deadline (the timeout grpc
is given is ``etcd3._timeouts.rpc_timeout``, tested with that module)."""

from __future__ import annotations

import grpc
import pytest

from etcd3._transport._deadline import expired_unsent, final_error, late_answer, left_after
from etcd3.errors import (
    ConnectionFailedError,
    ConnectionTimeoutError,
    NoLeaderError,
    RequestCancelledError,
    RequestTimedOutError,
    error_from_status,
)
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


def test_a_deadline_that_passed_before_an_attempt_was_sent_leaves_a_write_known() -> None:
    err = expired_unsent(KV_PUT, "while the token was renewed")
    assert isinstance(err, ConnectionTimeoutError)
    assert err.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert err.method == KV_PUT.path
    assert "while the token was renewed" in str(err)
    assert not err.outcome_unknown  # the attempt was never sent
    assert not err.retryable  # the same deadline has passed


def test_etcds_own_timeout_after_the_deadline_is_the_deadlines_error() -> None:
    etcd = RequestTimedOutError("etcdserver: request timed out", method=KV_PUT.path)
    for remaining in (0.0, -0.5):
        err = final_error(etcd, KV_PUT, remaining)
        assert isinstance(err, ConnectionTimeoutError)
        assert err.__cause__ is etcd
        assert err.method == KV_PUT.path
        assert "request timed out" in str(err)
        assert err.outcome_unknown  # the put may well have applied
        assert not err.retryable
    read = final_error(RequestTimedOutError("etcdserver: request timed out"), KV_RANGE, -1.0)
    assert isinstance(read, ConnectionTimeoutError)
    assert not read.outcome_unknown


def test_a_call_etcd_reset_after_the_deadline_is_the_deadlines_error() -> None:
    # etcd resets a call (a stream too) whose deadline it saw pass: CANCELLED on the client.
    reset = RequestCancelledError("Stream removed (RST_STREAM with error code 8)")
    err = final_error(reset, KV_RANGE, -0.01)
    assert isinstance(err, ConnectionTimeoutError)
    assert err.__cause__ is reset
    assert final_error(reset, KV_RANGE, 1.0) is reset  # before the deadline: a cancellation


def test_other_failures_and_failures_before_the_deadline_stay_as_they_are() -> None:
    etcd = RequestTimedOutError("etcdserver: request timed out", method=KV_PUT.path)
    assert final_error(etcd, KV_PUT, None) is etcd  # no deadline
    assert final_error(etcd, KV_PUT, 0.25) is etcd  # etcd's own timeout, before ours
    other = NoLeaderError("etcdserver: no leader", method=KV_PUT.path)
    assert final_error(other, KV_PUT, -1.0) is other


def grpc_deadline(method: str) -> ConnectionTimeoutError:
    """What grpc's own deadline timer maps to: its text only."""
    err = error_from_status(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded", method=method)
    assert isinstance(err, ConnectionTimeoutError)
    return err


def test_grpcs_deadline_names_the_call_and_its_timeout() -> None:
    err = grpc_deadline(KV_PUT.path)
    final = final_error(err, KV_PUT, -0.001, 0.3)
    assert final is err
    assert str(final) == "/etcdserverpb.KV/Put: no answer within the call's timeout of 0.3 s " + (
        "(Deadline Exceeded)"
    )
    assert final.details == "Deadline Exceeded"  # grpc's text, without ours
    assert final.outcome_unknown
    again = str(final)
    assert str(final_error(final, KV_PUT, -0.002, 0.3)) == again  # named once


def test_a_read_without_a_deadline_whose_capped_attempts_timed_out_says_so() -> None:
    # The client has no timeout; each attempt of a retry-safe call has one (attempt_timeout).
    err = final_error(grpc_deadline(KV_RANGE.path), KV_RANGE, None, None, 5)
    assert str(err) == (
        "/etcdserverpb.KV/Range: no answer to any of its 5 attempts, each within its own "
        "timeout (Deadline Exceeded)"
    )
    one = final_error(grpc_deadline(KV_RANGE.path), KV_RANGE, None, None, 1)
    assert str(one) == (
        "/etcdserverpb.KV/Range: no answer within its attempt's timeout (Deadline Exceeded)"
    )


def test_a_read_whose_attempts_all_timed_out_says_so() -> None:
    # Each attempt of a retry-safe call is capped; the retries can run out with time left.
    err = final_error(grpc_deadline(KV_RANGE.path), KV_RANGE, 2.5, 10.0, 3)
    assert str(err) == (
        "/etcdserverpb.KV/Range: no answer to any of its 3 attempts, each within its own "
        "timeout (Deadline Exceeded)"
    )
    # One attempt: its deadline was the call's, whatever the clock says is left.
    one = final_error(grpc_deadline(KV_RANGE.path), KV_RANGE, 0.0001, 10.0, 1)
    assert "within the call's timeout of 10 s" in str(one)


def test_a_timeout_with_a_message_of_its_own_keeps_it() -> None:
    late = late_answer(KV_PUT)
    assert final_error(late, KV_PUT, -1.0, 5.0) is late
    assert str(late) == "the answer came after the call's deadline"


def test_a_connection_failure_after_several_endpoints_names_them_all() -> None:
    # grpc's text names the last endpoint only.
    details = "failed to connect to all addresses; last error: ipv4:127.0.0.1:2: refused"
    err = ConnectionFailedError(details)
    assert final_error(err, KV_RANGE, 1.0, 5.0, 3, {"127.0.0.1:2", "127.0.0.1:1"}) is err
    named = f"{details} (endpoints that failed: 127.0.0.1:1, 127.0.0.1:2)"
    assert str(err) == named
    assert err.details == details
    final_error(err, KV_RANGE, 1.0, 5.0, 3, {"127.0.0.1:2", "127.0.0.1:1"})
    assert str(err) == named  # named once
    one = ConnectionFailedError(details)
    assert str(final_error(one, KV_RANGE, 1.0, 5.0, 3, {"127.0.0.1:2"})) == details


def test_what_is_left_after_work_before_a_call() -> None:
    assert left_after(KV_RANGE, 2.0, 0.5, "while the client logged in") == 1.5
    assert left_after(KV_RANGE, None, 99.0, "while the client logged in") is None
    for spent in (2.0, 3.0):
        with pytest.raises(
            ConnectionTimeoutError, match="passed while the client logged in"
        ) as info:
            left_after(KV_RANGE, 2.0, spent, "while the client logged in")
        assert info.value.method == KV_RANGE.path
        assert not info.value.retryable
        assert not info.value.outcome_unknown


@pytest.mark.parametrize(
    ("timeout", "shown"),
    [(0.999991, "1"), (0.25, "0.25"), (0.0004, "0.0004"), (3600.0, "3600"), (90.1234, "90.123")],
)
def test_the_timeout_is_shown_to_the_millisecond(timeout: float, shown: str) -> None:
    # A call's timeout can be what was left of a longer one (a lock's wait, say).
    err = final_error(grpc_deadline(KV_PUT.path), KV_PUT, 0.0, timeout, 1)
    assert f"within the call's timeout of {shown} s (" in str(err)
