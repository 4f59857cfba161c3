"""The library's logging setup: every logger under ``etcd3``, and nothing printed by default
(a ``NullHandler`` on ``etcd3`` keeps Python's last-resort handler from writing to stderr)."""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
from pathlib import Path

import etcd3

PACKAGE = Path(etcd3.__file__).parent

EMIT_WARNING = (
    "import logging, etcd3\n"
    "{setup}"
    "logging.getLogger('etcd3.lease').warning('lease 7 lost')\n"
    "logging.getLogger('etcd3').error('stream failed')\n"
)


def run(setup: str) -> subprocess.CompletedProcess[str]:
    code = EMIT_WARNING.format(setup=setup)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )


def test_the_etcd3_logger_has_a_null_handler() -> None:
    handlers = logging.getLogger("etcd3").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_warnings_print_nothing_unless_the_application_configures_logging() -> None:
    quiet = run("")
    assert (quiet.stdout, quiet.stderr) == ("", "")
    # Without the NullHandler Python's last-resort handler would print them: the check above
    # is about our setup, not about a silent interpreter.
    loud = run("logging.getLogger('etcd3').handlers.clear()\n")
    assert loud.stderr.splitlines() == ["lease 7 lost", "stream failed"]
    # An application that configures logging sees the records.
    configured = run("logging.basicConfig(format='%(name)s:%(levelname)s:%(message)s')\n")
    assert configured.stderr.splitlines() == [
        "etcd3.lease:WARNING:lease 7 lost",
        "etcd3:ERROR:stream failed",
    ]


def logger_names() -> dict[str, list[str]]:
    """Every ``logging.getLogger(<literal>)`` name in the package, by module."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "getLogger"
            ):
                args = node.args
                assert len(args) == 1, f"{path}: getLogger() needs an explicit name"
                arg = args[0]
                assert isinstance(arg, ast.Constant), f"{path}: getLogger({ast.unparse(arg)})"
                assert isinstance(arg.value, str)
                found.setdefault(str(path.relative_to(PACKAGE)), []).append(arg.value)
    return found


def test_every_logger_is_under_etcd3() -> None:
    names = logger_names()
    assert names  # the scan found the package's loggers
    for module, module_names in names.items():
        for name in module_names:
            assert name == "etcd3" or name.startswith("etcd3."), (module, name)


def test_the_transport_logs_under_its_own_name() -> None:
    assert "etcd3.transport" in logger_names()["_transport/_caller_async.py"]
