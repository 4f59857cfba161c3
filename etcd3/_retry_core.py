"""Retry decisions (sans-IO): when a failed call is sent again, where, and after how long.

The transport (``etcd3._transport``) asks ``CallAttempts`` after each failed attempt of
a unary call; the answer is a ``RetryStep`` (try again, maybe on another endpoint, after a
delay, within a per-attempt timeout) or ``None`` (raise the error). Nothing here sleeps or
sends: the sync and asyncio shells do that, so both follow exactly the same policy.

What is retried, and why it can never apply a write twice: a failed attempt is sent again
only when its error is ``retryable``
([`etcd3.errors.EtcdError.classify`][etcd3.errors.EtcdError.classify], the one rule behind the
errors' flags and these decisions):

- **Retry-safe RPCs** (``MethodInfo.retry_safe``: reads, status, watch and keep-alive
  streams) are retried after any connection failure or deadline, including unknown outcomes (a
  reset connection, "request timed out"): sending them again cannot change anything.
- **Unsafe RPCs** (Put, Txn, DeleteRange, Compact, LeaseGrant/Revoke, membership, auth
  changes, Lock, Campaign, ...) are retried only when the request provably did not take effect:

  - the channel never connected (gRPC ``UNAVAILABLE`` "failed to connect to all addresses",
    a name that did not resolve): nothing was sent;
  - etcd refused the request before proposing it to raft: "no leader" (the gRPC interceptor's
    leader check, or raft dropping the proposal on a member without a leader), "leader changed"
    (only the read index before a request waits for it), "not leader", "unhealthy cluster",
    "too many requests" (checked before proposing), "rpc not supported for learner";
  - the token was rejected ("invalid auth token" before proposing; "revision of auth store
    is old" refuses the request at apply time without applying it): retried once, after the
    transport re-authenticated; that retry is outside the attempt budget.

  A deadline that passed (``DEADLINE_EXCEEDED``, or our own per-attempt timeout), "request
  timed out" and "server stopped" (etcd stops waiting for a proposal that may still commit) or
  a connection lost mid-call are unknown outcomes: an unsafe call raises them at once, marked
  ``outcome_unknown``.

Per-attempt timeout: a retry-safe call gives each attempt at most
``RetryPolicy.attempt_timeout`` seconds (capped by what is left of the call's overall
timeout), so a hung member (SIGSTOP, lost network) costs one short attempt before the call moves
on. An unsafe call gets the whole remaining timeout for its attempt: cutting it short could only
turn a slow success into an unknown outcome, which cannot be retried anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etcd3._record import record
from etcd3.errors import (
    AuthOldRevisionError,
    ConnectionClosedError,
    ConnectionFailedError,
    EtcdError,
    InvalidAuthTokenError,
    NotLeaderError,
    RequestTimedOutError,
    TooManyRequestsError,
)

if TYPE_CHECKING:
    import random

    from etcd3._retry import RetryPolicy

__all__ = [
    "CallAttempts",
    "RetryStep",
    "is_auth_expired",
    "is_endpoint_failure",
]


def is_endpoint_failure(error: EtcdError) -> bool:
    """Whether ``error`` means the endpoint (member) is unusable now, so others should be tried.

    Connection failures (refused, reset, unreachable), a member without a leader or stopping,
    "request timed out" and "not leader" (for leader-only RPCs). A deadline is not: it may be
    the caller's own; the transport adds the case of an attempt cut short by
    ``RetryPolicy.attempt_timeout`` (a hung member).

    Args:
        error: A mapped call or stream error.

    Returns:
        ``True`` if the call should move to another endpoint.
    """
    if isinstance(error, ConnectionClosedError):
        return False
    if isinstance(error, RequestTimedOutError):
        # The member answered; the cluster was slow to commit. Not this member's fault alone,
        # but a member that times out proposals is often the one cut off: move on.
        return True
    return isinstance(error, (ConnectionFailedError, NotLeaderError))


def is_auth_expired(error: EtcdError) -> bool:
    """Whether ``error`` asks for a new token (invalid/expired token, old auth revision)."""
    return isinstance(error, (InvalidAuthTokenError, AuthOldRevisionError))


@record
class RetryStep:
    """What to do after a failed attempt: send again after ``delay`` seconds.

    Attributes:
        delay: Seconds to wait first.
        timeout: The next attempt's timeout in seconds (``None``: no deadline).
        capped: Whether ``timeout`` is shorter than what is left of the overall timeout (its
            expiry then means a slow member, not the end of the call).
    """

    delay: float
    timeout: float | None
    capped: bool


class CallAttempts:
    """The retry bookkeeping of one call (sans-IO): created at its first failure.

    Args:
        policy: The client's retry policy.
        retry_safe: Whether the RPC may be repeated after an unknown outcome.
        deadline: The call's overall deadline as an absolute ``time.monotonic()`` value, or
            ``None`` for none.
        rng: Random source for the jitter (tests pass a seeded one).
        timeout: The call's whole timeout in seconds, for the message of its final error
            (``None``: unknown or none).
    """

    __slots__ = (
        "_deadline",
        "_policy",
        "_rng",
        "attempts",
        "expired",
        "retry_safe",
        "timeout",
        "tried",
    )

    def __init__(
        self,
        policy: RetryPolicy,
        retry_safe: bool,
        deadline: float | None,
        rng: random.Random | None = None,
        timeout: float | None = None,
    ) -> None:
        self._policy = policy
        self.retry_safe: bool = retry_safe
        """Whether the RPC may be repeated after an unknown outcome."""
        self._deadline = deadline
        self._rng = rng
        self.timeout: float | None = timeout
        """The call's whole timeout in seconds (``None``: unknown or none)."""
        self.attempts: int = 1
        """Attempts made so far (the failed one included)."""
        self.tried: set[str] = set()
        """Endpoints that failed during this call."""
        self.expired: int = 0
        """Attempts that ran out of their capped timeout (``RetryPolicy.attempt_timeout``)."""

    def remaining(self, now: float) -> float | None:
        """The timeout left until the call's deadline at ``now`` (``None``: no deadline)."""
        if self._deadline is None:
            return None
        return self._deadline - now

    def should_retry(self, error: EtcdError) -> bool:
        """Whether ``error`` may be retried at all (ignoring budget and time).

        Exactly when it is retryable for this RPC ([`classify`][etcd3.errors.EtcdError.classify],
        the rule that also sets the error's ``retryable``), unless the client was closed.
        """
        if isinstance(error, ConnectionClosedError):
            return False
        retryable, _unknown = error.classify(self.retry_safe)
        return retryable

    def on_failure(
        self,
        error: EtcdError,
        endpoint: str,
        now: float,
        *,
        failover: bool,
        next_is_fresh: bool = False,
        expired: bool = False,
    ) -> RetryStep | None:
        """Decide what follows a failed attempt.

        Args:
            error: The attempt's mapped error.
            endpoint: The endpoint the attempt went to.
            now: ``time.monotonic()`` now.
            failover: The endpoint failed (``is_endpoint_failure``, or a hung attempt).
            next_is_fresh: The next attempt goes to an endpoint not yet tried in this call
                (then there is no wait: a healthy member is likely there).
            expired: The attempt ran out of its capped timeout: later attempts get twice
                the cap (``RetryPolicy.attempt_deadline``).

        Returns:
            The next step, or ``None`` to give up and raise ``error``.
        """
        if failover:
            self.tried.add(endpoint)
        if expired:
            self.expired += 1
        if not self.should_retry(error):
            return None
        # A refused connection costs nothing and proves the request unsent: while the call's
        # deadline allows, keep trying (backing off) until a restarted member is back, instead
        # of spending the attempts within the first second of an outage.
        if self.attempts >= self._policy.max_attempts and not (
            self._deadline is not None and self._policy.max_attempts > 1 and error.never_sent
        ):
            return None
        delay = 0.0
        if not (failover and next_is_fresh):
            delay = self._policy.backoff(self.attempts, self._rng)
        if isinstance(error, TooManyRequestsError):
            delay = max(delay, self._policy.initial_backoff)
        remaining = self.remaining(now)
        if remaining is not None and remaining - delay <= 0.001:
            return None
        after = None if remaining is None else remaining - delay
        timeout = self._policy.attempt_deadline(self.retry_safe, after, self.expired)
        self.attempts += 1
        return RetryStep(
            delay=delay,
            timeout=timeout,
            capped=timeout is not None and (after is None or timeout < after),
        )
