"""Backoff (sans-IO): how long to wait before trying again, for every retry of the client.

One formula, used by the retries of unary calls ([`RetryPolicy`][etcd3.RetryPolicy]), the re-opening
of the lease keep-alive stream and of the watch stream: the ``n``-th wait (from 0) is drawn
uniformly from ``[(1 - jitter) * d, d]`` with ``d = min(cap, base * 2**n)``. Waits double up
to the cap and never exceed it; the jitter only shortens them, so many clients of a restarted
server do not come back in lockstep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

__all__ = ["Backoff", "backoff_delay"]


def backoff_delay(
    attempt: int, base: float, cap: float, jitter: float, rng: random.Random | None = None
) -> float:
    """The wait before try number ``attempt`` after the first failure (``0``: the first wait).

    Args:
        attempt: How many waits came before this one.
        base: The first wait's upper bound in seconds.
        cap: The longest wait in seconds.
        jitter: The fraction of each wait left to chance, in ``[0, 1]`` (``0``: none).
        rng: Random source (tests pass a seeded one); the ``random`` module's by default.

    Returns:
        Seconds, within ``[(1 - jitter) * d, d]`` for ``d = min(cap, base * 2**attempt)``.
    """
    bound = float(min(cap, base * (2 ** min(attempt, 30))))
    if not jitter or not bound:
        return bound
    if rng is None:
        import random  # at the first jittered wait: the client's import path does not need it

        return bound * (1 - jitter * random.random())
    return bound * (1 - jitter * rng.random())


class Backoff:
    """The waits between attempts to re-open a failed stream, counting the attempts itself.

    Args:
        base: The first wait's upper bound in seconds.
        cap: The longest wait in seconds.
        jitter: The fraction of each wait left to chance (``backoff_delay``).
    """

    __slots__ = ("_attempt", "base", "cap", "jitter")

    def __init__(self, base: float = 0.05, cap: float = 2.0, jitter: float = 0.5) -> None:
        self.base = base
        self.cap = cap
        self.jitter = jitter
        self._attempt = 0

    def next_delay(self) -> float:
        """The wait before the next attempt; each call makes the following one longer."""
        delay = backoff_delay(self._attempt, self.base, self.cap, self.jitter)
        self._attempt += 1
        return delay

    def reset(self) -> None:
        """Start over from the shortest wait (after a stream worked)."""
        self._attempt = 0
