"""Pin the public types: run mypy on small files and compare every ``reveal_type``.

Each ``reveal_*.py`` file next to this one is a consumer program. A line
``reveal_type(expr)  # R: <type>`` states what mypy must reveal for ``expr``. No expression of
a consumer may be ``Any`` (``--disallow-any-expr``): with the package's runtime dependencies
alone (the compat runs), nothing our API hands out is untyped. The files are also type-checked
(strict) as part of ``make mypy``, so they double as consumer examples.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api as mypy_api

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
FILES = sorted(HERE.glob("reveal_*.py"))
EXPECT = re.compile(r"reveal_type\(.*\)\s*# R: (?P<type>.+)$")
REVEALED = re.compile(r'^(?P<file>[^:]+):(?P<line>\d+): note: Revealed type is "(?P<type>.+)"$')


def _expectations(path: Path) -> dict[int, str]:
    out: dict[int, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            out[number] = match.group("type").strip()
        else:
            # An expectation whose reveal_type was wrapped onto other lines would be lost.
            assert "# R:" not in line, f"{path.name}:{number}: `# R:` without its reveal_type"
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_revealed_types(path: Path) -> None:
    expected = _expectations(path)
    assert expected, f"{path.name} has no `# R:` expectations"
    stdout, stderr, _status = mypy_api.run(
        [
            "--strict",
            "--disallow-any-expr",
            "--no-incremental",
            "--show-absolute-path",
            "--hide-error-context",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(path),
        ]
    )
    revealed: dict[int, str] = {}
    errors: list[str] = []
    for line in stdout.splitlines():
        match = REVEALED.match(line)
        if match and Path(match.group("file")) == path:
            revealed[int(match.group("line"))] = match.group("type")
        elif ": error:" in line:
            errors.append(line)
    assert not errors, "\n".join(errors) + stderr
    mismatches = {
        n: (want, revealed.get(n)) for n, want in expected.items() if revealed.get(n) != want
    }
    assert not mismatches, "\n".join(
        f"{path.name}:{n}: expected {want!r}, mypy revealed {got!r}"
        for n, (want, got) in mismatches.items()
    )
