"""Python type annotations and default values of fields, as source text.

Two places spell a field's type:

- a message stub (``etcdserverpb.pyi``) declares attributes and ``__init__`` keywords, naming
  definitions of its own module bare and others as ``module.Name``, with protobuf's container
  types (``_containers.*``, ``_abc.*``);
- builders and service methods take fields as keyword arguments in files that import every
  definition by name (``Iterable``, ``Mapping`` from ``collections.abc``).

Each function is also a Jinja filter of the same name (``codegen.render.environment``).
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf import descriptor_pb2

from codegen.model import Field, Oneof

_F = descriptor_pb2.FieldDescriptorProto

#: Proto scalar type → Python type of the message attribute.
_SCALARS: Mapping[int, str] = {
    _F.TYPE_DOUBLE: "float",
    _F.TYPE_FLOAT: "float",
    _F.TYPE_INT64: "int",
    _F.TYPE_UINT64: "int",
    _F.TYPE_INT32: "int",
    _F.TYPE_FIXED64: "int",
    _F.TYPE_FIXED32: "int",
    _F.TYPE_BOOL: "bool",
    _F.TYPE_STRING: "str",
    _F.TYPE_BYTES: "bytes",
    _F.TYPE_UINT32: "int",
    _F.TYPE_SFIXED32: "int",
    _F.TYPE_SFIXED64: "int",
    _F.TYPE_SINT32: "int",
    _F.TYPE_SINT64: "int",
}
#: Python type → the proto3 default as Python source.
_ZERO: Mapping[str, str] = {
    "float": "0.0",
    "int": "0",
    "bool": "False",
    "str": '""',
    "bytes": 'b""',
}


def _element(field: Field, module: str | None, *, enum_as_class: bool) -> str:
    if field.is_message:
        return field.message_type.ref(module)
    if field.is_enum:
        return field.enum_type.ref(module) if enum_as_class else "int"
    return _SCALARS[field.type]


def _map_types(field: Field, module: str | None) -> tuple[str, str]:
    entry = field.message_type
    key, value = entry.field_named("key"), entry.field_named("value")
    return (
        _element(key, module, enum_as_class=False),
        _element(value, module, enum_as_class=False),
    )


def attr_annotation(field: Field, module: str) -> str:
    """The type of the attribute on a message read in ``module``'s stub.

    Enum fields read as ``int`` (upb returns plain ints); containers are protobuf's.
    """
    if field.is_map:
        key, value = _map_types(field, module)
        is_message = field.message_type.field_named("value").is_message
        kind = "MessageMap" if is_message else "ScalarMap"
        return f"_containers.{kind}[{key}, {value}]"
    element = _element(field, module, enum_as_class=False)
    if field.is_repeated:
        kind = "Composite" if field.is_message else "Scalar"
        return f"_containers.Repeated{kind}FieldContainer[{element}]"
    return element


def _argument(field: Field, module: str | None, abc: str) -> str:
    """A field's value as an argument: any mapping for a map, any iterable for a repeated field.

    ``abc`` is how the file spells ``collections.abc.`` (``"_abc."`` in stubs, ``""`` elsewhere).
    """
    if field.is_map:
        key, value = _map_types(field, module)
        return f"{abc}Mapping[{key}, {value}]"
    element = _element(field, module, enum_as_class=True)
    return f"{abc}Iterable[{element}]" if field.is_repeated else element


def init_annotation(field: Field, module: str) -> str:
    """The type of this field's ``__init__`` keyword in ``module``'s stub."""
    return f"{_argument(field, module, '_abc.')} | None"


def value_annotation(field: Field) -> str:
    """The type of a required (no default) argument carrying this field's value."""
    return _argument(field, None, "")


def kwarg_annotation(field: Field) -> str:
    """The keyword argument's type in files that import definitions by name."""
    optional = field.is_map or (field.has_presence and not field.is_repeated)
    argument = _argument(field, None, "")
    return f"{argument} | None" if optional else argument


def kwarg_default(field: Field) -> str:
    """The keyword argument's default: the proto default, or ``None`` to leave it unset."""
    if field.is_map:
        return "None"
    if field.is_repeated:
        return "()"
    if field.has_presence:
        return "None"
    if field.is_enum:
        enum = field.enum_type
        return f"{enum.ref(None)}.{enum.default.py_name}"
    return _ZERO[_SCALARS[field.type]]


def nondefault_test(field: Field) -> str:
    """A cheap expression that is true when the keyword argument was given a value."""
    if field.has_presence or field.is_map:
        return f"{field.kwarg} is not None"
    return field.kwarg


def members_literal(oneof: Oneof) -> str:
    """``Literal[...]`` of a oneof's member names, as ``WhichOneof`` returns them (stubs)."""
    return "_t.Literal[" + ", ".join(f'"{f.name}"' for f in oneof.fields) + "]"


def literal(values: tuple[str, ...]) -> str:
    """``Literal[...]`` of strings, for files that import ``Literal`` by name."""
    return "Literal[" + ", ".join(f'"{v}"' for v in values) + "]"


#: Every function above, by the Jinja filter name templates use.
FILTERS = {
    "attr_annotation": attr_annotation,
    "init_annotation": init_annotation,
    "value_annotation": value_annotation,
    "kwarg_annotation": kwarg_annotation,
    "kwarg_default": kwarg_default,
    "nondefault_test": nondefault_test,
    "members_literal": members_literal,
    "literal": literal,
}
