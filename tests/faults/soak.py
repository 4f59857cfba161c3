"""The soak: random network faults, one after another, on one cluster under continuous load.

Not collected by a plain ``pytest`` run (the name does not start with ``test_``); run it with
``make soak`` (``SOAK_SECONDS``, default 600; ``SOAK_SEED`` to replay a run: the seed is printed
first). At the end the whole history is checked for linearizability and every watch against the
store's history, as in ``test_network_faults.py``.
"""

from __future__ import annotations

import os
import random

import pytest

from etcd3.testing import EtcdFactory
from faults.network_scenarios import run_scenario, soak

pytestmark = [pytest.mark.faults, pytest.mark.cluster, pytest.mark.slow]


def _log(line: str) -> None:
    print(f"[soak] {line}", flush=True)


async def test_soak(etcd_factory: EtcdFactory, figures: dict[str, object]) -> None:
    seconds = float(os.environ.get("SOAK_SECONDS") or 600)
    seed = int(os.environ.get("SOAK_SEED") or random.SystemRandom().randrange(2**31))
    _log(f"seed {seed}, {seconds:.0f} s (replay: make soak SOAK_SEED={seed})")
    figures["seed"] = seed
    report = await run_scenario(etcd_factory, soak(seconds, seed, _log), seed=seed)
    figures.update(report.figures)
    figures["nemeses"] = report.notes.get("nemeses", {})
    if not report.ok:
        pytest.fail(f"soak seed {seed}: {report.explain()}")
