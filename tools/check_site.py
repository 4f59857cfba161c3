"""Fail when the built docs site shows a cross-reference as text instead of a link.

Docstrings are Markdown and link with the cross-reference syntax of the site's renderer
(``[`Etcd3Client`][etcd3.Etcd3Client]``). Three mistakes reach the HTML as text without any
build warning: a reStructuredText role (``:class:`Etcd3Client```), which Markdown does not
know; a cross-reference inside a code span or block, where Markdown does not look; and the
reStructuredText literal-block marker (a paragraph ending in ``::``; in Markdown the indented
block alone is the code block). This scans every page's text for all three.

Usage: ``python tools/check_site.py build/site`` (``make docs`` runs it after the build).
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

# A reStructuredText role as it reaches the HTML: ``:class:`` then a code span or a backtick.
RAW_ROLE = re.compile(r":(?:py:)?(?:class|meth|attr|data|func|mod|exc|obj|const|ref):(?:<code>|`)")
# A cross-reference Markdown left alone: ``[`Name`][etcd3.dotted.path]`` as text.
UNRENDERED_REF = re.compile(r"\[(?:<code>|`)[^\]]*(?:</code>|`)\]\[etcd3[\w.]*\]")
# A paragraph that ends in the reStructuredText literal-block marker.
LITERAL_MARKER = re.compile(r"[^:\s]::</p>")
_TAG = re.compile(r"<[^>]+>")


def problems(page: str) -> list[str]:
    """The raw roles, unrendered cross-references and literal markers in one page's HTML."""
    found = [m.group(0) for m in RAW_ROLE.finditer(page)]
    found += [html.unescape(_TAG.sub("", m.group(0))) for m in UNRENDERED_REF.finditer(page)]
    found += [m.group(0) for m in LITERAL_MARKER.finditer(page)]
    return found


def check(site: Path) -> list[str]:
    """``page: text`` for every problem in the site's HTML pages."""
    report = []
    for page in sorted(site.rglob("*.html")):
        for text in problems(page.read_text(encoding="utf-8")):
            report.append(f"{page.relative_to(site)}: {text}")
    return report


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: check_site.py SITE_DIR", file=sys.stderr)
        return 2
    site = Path(argv[1])
    pages = list(site.rglob("*.html"))
    if not pages:
        print(f"check_site: no HTML pages under {site}", file=sys.stderr)
        return 1
    report = check(site)
    for line in report:
        print(line, file=sys.stderr)
    if report:
        print(f"check_site: {len(report)} leftover(s) shown as text", file=sys.stderr)
        return 1
    print(f"check_site: {len(pages)} pages, every cross-reference is a link")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
