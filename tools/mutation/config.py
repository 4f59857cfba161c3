"""The modules ``make mutate`` mutates, each with the unit test files that must pin it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNIT = "tests/unit/"
TXN_TESTS = (
    f"{UNIT}test_transactions_builder.py",
    f"{UNIT}test_transactions_operators.py",
    f"{UNIT}test_transactions_recipes.py",
)


@dataclass(frozen=True, slots=True)
class Target:
    """One module and its tests.

    Attributes:
        module: The dotted module name (``etcd3._paging``).
        tests: The test files, relative to the repository root, whose tests must kill its mutants.
        scopes: When not empty, only code inside these functions or classes (qualified names,
            ``EtcdError.classify``) is mutated: the rest of the module is another job's.
        gated: Whether a score below the threshold fails the run; a module whose tests are not
            yet raised to it is measured and listed all the same.
    """

    module: str
    tests: tuple[str, ...]
    scopes: tuple[str, ...] = ()
    gated: bool = True

    @property
    def short(self) -> str:
        """The name without the package (``_paging``), as ``MODULES=`` takes it."""
        return self.module.removeprefix("etcd3.")

    @property
    def path(self) -> Path:
        """The module's source file."""
        return ROOT / (self.module.replace(".", "/") + ".py")

    def in_scope(self, scope: str) -> bool:
        """Whether code in ``scope`` (a qualified name, ``<module>`` on top) is mutated."""
        return not self.scopes or any(
            scope == wanted or scope.startswith(wanted + ".") for wanted in self.scopes
        )


TARGETS: tuple[Target, ...] = (
    Target("etcd3._paging", (f"{UNIT}test_paging.py",)),
    Target("etcd3._retry", (f"{UNIT}test_retry.py",)),
    Target("etcd3._retry_core", (f"{UNIT}test_retry.py",)),
    Target("etcd3._validate", (f"{UNIT}test_validate.py",)),
    Target("etcd3._namespace_core", (f"{UNIT}test_namespace_core.py",)),
    Target("etcd3._timeouts", (f"{UNIT}test_timeouts.py",)),
    Target("etcd3._backoff", (f"{UNIT}test_backoff.py",)),
    Target("etcd3._lease_core", (f"{UNIT}test_lease_core.py",)),
    Target("etcd3._concurrency_core", (f"{UNIT}test_concurrency_core.py",)),
    Target("etcd3._views", (f"{UNIT}test_views.py",)),
    Target("etcd3._cluster_views", (f"{UNIT}test_cluster_views.py",)),
    Target("etcd3._transactions.messages", (f"{UNIT}test_transactions_messages.py", *TXN_TESTS)),
    Target("etcd3._transactions.operators", (f"{UNIT}test_transactions_operators.py",)),
    Target("etcd3._transactions.builder", (f"{UNIT}test_transactions_builder.py",)),
    Target("etcd3._transactions.recipes", (f"{UNIT}test_transactions_recipes.py",)),
    Target("etcd3._txn_results", (f"{UNIT}test_generated_txn.py",)),
    Target(
        "etcd3.errors",
        (f"{UNIT}test_errors.py",),
        scopes=("EtcdError.classify", "error_from_status"),
    ),
    Target("etcd3._endpoints", (f"{UNIT}test_endpoints.py", f"{UNIT}test_endpoints_pinned.py")),
    Target("etcd3._watch_core", (f"{UNIT}test_watch_core.py", f"{UNIT}test_watch_core_pinned.py")),
    Target("etcd3._events", (f"{UNIT}test_events.py", f"{UNIT}test_events_headers.py")),
)


def touched_by(changed: list[str]) -> list[Target]:
    """The targets that changed files touch: their module or one of their test files.

    A change to this tool (its configuration and allowlist included) touches every target.

    Args:
        changed: The changed paths, relative to the repository root.
    """
    if any(path.startswith("tools/mutation/") for path in changed):
        return list(TARGETS)
    touched = set(changed)
    return [
        t
        for t in TARGETS
        if str(t.path.relative_to(ROOT)) in touched or touched.intersection(t.tests)
    ]


def select(names: list[str]) -> list[Target]:
    """The targets named (``_paging`` or ``etcd3._paging``), in configuration order.

    Raises:
        ValueError: A name matches no target.
    """
    if not names:
        return list(TARGETS)
    by_name = {name: t for t in TARGETS for name in (t.module, t.short)}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(t.short for t in TARGETS)
        raise ValueError(f"unknown module(s) {', '.join(unknown)}; known: {known}")
    wanted = {by_name[name].module for name in names}
    return [t for t in TARGETS if t.module in wanted]
