"""Small fragment protos through the whole generator: golden output and behaviour.

Golden files live in ``fragments/expected/<fragment>/<output>.golden``. After an intended
generator change, rewrite them with ``UPDATE_GOLDEN=1 pytest tests/codegen/test_fragments.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from gen_support import FRAGMENTS, fragment_schema, generate_and_import

from codegen import emit

EXPECTED = FRAGMENTS / "expected"
NAMES = sorted(p.stem for p in FRAGMENTS.glob("*.proto"))


@pytest.mark.parametrize("name", NAMES)
def test_fragment_matches_golden(name: str) -> None:
    output = emit.generate(fragment_schema(name))
    golden_dir = EXPECTED / name
    if os.environ.get("UPDATE_GOLDEN"):
        emit.write(golden_dir, {f"{path}.golden": text for path, text in output.items()})
    expected = {
        p.relative_to(golden_dir).as_posix().removesuffix(".golden"): p.read_text()
        for p in sorted(golden_dir.glob("*.golden"))
    }
    assert sorted(expected) == sorted(output)
    for path, text in output.items():
        assert text == expected[path], f"{name}/{path} differs from its golden file"


def test_fragment_outputs_are_valid_python() -> None:
    for name in NAMES:
        for path, text in emit.generate(fragment_schema(name)).items():
            compile(text, f"{name}/{path}", "exec")


def _generated(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return generate_and_import(fragment_schema(name), f"gen_{name}", tmp_path, monkeypatch)


class Recorder:
    """A fake caller recording (kind, method path, request)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def unary(self, method: Any, request: Any, timeout: Any, metadata: Any) -> Any:
        self.calls.append(("unary", method.path, request))
        return method.response_type()

    def server_stream(self, method: Any, request: Any, timeout: Any, metadata: Any) -> Any:
        self.calls.append(("server_stream", method.path, request))
        return iter(())

    def bidi_stream(self, method: Any, timeout: Any, metadata: Any) -> Any:
        self.calls.append(("bidi_stream", method.path, None))
        return iter(())


def test_keyword_named_fields_become_escaped_kwargs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _generated("keywords", tmp_path, monkeypatch)
    caller = Recorder()
    graph = package.Stubs(caller).graph
    graph.import_(from_="a", type_=2, hash_=True, request_=b"r", ID="i")
    kind, path, request = caller.calls[-1]
    assert (kind, path) == ("unary", "/frag.keywords.Graph/Import")
    assert getattr(request, "from") == "a"
    assert (request.type, request.hash, request.request, request.ID) == (2, True, b"r", "i")
    with pytest.raises(TypeError):
        graph.import_(request, from_="b")


def test_oneof_scalars_default_to_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = _generated("oneof", tmp_path, monkeypatch)
    caller = Recorder()
    shapes = package.Stubs(caller).shapes
    shapes.store(circle=0.0)  # a zero value still selects the member
    assert caller.calls[-1][2].WhichOneof("shape") == "circle"
    shapes.store(tags=["t"])
    request = caller.calls[-1][2]
    assert request.WhichOneof("shape") is None
    assert not request.HasField("weight")  # proto3 optional: unset unless given
    shapes.store(weight=0)
    assert caller.calls[-1][2].HasField("weight")
    assert package.frag_oneof.ShapeKind.DRAWN == 1


def test_bidi_and_server_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = _generated("bidi", tmp_path, monkeypatch)
    caller = Recorder()
    echo = package.Stubs(caller).echo
    echo.chat()
    echo.listen(payload=b"p")
    assert [c[:2] for c in caller.calls] == [
        ("bidi_stream", "/frag.bidi.Echo/Chat"),
        ("server_stream", "/frag.bidi.Echo/Listen"),
    ]
    assert caller.calls[-1][2].payload == b"p"
    kinds = {m.name: m.kind.name for m in package.methods.ALL_METHODS}
    assert kinds == {"Chat": "BIDI_STREAM", "Listen": "SERVER_STREAM"}


def test_escaped_comments_survive_as_docstrings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _generated("comments", tmp_path, monkeypatch)
    doc = package.services.Sayer.__doc__
    assert doc == 'Say "hello" """ \\n'
    say_doc = package.services.Sayer.say.__doc__
    assert say_doc.startswith('Say says a "quote".')
