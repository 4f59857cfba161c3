"""The timeout rule: what callers pass, turned into the timeout and deadline of a call."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable

import grpc
import pytest

from etcd3._runtime import DEFAULT_TIMEOUT
from etcd3._timeouts import (
    call_timeout,
    deadline_after,
    request_timeout,
    rpc_timeout,
    time_left,
    timeout_arg,
)
from etcd3.errors import ConnectionTimeoutError


def test_a_timeout_is_seconds_or_none() -> None:
    assert timeout_arg(None) is None
    assert timeout_arg(0) == 0.0
    assert timeout_arg(2) == 2.0
    assert type(timeout_arg(2)) is float
    assert timeout_arg(0.25) == 0.25
    assert timeout_arg(math.inf) is None  # an infinite timeout is no deadline
    # Longer than the platform can wait: no deadline too (a wait would raise OverflowError).
    assert timeout_arg(threading.TIMEOUT_MAX) == threading.TIMEOUT_MAX
    assert timeout_arg(1e10) is None
    assert timeout_arg(10**30) is None
    for bad in (-1, -0.001, math.nan, -math.inf):
        with pytest.raises(ValueError, match="timeout"):
            timeout_arg(bad)
    for wrong in ("1", True, b"1", [1]):
        with pytest.raises(TypeError, match="timeout"):
            timeout_arg(wrong)
    with pytest.raises(ValueError, match="acquire_timeout must be >= 0 seconds or None"):
        timeout_arg(-1, "acquire_timeout")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: timeout_arg("1"),
            TypeError,
            "timeout must be a number of seconds or None, not str",
        ),
        (lambda: timeout_arg(-0.5), ValueError, "timeout must be >= 0 seconds or None, got -0.5"),
        (
            lambda: call_timeout(b"1", 2.0),
            TypeError,
            "timeout_override must be a number of seconds or None, not bytes",
        ),
        (
            lambda: call_timeout(math.nan, 2.0),
            ValueError,
            "timeout_override must be >= 0 seconds or None, got nan",
        ),
        (
            lambda: rpc_timeout(0, None),
            ConnectionTimeoutError,
            "deadline of 0 s expired before the call was sent",
        ),
    ],
)
def test_timeout_refusals_say_what_was_wrong(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=rf"\A{re.escape(message)}\Z"):
        call()


def test_a_call_timeout_is_the_override_or_the_client_default() -> None:
    assert call_timeout(None, 7.5) == 7.5
    assert call_timeout(None, None) is None
    assert call_timeout(0, 7.5) == 0.0
    assert call_timeout(2, None) == 2.0
    assert call_timeout(math.inf, 7.5) is None  # no deadline for this call only
    with pytest.raises(ValueError, match="timeout_override"):
        call_timeout(-1, None)
    with pytest.raises(TypeError, match="timeout_override"):
        call_timeout("1", None)


def test_an_rpc_timeout_follows_the_generated_layers_sentinel() -> None:
    assert rpc_timeout(DEFAULT_TIMEOUT, 7.5) == 7.5
    assert rpc_timeout(DEFAULT_TIMEOUT, None) is None
    assert rpc_timeout(None, 7.5) is None
    assert rpc_timeout(math.inf, 7.5) is None
    assert rpc_timeout(3, None) == 3.0
    for bad in (-1, math.nan):
        with pytest.raises(ValueError, match="timeout"):
            rpc_timeout(bad, None)


@pytest.mark.parametrize(("timeout", "default"), [(0, None), (0.0, 5.0), (DEFAULT_TIMEOUT, 0.0)])
def test_a_zero_rpc_timeout_expires_before_sending(timeout: float, default: float | None) -> None:
    with pytest.raises(ConnectionTimeoutError, match="before the call was sent") as info:
        rpc_timeout(timeout, default, "/etcdserverpb.KV/Range")
    assert info.value.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert info.value.method == "/etcdserverpb.KV/Range"
    assert not info.value.retryable
    assert not info.value.outcome_unknown


def test_a_deadline_is_an_instant_and_time_left_counts_down_to_it() -> None:
    assert deadline_after(None) is None
    assert time_left(None) is None
    assert time_left(time.monotonic() - 5) == 0.0
    before = time.monotonic()
    deadline = deadline_after(10.0)
    assert deadline is not None
    assert before + 10.0 <= deadline <= time.monotonic() + 10.0
    left = time_left(deadline)
    assert left is not None
    assert 9.0 < left <= 10.0


def test_a_request_of_a_wait_has_the_clients_timeout_or_what_is_left_of_the_wait() -> None:
    assert request_timeout(None, None) is None  # no wait deadline, no client timeout
    assert request_timeout(None, 5.0) == 5.0
    assert request_timeout(time.monotonic() - 1, 5.0) == 0.0  # the wait is over
    in_ten = deadline_after(10.0)
    left = request_timeout(in_ten, None)
    assert left is not None
    assert 9.0 < left <= 10.0
    assert request_timeout(in_ten, 5.0) == 5.0
    left = request_timeout(deadline_after(1.0), 5.0)
    assert left is not None
    assert 0.5 < left <= 1.0
