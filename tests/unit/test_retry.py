"""Retry decisions (sans-IO): what is retried, where, after how long, and what never is."""

from __future__ import annotations

import dataclasses
import random

import grpc
import pytest

from etcd3._backoff import backoff_delay
from etcd3._retry import RetryPolicy
from etcd3._retry_core import CallAttempts, is_auth_expired, is_endpoint_failure
from etcd3.errors import (
    AuthOldRevisionError,
    ClientForkedError,
    ConnectionClosedError,
    ConnectionFailedError,
    EtcdError,
    InvalidAuthTokenError,
    LeaderChangedError,
    NoLeaderError,
    NotLeaderError,
    ProposalDroppedError,
    RequestTimedOutError,
    RevisionCompactedError,
    ServerStoppedError,
    TooManyRequestsError,
    UnhealthyClusterError,
    error_from_status,
)

REFUSED = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: "
    "Failed to connect to remote host: Connection refused"
)
UNAVAILABLE = grpc.StatusCode.UNAVAILABLE


def refused() -> EtcdError:
    return error_from_status(UNAVAILABLE, REFUSED)


def reset() -> EtcdError:
    return error_from_status(UNAVAILABLE, "Socket closed")


def deadline() -> EtcdError:
    return error_from_status(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")


def etcd(message: str, code: grpc.StatusCode = UNAVAILABLE) -> EtcdError:
    return error_from_status(code, "etcdserver: " + message)


def attempts(*, safe: bool, deadline_at: float | None = None, **policy: float) -> CallAttempts:
    return CallAttempts(RetryPolicy(**policy), safe, deadline_at, random.Random(7))  # type: ignore[arg-type]


# --- RetryPolicy ---------------------------------------------------------------------------


def test_policy_defaults_as_documented() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.initial_backoff, policy.max_backoff) == (5, 0.05, 1.0)
    assert (policy.jitter, policy.attempt_timeout) == (0.2, 2.0)


def test_disabled_policy_is_one_attempt_with_the_whole_timeout() -> None:
    policy = RetryPolicy.disabled()
    assert policy.max_attempts == 1
    assert policy.attempt_deadline(True, 7.0) == 7.0
    assert policy.attempt_deadline(True, None) is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"initial_backoff": -1}, "initial_backoff"),
        ({"max_backoff": 0.01}, "max_backoff"),
        ({"jitter": 1.5}, "jitter"),
        ({"attempt_timeout": 0}, "attempt_timeout"),
    ],
)
def test_policy_rejects_values_out_of_range(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_max_attempts_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="max_attempts"):
        RetryPolicy(max_attempts=2.5)  # type: ignore[arg-type]


def test_backoff_doubles_up_to_the_cap_without_jitter() -> None:
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=0.5, jitter=0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]


def test_backoff_jitter_stays_within_its_fraction() -> None:
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=1.0, jitter=0.2)
    rng = random.Random(1)
    waits = [policy.backoff(1, rng) for _ in range(200)]
    assert all(0.08 <= wait <= 0.12 for wait in waits)
    assert len({round(wait, 6) for wait in waits}) > 50  # actually spread


def test_attempt_deadline_caps_only_retry_safe_calls() -> None:
    policy = RetryPolicy(attempt_timeout=2.0)
    assert policy.attempt_deadline(True, 10.0) == 2.0
    assert policy.attempt_deadline(True, 1.5) == 1.5
    assert policy.attempt_deadline(True, None) == 2.0
    # A write's attempt gets all that is left: a cut-short write is an unknown outcome.
    assert policy.attempt_deadline(False, 10.0) == 10.0
    assert policy.attempt_deadline(False, None) is None


def test_each_expired_attempt_doubles_the_cap_within_what_is_left() -> None:
    policy = RetryPolicy(attempt_timeout=2.0)
    assert policy.attempt_deadline(True, None, 1) == 4.0
    assert policy.attempt_deadline(True, 100.0, 3) == 16.0
    assert policy.attempt_deadline(True, 5.0, 2) == 5.0
    assert policy.attempt_deadline(False, 10.0, 2) == 10.0
    # However many attempts a policy allows, the cap stays a finite number of seconds.
    assert policy.attempt_deadline(True, None, 5000) == 2.0 * 2**16


def test_a_read_slower_than_the_cap_gets_a_longer_attempt_each_time() -> None:
    # Without it, a read that needs 3 s (a slow link, a large range) would run out of its
    # 2 s on every attempt and fail, even in a call without a deadline.
    call = attempts(safe=True, attempt_timeout=2.0)
    timeouts = []
    for _ in range(3):
        step = call.on_failure(deadline(), "a:1", 0.0, failover=True, expired=True)
        assert step is not None
        timeouts.append((step.timeout, step.capped))
    assert timeouts == [(4.0, True), (8.0, True), (16.0, True)]
    # A failure that is not an expiry leaves the cap where it is.
    step = call.on_failure(refused(), "a:1", 0.0, failover=True)
    assert step is not None
    assert step.timeout == 16.0
    assert call.expired == 3


def test_a_doubled_cap_stops_at_the_call_deadline() -> None:
    call = attempts(safe=True, deadline_at=10.0, attempt_timeout=2.0, jitter=0.0)
    step = call.on_failure(deadline(), "a:1", 7.0, failover=True, expired=True)
    assert step is not None
    assert step.timeout is not None
    assert step.timeout < 3.0
    assert not step.capped


# --- classification ------------------------------------------------------------------------


def test_never_sent_recognises_connection_failures_before_sending() -> None:
    assert refused().never_sent
    assert error_from_status(UNAVAILABLE, "errors resolving x.invalid:2379: nope").never_sent
    assert not reset().never_sent
    assert not etcd("no leader").never_sent  # a subclass: decided by its own class
    assert not deadline().never_sent


@pytest.mark.parametrize(
    "error",
    [
        refused(),
        reset(),
        etcd("no leader"),
        etcd("leader changed"),
        etcd("server stopped"),
        etcd("unhealthy cluster"),
        etcd("request timed out"),
        etcd("not leader", grpc.StatusCode.FAILED_PRECONDITION),
        error_from_status(grpc.StatusCode.UNKNOWN, "raft proposal dropped"),
    ],
)
def test_endpoint_failures_move_the_call_on(error: EtcdError) -> None:
    assert is_endpoint_failure(error)


@pytest.mark.parametrize(
    "error",
    [
        deadline(),  # possibly the caller's own deadline: the transport decides
        etcd("too many requests", grpc.StatusCode.RESOURCE_EXHAUSTED),
        etcd("permission denied", grpc.StatusCode.PERMISSION_DENIED),
        ConnectionClosedError(),
        ClientForkedError(),
    ],
)
def test_other_errors_are_not_endpoint_failures(error: EtcdError) -> None:
    assert not is_endpoint_failure(error)


def test_auth_expiry_is_recognised_for_both_server_versions() -> None:
    assert is_auth_expired(etcd("invalid auth token", grpc.StatusCode.UNAUTHENTICATED))
    assert is_auth_expired(error_from_status(grpc.StatusCode.UNKNOWN, "auth: invalid auth token"))
    assert is_auth_expired(etcd("revision of auth store is old", grpc.StatusCode.INVALID_ARGUMENT))
    assert not is_auth_expired(etcd("permission denied", grpc.StatusCode.PERMISSION_DENIED))


def test_the_mapped_classes_are_the_expected_ones() -> None:
    assert isinstance(etcd("no leader"), NoLeaderError)
    assert isinstance(etcd("leader changed"), LeaderChangedError)
    assert isinstance(etcd("server stopped"), ServerStoppedError)
    assert isinstance(etcd("unhealthy cluster"), UnhealthyClusterError)
    assert isinstance(etcd("request timed out"), RequestTimedOutError)
    assert isinstance(etcd("not leader", grpc.StatusCode.FAILED_PRECONDITION), NotLeaderError)
    dropped = error_from_status(grpc.StatusCode.UNKNOWN, "raft proposal dropped")
    assert isinstance(dropped, ProposalDroppedError)
    assert dropped.retryable
    assert isinstance(
        etcd("too many requests", grpc.StatusCode.RESOURCE_EXHAUSTED), TooManyRequestsError
    )
    assert isinstance(
        etcd("invalid auth token", grpc.StatusCode.UNAUTHENTICATED), InvalidAuthTokenError
    )
    assert isinstance(
        etcd("revision of auth store is old", grpc.StatusCode.INVALID_ARGUMENT),
        AuthOldRevisionError,
    )


# --- CallAttempts: what is retried ----------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        refused(),
        etcd("no leader"),
        etcd("leader changed"),
        etcd("unhealthy cluster"),
        etcd("not leader", grpc.StatusCode.FAILED_PRECONDITION),
        etcd("too many requests", grpc.StatusCode.RESOURCE_EXHAUSTED),
        error_from_status(grpc.StatusCode.UNKNOWN, "raft proposal dropped"),
    ],
)
def test_writes_are_retried_when_they_never_reached_etcd(error: EtcdError) -> None:
    call = attempts(safe=False)
    step = call.on_failure(error, "a:1", 0.0, failover=is_endpoint_failure(error))
    assert step is not None
    assert call.attempts == 2


@pytest.mark.parametrize(
    "error",
    [
        reset(),
        deadline(),
        etcd("request timed out"),
        etcd("server stopped"),
        ConnectionFailedError("reset mid-call"),
    ],
)
def test_writes_with_an_unknown_outcome_are_never_retried(error: EtcdError) -> None:
    call = attempts(safe=False)
    assert call.on_failure(error, "a:1", 0.0, failover=True) is None
    assert call.attempts == 1


@pytest.mark.parametrize(
    "error",
    [reset(), deadline(), etcd("request timed out"), etcd("server stopped"), refused()],
)
def test_reads_are_retried_after_unknown_outcomes(error: EtcdError) -> None:
    call = attempts(safe=True)
    assert call.on_failure(error, "a:1", 0.0, failover=True) is not None


@pytest.mark.parametrize(
    "error",
    [
        etcd("permission denied", grpc.StatusCode.PERMISSION_DENIED),
        RevisionCompactedError("compacted", compacted_revision=5),
        ConnectionClosedError(),
        ClientForkedError(),
        error_from_status(grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided"),
    ],
)
def test_errors_of_the_request_itself_are_never_retried(error: EtcdError) -> None:
    for safe in (True, False):
        assert attempts(safe=safe).on_failure(error, "a:1", 0.0, failover=False) is None


def test_attempts_stop_at_max_attempts() -> None:
    call = attempts(safe=True, max_attempts=3)
    assert call.on_failure(refused(), "a:1", 0.0, failover=True) is not None
    assert call.on_failure(refused(), "a:1", 0.0, failover=True) is not None
    assert call.on_failure(refused(), "a:1", 0.0, failover=True) is None
    assert call.attempts == 3


def test_refused_connections_retry_until_the_deadline_not_the_attempt_count() -> None:
    call = attempts(safe=False, deadline_at=10.0, max_attempts=2, jitter=0, max_backoff=1.0)
    now = 0.0
    for _ in range(8):
        step = call.on_failure(refused(), "a:1", now, failover=True)
        assert step is not None
        now += step.delay
    assert call.attempts == 9
    # Other retryable errors still stop at max_attempts.
    assert call.on_failure(etcd("no leader"), "a:1", now, failover=True) is None
    # And the deadline still bounds it all.
    assert call.on_failure(refused(), "a:1", 9.999, failover=True) is None


def test_the_calls_whole_timeout_is_kept_for_its_error() -> None:
    # The deadline may be what is left after a login; the message names the whole timeout.
    call = CallAttempts(RetryPolicy(), True, 7.5, timeout=10.0)
    assert call.timeout == 10.0
    assert call.remaining(2.5) == 5.0
    assert CallAttempts(RetryPolicy(), True, None).timeout is None


def test_disabled_policy_never_retries() -> None:
    call = CallAttempts(RetryPolicy.disabled(), True, None)
    assert call.on_failure(refused(), "a:1", 0.0, failover=True) is None


# --- CallAttempts: when and within which deadline -------------------------------------------


def test_moving_to_an_untried_endpoint_does_not_wait() -> None:
    call = attempts(safe=True)
    step = call.on_failure(refused(), "a:1", 0.0, failover=True, next_is_fresh=True)
    assert step is not None
    assert step.delay == 0.0
    assert call.tried == {"a:1"}


def test_retrying_a_tried_endpoint_backs_off_more_each_time() -> None:
    call = attempts(safe=True, jitter=0, initial_backoff=0.1, max_backoff=1.0)
    delays = []
    for _ in range(4):
        step = call.on_failure(refused(), "a:1", 0.0, failover=True)
        assert step is not None
        delays.append(step.delay)
    assert delays == [0.1, 0.2, 0.4, 0.8]


def test_too_many_requests_always_waits_and_stays() -> None:
    call = attempts(safe=False, jitter=0, initial_backoff=0.1)
    error = etcd("too many requests", grpc.StatusCode.RESOURCE_EXHAUSTED)
    step = call.on_failure(error, "a:1", 0.0, failover=False, next_is_fresh=True)
    assert step is not None
    assert step.delay == 0.1
    assert call.tried == set()


def test_retries_stay_within_the_overall_deadline() -> None:
    # 10 s overall; at t=9.5 a retry gets at most the 0.5 s left (minus its wait).
    call = attempts(safe=True, deadline_at=10.0, jitter=0, initial_backoff=0.1)
    step = call.on_failure(refused(), "a:1", 9.5, failover=True)
    assert step is not None
    assert step.timeout == pytest.approx(0.4)
    assert step.capped is False
    # No time left for the wait: give up.
    assert call.on_failure(refused(), "a:1", 9.95, failover=True) is None


def test_retry_of_a_read_gets_the_attempt_timeout_and_is_capped() -> None:
    call = attempts(safe=True, deadline_at=30.0, attempt_timeout=2.0)
    step = call.on_failure(refused(), "a:1", 0.0, failover=True, next_is_fresh=True)
    assert step is not None
    assert (step.timeout, step.capped) == (2.0, True)


def test_retry_of_a_write_gets_all_the_time_left() -> None:
    call = attempts(safe=False, deadline_at=30.0, attempt_timeout=2.0)
    step = call.on_failure(etcd("no leader"), "a:1", 10.0, failover=True, next_is_fresh=True)
    assert step is not None
    assert step.timeout == pytest.approx(20.0)
    assert step.capped is False


def test_no_overall_deadline_means_only_attempts_bound_the_call() -> None:
    call = attempts(safe=False, max_attempts=2)
    step = call.on_failure(etcd("no leader"), "a:1", 1e9, failover=True)
    assert step is not None
    assert step.timeout is None
    assert call.remaining(5.0) is None


def test_disabled_policy_does_not_retry_a_refused_connection_before_its_deadline() -> None:
    # Waiting for a member to come back is itself a retry: a disabled policy makes one attempt.
    call = CallAttempts(RetryPolicy.disabled(), False, 10.0, random.Random(7))
    assert call.on_failure(refused(), "a:1", 0.0, failover=True) is None
    assert call.attempts == 1


def test_a_single_attempt_gets_the_whole_remaining_timeout_even_with_an_attempt_timeout() -> None:
    policy = RetryPolicy(max_attempts=1, attempt_timeout=2.0)
    assert policy.attempt_deadline(True, 7.0) == 7.0
    assert policy.attempt_deadline(True, None) is None
    assert RetryPolicy(max_attempts=2, attempt_timeout=2.0).attempt_deadline(True, 7.0) == 2.0


def test_policies_and_steps_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        RetryPolicy().max_attempts = 2  # type: ignore[misc]
    step = attempts(safe=True).on_failure(refused(), "a:1", 0.0, failover=True)
    assert step is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.delay = 0.0  # type: ignore[misc]


def test_policy_accepts_the_bounds_of_each_range() -> None:
    policy = RetryPolicy(initial_backoff=0, max_backoff=0, jitter=1, attempt_timeout=0.5)
    assert (policy.initial_backoff, policy.max_backoff, policy.jitter) == (0, 0, 1)
    assert RetryPolicy(initial_backoff=0.3, max_backoff=0.3).max_backoff == 0.3
    assert RetryPolicy(jitter=0).jitter == 0
    assert RetryPolicy(attempt_timeout=0.5).attempt_deadline(True, 10.0) == 0.5


def test_disabled_policy_has_no_attempt_timeout() -> None:
    assert RetryPolicy.disabled() == RetryPolicy(max_attempts=1, attempt_timeout=None)


def test_jittered_waits_come_from_the_random_source_given() -> None:
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=1.0, jitter=1.0)
    assert policy.backoff(3, random.Random(5)) == backoff_delay(2, 0.1, 1.0, 1.0, random.Random(5))
    first = attempts(safe=True, jitter=1.0).on_failure(refused(), "a:1", 0.0, failover=True)
    second = attempts(safe=True, jitter=1.0).on_failure(refused(), "a:1", 0.0, failover=True)
    assert first is not None
    assert second is not None
    assert first.delay == second.delay == backoff_delay(0, 0.05, 1.0, 1.0, random.Random(7))


def test_a_retry_with_a_millisecond_or_less_left_is_not_made() -> None:
    call = attempts(safe=True, deadline_at=0.001)
    assert call.on_failure(refused(), "a:1", 0.0, failover=True, next_is_fresh=True) is None
    call = attempts(safe=True, deadline_at=0.002)
    assert call.on_failure(refused(), "a:1", 0.0, failover=True, next_is_fresh=True) is not None
