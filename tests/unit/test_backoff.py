"""The one backoff formula of retries, keep-alive and watch stream reconnects."""

from __future__ import annotations

import math
import random

import pytest

from etcd3._backoff import Backoff, backoff_delay
from etcd3._retry import RetryPolicy


def test_waits_double_up_to_the_cap_without_jitter() -> None:
    assert [backoff_delay(n, 0.1, 0.5, 0) for n in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    assert backoff_delay(10_000, 0.1, 0.5, 0) == 0.5  # no overflow however long it goes on
    assert backoff_delay(3, 0.0, 1.0, 0.5) == 0.0


def test_jitter_only_shortens_a_wait() -> None:
    rng = random.Random(3)
    waits = [backoff_delay(2, 0.1, 1.0, 0.25, rng) for _ in range(500)]
    assert all(0.3 <= wait <= 0.4 for wait in waits)
    assert len({round(wait, 6) for wait in waits}) > 100  # actually spread
    capped = [backoff_delay(20, 0.1, 1.0, 1.0, rng) for _ in range(500)]
    assert all(0.0 <= wait <= 1.0 for wait in capped)  # never above the cap


def test_backoff_counts_its_attempts_and_resets() -> None:
    backoff = Backoff(base=0.1, cap=1.0)
    delays = [backoff.next_delay() for _ in range(8)]
    assert 0.05 <= delays[0] <= 0.1
    assert 0.1 <= delays[2] <= 0.4
    assert all(0.5 <= d <= 1.0 for d in delays[4:])
    backoff.reset()
    assert backoff.next_delay() <= 0.1
    exact = Backoff(base=0.2, cap=0.5, jitter=0)
    assert [exact.next_delay() for _ in range(3)] == [0.2, 0.4, 0.5]


def test_the_retry_policy_uses_the_same_formula() -> None:
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=1.0, jitter=0.3)
    assert [policy.backoff(retry, random.Random(9)) for retry in (1, 2, 5)] == [
        backoff_delay(attempt, 0.1, 1.0, 0.3, random.Random(9)) for attempt in (0, 1, 4)
    ]


class _CountingRandom(random.Random):
    """A seeded source that counts its draws."""

    def __init__(self) -> None:
        super().__init__(1)
        self.draws = 0

    def random(self) -> float:
        self.draws += 1
        return super().random()


def test_a_wait_without_jitter_draws_no_random_number() -> None:
    rng = _CountingRandom()
    assert backoff_delay(1, 0.1, 1.0, 0, rng) == 0.2
    assert backoff_delay(1, 0.0, 1.0, 0.5, rng) == 0.0
    assert rng.draws == 0
    backoff_delay(1, 0.1, 1.0, 0.5, rng)
    assert rng.draws == 1


def test_waits_stop_doubling_after_30_doublings() -> None:
    assert backoff_delay(30, 1.0, math.inf, 0) == 2.0**30
    assert backoff_delay(31, 1.0, math.inf, 0) == 2.0**30
    assert backoff_delay(10**9, 1e-9, math.inf, 0) == 1e-9 * 2.0**30


def test_backoff_defaults_wait_50_ms_doubling_to_2_s_with_half_jitter() -> None:
    backoff = Backoff()
    assert (backoff.base, backoff.cap, backoff.jitter) == (0.05, 2.0, 0.5)


def test_backoff_applies_its_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 1.0)  # the largest draw: the shortest wait
    backoff = Backoff(base=0.2, cap=1.0, jitter=0.25)
    assert [backoff.next_delay() for _ in range(4)] == pytest.approx([0.15, 0.3, 0.6, 0.75])
