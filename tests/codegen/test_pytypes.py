"""Type annotations and defaults spelled by ``codegen.pytypes``."""

from __future__ import annotations

import inspect

from gen_support import etcd_schema, fragment_schema

from codegen import pytypes
from codegen.model import Field, Schema


def _fields(s: Schema, path: str) -> dict[str, Field]:
    method = next(m for m in s.methods if m.path == path)
    return {f.name: f for f in method.flattened_fields}


def test_scalars_enums_and_containers() -> None:
    s = etcd_schema()
    range_ = _fields(s, "/etcdserverpb.KV/Range")
    key = range_["key"]
    assert (pytypes.kwarg_annotation(key), pytypes.kwarg_default(key)) == ("bytes", 'b""')
    order = range_["sort_order"]
    assert pytypes.kwarg_annotation(order) == "SortOrder"
    assert pytypes.kwarg_default(order) == "SortOrder.NONE"
    assert pytypes.attr_annotation(order, "etcdserverpb") == "int"
    assert pytypes.init_annotation(order, "etcdserverpb") == "SortOrder | None"
    assert pytypes.nondefault_test(range_["limit"]) == "limit"

    compare = _fields(s, "/etcdserverpb.KV/Txn")["compare"]
    assert pytypes.kwarg_annotation(compare) == "Iterable[Compare]"
    assert pytypes.value_annotation(compare) == "Iterable[Compare]"
    assert pytypes.kwarg_default(compare) == "()"
    assert (
        pytypes.attr_annotation(compare, "etcdserverpb")
        == "_containers.RepeatedCompositeFieldContainer[Compare]"
    )
    assert pytypes.init_annotation(compare, "etcdserverpb") == "_abc.Iterable[Compare] | None"


def test_message_fields_have_presence() -> None:
    resign = _fields(etcd_schema(), "/v3electionpb.Election/Resign")["leader"]
    assert (pytypes.kwarg_annotation(resign), pytypes.kwarg_default(resign)) == (
        "LeaderKey | None",
        "None",
    )
    assert pytypes.nondefault_test(resign) == "leader is not None"


def test_names_are_qualified_outside_their_module() -> None:
    kvs = etcd_schema().registry.message("etcdserverpb.RangeResponse").field_named("kvs")
    assert pytypes.attr_annotation(kvs, "etcdserverpb") == (
        "_containers.RepeatedCompositeFieldContainer[mvccpb.KeyValue]"
    )
    assert pytypes.attr_annotation(kvs, "mvccpb") == (
        "_containers.RepeatedCompositeFieldContainer[KeyValue]"
    )


def test_oneof_members_and_optional_scalars() -> None:
    shape = fragment_schema("oneof").registry.message("frag.oneof.Shape")
    fields = {f.name: f for f in shape.fields}
    assert pytypes.kwarg_annotation(fields["circle"]) == "float | None"
    assert pytypes.kwarg_default(fields["circle"]) == "None"
    assert pytypes.nondefault_test(fields["weight"]) == "weight is not None"
    assert pytypes.members_literal(shape.oneofs[0]) == '_t.Literal["circle", "square"]'
    assert pytypes.literal(("a", "b")) == 'Literal["a", "b"]'


def test_every_function_is_a_filter() -> None:
    public = {
        name
        for name, obj in vars(pytypes).items()
        if inspect.isfunction(obj) and obj.__module__ == pytypes.__name__
        if not name.startswith("_")
    }
    assert public == set(pytypes.FILTERS)
