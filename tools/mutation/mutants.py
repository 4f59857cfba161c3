"""The mutants of one module, each a whole-source patch named by the text it changes.

The operators are mutmut's (``mutmut.mutation.mutators``). Unlike mutmut's own runner, which
can only swap function bodies through trampolines, a mutant here is plain source, so code that
runs at import time, decorated functions and properties are mutated too.

A mutant's ``MutantKey`` names it by the source text it changes (the enclosing function,
the original and the mutated lines), never by a line number alone: editing the line, or the
function around it, makes a new key, so a reviewed verdict about the old text stops applying.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange, MetadataWrapper, WhitespaceInclusivePositionProvider
from mutmut.mutation.mutators import mutation_operators

# Names that only type checkers read: the type variables' constructors and ``TypeAlias``.
_TYPING_ONLY = frozenset({"TypeVar", "NewType", "ParamSpec", "TypeVarTuple", "TypeAlias"})
# Calls whose arguments carry no behaviour: names for type checkers, casts, exhaustiveness
# checks. ``len`` and ``isinstance`` follow mutmut (dropping their argument only raises).
_SKIPPED_CALLS = _TYPING_ONLY | {"cast", "assert_never", "len", "isinstance"}
# Top-level names whose value only serves star-imports.
_SKIPPED_ASSIGNMENTS = frozenset({"__all__"})
# Enum hooks that mutmut leaves alone too: mutating them breaks the enum's definition itself.
_SKIPPED_FUNCTIONS = frozenset({"_generate_next_value_"})


@dataclass(frozen=True, slots=True)
class MutantKey:
    """What names a mutant across edits elsewhere in its module.

    Attributes:
        module: The dotted module name.
        scope: The qualified name of the enclosing function or class, ``<module>`` at the top.
        before: The original lines that the mutant changes, stripped, joined by newlines.
        after: The same lines as mutated.
        occurrence: Which of the mutants with the same other fields this is (0 for the first).
    """

    module: str
    scope: str
    before: str
    after: str
    occurrence: int = 0


@dataclass(frozen=True, slots=True)
class Mutant:
    """One mutant of a module.

    Attributes:
        key: What names it.
        line: The first changed line in the original source (1-based).
        source: The module's whole source with the change.
    """

    key: MutantKey
    line: int
    source: str

    def describe(self, path: str) -> str:
        """One line for a report: where, in which function, and what changed."""
        before = self.key.before.replace("\n", " ⏎ ")
        after = self.key.after.replace("\n", " ⏎ ") or "(removed)"
        return f"{path}:{self.line} [{self.key.scope}] {before!r} -> {after!r}"


def _changed_lines(original: list[str], mutated: list[str]) -> tuple[int, str, str]:
    """The first changed line (0-based) and the changed lines before and after, stripped."""
    prefix = 0
    while prefix < min(len(original), len(mutated)) and original[prefix] == mutated[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(original), len(mutated)) - prefix
        and original[-1 - suffix] == mutated[-1 - suffix]
    ):
        suffix += 1
    before = original[prefix : len(original) - suffix]
    after = mutated[prefix : len(mutated) - suffix]

    def strip(lines: list[str]) -> str:
        return "\n".join(line.strip() for line in lines)

    return prefix, strip(before), strip(after)


def _name_of(node: cst.BaseExpression) -> str | None:
    """The name an expression ends in: ``TypeVar`` for ``TypeVar`` and ``typing.TypeVar``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _call_name(node: cst.Call) -> str | None:
    return _name_of(node.func)


def _is_type_checking_block(node: cst.If) -> bool:
    return _name_of(node.test) == "TYPE_CHECKING"


def _is_overload(node: cst.FunctionDef) -> bool:
    return any(_name_of(d.decorator) == "overload" for d in node.decorators)


@dataclass(frozen=True, slots=True)
class _Found:
    """One mutation found: the original node's range and block indentation, its replacement."""

    where: CodeRange
    indents: tuple[str, ...]
    new: cst.CSTNode
    scope: str


class _Collector(cst.CSTVisitor):
    """Applies every operator to every node worth mutating, remembering where each one is."""

    METADATA_DEPENDENCIES = (WhitespaceInclusivePositionProvider,)

    def __init__(self, in_scope: Callable[[str], bool], default_indent: str) -> None:
        super().__init__()
        self._in_scope = in_scope
        self._default_indent = default_indent
        self._scope: list[str] = []
        self._indents: list[str] = []
        self.found: list[_Found] = []

    def _skip(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Annotation):
            return True
        if isinstance(node, cst.Call):
            return _call_name(node) in _SKIPPED_CALLS
        if isinstance(node, cst.If):
            return _is_type_checking_block(node)
        if isinstance(node, cst.FunctionDef):
            return _is_overload(node) or node.name.value in _SKIPPED_FUNCTIONS
        if isinstance(node, cst.AnnAssign):
            return _name_of(node.annotation.annotation) in _TYPING_ONLY
        if isinstance(node, cst.Assign):
            if isinstance(node.value, cst.Call) and _call_name(node.value) in _TYPING_ONLY:
                return True
            return not self._scope and any(
                isinstance(t.target, cst.Name) and t.target.value in _SKIPPED_ASSIGNMENTS
                for t in node.targets
            )
        return False

    def on_visit(self, node: cst.CSTNode) -> bool:
        # on_leave runs for skipped nodes too: enter the scope and the block first.
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self._scope.append(node.name.value)
        if isinstance(node, cst.IndentedBlock):
            self._indents.append(self._default_indent if node.indent is None else node.indent)
        if self._skip(node):
            return False
        scope = ".".join(self._scope) or "<module>"
        if self._in_scope(scope):
            for node_type, operator in mutation_operators:
                if isinstance(node, node_type):
                    where = self.get_metadata(WhitespaceInclusivePositionProvider, node)
                    for mutated in operator(node):
                        self.found.append(_Found(where, tuple(self._indents), mutated, scope))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, (cst.FunctionDef, cst.ClassDef)):
            self._scope.pop()
        if isinstance(original_node, cst.IndentedBlock):
            self._indents.pop()


class _Splicer:
    """Writes a replacement node's code over the original node's text.

    Splicing text is far cheaper than rebuilding the tree for every mutant. The range covers the
    whitespace the node owns, which is exactly what the replacement's code carries too; the
    code is generated inside the node's blocks so that its continuation lines keep their indent.
    """

    def __init__(self, module: cst.Module, source: str) -> None:
        self._module = module
        self._source = source
        self._line_starts = [0]
        for line in source.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))

    def _offset(self, line: int, column: int) -> int:
        return self._line_starts[line - 1] + column

    def _code(self, node: cst.CSTNode, indents: tuple[str, ...]) -> str:
        state = CodegenState(
            default_indent=self._module.default_indent,
            default_newline=self._module.default_newline,
            indent_tokens=list(indents),
        )
        node._codegen(state)
        return "".join(state.tokens)

    def __call__(self, found: _Found) -> str:
        start = self._offset(found.where.start.line, found.where.start.column)
        end = self._offset(found.where.end.line, found.where.end.column)
        code = self._code(found.new, found.indents)
        return self._source[:start] + code + self._source[end:]


def _compiles(source: str, filename: str) -> bool:
    try:
        compile(source, filename, "exec")
    except SyntaxError:
        return False
    return True


def generate(
    module_name: str,
    source: str,
    in_scope: Callable[[str], bool] = lambda _scope: True,
    filename: str = "<mutant>",
) -> list[Mutant]:
    """Every mutant of ``source`` inside the scopes ``in_scope`` accepts, in source order.

    A change that does not compile, or that yields the original text, makes no mutant.
    """
    wrapper = MetadataWrapper(cst.parse_module(source))
    collector = _Collector(in_scope, wrapper.module.default_indent)
    wrapper.visit(collector)
    splice = _Splicer(wrapper.module, source)
    original_lines = source.splitlines()
    seen: Counter[tuple[str, str, str]] = Counter()
    mutants: list[Mutant] = []
    for found in collector.found:
        scope = found.scope
        mutated = splice(found)
        if mutated == source or not _compiles(mutated, filename):
            continue
        first, before, after = _changed_lines(original_lines, mutated.splitlines())
        occurrence = seen[scope, before, after]
        seen[scope, before, after] += 1
        key = MutantKey(module_name, scope, before, after, occurrence)
        mutants.append(Mutant(key, first + 1, mutated))
    return sorted(mutants, key=lambda m: m.line)
