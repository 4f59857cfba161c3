"""Stage 2: build the frozen model (``codegen.model``) from the loaded descriptor files.

One pass over the files, in dependency order, creates every wrapper. Definitions refer to each
other by full name, so the builder first creates all messages and enums (registering them in
dictionaries only it writes; wrappers see them through read-only views), then the services
that name them, then the transaction facade (``codegen.txn_facade``).

Decisions the descriptors cannot make come from ``codegen.policy``: retry safety and the
etcd release of each RPC, which is checked against the protos' version annotations
(``codegen.versions``) when they carry them.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from types import MappingProxyType

from google.protobuf import descriptor_pb2

from codegen import imports, load, naming, policy, txn_facade, versions
from codegen.contract import CallKind
from codegen.load import Comments, LoadedFile
from codegen.model import (
    Enum,
    EnumValue,
    ErrorTable,
    Field,
    Message,
    Method,
    Oneof,
    Package,
    PoolFile,
    ProtoFile,
    Registry,
    Schema,
    SchemaError,
    Service,
)
from codegen.versions import Version

_F = descriptor_pb2.FieldDescriptorProto

WELL_KNOWN_PREFIX = "google/protobuf/"
_PROTOBUF_TYPES = ".google.protobuf."

#: A definition found while walking a file: its file, descriptor path, enclosing message names.
_MessageEntry = tuple[LoadedFile, load.Path, tuple[str, ...], descriptor_pb2.DescriptorProto]
_EnumEntry = tuple[LoadedFile, load.Path, tuple[str, ...], descriptor_pb2.EnumDescriptorProto]


def build(
    files: Sequence[LoadedFile], etcd_version: str, errors: ErrorTable | None = None
) -> Schema:
    """Wrap loaded files (and etcd's error table) into a ``Schema``.

    Raises:
        SchemaError: The descriptors cannot be generated as they are.
    """
    return _Builder(etcd_version, files).build(errors)


def doc_text(comments: Comments) -> str:
    """The one comment an element is documented with: leading > trailing > detached."""
    raw = comments.leading or comments.trailing or "\n\n".join(comments.detached)
    lines = raw.splitlines()
    # protoc keeps the space after ``//``; drop one leading space, keep deeper indentation.
    lines = [line[1:] if line.startswith(" ") else line for line in lines]
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def toposort(files: Sequence[LoadedFile]) -> list[LoadedFile]:
    """``files`` with every file after the files it imports."""
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


def pool_members(files: Sequence[LoadedFile]) -> list[LoadedFile]:
    """The files of ``files`` (in dependency order) that the descriptor pool needs.

    A file that declares no message, enum or service, extends only ``google.protobuf``'s own
    messages (the option extensions that date etcd's API, read by this generator alone), and
    that no needed file imports (etcd 3.5's ``version.proto``) gives the pool nothing to look
    up, yet adding it would load what it imports (``descriptor.proto``) with every client.
    """
    imported: set[str] = set()
    needed: list[LoadedFile] = []
    for f in reversed(files):  # dependents before their dependencies
        if f.proto.name in imported or _defines_anything(f.proto):
            needed.append(f)
            imported.update(f.proto.dependency)
    return needed[::-1]


def _defines_anything(proto: descriptor_pb2.FileDescriptorProto) -> bool:
    """Whether ``proto`` declares a message, enum, service, or extension of a non-protobuf type."""
    if proto.message_type or proto.enum_type or proto.service:
        return True
    return any(not ext.extendee.startswith(_PROTOBUF_TYPES) for ext in proto.extension)


class _Builder:
    """Walks the files once, creating wrappers and the registry they share."""

    def __init__(self, etcd_version: str, files: Sequence[LoadedFile]) -> None:
        self.etcd_version = etcd_version
        self.files = toposort(files)
        self.annotations = versions.Annotations.declared_in(self.files)
        self.messages: dict[str, Message] = {}
        self.enums: dict[str, Enum] = {}
        self.aliases: dict[str, str] = {}
        self.registry = Registry(
            messages=MappingProxyType(self.messages),
            enums=MappingProxyType(self.enums),
            aliases=MappingProxyType(self.aliases),
        )

    def build(self, errors: ErrorTable | None) -> Schema:
        ours = [f for f in self.files if not f.proto.name.startswith(WELL_KNOWN_PREFIX)]
        packages: dict[str, list[LoadedFile]] = {}
        for f in ours:
            packages.setdefault(f.proto.package, []).append(f)
        # Messages and enums first: fields and methods resolve them through the registry.
        built = [self._package_defs(name, pkg_files) for name, pkg_files in packages.items()]
        self.aliases.update(imports.aliases([*self.messages.values(), *self.enums.values()]))
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
        _check_unique_names(result)
        pooled = pool_members(ours)
        return Schema(
            etcd_version=self.etcd_version,
            packages=tuple(result),
            pool_files=tuple(_pool_file(f) for f in pooled),
            well_known=self._well_known(pooled),
            txn=txn_facade.pair(self.registry),
            errors=errors,
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
                _walk(f, path=(load.FILE_MESSAGE, i), parents=(), m=m, msgs=msgs, enums=enums)
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

    def _message(self, module: str, package: str, entry: _MessageEntry) -> Message:
        f, path, parents, m = entry
        full_name = _full_name(package, parents, m.name)
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
                    doc=doc_text(f.comments_at((*path, load.MESSAGE_FIELD, i))),
                    registry=self.registry,
                    since=self.annotations.since(fd.options),
                )
            )
        oneofs = tuple(
            Oneof(name=o.name, fields=tuple(x for x in fields if x.oneof == o.name))
            for o in m.oneof_decl
            if any(x.oneof == o.name for x in fields)
        )
        msg = Message(
            full_name=full_name,
            py_name=naming.nested_message_name(parents, m.name),
            module=module,
            fields=tuple(fields),
            oneofs=oneofs,
            is_map_entry=m.options.map_entry,
            doc=doc_text(f.comments_at(path)),
            registry=self.registry,
            since=self.annotations.since(m.options),
        )
        self.messages[full_name] = msg
        return msg

    def _enum(self, module: str, package: str, entry: _EnumEntry, taken: set[str]) -> Enum:
        f, path, parents, e = entry
        full_name = _full_name(package, parents, e.name)
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
                    doc=doc_text(f.comments_at((*path, load.ENUM_VALUE, i))),
                    since=self.annotations.since(v.options),
                )
                for i, (v, py) in enumerate(zip(e.value, py_names, strict=True))
            ),
            doc=doc_text(f.comments_at(path)),
            is_nested=bool(parents),
            registry=self.registry,
            since=self.annotations.since(e.options),
        )
        self.enums[full_name] = enum
        return enum

    # -- services

    def _service(
        self, f: LoadedFile, index: int, svc: descriptor_pb2.ServiceDescriptorProto
    ) -> Service:
        full_name = _full_name(f.proto.package, (), svc.name)
        path = (load.FILE_SERVICE, index)
        methods = []
        for i, md in enumerate(svc.method):
            rpc = f"/{full_name}/{md.name}"
            safe = policy.RETRY_SAFETY.get((full_name, md.name))
            if safe is None:
                print(
                    f"warning: {full_name}/{md.name} is not in codegen/policy.py RETRY_SAFETY; "
                    "generating it as not retry-safe",
                    file=sys.stderr,
                )
            request = self.registry.message(md.input_type.lstrip("."))
            response = self.registry.message(md.output_type.lstrip("."))
            methods.append(
                Method(
                    service=svc.name,
                    service_full_name=full_name,
                    name=md.name,
                    request=request,
                    response=response,
                    kind=_call_kind(rpc, md),
                    retry_safe=bool(safe),
                    since=_rpc_since(
                        rpc, policy.RPC_SINCE.get((full_name, md.name)), request, response
                    ),
                    doc=doc_text(f.comments_at((*path, load.SERVICE_METHOD, i))),
                )
            )
        return Service(
            full_name=full_name,
            name=svc.name,
            methods=tuple(methods),
            doc=doc_text(f.comments_at(path)),
        )

    # -- pool

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


def _walk(
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
        _walk(f, path=(*path, load.MESSAGE_NESTED, i), parents=inner, m=n, msgs=msgs, enums=enums)


def _full_name(package: str, parents: Sequence[str], name: str) -> str:
    return ".".join(p for p in (package, *parents, name) if p)


def _call_kind(rpc: str, md: descriptor_pb2.MethodDescriptorProto) -> CallKind:
    if md.client_streaming and md.server_streaming:
        return CallKind.BIDI_STREAM
    if md.server_streaming:
        return CallKind.SERVER_STREAM
    if md.client_streaming:
        raise SchemaError(f"{rpc}: client-streaming RPCs are not supported")
    return CallKind.UNARY


def _rpc_since(rpc: str, fact: Version | None, request: Message, response: Message) -> Version:
    """The release that introduced an RPC: the policy's fact, checked against annotations.

    An RPC is as new as the newer of its request and response messages (``KV.RangeStream``
    takes the old ``RangeRequest`` but answers a new ``RangeStreamResponse``).
    """
    annotated = [v for v in (request.since, response.since) if v is not None]
    stated = max(annotated) if annotated else None
    if fact is not None and stated is not None and fact != stated:
        raise SchemaError(
            f"{rpc}: codegen/policy.py RPC_SINCE says etcd {versions.text(fact)}, "
            f"the protos' version annotations say {versions.text(stated)}"
        )
    return fact or stated or policy.FIRST_V3_RELEASE


def _check_unique_names(packages: Sequence[Package]) -> None:
    for p in packages:
        names = Counter(p.exported_names)
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


def _proto_file(f: LoadedFile) -> ProtoFile:
    comments = f.comments_at((load.FILE_PACKAGE,))
    if comments == Comments():
        comments = f.comments_at((load.FILE_SYNTAX,))
    return ProtoFile(
        name=f.proto.name,
        package=f.proto.package,
        doc=doc_text(comments),
    )


def _pool_file(f: LoadedFile) -> PoolFile:
    proto = descriptor_pb2.FileDescriptorProto()
    proto.CopyFrom(f.proto)
    proto.ClearField("source_code_info")
    for extension in _extensions(proto):
        # An extension always tracks presence, so protoc's proto3_optional mark on a proto3
        # `optional` extension (versionpb's) adds nothing, and protobuf 4.21.0-4.21.11 refuse
        # to load a proto3_optional field outside a oneof.
        extension.ClearField("proto3_optional")
    return PoolFile(name=proto.name, serialized=proto.SerializeToString(deterministic=True))


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
