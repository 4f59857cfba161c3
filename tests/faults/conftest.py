"""The fault-injection suite: the etcd it runs, its figures fixture and the session summary
(marker: ``faults``).

Run it alone with ``pytest -m faults`` (add ``-s`` to see each scenario's figures as it ends).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etcd3.testing import find_etcd_binary
from etcd3.testing._binary import etcd_version, version_tuple
from faults.fault_support import FIGURES, format_figures, record_figures

KILL_UNSAFE = ((3, 5, 0), (3, 5, 3))
"""etcd 3.5.0 to 3.5.3 (inclusive): a member killed while applying entries under load may skip
some of them after its restart and serve a store without them. The suite kills members under
load, so on these servers it would report entries the server itself lost."""

KILL_SAFE_VERSION = "3.5.30"
"""The server the suite runs on instead of one in ``KILL_UNSAFE``."""


@pytest.fixture(scope="session")
def etcd_binary(etcd_binary: Path) -> Path:
    """The session's etcd, or ``KILL_SAFE_VERSION`` when the session's is in ``KILL_UNSAFE``:
    every server and cluster fixture of the suite runs on it."""
    low, high = KILL_UNSAFE
    if low <= version_tuple(etcd_version(etcd_binary)) <= high:
        return find_etcd_binary(version=KILL_SAFE_VERSION)
    return etcd_binary


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """A dict the test fills with its measurements; recorded for the summary at teardown."""
    collected: dict[str, object] = {}
    yield collected
    if collected:
        record_figures(request.node.nodeid.rsplit("/", 1)[-1], collected)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("fault-injection figures")
    for test_id, measured in FIGURES:
        terminalreporter.write_line(f"{test_id}: {format_figures(measured)}")
