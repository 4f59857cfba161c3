"""Stage 4: the Jinja environment and its filters.

There is one docstring filter, ``docstring``. It takes a model object, picks its text
(``codegen.build`` already chose leading > trailing > detached comment and removed the
comment markers), notes the etcd release that introduced it when newer than the first v3
release, escapes it for a triple-quoted string and lays it out Google style: summary, ``Args:``
(one entry per flattened field, from the field's own comment), ``Returns:``, ``Raises:``.

The other filters spell types and defaults (``codegen.pytypes``); templates reach the import
and export lists through the ``imports`` global (``codegen.imports``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from codegen import imports, policy, pytypes, versions
from codegen.contract import CallKind
from codegen.model import Enum, EnumValue, Field, Message, Method, Package, Service
from codegen.txn_facade import CompareTarget, OpKind
from codegen.versions import Version

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: The exception every generated call documents.
RAISES = (("etcd3.EtcdError", "The call failed; see the subclass for the reason."),)


@dataclass(frozen=True)
class DocSpec:
    """The parts of one Google-style docstring, before escaping and layout."""

    summary: str
    args: tuple[tuple[str, str], ...] = ()
    returns: str = ""
    raises: tuple[tuple[str, str], ...] = ()


def escape(text: str) -> str:
    """Make ``text`` safe inside a ``\"\"\"`` string: backslashes and quote runs escaped."""
    text = text.replace("\\", "\\\\")
    # A trailing quote would merge with the closing delimiter: escape it on its own.
    trailing = '\\"' if text.endswith('"') else ""
    if trailing:
        text = text[:-1]
    return text.replace('"""', r"\"\"\"") + trailing


def since_note(text: str, since: Version | None) -> str:
    """``text`` followed by "Since etcd X.Y." when ``since`` is newer than the first v3 release."""
    if since is None or since <= policy.FIRST_V3_RELEASE:
        return text
    note = f"Since etcd {versions.text(since)}."
    return f"{text}\n\n{note}" if text else note


def _field_arg(field: Field) -> tuple[str, str]:
    text = field.doc or f"The ``{field.name}`` field of the request."
    return field.kwarg, since_note(text, field.since)


def _request_args(fields: Sequence[Field]) -> tuple[tuple[str, str], ...]:
    return tuple(_field_arg(f) for f in fields)


_CALL_ARGS = (
    ("timeout", "Deadline in seconds, ``None`` for none, or the client's default."),
    ("metadata", "Extra gRPC metadata sent with the call."),
)


def doc_spec(obj: object) -> DocSpec:
    """The docstring parts of a model object (or a plain string)."""
    if isinstance(obj, str):
        return DocSpec(summary=obj)
    if isinstance(obj, Method):
        return _method_spec(obj)
    if isinstance(obj, OpKind):
        return DocSpec(
            summary=(
                f"A transaction operation running a ``{obj.request.py_name}``.\n\n{obj.request.doc}"
            ).strip(),
            args=_request_args(obj.request.fields),
            returns=f"A ``RequestOp`` with ``{obj.request_member.name}`` set.",
        )
    if isinstance(obj, CompareTarget):
        return DocSpec(
            summary=f"A transaction comparison of a key's ``{obj.member.name}``.",
            args=_request_args((*obj.positional, obj.member, *obj.keywords)),
            returns=f"A ``Compare`` with target ``{obj.value.py_name}`` and "
            f"``{obj.member.name}`` set.",
        )
    if isinstance(obj, Package):
        summary = f"Messages and enums of the ``{obj.name}`` proto package."
        return DocSpec(summary=f"{summary}\n\n{obj.doc}".strip())
    if isinstance(obj, Service):
        return DocSpec(summary=obj.doc or f"The ``{obj.full_name}`` service.")
    if isinstance(obj, Message | Enum):
        kind = type(obj).__name__.lower()
        return DocSpec(summary=since_note(obj.doc or f"The ``{obj.full_name}`` {kind}.", obj.since))
    if isinstance(obj, Field | EnumValue):
        return DocSpec(summary=since_note(obj.doc, obj.since))
    raise TypeError(f"no docstring for {type(obj).__name__}")


def _method_spec(method: Method) -> DocSpec:
    summary = since_note(method.doc or f"Call ``{method.path}``.", method.since)
    request = method.request.py_name
    response = method.response.py_name
    if method.kind is CallKind.BIDI_STREAM:
        return DocSpec(
            summary=summary,
            args=_CALL_ARGS,
            returns=f"A duplex stream: send ``{request}`` messages, iterate ``{response}`` ones.",
            raises=RAISES,
        )
    args = (
        ("request", f"A prebuilt ``{request}``; pass it or the keyword fields, not both."),
        *_request_args(method.flattened_fields),
        *_CALL_ARGS,
    )
    returns = (
        f"A stream of ``{response}`` messages."
        if method.kind is CallKind.SERVER_STREAM
        else f"The ``{response}``."
    )
    raises = (
        (
            "TypeError",
            f"``request`` is not a ``{request}``, or both it and keyword fields were given.",
        ),
        *RAISES,
    )
    return DocSpec(summary=summary, args=args, returns=returns, raises=raises)


def _indent_rest(text: str, prefix: str) -> str:
    """Indent every non-empty line after the first."""
    lines = text.split("\n")
    return "\n".join([lines[0], *(prefix + line if line else "" for line in lines[1:])])


def layout(spec: DocSpec) -> str:
    """The docstring body (unindented, escaped) for ``spec``."""
    parts = [escape(spec.summary) or "Undocumented."]
    if spec.args:
        parts.append("Args:\n" + "\n".join(_entry(n, t) for n, t in spec.args))
    if spec.returns:
        parts.append("Returns:\n    " + _indent_rest(escape(spec.returns), "    "))
    if spec.raises:
        parts.append("Raises:\n" + "\n".join(_entry(n, t) for n, t in spec.raises))
    return "\n\n".join(parts)


def _entry(name: str, text: str) -> str:
    body = _indent_rest(escape(text.strip()) or "Undocumented.", "        ")
    return f"    {name}: {body}"


def docstring(obj: object, indent: int = 0) -> str:
    """Jinja filter: a complete, escaped, indented ``\"\"\"docstring\"\"\"`` for ``obj``."""
    body = layout(doc_spec(obj))
    if "\n" in body:
        body += "\n"
    return '"""' + _indent_rest(body, " " * indent) + (" " * indent if "\n" in body else "") + '"""'


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja environment every template renders in."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Python source, not HTML.
    )
    env.filters["docstring"] = docstring
    env.filters["pyrepr"] = repr
    env.filters["version"] = versions.text
    env.filters.update(pytypes.FILTERS)
    env.globals["imports"] = imports
    return env
