"""What each generated file imports and exports.

- A message stub (``etcdserverpb.pyi``) imports the other message modules it names and the
  typing helpers its annotations use (``stub``).
- ``services.py``, ``methods.py`` and ``txn.py`` import every definition they use by name, under
  an alias (``module_Name``) when two packages define the name (``aliases``,
  ``by_name``).
- The package's ``__init__.py`` re-exports the flat protobuf namespace (``package_init``):
  every message, enum and enum constant of the packages ``codegen.policy.FLAT_PACKAGES``
  names, at the top level as protoc's ``_pb2`` modules offer them. A name that would be
  defined twice there is an error, never a silent shadow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from codegen import policy
from codegen.contract import CallKind
from codegen.model import Enum, Message, Package, Schema, SchemaError

Imports = Mapping[str, tuple[tuple[str, str], ...]]
"""Per message module, the ``(name, local alias)`` pairs a file imports from it, sorted."""


def aliases(definitions: Iterable[Message | Enum]) -> dict[str, str]:
    """Full name → the name a file importing definitions by name uses for it."""
    defs = list(definitions)
    counts = Counter(d.py_name for d in defs)
    return {
        d.full_name: d.py_name if counts[d.py_name] == 1 else f"{d.module}_{d.py_name}"
        for d in defs
    }


def by_name(definitions: Iterable[Message | Enum]) -> Imports:
    """Group definitions by module, each as ``(name, alias)``."""
    grouped: dict[str, set[tuple[str, str]]] = {}
    for d in definitions:
        grouped.setdefault(d.module, set()).add((d.py_name, d.ref(None)))
    return {module: tuple(sorted(grouped[module])) for module in sorted(grouped)}


@dataclass(frozen=True)
class StubImports:
    """What a message stub needs besides ``google.protobuf.message``.

    Attributes:
        containers: protobuf's container types and ``collections.abc`` (repeated fields).
        typing: ``typing`` (``WhichOneof`` overloads, enum value constants).
        modules: Other message modules the stub names, sorted.
    """

    containers: bool
    typing: bool
    modules: tuple[str, ...]


def stub(package: Package) -> StubImports:
    """The imports of ``package``'s ``.pyi`` stub."""
    fields = [f for m in package.messages for f in m.fields]
    modules = {d.module for f in fields for d in f.referenced} - {package.module}
    return StubImports(
        containers=any(f.is_repeated for f in fields),
        typing=bool(package.constants or any(m.oneofs or m.nested_enums for m in package.messages)),
        modules=tuple(sorted(modules)),
    )


def methods(schema: Schema) -> Imports:
    """The definitions ``methods.py`` imports: every request and response."""
    return by_name(d for m in schema.methods for d in (m.request, m.response))


def services(schema: Schema) -> Imports:
    """The definitions ``services.py`` imports: messages and the types of flattened fields."""
    return by_name(
        d
        for m in schema.methods
        for d in (m.request, m.response, *(r for f in m.flattened_fields for r in f.referenced))
    )


def service_runtime(schema: Schema) -> tuple[str, ...]:
    """Names ``services.py`` imports from ``etcd3._runtime``, by the call kinds in use."""
    names = {"DEFAULT_TIMEOUT", "AsyncCaller", "Metadata", "SyncCaller", "Timeout"}
    kinds = {m.kind for m in schema.methods}
    if kinds & {CallKind.UNARY, CallKind.SERVER_STREAM}:
        names.add("check_request")  # of a prebuilt request
    if CallKind.SERVER_STREAM in kinds:
        names |= {"AsyncServerStream", "ServerStream"}
    if CallKind.BIDI_STREAM in kinds:
        names |= {"AsyncDuplexStream", "DuplexStream"}
    return tuple(sorted(names))


def service_abc(schema: Schema) -> tuple[str, ...]:
    """Names ``services.py`` imports from ``collections.abc`` for keyword annotations."""
    fields = [f for m in schema.methods for f in m.flattened_fields]
    names = {"Mapping" for f in fields if f.is_map}
    names |= {"Iterable" for f in fields if f.is_repeated and not f.is_map}
    return tuple(sorted(names))


def txn(schema: Schema) -> Imports:
    """The definitions ``txn.py`` imports: the transaction messages and their fields' types."""
    facade = schema.txn
    if facade is None:
        return {}
    fields = (*facade.compare.fields, *(f for op in facade.ops for f in op.request.fields))
    return by_name(
        (
            facade.request_op,
            facade.response_op,
            facade.response,
            facade.compare,
            *(op.request for op in facade.ops),
            *(op.response for op in facade.ops),
            *(d for f in fields for d in f.referenced),
        )
    )


@dataclass(frozen=True)
class PackageInit:
    """The names the package's ``__init__.py`` imports and exports.

    Attributes:
        modules: Its public submodules: message modules in dependency order, then the others.
        services: The service classes and stub aggregators it re-exports.
        flat: Per message module, the names of the flat protobuf namespace, sorted.
    """

    modules: tuple[str, ...]
    services: tuple[str, ...]
    flat: Mapping[str, tuple[str, ...]]

    @property
    def submodules(self) -> tuple[str, ...]:
        """Every submodule the package binds as an attribute once loaded, public ones first."""
        flat = ("_flat",) if self.flat else ()
        return (*self.modules, "services", *flat, "_pool")

    @property
    def flat_names(self) -> tuple[str, ...]:
        """Every name of the flat namespace, sorted."""
        return tuple(sorted(n for names in self.flat.values() for n in names))


def package_init(schema: Schema) -> PackageInit:
    """The ``__init__.py`` of ``schema``'s package (raises ``SchemaError`` on a clash)."""
    modules = [p.module for p in schema.modules] + ["methods"]
    if schema.txn is not None:
        modules.append("txn")
    if schema.errors is not None:
        modules.append("server_errors")
    modules += [p.pb2_module for p in schema.modules if p.pb2_module is not None]
    services = ["AsyncStubs"]
    services += [name for s in schema.services for name in (s.async_name, s.name)]
    services.append("Stubs")
    owner = {name: "the package itself" for name in (*modules, "services", "_flat", *services)}
    flat: dict[str, tuple[str, ...]] = {}
    for package in schema.modules:
        if package.name not in policy.FLAT_PACKAGES:
            continue
        for name in package.exported_names:
            if name in owner:
                raise SchemaError(
                    f"{package.name}.{name} cannot join the flat etcd3.rpc namespace: "
                    f"{owner[name]} already defines {name!r}"
                )
            owner[name] = f"package {package.name}"
        flat[package.module] = tuple(sorted(package.exported_names))
    return PackageInit(
        modules=tuple(modules),
        services=tuple(services),
        flat={module: flat[module] for module in sorted(flat)},
    )
