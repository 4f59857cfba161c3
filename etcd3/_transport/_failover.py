"""What follows a failed attempt of a unary call: renew the token, fail over, back off, give up.

``CallAttempts`` holds the retry rule (sans-IO: which errors may be sent
again, the attempt budget, the backoff); ``Failover`` applies it to the caller's state: an
endpoint that failed goes into quarantine (and its streams end), the next attempt goes to the
endpoint then preferred, and an expired token is renewed once first. Both callers ask it and
only do what it says (sleep, log in, send), so they follow one policy.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Generic, TypeVar

from google.protobuf.message import Message

from etcd3._retry_core import CallAttempts, is_auth_expired, is_endpoint_failure
from etcd3._runtime import MethodInfo
from etcd3._transport._metadata import CallMetadata
from etcd3._transport._pool import EndpointChannel, EndpointPool
from etcd3._transport._stream_registry import StreamRegistry
from etcd3.errors import ConnectionTimeoutError, EtcdError, NoServerAvailableError

if TYPE_CHECKING:
    from etcd3._retry import RetryPolicy

__all__ = ["Failover", "NextAttempt"]

ChannelT = TypeVar("ChannelT")

_log = logging.getLogger("etcd3.transport")


class NextAttempt(Generic[ChannelT]):
    """The next attempt of a call: where, within what deadline, after what wait, and whether
    the token is renewed first.

    Attributes:
        endpoint: Where the attempt goes.
        timeout: Its deadline in seconds (``None``: none).
        capped: ``timeout`` is shorter than what is left of the call's (its expiry then means a
            hung member, not the end of the call).
        delay: Seconds to wait first.
        refresh: Log in again first (the token expired).
    """

    __slots__ = ("capped", "delay", "endpoint", "refresh", "timeout")

    def __init__(
        self,
        endpoint: EndpointChannel[ChannelT],
        timeout: float | None,
        capped: bool,
        delay: float = 0.0,
        refresh: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.capped = capped
        self.delay = delay
        self.refresh = refresh


class Failover(Generic[ChannelT]):
    """The attempts of a caller's unary calls (see the module docstring).

    Args:
        policy: The retry policy.
        pool: The caller's endpoints.
        registry: The caller's streams (ended when their endpoint fails).
        metadata: The caller's token holder (a token is renewed only with credentials).
    """

    __slots__ = ("_attempt_cap", "_metadata", "_pool", "_registry", "policy")

    def __init__(
        self,
        policy: RetryPolicy,
        pool: EndpointPool[ChannelT],
        registry: StreamRegistry,
        metadata: CallMetadata,
    ) -> None:
        self.policy = policy
        """The retry policy of unary calls."""
        self._attempt_cap = policy.attempt_timeout if policy.max_attempts > 1 else None
        """What a retry-safe call's first attempt is capped to (``None``: not capped)."""
        self._pool = pool
        self._registry = registry
        self._metadata = metadata

    def attempts(
        self,
        method: MethodInfo[Message, Message],
        left: float | None,
        start: float,
        timeout: float | None,
    ) -> CallAttempts:
        """The retry bookkeeping of a call of ``method`` that has ``left`` seconds (``None``:
        no deadline) from the monotonic ``start``, of its whole ``timeout``."""
        deadline = None if left is None else start + left
        return CallAttempts(self.policy, method.retry_safe, deadline, timeout=timeout)

    def first_timeout(
        self, method: MethodInfo[Message, Message], timeout: float | None
    ) -> float | None:
        """The deadline of a call's first attempt: a retry-safe call's attempt is capped by
        ``attempt_timeout``, so that a hung member costs one short
        attempt; an unsafe call's attempt gets the call's whole ``timeout``."""
        cap = self._attempt_cap
        if cap is not None and method.retry_safe and (timeout is None or timeout > cap):
            return cap
        return timeout

    def after_login(
        self, attempts: CallAttempts, endpoint: EndpointChannel[ChannelT]
    ) -> NextAttempt[ChannelT] | None:
        """The attempt on ``endpoint`` after the token was renewed, within what is left of the
        call's deadline now (the login used some of it); ``None`` if nothing is left."""
        remaining = attempts.remaining(time.monotonic())
        if remaining is not None and remaining <= 0:
            return None
        timeout = self.policy.attempt_deadline(attempts.retry_safe, remaining, attempts.expired)
        capped = timeout is not None and (remaining is None or timeout < remaining)
        return NextAttempt(endpoint, timeout, capped, refresh=True)

    def after_failure(
        self,
        attempts: CallAttempts,
        error: EtcdError,
        endpoint: EndpointChannel[ChannelT],
        capped: bool,
        refreshed: bool,
    ) -> NextAttempt[ChannelT] | None:
        """What follows the failed attempt on ``endpoint``; ``None``: raise ``error``.

        Args:
            attempts: The call's bookkeeping.
            error: The attempt's mapped error.
            endpoint: Where the attempt went.
            capped: The attempt's deadline was shorter than the call's.
            refreshed: The token was already renewed during this call (once is enough).

        Raises:
            NoServerAvailableError: The endpoint failed and failover is off.
        """
        now = time.monotonic()
        if not refreshed and self._metadata.credentials is not None and is_auth_expired(error):
            return self.after_login(attempts, endpoint)
        expired = capped and isinstance(error, ConnectionTimeoutError)
        failover = expired or is_endpoint_failure(error)
        target = endpoint.target
        if failover:
            self._registry.endpoint_failed(target, error)
            if not self._pool.failover:
                unavailable = NoServerAvailableError(
                    f"endpoint {target} failed and failover is off: {error}",
                    method=error.method,
                    retryable=error.retryable,
                    outcome_unknown=error.outcome_unknown,
                )
                unavailable.__cause__ = error
                raise unavailable
            target = self._pool.next_after_failure(now, attempts.tried | {endpoint.target})
        fresh = target != endpoint.target and target not in attempts.tried
        step = attempts.on_failure(
            error, endpoint.target, now, failover=failover, next_is_fresh=fresh, expired=expired
        )
        if step is None:
            return None
        next_endpoint = self._pool.get(target)
        _log.debug(
            "etcd3: retrying %s on %s in %.3f s after %s",
            error.method,
            next_endpoint.target,
            step.delay,
            type(error).__name__,
        )
        return NextAttempt(next_endpoint, step.timeout, step.capped, delay=step.delay)
