"""etcd's version annotations: read off descriptors, checked against the policy, documented."""

from __future__ import annotations

import pytest
from gen_support import FRAGMENTS, compile_protos, etcd_schema, fragment_schema

from codegen import build, emit, load, policy, render, versions
from codegen.model import SchemaError


def test_parse_and_text() -> None:
    assert versions.parse("3.5") == (3, 5)
    assert versions.parse("3.10") > versions.parse("3.9")
    assert versions.text((3, 7)) == "3.7"
    for bad in ("3", "v3.5", "3.5.1", ""):
        with pytest.raises(versions.AnnotationError, match=r"not major\.minor"):
            versions.parse(bad)


def test_annotations_date_every_kind_of_element() -> None:
    s = fragment_schema("versions")
    registry = s.registry
    get = registry.message("frag.versions.GetRequest")
    assert get.since == (3, 0)
    assert {f.name: f.since for f in get.fields} == {"key": None, "fresh": (3, 6), "level": None}
    level = registry.enum("frag.versions.Level")
    assert level.since == (3, 0)
    assert [v.since for v in level.values] == [None, (3, 4)]
    assert registry.message("frag.versions.Chunk").since == (3, 7)


def test_an_rpc_is_as_new_as_its_newest_message() -> None:
    since = {m.name: m.since for m in fragment_schema("versions").methods}
    assert since == {"Get": (3, 0), "Stream": (3, 7), "Forget": (3, 5)}


def test_protos_without_annotations_date_nothing() -> None:
    s = etcd_schema()
    assert all(m.since is None for m in s.registry.messages.values())
    assert all(f.since is None for m in s.registry.messages.values() for f in m.fields)


def test_the_policy_must_agree_with_the_annotations(monkeypatch: pytest.MonkeyPatch) -> None:
    files = load.load(compile_protos(FRAGMENTS, ["versions.proto"]))
    agreeing = {("frag.versions.Store", "Forget"): (3, 5)}
    monkeypatch.setattr(policy, "RPC_SINCE", agreeing)
    assert build.build(files, "0").methods[2].since == (3, 5)
    monkeypatch.setattr(policy, "RPC_SINCE", {("frag.versions.Store", "Forget"): (3, 4)})
    with pytest.raises(
        SchemaError, match=r"Store/Forget: .*RPC_SINCE says etcd 3\.4, .* annotations say 3\.5"
    ):
        build.build(files, "0")


def test_docstrings_say_since_when() -> None:
    s = fragment_schema("versions")
    methods = {m.name: m for m in s.methods}
    assert render.layout(render.doc_spec(methods["Forget"])).startswith(
        "Forget drops a value.\n\nSince etcd 3.5."
    )
    get = render.layout(render.doc_spec(methods["Get"])).split("\n\n")
    assert get[:2] == ["Get reads a value.", get[1]]
    assert get[1].startswith("Args:")  # etcd 3.0 is the baseline: no note
    assert "    fresh: fresh reads from the leader.\n\n        Since etcd 3.6." in "\n\n".join(get)
    chunk = s.registry.message("frag.versions.Chunk")
    assert render.layout(render.doc_spec(chunk)) == (
        "Chunk is part of a streamed answer.\n\nSince etcd 3.7."
    )
    output = emit.generate(s)
    assert '"""``/frag.versions.Store/Stream``, since etcd 3.7."""' in output["methods.py"]
    assert "since=(3, 7)," in output["methods.py"]
    assert "HIGH: _t.Literal[Level.HIGH]" in output["frag_versions.pyi"]
    assert "HIGH = Level.HIGH" in output["frag_versions.py"]


def test_a_malformed_annotation_is_refused() -> None:
    files = load.load(compile_protos(FRAGMENTS, ["versions.proto"]))
    proto = files[-1].proto.__class__()
    proto.CopyFrom(files[-1].proto)
    options = proto.message_type[0].options
    # Re-encode etcd_version_msg (field 50000, length-delimited) with a value that is no version.
    options.ParseFromString(b"\x82\xb5\x18\x04soon")
    patched = [*files[:-1], load.LoadedFile(proto=proto, comments=files[-1].comments)]
    with pytest.raises(versions.AnnotationError, match=r"'soon' is not major\.minor"):
        build.build(patched, "0")
