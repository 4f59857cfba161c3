"""Every Python identifier the generator writes, decided in one place.

Rules (each has a unit test in ``tests/codegen/test_naming.py``):

- RPCs become snake_case methods: ``DeleteRange`` → ``delete_range``, ``HashKV`` → ``hash_kv``.
  Only Python keywords are escaped (``import`` → ``import_``): a method may shadow a builtin
  (``KV.range``) because it is only ever reached through an attribute.
- Request fields become keyword arguments named exactly like the proto field (``ID``, ``TTL``,
  ``memberID`` stay as they are, so the keyword matches the message attribute); fields whose name
  is a keyword, a builtin or one of the method's own parameters get a trailing ``_``
  (``type`` → ``type_``, ``hash`` → ``hash_``, ``timeout`` → ``timeout_``).
- Services become snake_case attributes of the stub aggregators (``KV`` → ``kv``) and upper-case
  prefixes of method constants (``KV_RANGE``).
- A nested enum keeps its own name unless the name is vague (``Type``, ``Action``…) or collides
  with another name in its module; then it is prefixed with its parent (``Permission.Type`` →
  ``PermissionType``). Nested messages are always prefixed with their parent.
- Enum values lose a prefix shared by all of them (``TYPE_INT``, ``TYPE_BOOL`` → ``INT``,
  ``BOOL``) unless that would leave an invalid identifier.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable, Sequence

#: Parameters every generated service method has besides the request fields.
METHOD_PARAMS = frozenset({"self", "request", "timeout", "metadata"})

#: Nested enum names that say nothing without their parent.
VAGUE_ENUM_NAMES = frozenset(
    {"Type", "Kind", "Action", "Status", "State", "Mode", "Result", "Target", "Code", "Op"}
)

_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """``DeleteRange`` → ``delete_range``; capital runs are one word (``HashKV`` → ``hash_kv``)."""
    return _WORD_BOUNDARY.sub("_", name).lower()


def escape_keyword(name: str) -> str:
    """Append ``_`` to Python keywords (soft keywords such as ``match`` are legal names)."""
    return f"{name}_" if keyword.iskeyword(name) else name


def method_name(rpc: str) -> str:
    """The Python method name of an RPC."""
    return escape_keyword(snake_case(rpc))


def service_attribute(service: str) -> str:
    """The attribute of ``Stubs``/``AsyncStubs`` holding a service (``KV`` → ``kv``)."""
    return escape_keyword(snake_case(service))


def async_class_name(service: str) -> str:
    """The asyncio twin of a service class (``KV`` → ``AsyncKV``)."""
    return f"Async{service}"


def method_constant(service: str, rpc: str) -> str:
    """The ``MethodInfo`` constant of an RPC (``KV``, ``Range`` → ``KV_RANGE``)."""
    return f"{snake_case(service)}_{snake_case(rpc)}".upper()


def kwarg_name(field: str) -> str:
    """The keyword argument for a request field (``type`` → ``type_``, ``ID`` stays ``ID``)."""
    if keyword.iskeyword(field) or field in _BUILTINS or field in METHOD_PARAMS:
        return f"{field}_"
    return field


def module_name(package: str) -> str:
    """The generated module for a proto package (``etcdserverpb``; ``a.b`` → ``a_b``)."""
    return escape_keyword(package.replace(".", "_"))


def nested_message_name(parents: Sequence[str], name: str) -> str:
    """A nested message's module-level name: its parents' names and its own, concatenated."""
    return "".join((*parents, name))


def enum_class_name(parents: Sequence[str], name: str, taken: Iterable[str] = ()) -> str:
    """A proto enum's ``IntEnum`` class name.

    Args:
        parents: Names of the enclosing messages, outermost first (empty for top-level enums).
        name: The enum's own name.
        taken: Names already used by other top-level definitions in the same module.
    """
    if not parents:
        return name
    if name in VAGUE_ENUM_NAMES or name in set(taken):
        return "".join((*parents, name))
    return name


def _shared_prefix(names: Sequence[str]) -> str:
    """The longest ``_``-terminated prefix shared by all ``names``."""
    first = names[0].split("_")
    words: list[str] = []
    for i, word in enumerate(first[:-1]):
        if all(n.split("_")[i] == word and len(n.split("_")) > i + 1 for n in names):
            words.append(word)
        else:
            break
    return "".join(f"{w}_" for w in words)


def enum_value_names(names: Sequence[str]) -> tuple[str, ...]:
    """Python member names for an enum's values, with a prefix shared by all of them removed."""
    if len(names) < 2:
        return tuple(escape_keyword(n) for n in names)
    prefix = _shared_prefix(names)
    stripped = [n[len(prefix) :] for n in names]
    if all(s.isidentifier() and not s.startswith("_") for s in stripped):
        return tuple(escape_keyword(s) for s in stripped)
    return tuple(escape_keyword(n) for n in names)


def oneof_member_suffix(members: Sequence[str]) -> tuple[str, ...]:
    """Oneof member names without the prefix they all share (``request_put`` → ``put``)."""
    return enum_value_names(members) if len(members) > 1 else tuple(members)


def op_builder_name(suffix: str) -> str:
    """A transaction operation builder (``put`` → ``op_put``)."""
    return f"op_{suffix}"


def compare_builder_name(member: str) -> str:
    """A transaction comparison builder (``mod_revision`` → ``compare_mod_revision``)."""
    return f"compare_{member}"
