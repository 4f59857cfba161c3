"""What follows a failed attempt, without a server: token renewal, failover, giving up."""

from __future__ import annotations

import time

import grpc
import pytest

from etcd3._endpoints import EndpointSpec
from etcd3._retry import RetryPolicy
from etcd3._transport._errors import CallErrors
from etcd3._transport._failover import Failover
from etcd3._transport._metadata import CallMetadata
from etcd3._transport._pool import EndpointPool
from etcd3._transport._stream_registry import StreamRegistry
from etcd3.errors import (
    ConnectionFailedError,
    ConnectionTimeoutError,
    InvalidAuthTokenError,
    NoServerAvailableError,
    RevisionCompactedError,
    error_from_status,
)
from etcd3.rpc.methods import KV_PUT, KV_RANGE

RESET = "Connection reset by peer"  # lost mid-call: unknown outcome for a write


def failover(
    *targets: str, policy: RetryPolicy | None = None
) -> tuple[Failover[object], EndpointPool[object], CallMetadata]:
    pool: EndpointPool[object] = EndpointPool(
        [EndpointSpec(t) for t in targets], lambda spec: object()
    )
    metadata = CallMetadata(None, require_leader=False)
    errors = CallErrors(pool, tls=False, secure_without_client_cert=False)
    registry = StreamRegistry(pool, metadata, errors)
    return Failover(policy or RetryPolicy(), pool, registry, metadata), pool, metadata


def test_a_read_moves_to_the_next_endpoint_at_once() -> None:
    plan, pool, _ = failover("a:1", "b:1")
    attempts = plan.attempts(KV_RANGE, 10, time.monotonic(), 10)
    error = error_from_status(grpc.StatusCode.UNAVAILABLE, RESET, retry_safe=True)
    step = plan.after_failure(attempts, error, pool.current, capped=False, refreshed=False)
    assert step is not None
    assert step.endpoint.target == "b:1"
    assert step.delay == 0  # an untried endpoint: no wait
    assert not step.refresh
    assert pool.current.target == "b:1"  # the failed one is in quarantine


def test_a_write_cut_off_mid_call_is_not_sent_again() -> None:
    plan, pool, _ = failover("a:1", "b:1")
    attempts = plan.attempts(KV_PUT, 10, time.monotonic(), 10)
    error = error_from_status(grpc.StatusCode.UNAVAILABLE, RESET)
    assert plan.after_failure(attempts, error, pool.current, capped=False, refreshed=False) is None
    assert pool.current.target == "b:1"  # still, the next call goes elsewhere


def test_an_expired_token_is_renewed_once_with_credentials_only() -> None:
    plan, pool, metadata = failover("a:1")
    attempts = plan.attempts(KV_PUT, 10, time.monotonic(), 10)
    expired = InvalidAuthTokenError()
    assert plan.after_failure(attempts, expired, pool.current, False, refreshed=False) is None
    metadata.set_credentials("root", "pw")
    step = plan.after_failure(attempts, expired, pool.current, False, refreshed=False)
    assert step is not None
    assert step.refresh
    assert step.endpoint is pool.current
    assert plan.after_failure(attempts, expired, pool.current, False, refreshed=True) is None


def test_a_refused_request_is_not_retried() -> None:
    plan, pool, _ = failover("a:1", "b:1")
    attempts = plan.attempts(KV_RANGE, None, time.monotonic(), None)
    step = plan.after_failure(
        attempts, RevisionCompactedError(), pool.current, capped=False, refreshed=False
    )
    assert step is None
    assert pool.current.target == "a:1"


def test_a_capped_attempt_that_timed_out_fails_its_endpoint_over() -> None:
    plan, pool, _ = failover("a:1", "b:1")
    assert plan.first_timeout(KV_RANGE, 10.0) == 2.0  # the policy's attempt cap
    assert plan.first_timeout(KV_PUT, 10.0) == 10.0  # a write gets it all
    attempts = plan.attempts(KV_RANGE, 10, time.monotonic(), 10)
    hung = ConnectionTimeoutError(retry_safe=True)
    step = plan.after_failure(attempts, hung, pool.current, capped=True, refreshed=False)
    assert step is not None
    assert step.endpoint.target == "b:1"


def test_without_failover_a_failed_endpoint_is_no_server() -> None:
    plan, pool, _ = failover("a:1", "b:1")
    pool.configure(failover=False)
    attempts = plan.attempts(KV_RANGE, 10, time.monotonic(), 10)
    error = ConnectionFailedError(RESET, retry_safe=True)
    with pytest.raises(NoServerAvailableError, match="failover is off") as info:
        plan.after_failure(attempts, error, pool.current, capped=False, refreshed=False)
    assert info.value.__cause__ is error
    assert info.value.retryable
    assert pool.current.target == "a:1"


def test_the_attempt_after_a_login_gets_what_the_login_left() -> None:
    plan, pool, _ = failover("a:1")
    step = plan.after_login(plan.attempts(KV_RANGE, 1.0, time.monotonic(), 1.0), pool.current)
    assert step is not None
    assert step.refresh
    assert step.endpoint is pool.current
    assert step.timeout is not None
    assert 0.9 < step.timeout <= 1.0
    assert not step.capped  # its expiry is the call's deadline, not a hung member
    # A login that used up the deadline: no attempt (the caller raises the deadline's error).
    assert (
        plan.after_login(plan.attempts(KV_RANGE, -1, time.monotonic(), 1.0), pool.current) is None
    )
    step = plan.after_login(plan.attempts(KV_RANGE, None, time.monotonic(), None), pool.current)
    assert step is not None
    assert (step.timeout, step.capped) == (2.0, True)
