"""Network faults on a real cluster behind fault proxies, with the linearizability checker as the
oracle: asyncio and sync clients together, auth on with tokens expiring, leases kept alive.

Each test runs one scenario of ``network_scenarios.py`` (short form: tens of seconds) and asserts
the verdicts (every operation linearizable, every watch equal to the store's history) and what the
scenario promises besides. ``make soak`` runs them in a random mix for as long as asked.
"""

from __future__ import annotations

import pytest

from etcd3.testing import EtcdFactory
from faults.history import Status
from faults.network_scenarios import KEEPALIVE_DETECTION, SCENARIOS, Report, run_scenario

pytestmark = [pytest.mark.faults, pytest.mark.cluster, pytest.mark.slow]

SEED = 11


def during_fault(report: Report, client: str, window: tuple[float, float]) -> int:
    """Operations of ``client`` that succeeded while the fault lasted."""
    start, end = window
    return sum(
        1
        for op in report.history.ops
        if op.client == client and op.status is Status.OK and start < op.ret < end
    )


async def run(etcd_factory: EtcdFactory, figures: dict[str, object], name: str) -> Report:
    report = await run_scenario(etcd_factory, SCENARIOS[name], seed=SEED)
    figures.update(report.figures)
    if not report.ok:
        pytest.fail(report.explain())
    return report


async def test_minority_leader(etcd_factory: EtcdFactory, figures: dict[str, object]) -> None:
    """The leader is cut from both followers: its own clients get errors (never a wrong
    answer), the majority elects a leader and its clients go on."""
    report = await run(etcd_factory, figures, "minority_leader")
    window = report.fault_window
    assert during_fault(report, "sync-0", window) > 0, "the majority side stopped"


async def test_blackhole_of_the_member_in_use(
    etcd_factory: EtcdFactory, figures: dict[str, object]
) -> None:
    """Every client's member goes silent (no RST): each client moves to another member while
    the blackhole lasts."""
    report = await run(etcd_factory, figures, "blackhole_in_use")
    window = report.fault_window
    stuck = [
        c for c in ("async-0", "async-1", "sync-0", "sync-1") if not during_fault(report, c, window)
    ]
    assert not stuck, f"clients still stuck on the blackholed member after {KEEPALIVE_DETECTION} s"


async def test_slow_links(etcd_factory: EtcdFactory, figures: dict[str, object]) -> None:
    """200 ms ± 100 ms on every link, deadlines of 5 s and attempts of 4 s: no election, no
    failover, no error."""
    report = await run(etcd_factory, figures, "slow_links")
    assert report.notes["leader_changes_after"] == report.notes["leader_changes_before"]
    assert report.notes["leader_after"] == report.notes["leader_before"]
    assert not report.history.errors, f"calls failed: {dict(report.history.errors)}"
    assert report.in_use_after == report.in_use_before


async def test_replies_lost(etcd_factory: EtcdFactory, figures: dict[str, object]) -> None:
    """Requests reach the member, replies never come back: writes end with unknown outcomes,
    and the history is still linearizable with them."""
    report = await run(etcd_factory, figures, "replies_lost")
    assert report.figures["unknown"], "the fault was meant to leave outcomes unknown"


async def test_rolling_restart(etcd_factory: EtcdFactory, figures: dict[str, object]) -> None:
    """Every member killed and restarted in turn under load."""
    await run(etcd_factory, figures, "rolling_restart")


async def test_remove_and_rejoin(etcd_factory: EtcdFactory, figures: dict[str, object]) -> None:
    """A member removed from the cluster, then added back empty, under load."""
    await run(etcd_factory, figures, "remove_and_rejoin")
