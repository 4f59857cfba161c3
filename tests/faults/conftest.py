"""The fault-injection suite: its figures fixture and the session summary (marker: ``faults``).

Run it alone with ``pytest -m faults`` (add ``-s`` to see each scenario's figures as it ends).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faults.fault_support import FIGURES, format_figures, record_figures


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
