"""[`RetryPolicy`][etcd3.RetryPolicy]: the client's retry settings, a value users make and change.

The decisions that follow the policy (what is retried, where, after how long) are the sans-IO
``etcd3._retry_core``. This module is loaded when a client is made or a policy is: a dataclass
costs more to create than the client's import path should pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from etcd3._backoff import backoff_delay

if TYPE_CHECKING:
    import random

__all__ = ["RetryPolicy"]


_MAX_DOUBLINGS = 16
"""Expired attempts double a call's attempt cap at most this many times (2 s becomes 36 h)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries failed calls (see the ``etcd3`` docs on retries).

    Only calls that are safe to repeat are retried after an unknown outcome; writes are retried
    only when the request provably never reached the server. Retries stay within the call's
    overall timeout (``timeout`` / ``timeout_override``).

    Attributes:
        max_attempts: Attempts per call, the first included (``1``: no retry). A call with a
            deadline that finds no member accepting connections keeps trying (backing off up
            to ``max_backoff``) until its deadline: nothing was sent, and members restart.
        initial_backoff: Seconds to wait before the first retry on an endpoint already tried;
            doubled per retry up to ``max_backoff``. Moving to an untried endpoint waits not.
        max_backoff: Upper bound of one wait, in seconds.
        jitter: The fraction of each wait left to chance (``0.2``: each wait is between 80 %
            and 100 % of its doubled value), so clients do not retry in lockstep.
        attempt_timeout: Deadline of one attempt of a retry-safe call in seconds, capped by what
            is left of the overall timeout; ``None`` for none (each attempt may use it all).
            An attempt that runs out of it counts as a hung member (the next goes elsewhere)
            and doubles it for the rest of the call, so a read slower than it (a slow link, a
            large range) completes on a later attempt instead of failing on every one.
            Writes always get the whole remaining timeout.

    Raises:
        ValueError: A value out of range (``max_attempts < 1``, negative times, ``jitter``
            outside ``[0, 1]``, ``attempt_timeout <= 0``).
    """

    max_attempts: int = 5
    initial_backoff: float = 0.05
    max_backoff: float = 1.0
    jitter: float = 0.2
    attempt_timeout: float | None = 2.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise TypeError(f"max_attempts must be an int, got {self.max_attempts!r}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if not self.initial_backoff >= 0:
            raise ValueError(f"initial_backoff must be >= 0, got {self.initial_backoff!r}")
        if not self.max_backoff >= self.initial_backoff:
            raise ValueError(f"max_backoff must be >= initial_backoff, got {self.max_backoff!r}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be within [0, 1], got {self.jitter!r}")
        if self.attempt_timeout is not None and not self.attempt_timeout > 0:
            raise ValueError(f"attempt_timeout must be > 0 or None, got {self.attempt_timeout!r}")

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that never retries: one attempt, which may use the whole timeout.

        Returns:
            ``RetryPolicy(max_attempts=1, attempt_timeout=None)``.
        """
        return cls(max_attempts=1, attempt_timeout=None)

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number ``retry`` (1 for the first), jittered
        (``etcd3._backoff.backoff_delay``: the client's one backoff formula).

        Args:
            retry: Which retry this is, from 1.
            rng: Random source (for tests); the module's by default.

        Returns:
            Seconds to wait, within ``[(1 - jitter) * d, d]`` where ``d`` doubles from
                ``initial_backoff`` per retry up to ``max_backoff``.
        """
        return backoff_delay(retry - 1, self.initial_backoff, self.max_backoff, self.jitter, rng)

    def attempt_deadline(
        self, retry_safe: bool, remaining: float | None, expired: int = 0
    ) -> float | None:
        """The timeout of one attempt, given the timeout left of the whole call.

        Args:
            retry_safe: Whether the RPC may be repeated after an unknown outcome.
            remaining: Seconds left of the call's timeout (``None``: the call has no deadline).
            expired: Earlier attempts of the call that ran out of their capped timeout: each
                doubles the cap.

        Returns:
            Seconds for this attempt, or ``None`` for no deadline.
        """
        cap = self.attempt_timeout
        if not retry_safe or cap is None or self.max_attempts == 1:
            return remaining
        # Bounded: a policy of thousands of attempts must not overflow the float.
        cap *= 2.0 ** min(expired, _MAX_DOUBLINGS)
        if remaining is None or remaining > cap:
            return cap
        return remaining
