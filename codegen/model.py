"""Stage 2a: the proto model, frozen wrappers over the descriptors that templates read.

Each wrapper states what the protos say about one element (a service, method, message, field,
oneof, enum, enum value, file, package) with the Python names ``codegen.naming`` decides and
the text it is documented with (``.doc``). ``codegen.build`` creates them; nothing changes
them afterwards.

Wrappers of other jobs read this model: ``codegen.pytypes`` (annotation and default
strings), ``codegen.imports`` (what each generated file imports and exports),
``codegen.txn_facade`` (the typed transaction facade).

Definitions refer to each other by full proto name (a field to its message type); the
``Registry`` resolves those names. Code in a message module names a definition by its
Python name, qualified with its module when it lives elsewhere (``Message.ref`` with a
module); ``services.py``, ``methods.py`` and ``txn.py`` import every definition they use by name
(``ref(None)``), under an alias when the name is defined in two packages.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from google.protobuf import descriptor_pb2

from codegen import naming
from codegen.contract import CallKind
from codegen.versions import Version

if TYPE_CHECKING:
    from codegen.txn_facade import TxnFacade

_F = descriptor_pb2.FieldDescriptorProto


class SchemaError(ValueError):
    """The descriptors cannot be generated as they are (the message says what to change)."""


@dataclass(frozen=True)
class Registry:
    """Read-only lookups by full proto name, shared by every wrapper of one schema.

    Attributes:
        messages: Every message (map entries included) by full name.
        enums: Every enum by full name.
        aliases: Every message and enum by full name → the name files that import definitions
            by name use for it (``Message.ref`` with ``None``).
    """

    messages: Mapping[str, Message]
    enums: Mapping[str, Enum]
    aliases: Mapping[str, str]

    def message(self, full_name: str) -> Message:
        try:
            return self.messages[full_name]
        except KeyError:
            raise SchemaError(f"{full_name} is not defined in the descriptor set") from None

    def enum(self, full_name: str) -> Enum:
        try:
            return self.enums[full_name]
        except KeyError:
            raise SchemaError(f"{full_name} is not defined in the descriptor set") from None


@dataclass(frozen=True)
class EnumValue:
    """One value of a proto enum.

    Attributes:
        since: The etcd release that introduced the value, when the protos say so.
    """

    name: str
    py_name: str
    number: int
    doc: str
    since: Version | None = None


@dataclass(frozen=True)
class _Definition:
    """A message or enum: a name in a generated module that other code refers to."""

    full_name: str
    py_name: str
    module: str
    registry: Registry = field(repr=False, compare=False)

    def ref(self, module: str | None) -> str:
        """How code in ``module`` (``None``: a file importing by name) names this definition."""
        if module is None:
            return self.registry.aliases[self.full_name]
        return self.py_name if module == self.module else f"{self.module}.{self.py_name}"


@dataclass(frozen=True)
class Enum(_Definition):
    """A proto enum, generated as an ``IntEnum`` with protobuf's enum API (``ProtoEnum``)."""

    values: tuple[EnumValue, ...]
    doc: str
    is_nested: bool
    since: Version | None = None

    @property
    def default(self) -> EnumValue:
        """The value an unset field reads as: number 0 if present (proto3), else the first."""
        return next((v for v in self.values if v.number == 0), self.values[0])

    @property
    def proto_name(self) -> str:
        """The enum's name in its proto scope (``SortOrder`` for ``RangeRequest.SortOrder``)."""
        return self.full_name.rsplit(".", 1)[-1]

    @property
    def spellable_values(self) -> tuple[EnumValue, ...]:
        """The values whose proto names can be attribute names (not Python keywords)."""
        return tuple(v for v in self.values if not keyword.iskeyword(v.name))

    @property
    def constants(self) -> tuple[EnumValue, ...]:
        """Values a top-level enum also defines at module level, by their proto names.

        protoc's ``_pb2`` modules do this (``rpc_pb2.NOSPACE``), and code written for the
        predecessors' ``etcdrpc`` uses it. A nested enum's values are attributes of its
        message instead (``Message.nested_enums``).
        """
        return () if self.is_nested else self.spellable_values


@dataclass(frozen=True)
class Field:
    """A message field."""

    name: str
    number: int
    type: int
    label: int
    type_name: str
    oneof: str | None
    has_presence: bool
    doc: str
    registry: Registry = field(repr=False, compare=False)
    since: Version | None = None

    @property
    def is_repeated(self) -> bool:
        return self.label == _F.LABEL_REPEATED

    @property
    def is_message(self) -> bool:
        return self.type in (_F.TYPE_MESSAGE, _F.TYPE_GROUP)

    @property
    def is_enum(self) -> bool:
        return self.type == _F.TYPE_ENUM

    @property
    def is_map(self) -> bool:
        return self.is_repeated and self.is_message and self.message_type.is_map_entry

    @property
    def message_type(self) -> Message:
        return self.registry.message(self.type_name.lstrip("."))

    @property
    def enum_type(self) -> Enum:
        return self.registry.enum(self.type_name.lstrip("."))

    @property
    def referenced(self) -> tuple[Message | Enum, ...]:
        """The definitions this field's annotations name: its message or enum type.

        A map names its value's message type only: map keys are scalars, and enum values of a
        map read as ``int``.
        """
        if self.is_map:
            value = self.message_type.field_named("value")
            return (value.message_type,) if value.is_message else ()
        if self.is_message:
            return (self.message_type,)
        if self.is_enum:
            return (self.enum_type,)
        return ()

    @property
    def is_keyword(self) -> bool:
        """A field named like a Python keyword cannot appear as an attribute or ``name=``."""
        return naming.escape_keyword(self.name) != self.name

    @property
    def kwarg(self) -> str:
        """The keyword argument of generated builders and service methods."""
        return naming.kwarg_name(self.name)

    @property
    def ctor_arg(self) -> str:
        """This field's argument in a message constructor call, passing ``kwarg``."""
        if self.is_keyword:
            return f'**{{"{self.name}": {self.kwarg}}}'
        return f"{self.name}={self.kwarg}"

    @property
    def is_property(self) -> bool:
        """Messages and containers are read-only properties; scalars are plain attributes."""
        return self.is_message or self.is_repeated


@dataclass(frozen=True)
class Oneof:
    """A real (not proto3-``optional``) oneof."""

    name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Message(_Definition):
    """A proto message (nested ones are flattened to module level)."""

    fields: tuple[Field, ...]
    oneofs: tuple[Oneof, ...]
    is_map_entry: bool
    doc: str
    since: Version | None = None

    def field_named(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise SchemaError(f"{self.full_name} has no field {name!r}")

    @property
    def nested_enums(self) -> tuple[Enum, ...]:
        """The enums declared inside this message.

        protobuf exposes each as a class attribute (``RangeRequest.SortOrder``), and its values
        too, by their proto names (``RangeRequest.ASCEND == 1``), which code written for the
        predecessors' ``etcdrpc`` uses. The generated module sets those attributes to the
        generated enum and its members, and the stub declares them so.
        """
        prefix = self.full_name + "."
        return tuple(
            enum
            for name, enum in self.registry.enums.items()
            if name.startswith(prefix) and "." not in name[len(prefix) :]
        )

    @property
    def attributes(self) -> tuple[Field, ...]:
        """Fields that can be declared in a stub (keyword-named ones cannot be spelled)."""
        return tuple(f for f in self.fields if not f.is_keyword)


@dataclass(frozen=True)
class Method:
    """An RPC, with everything its generated method and ``MethodInfo`` need.

    Attributes:
        since: The etcd release that introduced the RPC (see ``codegen.policy``).
    """

    service: str
    service_full_name: str
    name: str
    request: Message
    response: Message
    kind: CallKind
    retry_safe: bool
    since: Version
    doc: str

    @property
    def py_name(self) -> str:
        return naming.method_name(self.name)

    @property
    def constant(self) -> str:
        return naming.method_constant(self.service, self.name)

    @property
    def path(self) -> str:
        return f"/{self.service_full_name}/{self.name}"

    @property
    def flattened_fields(self) -> tuple[Field, ...]:
        """Request fields offered as keyword arguments (none for bidirectional streams)."""
        return () if self.kind is CallKind.BIDI_STREAM else self.request.fields


@dataclass(frozen=True)
class Service:
    """A gRPC service, generated as a sync and an asyncio class."""

    full_name: str
    name: str
    methods: tuple[Method, ...]
    doc: str

    @property
    def async_name(self) -> str:
        return naming.async_class_name(self.name)

    @property
    def attribute(self) -> str:
        """The attribute of ``Stubs``/``AsyncStubs`` holding this service."""
        return naming.service_attribute(self.name)


@dataclass(frozen=True)
class ProtoFile:
    """One ``.proto`` file; its doc is the comment on its ``package`` (or ``syntax``) line."""

    name: str
    package: str
    doc: str


@dataclass(frozen=True)
class Package:
    """A proto package, generated as one message module (``.py`` plus ``.pyi``)."""

    name: str
    proto_files: tuple[ProtoFile, ...]
    messages: tuple[Message, ...]
    enums: tuple[Enum, ...]
    services: tuple[Service, ...]

    @property
    def module(self) -> str:
        return naming.module_name(self.name)

    @property
    def files(self) -> tuple[str, ...]:
        """The package's proto file names, for headers."""
        return tuple(f.name for f in self.proto_files)

    @property
    def doc(self) -> str:
        """The package's file comments, joined."""
        return "\n\n".join(f.doc for f in self.proto_files if f.doc)

    @property
    def constants(self) -> tuple[tuple[Enum, EnumValue], ...]:
        """Module-level enum values (see ``Enum.constants``), in declaration order."""
        return tuple((e, v) for e in self.enums for v in e.constants)

    @property
    def exported_names(self) -> tuple[str, ...]:
        """The module's ``__all__``: enums, messages, then enum value constants."""
        return (
            tuple(e.py_name for e in self.enums)
            + tuple(m.py_name for m in self.messages)
            + tuple(v.name for _, v in self.constants)
        )

    @property
    def has_definitions(self) -> bool:
        """Packages defining no message or enum (3.5's ``versionpb``) get no module."""
        return bool(self.messages or self.enums)

    @property
    def pb2_module(self) -> str | None:
        """The name protoc gives the module of the package's one file (``rpc.proto`` →
        ``rpc_pb2``), generated as an alias of the package's module; ``None`` for a package
        without definitions or of several files, whose names no single module of ours holds."""
        if not self.has_definitions or len(self.proto_files) != 1:
            return None
        stem = self.proto_files[0].name.rsplit("/", 1)[-1].removesuffix(".proto")
        return f"{stem}_pb2"


@dataclass(frozen=True)
class PoolFile:
    """A file added to the private descriptor pool, in dependency order."""

    name: str
    serialized: bytes

    @property
    def chunks(self) -> tuple[str, ...]:
        """The serialized bytes as short ``bytes`` literals (deterministic, reviewable diffs)."""
        step = 64
        data = self.serialized
        return tuple(repr(data[i : i + step]) for i in range(0, len(data), step))


@dataclass(frozen=True)
class ServerError:
    """One error etcd's server defines: how it reaches a client.

    Attributes:
        go_name: Its name in etcd's Go source (``ErrGRPCNoLeader``).
        code: The gRPC status code's Python name (``UNAVAILABLE``).
        message: The exact status message (``etcdserver: no leader``).
    """

    go_name: str
    code: str
    message: str


@dataclass(frozen=True)
class ErrorTable:
    """The errors one etcd source file defines, in declaration order."""

    source: str
    errors: tuple[ServerError, ...]


@dataclass(frozen=True)
class Schema:
    """The whole descriptor set, and etcd's error table if given, as the templates see it."""

    etcd_version: str
    packages: tuple[Package, ...]
    pool_files: tuple[PoolFile, ...]
    well_known: tuple[str, ...]
    txn: TxnFacade | None
    errors: ErrorTable | None
    registry: Registry = field(repr=False, compare=False)

    @property
    def modules(self) -> tuple[Package, ...]:
        """Packages that get a message module, in dependency order."""
        return tuple(p for p in self.packages if p.has_definitions)

    @property
    def services(self) -> tuple[Service, ...]:
        return tuple(s for p in self.packages for s in p.services)

    @property
    def methods(self) -> tuple[Method, ...]:
        return tuple(m for s in self.services for m in s.methods)

    @property
    def source_files(self) -> tuple[str, ...]:
        return tuple(f for p in self.packages for f in p.files)
