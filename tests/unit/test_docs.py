"""The docs site's structure stays consistent with the files and the code it documents.

(The python blocks of the pages are run against real etcd by tests/integration/test_examples.py.)
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import etcd3.errors

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
MKDOCS_YML = ROOT / "mkdocs.yml"


def nav_pages() -> list[str]:
    """The pages ``mkdocs.yml``'s nav lists, relative to docs/."""
    return re.findall(r"^\s+- (?:[^:\n]+: )?([\w./-]+\.md)\s*$", MKDOCS_YML.read_text(), re.M)


def test_nav_lists_every_page_once_and_only_existing_ones() -> None:
    listed = nav_pages()
    on_disk = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert len(listed) == len(set(listed))
    assert sorted(listed) == on_disk


def _resolve(dotted: str) -> object:
    """Import ``a.b.C`` as deep as a module goes, then take attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_api_reference_target_exists() -> None:
    targets = [
        target
        for page in sorted(DOCS.rglob("*.md"))
        for target in re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), re.M)
    ]
    assert len(targets) > 30
    for target in targets:
        assert _resolve(target) is not None, target


def test_errors_guide_draws_the_tree_of_etcd3_errors() -> None:
    doc = etcd3.errors.__doc__
    assert doc is not None
    tree = textwrap.dedent(doc[doc.index("    EtcdError (=") :]).strip()
    page = (DOCS / "guide" / "errors.md").read_text()
    assert f"```text\n{tree}\n```" in page


def test_the_changelog_starts_with_this_release() -> None:
    releases = re.findall(r"^## (\d+\.\d+\.\d+)\b", (DOCS / "changelog.md").read_text(), re.M)
    assert releases[0] == etcd3.__version__
    assert len(releases) == len(set(releases))


def test_the_logging_guide_names_every_logger_of_the_package() -> None:
    package = ROOT / "etcd3"
    used = {
        name
        for module in package.rglob("*.py")
        for name in re.findall(r"""getLogger\(\s*["']([\w.]+)["']""", module.read_text())
    }
    assert {"etcd3", "etcd3.transport"} <= used  # the search sees them at all
    page = (DOCS / "guide" / "logging.md").read_text()
    documented = set(re.findall(r"^\| `(etcd3[\w.]*)` \|", page, re.M))
    assert documented == used


def test_guides_link_only_to_existing_pages() -> None:
    for page in DOCS.rglob("*.md"):
        for link in re.findall(r"\]\(([\w./-]+\.md)(?:#[\w-]+)?\)", page.read_text()):
            assert (page.parent / link).resolve().is_file(), f"{page}: {link}"


@pytest.mark.slow
def test_site_builds_strict(tmp_path: Path) -> None:
    for tool in ("mkdocs", "mkdocstrings_handlers.python"):
        try:
            importlib.import_module(tool)
        except ImportError:
            pytest.fail(f"{tool} is not installed: run `make dev`", pytrace=False)
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "api" / "client" / "index.html").is_file()
