"""The docs site's structure stays consistent with the files and the code it documents.

(The python blocks of the pages are run and type-checked by tests/docs/test_docs_blocks.py.)
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

import etcd3.errors

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
MKDOCS_YML = ROOT / "mkdocs.yml"


def _load_check_site() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "tools" / "check_site.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_site = _load_check_site()


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
    assert check_site.check(tmp_path) == []
    # The docstrings' cross-references reached the reference as links.
    client_page = (tmp_path / "api" / "client" / "index.html").read_text()
    assert client_page.count('class="autorefs autorefs-internal"') > 50


def test_site_check_finds_roles_unrendered_references_and_literal_markers() -> None:
    page = (
        "<p>Create an :class:<code>Etcd3Client</code>; see :meth:`get`.</p>"
        "<p><code>[`KV`][etcd3.KV]</code> and [<code>Lease</code>][etcd3.Lease]</p>"
        '<p><a class="autorefs autorefs-internal" href="#etcd3.KV"><code>KV</code></a></p>'
        "<p>Single server::</p>"
    )
    assert check_site.problems(page) == [
        ":class:<code>",
        ":meth:`",
        "[`KV`][etcd3.KV]",
        "[Lease][etcd3.Lease]",
        "r::</p>",
    ]
    assert check_site.problems('<a href="#etcd3.KV"><code>KV</code></a> at 10:30') == []


# Where docstrings live: the package, the generated core, the templates that write it, the
# pytest plugin. Their cross-references use the site's Markdown syntax, never a role.
_DOCSTRING_SOURCES = ["etcd3", "generated", "templates", "_etcd3_pytest_plugin.py"]
_ROLE = re.compile(r":(?:py:)?(?:class|meth|attr|data|func|mod|exc|obj|const|ref):`")


def test_docstrings_link_with_markdown_not_roles() -> None:
    files = [
        path
        for source in _DOCSTRING_SOURCES
        for path in ([ROOT / source] if source.endswith(".py") else (ROOT / source).rglob("*"))
        if path.suffix in {".py", ".j2"}
    ]
    assert len(files) > 50
    roles = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _ROLE.search(line)
    ]
    assert roles == []
