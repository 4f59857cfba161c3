"""The typed transaction facade: etcd's transaction oneofs paired up for ``txn.py``.

``RequestOp`` and ``ResponseOp`` each hold a oneof of operation kinds (``request_put`` /
``response_put``...): members pair up by the suffix left after their shared prefix, giving one
builder (``op_put``) and one typed result accessor (``TxnResults.put``) per kind. ``Compare``
holds a target enum and a oneof of compared values: each member pairs with the one enum value
it names (``mod_revision`` ↔ ``MOD``), giving one builder per target (``compare_mod_revision``).
The messages are named in ``codegen.policy.TXN_FACADE``; without them there is no facade.
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen import naming, policy
from codegen.model import EnumValue, Field, Message, Oneof, Registry, SchemaError


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
    response_op: Message
    response_oneof: Oneof
    response: Message
    ops: tuple[OpKind, ...]
    compare: Message
    target_field: Field
    targets: tuple[CompareTarget, ...]

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
    def kinds(self) -> tuple[str, ...]:
        """The operation kinds, as ``TxnResults.kind`` reports them."""
        return tuple(op.suffix for op in self.ops)


def pair(registry: Registry) -> TxnFacade | None:
    """The facade over etcd's transaction messages, or ``None`` if they are not defined."""
    spec = policy.TXN_FACADE
    names = (spec.request_op, spec.response_op, spec.response, spec.compare)
    if not all(n in registry.messages for n in names):
        return None
    request_op = registry.message(spec.request_op)
    response_op = registry.message(spec.response_op)
    compare = registry.message(spec.compare)
    request_oneof = _single_oneof(request_op)
    response_oneof = _single_oneof(response_op)
    target_field, pairs = _pair_compare_targets(compare)
    oneof_members = {f.name for o in compare.oneofs for f in o.fields}
    positional = tuple(compare.field_named(n) for n in spec.compare_positional)
    keywords = tuple(
        f
        for f in compare.fields
        if f.name not in oneof_members and f is not target_field and f not in positional
    )
    return TxnFacade(
        request_op=request_op,
        response_op=response_op,
        response_oneof=response_oneof,
        response=registry.message(spec.response),
        ops=_pair_ops(request_oneof, response_oneof),
        compare=compare,
        target_field=target_field,
        targets=tuple(
            CompareTarget(member=member, value=value, positional=positional, keywords=keywords)
            for member, value in pairs
        ),
    )


def _single_oneof(message: Message) -> Oneof:
    if len(message.oneofs) != 1:
        raise SchemaError(f"{message.full_name}: expected exactly one oneof")
    return message.oneofs[0]


def _by_suffix(oneof: Oneof) -> dict[str, Field]:
    suffixes = naming.oneof_member_suffix([f.name for f in oneof.fields])
    return dict(zip(suffixes, oneof.fields, strict=True))


def _pair_ops(request: Oneof, response: Oneof) -> tuple[OpKind, ...]:
    """Pair request and response oneof members by the suffix left after their shared prefix."""
    req = _by_suffix(request)
    resp = _by_suffix(response)
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


def _pair_compare_targets(compare: Message) -> tuple[Field, tuple[tuple[Field, EnumValue], ...]]:
    """Find the enum field whose values name the oneof's members, one to one."""
    oneof = _single_oneof(compare)
    candidates: list[tuple[Field, tuple[tuple[Field, EnumValue], ...]]] = []
    for f in compare.fields:
        if not f.is_enum or f.oneof is not None or f.is_repeated:
            continue
        pairs = []
        for member in oneof.fields:
            hits = [v for v in f.enum_type.values if _matches(member.name, v.name)]
            if len(hits) != 1:
                break
            pairs.append((member, hits[0]))
        else:
            if len({value.number for _, value in pairs}) == len(pairs):
                candidates.append((f, tuple(pairs)))
    if len(candidates) != 1:
        found = [c[0].name for c in candidates]
        raise SchemaError(
            f"{compare.full_name}: need exactly one enum field pairing with oneof "
            f"{oneof.name}'s members, found {found}"
        )
    return candidates[0]
