"""The API reference covers the public API, and the constructors document every argument.

The reference pages (``docs/api/*.md``) are mkdocstrings ``::: target`` entries. What an entry
renders is resolved here as mkdocstrings' Python handler resolves it with this site's options,
on griffe's static view of the package (the view the site is built from): the target itself,
then, recursively, the members it shows. Those are the members named in its ``members`` option
if it has one, else every member whose name the site's ``filters`` keep, that has a docstring
(the site hides members without one) and that is defined where it is shown or exported by that
module's ``__all__``. Submodules are not shown (``show_submodules`` is off).
"""

from __future__ import annotations

import importlib
import inspect
import pydoc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import griffe
import pytest

import etcd3
import etcd3.testing

ROOT = Path(__file__).resolve().parent.parent.parent
API_PAGES = ROOT / "docs" / "api"
MKDOCS_YML = ROOT / "mkdocs.yml"

OptionValue = bool | str | list[str]

# The options that decide which members an entry shows (the resolver below implements them),
# and those that only lay the page out. Any other option fails the test: the resolver would
# not know what it does to coverage.
_MEMBER_OPTIONS = {"members", "inherited_members", "filters", "show_if_no_docstring"}
_LAYOUT_OPTIONS = {
    "heading",
    "heading_level",
    "members_order",
    "merge_init_into_class",
    "separate_signature",
    "show_bases",
    "show_root_full_path",
    "show_root_heading",
    "show_signature_annotations",
    "signature_crossrefs",
    "docstring_style",
    "show_source",
    "summary",
    "toc_label",
}

# The generated protobuf namespaces: hundreds of messages that etcd's API reference documents,
# each with a typed .pyi stub (docs/api/rpc.md says so); their names are not listed one by one.
_GENERATED_NAMESPACES = {"etcd3.rpc", "etcd3.etcdrpc"}


def _parse_value(text: str) -> OptionValue:
    """A YAML scalar or flow list as the reference pages and mkdocs.yml write them."""
    text = text.strip()
    if text in {"true", "false"}:
        return text == "true"
    if text.startswith("[") and text.endswith("]"):
        return [item.strip().strip("\"'") for item in text[1:-1].split(",") if item.strip()]
    return text.strip("\"'")


def _parse_options(block: str) -> dict[str, OptionValue]:
    """``key: value`` lines of an ``options:`` block."""
    options: dict[str, OptionValue] = {}
    for line in block.splitlines():
        if line.strip() and line.strip() != "options:":
            key, _, value = line.strip().partition(":")
            options[key] = _parse_value(value)
    return options


def site_options() -> dict[str, OptionValue]:
    """The python handler's options in mkdocs.yml, which every entry starts from."""
    text = MKDOCS_YML.read_text()
    block = re.search(r"^( +)options:\n((?:\1  +\S.*\n)+)", text, re.M)
    assert block is not None, "mkdocs.yml: no python handler options"
    options = _parse_options(block[2])
    options.setdefault("show_submodules", False)
    return options


@dataclass(frozen=True)
class Entry:
    """One ``::: target`` of a reference page, with its own options."""

    page: str
    target: str
    options: dict[str, OptionValue] = field(default_factory=dict)


def reference_entries() -> list[Entry]:
    entries = []
    for page in sorted(API_PAGES.glob("*.md")):
        text = page.read_text()
        for match in re.finditer(r"^::: ([\w.]+)[ \t]*\n((?:    .*\n)*)", text, re.M):
            entries.append(Entry(page.name, match[1], _parse_options(match[2])))
    return entries


def _keep_name(name: str, filters: OptionValue) -> bool:
    """mkdocstrings' name filters: the last pattern that matches decides (``!`` rejects)."""
    assert isinstance(filters, list), filters
    keep = True
    for pattern in filters:
        negated = pattern.startswith("!")
        if re.search(pattern.removeprefix("!"), name):
            keep = not negated
    return keep


class Reference:
    """Every object path the reference pages render, resolved on griffe's view of the code."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.defaults = site_options()
        self.loader = griffe.GriffeLoader(search_paths=[str(ROOT)], docstring_parser="google")
        self.rendered: set[str] = set()
        for entry in entries:
            unknown = set(entry.options) - _MEMBER_OPTIONS - _LAYOUT_OPTIONS
            assert not unknown, f"{entry.page}: {entry.target}: options {unknown} not modelled"
            options = {**self.defaults, **entry.options}
            self._render(self.find(entry.target), options, root=True)

    def find(self, path: str) -> griffe.Object | griffe.Alias:
        """The griffe object at ``path`` (its top-level package loaded on first use)."""
        top = path.partition(".")[0]
        if top not in self.loader.modules_collection:
            self.loader.load(top)
        found: griffe.Object | griffe.Alias = self.loader.modules_collection[path]
        return found

    def _render(
        self, obj: griffe.Object | griffe.Alias, options: dict[str, OptionValue], root: bool
    ) -> None:
        try:
            target = obj.final_target if isinstance(obj, griffe.Alias) else obj
        except griffe.AliasResolutionError:
            return  # another package's object (grpc's, protobuf's): not ours to document
        if target.path in self.rendered:
            return
        self.rendered.update({target.path, obj.path})
        if target.kind not in {griffe.Kind.MODULE, griffe.Kind.CLASS}:
            return
        members = options["members"] if root and "members" in options else None
        inherited = options["inherited_members"] is True
        children = [
            child
            for child in (target.all_members if inherited else target.members).values()
            if inherited or not child.inherited
        ]
        if members is False or members == []:
            chosen = [child for child in children if child.inherited]
        elif isinstance(members, list):
            chosen = [child for child in children if child.name in members]
        else:
            chosen = [child for child in children if _keep_name(child.name, options["filters"])]
            if options["show_if_no_docstring"] is not True:
                chosen = [child for child in chosen if child.has_docstrings]
            chosen = [child for child in chosen if not child.is_imported or child.is_public]
        for child in chosen:
            if child.kind is griffe.Kind.MODULE and options["show_submodules"] is not True:
                continue
            self._render(child, options, root=False)

    def canonical(self, module: ModuleType, name: str) -> str:
        """The path of the object ``module.name`` names, as the site's anchors know it."""
        value: object = getattr(module, name)
        if inspect.ismodule(value):
            return value.__name__
        found = self.find(f"{module.__name__}.{name}")
        try:
            target = found.final_target if isinstance(found, griffe.Alias) else found
        except griffe.AliasResolutionError:
            return found.path
        if target.kind is griffe.Kind.MODULE and (inspect.isclass(value) or callable(value)):
            # A function bound over a submodule of the same name (``etcd3.client``): griffe
            # sees the submodule, the import system the function.
            return f"{value.__module__}.{getattr(value, '__qualname__', name)}"
        return target.path

    def missing(self, module: ModuleType) -> list[str]:
        """The names in ``module.__all__`` that nothing on the reference pages renders."""
        names: list[str] = list(module.__all__)
        return [name for name in names if self.canonical(module, name) not in self.rendered]


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference(reference_entries())


def predecessor_modules() -> Iterator[ModuleType]:
    """The modules ``etcd3`` exports, and ``etcd3.client`` (the function takes its name)."""
    yield importlib.import_module("etcd3.client")
    for name in etcd3.__all__:
        value = getattr(etcd3, name)
        if inspect.ismodule(value) and value.__name__ not in _GENERATED_NAMESPACES:
            yield value


def test_every_name_of_etcd3_has_a_reference_entry(reference: Reference) -> None:
    assert len(etcd3.__all__) > 150  # both lists: the core API and the predecessors' names
    assert reference.missing(etcd3) == []


def test_every_name_of_etcd3_testing_has_a_reference_entry(reference: Reference) -> None:
    assert reference.missing(etcd3.testing) == []


def test_every_name_a_predecessor_module_exports_has_a_reference_entry(
    reference: Reference,
) -> None:
    modules = list(predecessor_modules())
    assert len(modules) == 12
    for module in modules:
        assert reference.missing(module) == [], module.__name__
        assert module.__name__ in reference.rendered  # the module's own entry, its docstring


def test_the_resolver_sees_what_an_entry_leaves_out() -> None:
    """Entries that show no member, or only some, leave the rest uncovered."""
    bare = Reference([Entry("t", "etcd3.errors", {"members": False})])
    assert "etcd3.errors" in bare.rendered
    assert "LockError" in bare.missing(etcd3.errors)
    some = Reference([Entry("t", "etcd3.utils", {"members": ["to_bytes"]})])
    assert some.missing(etcd3.utils) == [name for name in etcd3.utils.__all__ if name != "to_bytes"]
    whole = Reference([Entry("t", "etcd3.Lock")])
    assert {"etcd3._lock.Lock", "etcd3._lock.Lock.acquire"} <= whole.rendered
    assert "etcd3._lock.Lock._acquire_once" not in whole.rendered


def _documented_args(doc: str) -> list[str]:
    """The parameter names of the ``Args:`` section of a Google-style docstring."""
    section = re.search(r"^Args:\n((?:(?: {4}.*)?\n)+)", doc, re.M)
    assert section is not None, "no Args: section"
    return re.findall(r"^ {4}(\w+)(?: \([^)]*\))?: \S", section[1], re.M)


CONSTRUCTORS: list[Callable[..., object]] = [
    etcd3.client,
    etcd3.async_client,
    etcd3.Etcd3Client,
    etcd3.AsyncEtcd3Client,
    etcd3.MultiEndpointEtcd3Client,
    etcd3.AsyncMultiEndpointEtcd3Client,
]


@pytest.mark.parametrize("constructor", CONSTRUCTORS, ids=lambda c: c.__name__)
def test_help_documents_every_argument_of_a_constructor(constructor: Callable[..., object]) -> None:
    parameters = inspect.signature(constructor).parameters
    public = [name for name in parameters if not name.startswith("_")]
    doc = inspect.getdoc(constructor)
    assert doc is not None
    assert _documented_args(doc) == public  # each one, in the signature's order
    shown = pydoc.render_doc(constructor, renderer=pydoc.TextDoc())
    for name in public:
        assert re.search(rf"^[ |]+{name}: \S", shown, re.M), f"help() lacks {name}"


def test_the_client_reference_shows_the_constructors_themselves(reference: Reference) -> None:
    """``etcd3.client`` the function, not the predecessors' module of that name."""
    assert reference.canonical(etcd3, "client") == "etcd3._client.client"
    assert reference.canonical(etcd3, "async_client") == "etcd3._client_async.async_client"
    client_page = {e.target for e in reference.entries if e.page == "client.md"}
    assert {"etcd3._client.client", "etcd3.async_client"} <= client_page
