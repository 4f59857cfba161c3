"""Stage 2: frozen wrappers over the descriptors, with every generator decision as a property.

Templates only read these objects. Anything a template would otherwise have to work out (the call
kind of an RPC, a field's Python annotation and default, which fields a method flattens into
keyword arguments, the pairing of oneof members with enum values) is computed here.

Python names come from :mod:`codegen.naming`; data-only decisions from :mod:`codegen.policy`.

Two namespaces exist in the output:

- a message module (``etcdserverpb.pyi``) refers to its own definitions by name and to other
  packages' as ``module.Name`` (:meth:`Message.ref` with the module);
- ``services.py`` and ``txn.py`` import every definition they use by name (the *flat*
  namespace, ``module=None``); a name defined in two packages gets the module as a prefix there.
"""

from __future__ import annotations

import keyword
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from google.protobuf import descriptor_pb2

from codegen import load, naming, policy
from codegen.load import Comments, LoadedFile

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

WELL_KNOWN_PREFIX = "google/protobuf/"


class SchemaError(ValueError):
    """The descriptors cannot be generated as they are (the message says what to change)."""


def _text(comments: Comments) -> str:
    """The one comment an element is documented with: leading > trailing > detached."""
    raw = comments.leading or comments.trailing or "\n\n".join(comments.detached)
    lines = raw.splitlines()
    # protoc keeps the space after ``//``; drop one leading space, keep deeper indentation.
    lines = [line[1:] if line.startswith(" ") else line for line in lines]
    return "\n".join(line.rstrip() for line in lines).strip("\n")


class Registry:
    """Full proto name → wrapper, filled while the schema is built, read by field properties."""

    def __init__(self) -> None:
        self.messages: dict[str, Message] = {}
        self.enums: dict[str, Enum] = {}
        self.flat_names: dict[str, str] = {}

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
    """One value of a proto enum."""

    name: str
    py_name: str
    number: int
    doc: str


@dataclass(frozen=True)
class Enum:
    """A proto enum, generated as an ``enum.IntEnum``."""

    full_name: str
    py_name: str
    module: str
    values: tuple[EnumValue, ...]
    doc: str
    registry: Registry = field(repr=False, compare=False)

    def ref(self, module: str | None) -> str:
        """How code in ``module`` (``None``: the flat namespace) names this enum."""
        if module is None:
            return self.registry.flat_names[self.full_name]
        return self.py_name if module == self.module else f"{self.module}.{self.py_name}"

    @property
    def default(self) -> EnumValue:
        """The value an unset field reads as: number 0 if present (proto3), else the first."""
        return next((v for v in self.values if v.number == 0), self.values[0])

    def value_named(self, name: str) -> EnumValue:
        """The value with proto name ``name``."""
        return next(v for v in self.values if v.name == name)


@dataclass(frozen=True)
class Field:
    """A message field and how it appears in stubs and as a keyword argument."""

    name: str
    number: int
    type: int
    label: int
    type_name: str
    oneof: str | None
    has_presence: bool
    doc: str
    registry: Registry = field(repr=False, compare=False)

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
    def is_keyword(self) -> bool:
        """A field named like a Python keyword cannot appear as an attribute or ``name=``."""
        return naming.escape_keyword(self.name) != self.name

    @property
    def kwarg(self) -> str:
        """The keyword argument of generated builders and service methods."""
        return naming.kwarg_name(self.name)

    @property
    def ctor_arg(self) -> str:
        """This field's argument in a message constructor call, passing :attr:`kwarg`."""
        if self.is_keyword:
            return f'**{{"{self.name}": {self.kwarg}}}'
        return f"{self.name}={self.kwarg}"

    @property
    def is_property(self) -> bool:
        """Messages and containers are read-only properties; scalars are plain attributes."""
        return self.is_message or self.is_repeated

    def _element(self, module: str | None, *, enum_as_class: bool) -> str:
        if self.is_message:
            return self.message_type.ref(module)
        if self.is_enum:
            return self.enum_type.ref(module) if enum_as_class else "int"
        return _SCALARS[self.type]

    def _map_types(self, module: str | None) -> tuple[str, str]:
        entry = self.message_type
        key, value = entry.field_named("key"), entry.field_named("value")
        return key._element(module, enum_as_class=False), value._element(
            module, enum_as_class=False
        )

    def attr_annotation(self, module: str) -> str:
        """The type of the attribute on a message read in ``module``'s stub.

        Enum fields read as ``int`` (upb returns plain ints); containers are protobuf's.
        """
        if self.is_map:
            key, value = self._map_types(module)
            is_message = self.message_type.field_named("value").is_message
            kind = "MessageMap" if is_message else "ScalarMap"
            return f"_containers.{kind}[{key}, {value}]"
        element = self._element(module, enum_as_class=False)
        if self.is_repeated:
            kind = "Composite" if self.is_message else "Scalar"
            return f"_containers.Repeated{kind}FieldContainer[{element}]"
        return element

    def init_annotation(self, module: str) -> str:
        """The type of this field's ``__init__`` keyword in ``module``'s stub."""
        if self.is_map:
            key, value = self._map_types(module)
            return f"_abc.Mapping[{key}, {value}] | None"
        element = self._element(module, enum_as_class=True)
        if self.is_repeated:
            return f"_abc.Iterable[{element}] | None"
        return f"{element} | None"

    @property
    def value_annotation(self) -> str:
        """The type of a required (no default) argument carrying this field's value."""
        element = self._element(None, enum_as_class=True)
        return f"Iterable[{element}]" if self.is_repeated else element

    @property
    def kwarg_annotation(self) -> str:
        """The keyword argument's type in the flat namespace (builders, service methods)."""
        if self.is_map:
            key, value = self._map_types(None)
            return f"Mapping[{key}, {value}] | None"
        element = self._element(None, enum_as_class=True)
        if self.is_repeated:
            return f"Iterable[{element}]"
        return f"{element} | None" if self.has_presence else element

    @property
    def kwarg_default(self) -> str:
        """The keyword argument's default: the proto default, or ``None`` to leave it unset."""
        if self.is_map:
            return "None"
        if self.is_repeated:
            return "()"
        if self.has_presence:
            return "None"
        if self.is_enum:
            enum = self.enum_type
            return f"{enum.ref(None)}.{enum.default.py_name}"
        return _ZERO[_SCALARS[self.type]]

    @property
    def nondefault_test(self) -> str:
        """A cheap expression that is true when the keyword argument was given a value."""
        if self.has_presence or self.is_map:
            return f"{self.kwarg} is not None"
        return self.kwarg


@dataclass(frozen=True)
class Oneof:
    """A real (not proto3-``optional``) oneof."""

    name: str
    fields: tuple[Field, ...]
    doc: str

    @property
    def members_literal(self) -> str:
        """``Literal[...]`` of the member names, as ``WhichOneof`` returns them."""
        return "_t.Literal[" + ", ".join(f'"{f.name}"' for f in self.fields) + "]"


@dataclass(frozen=True)
class Message:
    """A proto message (nested ones are flattened to module level)."""

    full_name: str
    py_name: str
    module: str
    fields: tuple[Field, ...]
    oneofs: tuple[Oneof, ...]
    is_map_entry: bool
    doc: str
    registry: Registry = field(repr=False, compare=False)

    def ref(self, module: str | None) -> str:
        """How code in ``module`` (``None``: the flat namespace) names this message."""
        if module is None:
            return self.registry.flat_names[self.full_name]
        return self.py_name if module == self.module else f"{self.module}.{self.py_name}"

    def field_named(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise SchemaError(f"{self.full_name} has no field {name!r}")

    def oneof_named(self, name: str) -> Oneof:
        for o in self.oneofs:
            if o.name == name:
                return o
        raise SchemaError(f"{self.full_name} has no oneof {name!r}")

    @property
    def nested_enum_values(self) -> tuple[EnumValue, ...]:
        """Values of the enums declared inside this message.

        protobuf exposes them as class attributes (``RangeRequest.ASCEND == 1``), which code
        written for the predecessor's ``etcdrpc`` uses; the stub declares them as ``int``.
        """
        prefix = self.full_name + "."
        return tuple(
            value
            for name, enum in self.registry.enums.items()
            if name.startswith(prefix) and "." not in name[len(prefix) :]
            for value in enum.values
            if not keyword.iskeyword(value.name)
        )

    @property
    def attributes(self) -> tuple[Field, ...]:
        """Fields that can be declared in a stub (keyword-named ones cannot be spelled)."""
        return tuple(f for f in self.fields if not f.is_keyword)


@dataclass(frozen=True)
class Method:
    """An RPC, with everything its generated method and ``MethodInfo`` need."""

    service: str
    service_full_name: str
    name: str
    request: Message
    response: Message
    client_streaming: bool
    server_streaming: bool
    retry_safe: bool
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
    def kind(self) -> str:
        """The ``etcd3._runtime.CallKind`` member name, which also picks the template macro."""
        if self.client_streaming and self.server_streaming:
            return "BIDI_STREAM"
        if self.server_streaming:
            return "SERVER_STREAM"
        if self.client_streaming:
            raise SchemaError(f"{self.path}: client-streaming RPCs are not supported")
        return "UNARY"

    @property
    def flattened_fields(self) -> tuple[Field, ...]:
        """Request fields offered as keyword arguments (none for bidirectional streams)."""
        return () if self.kind == "BIDI_STREAM" else self.request.fields


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
    dependencies: tuple[str, ...]
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
    def exported_names(self) -> tuple[str, ...]:
        """The module's ``__all__``: enums, then messages, in declaration order."""
        return tuple(e.py_name for e in self.enums) + tuple(m.py_name for m in self.messages)

    @property
    def has_definitions(self) -> bool:
        """Packages defining no message or enum (3.5's ``versionpb``) get no module."""
        return bool(self.messages or self.enums)

    @property
    def uses_containers(self) -> bool:
        """Whether the stub needs protobuf's container types (and ``Iterable``/``Mapping``)."""
        return any(f.is_repeated for m in self.messages for f in m.fields)

    @property
    def uses_typing(self) -> bool:
        """Whether the stub needs ``typing`` (``WhichOneof`` overloads, enum value constants)."""
        return any(m.oneofs or m.nested_enum_values for m in self.messages)

    @property
    def imported_modules(self) -> tuple[str, ...]:
        """Other message modules this package's stub refers to, sorted."""
        names = {
            f.message_type.module if f.is_message else f.enum_type.module
            for m in self.messages
            for f in m.fields
            if f.is_message or f.is_enum
        }
        names.update(
            f.message_type.field_named("value").message_type.module
            for m in self.messages
            for f in m.fields
            if f.is_map and f.message_type.field_named("value").is_message
        )
        names.discard(self.module)
        return tuple(sorted(names))


@dataclass(frozen=True)
class OpKind:
    """One kind of transaction operation: a ``RequestOp`` member and its ``ResponseOp`` twin."""

    suffix: str
    request_member: Field
    response_member: Field

    @property
    def builder(self) -> str:
        return naming.op_builder_name(self.suffix)

    @property
    def request(self) -> Message:
        return self.request_member.message_type

    @property
    def response(self) -> Message:
        return self.response_member.message_type


@dataclass(frozen=True)
class CompareTarget:
    """A ``Compare`` oneof member and the target enum value that must accompany it."""

    member: Field
    value: EnumValue
    positional: tuple[Field, ...] = ()
    keywords: tuple[Field, ...] = ()

    @property
    def builder(self) -> str:
        return naming.compare_builder_name(self.member.name)


@dataclass(frozen=True)
class TxnFacade:
    """Everything ``txn.py`` needs, derived from the oneofs of the transaction messages."""

    request_op: Message
    request_oneof: Oneof
    response_op: Message
    response_oneof: Oneof
    response: Message
    ops: tuple[OpKind, ...]
    compare: Message
    target_field: Field
    targets: tuple[CompareTarget, ...]
    compare_positional: tuple[Field, ...]
    compare_keywords: tuple[Field, ...]

    @property
    def response_field(self) -> Field:
        """The repeated field of the transaction response holding the results."""
        hits = [
            f
            for f in self.response.fields
            if f.is_repeated and f.is_message and f.message_type is self.response_op
        ]
        if len(hits) != 1:
            raise SchemaError(f"{self.response.full_name}: no single repeated result field")
        return hits[0]

    @property
    def kind_literal(self) -> str:
        """``Literal[...]`` of the operation kinds as :meth:`TxnResults.kind` returns them."""
        return "Literal[" + ", ".join(f'"{op.suffix}"' for op in self.ops) + "]"

    @property
    def flat_names(self) -> tuple[str, ...]:
        """Every definition ``txn.py`` imports, in first-use order without repeats."""
        seen: dict[str, None] = {}
        refs = [self.request_op, self.response_op, self.response, self.compare]
        refs += [op.request for op in self.ops] + [op.response for op in self.ops]
        for r in refs:
            seen[r.full_name] = None
        for f in (*self.compare.fields, *(f for op in self.ops for f in op.request.fields)):
            if f.is_message:
                seen[f.message_type.full_name] = None
            elif f.is_enum:
                seen[f.enum_type.full_name] = None
        return tuple(seen)


def _extensions(
    proto: descriptor_pb2.FileDescriptorProto,
) -> list[descriptor_pb2.FieldDescriptorProto]:
    """Every extension field declared in ``proto``, at file level or nested in messages."""
    found = list(proto.extension)
    messages = list(proto.message_type)
    while messages:
        message = messages.pop()
        found.extend(message.extension)
        messages.extend(message.nested_type)
    return found


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
class Schema:
    """The whole descriptor set as the templates see it."""

    etcd_version: str
    packages: tuple[Package, ...]
    pool_files: tuple[PoolFile, ...]
    well_known: tuple[str, ...]
    txn: TxnFacade | None
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

    @cached_property
    def service_imports(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """Per message module, ``(name, local alias)`` pairs ``services.py`` imports."""
        used: dict[str, None] = {}
        for m in self.methods:
            used[m.request.full_name] = None
            used[m.response.full_name] = None
            for f in m.flattened_fields:
                if f.is_message:
                    used[f.message_type.full_name] = None
                elif f.is_enum:
                    used[f.enum_type.full_name] = None
        return self.imports_for(tuple(used))

    @property
    def service_runtime_names(self) -> tuple[str, ...]:
        """Names ``services.py`` imports from ``etcd3._runtime``, by the call kinds in use."""
        names = {"DEFAULT_TIMEOUT", "AsyncCaller", "Metadata", "SyncCaller", "Timeout"}
        kinds = {m.kind for m in self.methods}
        if "SERVER_STREAM" in kinds:
            names |= {"AsyncServerStream", "ServerStream"}
        if "BIDI_STREAM" in kinds:
            names |= {"AsyncDuplexStream", "DuplexStream"}
        return tuple(sorted(names))

    @property
    def service_abc_names(self) -> tuple[str, ...]:
        """Names ``services.py`` imports from ``collections.abc`` for keyword annotations."""
        fields = [f for m in self.methods for f in m.flattened_fields]
        names = {"Mapping" for f in fields if f.is_map}
        names |= {"Iterable" for f in fields if f.is_repeated and not f.is_map}
        return tuple(sorted(names))

    @cached_property
    def method_imports(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """Per message module, ``(name, local alias)`` pairs ``methods.py`` imports."""
        used = {n: None for m in self.methods for n in (m.request.full_name, m.response.full_name)}
        return self.imports_for(tuple(used))

    @cached_property
    def txn_imports(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """Per message module, ``(name, local alias)`` pairs ``txn.py`` imports."""
        return self.imports_for(self.txn.flat_names if self.txn else ())

    def imports_for(self, full_names: Sequence[str]) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """Group flat-namespace references by module, sorted for stable output."""
        by_module: dict[str, set[tuple[str, str]]] = {}
        for name in full_names:
            d: Message | Enum = (
                self.registry.messages[name]
                if name in self.registry.messages
                else self.registry.enums[name]
            )
            by_module.setdefault(d.module, set()).add((d.py_name, d.ref(None)))
        return {mod: tuple(sorted(by_module[mod])) for mod in sorted(by_module)}


# --- building ------------------------------------------------------------------------------


def _toposort(files: Sequence[LoadedFile]) -> list[LoadedFile]:
    by_name = {f.proto.name: f for f in files}
    done: dict[str, LoadedFile] = {}

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in stack:
            raise SchemaError(f"import cycle: {' -> '.join((*stack, name))}")
        if name not in by_name:
            raise SchemaError(f"{stack[-1]} imports {name}, which is not in the descriptor set")
        for dep in by_name[name].proto.dependency:
            visit(dep, (*stack, name))
        done[name] = by_name[name]

    for f in files:
        visit(f.proto.name, ())
    return list(done.values())


#: A definition found while walking a file: its file, descriptor path, enclosing message names.
_MessageEntry = tuple[LoadedFile, load.Path, tuple[str, ...], descriptor_pb2.DescriptorProto]
_EnumEntry = tuple[LoadedFile, load.Path, tuple[str, ...], descriptor_pb2.EnumDescriptorProto]


class _Builder:
    """Walks the files once, creating wrappers and the registry they share."""

    def __init__(self, etcd_version: str, files: Sequence[LoadedFile]) -> None:
        self.etcd_version = etcd_version
        self.files = _toposort(files)
        self.registry = Registry()

    def build(self) -> Schema:
        ours = [f for f in self.files if not f.proto.name.startswith(WELL_KNOWN_PREFIX)]
        packages: dict[str, list[LoadedFile]] = {}
        for f in ours:
            packages.setdefault(f.proto.package, []).append(f)
        # Pass 1 creates messages and enums (fields resolve lazily through the registry).
        built = [self._package_defs(name, pkg_files) for name, pkg_files in packages.items()]
        self._assign_flat_names()
        result = []
        for (name, pkg_files), (messages, enums) in zip(packages.items(), built, strict=True):
            services = tuple(
                self._service(f, i, svc) for f in pkg_files for i, svc in enumerate(f.proto.service)
            )
            result.append(
                Package(
                    name=name,
                    proto_files=tuple(_proto_file(f) for f in pkg_files),
                    messages=messages,
                    enums=enums,
                    services=services,
                )
            )
        self._check_unique_names(result)
        return Schema(
            etcd_version=self.etcd_version,
            packages=tuple(result),
            pool_files=tuple(self._pool_file(f) for f in ours),
            well_known=self._well_known(ours),
            txn=self._txn(),
            registry=self.registry,
        )

    # -- definitions

    def _package_defs(
        self, package: str, files: Sequence[LoadedFile]
    ) -> tuple[tuple[Message, ...], tuple[Enum, ...]]:
        module = naming.module_name(package)
        # Collect (file, path, parents, descriptor) first so enum names can see the whole module.
        msgs: list[_MessageEntry] = []
        enums: list[_EnumEntry] = []
        for f in files:
            for i, m in enumerate(f.proto.message_type):
                self._walk(f, path=(load.FILE_MESSAGE, i), parents=(), m=m, msgs=msgs, enums=enums)
            for i, e in enumerate(f.proto.enum_type):
                enums.append((f, (load.FILE_ENUM, i), (), e))
        top_names = [naming.nested_message_name(p, m.name) for _, _, p, m in msgs]
        top_names += [e.name for _, _, p, e in enums if not p]
        nested_counts = Counter(e.name for _, _, p, e in enums if p)
        taken = set(top_names) | {n for n, c in nested_counts.items() if c > 1}
        # Map entries are registered (fields refer to them) but get no class of their own.
        all_messages = [self._message(module, package, entry) for entry in msgs]
        messages = tuple(m for m in all_messages if not m.is_map_entry)
        enum_wrappers = tuple(self._enum(module, package, entry, taken) for entry in enums)
        return messages, enum_wrappers

    def _walk(
        self,
        f: LoadedFile,
        *,
        path: load.Path,
        parents: tuple[str, ...],
        m: descriptor_pb2.DescriptorProto,
        msgs: list[_MessageEntry],
        enums: list[_EnumEntry],
    ) -> None:
        msgs.append((f, path, parents, m))
        inner = (*parents, m.name)
        for i, e in enumerate(m.enum_type):
            enums.append((f, (*path, load.MESSAGE_ENUM, i), inner, e))
        for i, n in enumerate(m.nested_type):
            self._walk(
                f, path=(*path, load.MESSAGE_NESTED, i), parents=inner, m=n, msgs=msgs, enums=enums
            )

    def _full_name(self, package: str, parents: Sequence[str], name: str) -> str:
        return ".".join(p for p in (package, *parents, name) if p)

    def _message(self, module: str, package: str, entry: _MessageEntry) -> Message:
        f, path, parents, m = entry
        full_name = self._full_name(package, parents, m.name)
        proto2 = f.proto.syntax in ("", "proto2")
        fields = []
        for i, fd in enumerate(m.field):
            real_oneof = fd.HasField("oneof_index") and not fd.proto3_optional
            fields.append(
                Field(
                    name=fd.name,
                    number=fd.number,
                    type=fd.type,
                    label=fd.label,
                    type_name=fd.type_name,
                    oneof=m.oneof_decl[fd.oneof_index].name if real_oneof else None,
                    has_presence=(
                        real_oneof
                        or fd.proto3_optional
                        or (proto2 and fd.label == _F.LABEL_OPTIONAL)
                        or (fd.type == _F.TYPE_MESSAGE and fd.label != _F.LABEL_REPEATED)
                    ),
                    doc=_text(f.comments_at((*path, load.MESSAGE_FIELD, i))),
                    registry=self.registry,
                )
            )
        oneofs = tuple(
            Oneof(
                name=o.name,
                fields=tuple(x for x in fields if x.oneof == o.name),
                doc=_text(f.comments_at((*path, load.MESSAGE_ONEOF, i))),
            )
            for i, o in enumerate(m.oneof_decl)
            if any(x.oneof == o.name for x in fields)
        )
        msg = Message(
            full_name=full_name,
            py_name=naming.nested_message_name(parents, m.name),
            module=module,
            fields=tuple(fields),
            oneofs=oneofs,
            is_map_entry=m.options.map_entry,
            doc=_text(f.comments_at(path)),
            registry=self.registry,
        )
        self.registry.messages[full_name] = msg
        return msg

    def _enum(self, module: str, package: str, entry: _EnumEntry, taken: set[str]) -> Enum:
        f, path, parents, e = entry
        full_name = self._full_name(package, parents, e.name)
        py_names = naming.enum_value_names([v.name for v in e.value])
        enum = Enum(
            full_name=full_name,
            py_name=naming.enum_class_name(parents, e.name, taken),
            module=module,
            values=tuple(
                EnumValue(
                    name=v.name,
                    py_name=py,
                    number=v.number,
                    doc=_text(f.comments_at((*path, load.ENUM_VALUE, i))),
                )
                for i, (v, py) in enumerate(zip(e.value, py_names, strict=True))
            ),
            doc=_text(f.comments_at(path)),
            registry=self.registry,
        )
        self.registry.enums[full_name] = enum
        return enum

    def _assign_flat_names(self) -> None:
        defs: list[Message | Enum] = [*self.registry.messages.values()]
        defs += self.registry.enums.values()
        counts = Counter(d.py_name for d in defs)
        for d in defs:
            unique = counts[d.py_name] == 1
            self.registry.flat_names[d.full_name] = (
                d.py_name if unique else f"{d.module}_{d.py_name}"
            )

    def _check_unique_names(self, packages: Sequence[Package]) -> None:
        for p in packages:
            names = Counter([m.py_name for m in p.messages] + [e.py_name for e in p.enums])
            dupes = sorted(n for n, c in names.items() if c > 1)
            if dupes:
                raise SchemaError(f"package {p.name} defines {dupes} more than once")
        services = Counter(s.name for p in packages for s in p.services)
        dupes = sorted(n for n, c in services.items() if c > 1)
        if dupes:
            raise SchemaError(f"services {dupes} are defined in more than one package")
        modules = {p.module for p in packages}
        for p in packages:
            clash = modules & {m.py_name for m in p.messages}
            if clash:
                raise SchemaError(f"{p.name} defines {sorted(clash)}, also a module name")

    # -- services

    def _service(
        self, f: LoadedFile, index: int, svc: descriptor_pb2.ServiceDescriptorProto
    ) -> Service:
        full_name = self._full_name(f.proto.package, (), svc.name)
        path = (load.FILE_SERVICE, index)
        methods = []
        for i, md in enumerate(svc.method):
            safe = policy.RETRY_SAFETY.get((full_name, md.name))
            if safe is None:
                print(
                    f"warning: {full_name}/{md.name} is not in codegen/policy.py RETRY_SAFETY; "
                    "generating it as not retry-safe",
                    file=sys.stderr,
                )
            methods.append(
                Method(
                    service=svc.name,
                    service_full_name=full_name,
                    name=md.name,
                    request=self.registry.message(md.input_type.lstrip(".")),
                    response=self.registry.message(md.output_type.lstrip(".")),
                    client_streaming=md.client_streaming,
                    server_streaming=md.server_streaming,
                    retry_safe=bool(safe),
                    doc=_text(f.comments_at((*path, load.SERVICE_METHOD, i))),
                )
            )
        return Service(
            full_name=full_name,
            name=svc.name,
            methods=tuple(methods),
            doc=_text(f.comments_at(path)),
        )

    # -- pool

    def _pool_file(self, f: LoadedFile) -> PoolFile:
        proto = descriptor_pb2.FileDescriptorProto()
        proto.CopyFrom(f.proto)
        proto.ClearField("source_code_info")
        for extension in _extensions(proto):
            # An extension always tracks presence, so protoc's proto3_optional mark on a proto3
            # `optional` extension (versionpb's) adds nothing, and protobuf 4.21.0-4.21.11
            # refuses to load a proto3_optional field outside a oneof.
            extension.ClearField("proto3_optional")
        return PoolFile(name=proto.name, serialized=proto.SerializeToString(deterministic=True))

    def _well_known(self, ours: Sequence[LoadedFile]) -> tuple[str, ...]:
        """``google.protobuf`` modules whose descriptors our files import, dependencies first."""
        needed = {d for f in ours for d in f.proto.dependency if d.startswith(WELL_KNOWN_PREFIX)}
        order = [f.proto.name for f in self.files if f.proto.name in needed]
        return tuple(
            "google.protobuf."
            + name[len(WELL_KNOWN_PREFIX) : -len(".proto")].replace("/", ".")
            + "_pb2"
            for name in order
        )

    # -- transactions

    def _txn(self) -> TxnFacade | None:
        spec = policy.TXN_FACADE
        names = (spec.request_op, spec.response_op, spec.response, spec.compare)
        if not all(n in self.registry.messages for n in names):
            return None
        request_op = self.registry.message(spec.request_op)
        response_op = self.registry.message(spec.response_op)
        compare = self.registry.message(spec.compare)
        request_oneof = _single_oneof(request_op)
        response_oneof = _single_oneof(response_op)
        ops = _pair_ops(request_oneof, response_oneof)
        target_field, targets = _pair_compare_targets(compare)
        oneof_members = {f.name for o in compare.oneofs for f in o.fields}
        positional = tuple(compare.field_named(n) for n in spec.compare_positional)
        keywords = tuple(
            f
            for f in compare.fields
            if f.name not in oneof_members and f is not target_field and f not in positional
        )
        targets = tuple(
            CompareTarget(member=t.member, value=t.value, positional=positional, keywords=keywords)
            for t in targets
        )
        return TxnFacade(
            request_op=request_op,
            request_oneof=request_oneof,
            response_op=response_op,
            response_oneof=response_oneof,
            response=self.registry.message(spec.response),
            ops=ops,
            compare=compare,
            target_field=target_field,
            targets=targets,
            compare_positional=positional,
            compare_keywords=keywords,
        )


def _proto_file(f: LoadedFile) -> ProtoFile:
    comments = f.comments_at((load.FILE_PACKAGE,))
    if comments == Comments():
        comments = f.comments_at((load.FILE_SYNTAX,))
    return ProtoFile(
        name=f.proto.name,
        package=f.proto.package,
        dependencies=tuple(f.proto.dependency),
        doc=_text(comments),
    )


def _single_oneof(message: Message) -> Oneof:
    if len(message.oneofs) != 1:
        raise SchemaError(f"{message.full_name}: expected exactly one oneof")
    return message.oneofs[0]


def _by_suffix(oneof: Oneof) -> zip[tuple[str, Field]]:
    suffixes = naming.oneof_member_suffix([f.name for f in oneof.fields])
    return zip(suffixes, oneof.fields, strict=True)


def _pair_ops(request: Oneof, response: Oneof) -> tuple[OpKind, ...]:
    """Pair request and response oneof members by the suffix left after their shared prefix."""
    req = dict(_by_suffix(request))
    resp = dict(_by_suffix(response))
    if set(req) != set(resp):
        raise SchemaError(
            f"oneofs {request.name} and {response.name} do not pair up: "
            f"{sorted(req)} vs {sorted(resp)}"
        )
    for suffix, f in (*req.items(), *resp.items()):
        if not f.is_message:
            raise SchemaError(f"oneof member {f.name} ({suffix}) is not a message")
    return tuple(OpKind(suffix=s, request_member=req[s], response_member=resp[s]) for s in req)


def _matches(member: str, value: str) -> bool:
    """``mod_revision`` matches enum value ``MOD``; ``value`` matches ``VALUE``."""
    v = value.lower()
    return member == v or member.startswith(v + "_")


def _pair_compare_targets(compare: Message) -> tuple[Field, tuple[CompareTarget, ...]]:
    """Find the enum field whose values name the oneof's members, one to one."""
    oneof = _single_oneof(compare)
    candidates: list[tuple[Field, tuple[CompareTarget, ...]]] = []
    for f in compare.fields:
        if not f.is_enum or f.oneof is not None or f.is_repeated:
            continue
        pairs = []
        for member in oneof.fields:
            hits = [v for v in f.enum_type.values if _matches(member.name, v.name)]
            if len(hits) != 1:
                break
            pairs.append(CompareTarget(member=member, value=hits[0]))
        else:
            if len({p.value.number for p in pairs}) == len(pairs):
                candidates.append((f, tuple(pairs)))
    if len(candidates) != 1:
        found = [c[0].name for c in candidates]
        raise SchemaError(
            f"{compare.full_name}: need exactly one enum field pairing with oneof "
            f"{oneof.name}'s members, found {found}"
        )
    return candidates[0]


def build(files: Sequence[LoadedFile], etcd_version: str) -> Schema:
    """Wrap loaded files into a :class:`Schema` (raises :class:`SchemaError`)."""
    return _Builder(etcd_version, files).build()
