"""The docstring filter and the Jinja environment."""

from __future__ import annotations

import ast

import jinja2
import pytest
from gen_support import etcd_schema

from codegen import render


@pytest.mark.parametrize(
    "text",
    ["plain", 'a """ b', 'ends with "', 'ends with """', "back\\slash", "\\", '"', 'x ""'],
)
def test_escape_round_trips_through_a_docstring(text: str) -> None:
    assert ast.literal_eval('"""' + render.escape(text) + '"""') == text


def test_one_line_docstring() -> None:
    assert render.docstring("Hello.", 4) == '"""Hello."""'
    assert render.docstring("", 4) == '"""Undocumented."""'


def test_multi_line_docstring_is_indented_and_closed_on_its_own_line() -> None:
    doc = render.docstring("Line one.\n\nLine two.", 4)
    assert doc == '"""Line one.\n\n    Line two.\n    """'


def test_method_docstring_has_google_sections() -> None:
    method = next(m for m in etcd_schema().methods if m.path == "/etcdserverpb.KV/Range")
    doc = render.layout(render.doc_spec(method))
    summary, args, returns, raises = doc.split("\n\n")
    assert summary == "Range gets the keys in the range from the key-value store."
    arg_lines = [line for line in args.splitlines() if line.startswith("    ") and ": " in line]
    names = [line.split(":")[0].strip() for line in arg_lines if not line.startswith("        ")]
    assert names[0] == "request"
    assert names[1:14] == [f.kwarg for f in method.flattened_fields]
    assert names[-2:] == ["timeout", "metadata"]
    assert "        If range_end is '\\\\0'" in args  # continuation lines indented, \ escaped
    assert returns == "Returns:\n    The ``RangeResponse``."
    assert raises.startswith("Raises:\n    TypeError:")
    assert "etcd3.EtcdError" in raises


def test_bidi_docstring_has_no_request_args() -> None:
    method = next(m for m in etcd_schema().methods if m.path == "/etcdserverpb.Watch/Watch")
    spec = render.doc_spec(method)
    assert [name for name, _ in spec.args] == ["timeout", "metadata"]
    assert "duplex stream" in spec.returns


def test_environment_is_strict() -> None:
    env = render.environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.trim_blocks
    assert env.lstrip_blocks
    assert env.keep_trailing_newline
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_partials_are_never_in_the_manifest() -> None:
    from codegen import emit

    assert all(not e.template.startswith("_") for e in emit.MANIFEST)
    templates = {p.name for p in render.TEMPLATES.glob("*.j2")}
    rendered = {e.template for e in emit.MANIFEST}
    assert templates - rendered == {"_macros.j2"}
