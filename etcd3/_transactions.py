"""Transactions, sans-IO: compares, operations, builders and result views shared by both clients.

Two APIs build the same ``TxnRequest``:

- the legacy one (python-etcd3's): compare objects made with Python operators
  (``client.transactions.value(key) == b"v"``) and operation objects
  (``client.transactions.put(key, value)``), run by ``client.transaction(compare, success,
  failure)``, which returns a :data:`TxResult`;
- the builder (etcd3-client's): ``TransactionBuilder.new()`` or ``.immutable()``, then
  ``.compare(key).value.eq(b"v")``, ``.success.put(key, value)``..., run by ``client.txn(tx)``,
  which returns a :class:`TransactionResponse`.

Everything here validates its arguments when an object is made (``TypeError`` for a wrong type,
``ValueError`` for a bad value), so a malformed transaction never reaches the server. Messages
are built with the generated facades of :mod:`etcd3.rpc.txn`.

etcd refuses a transaction with more operations in one branch (or more compares) than its
``--max-txn-ops`` (128 by default) with :class:`etcd3.errors.TooManyOpsError`; the client cannot
know the server's limit, so it does not check it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import ClassVar, Generic, Literal, SupportsIndex, SupportsInt, TypeAlias, TypeVar

from typing_extensions import Self

from etcd3._runtime import ResultKindError
from etcd3._validate import (
    KeyLike,
    SortOrderLike,
    SortTargetLike,
    SupportsLeaseId,
    flag,
    key_bytes,
    lease_id,
    limit_arg,
    revision_arg,
    sort_order_arg,
    sort_target_arg,
    to_bytes,
)
from etcd3._views import GetResult, KVMetadata
from etcd3.rpc.etcdserverpb import (
    Compare,
    CompareResult,
    DeleteRangeResponse,
    PutResponse,
    RangeResponse,
    RequestOp,
    ResponseHeader,
    ResponseOp,
    TxnRequest,
    TxnResponse,
)
from etcd3.rpc.txn import (
    TxnResultKind,
    TxnResults,
    compare_create_revision,
    compare_lease,
    compare_mod_revision,
    compare_value,
    compare_version,
    op_delete_range,
    op_put,
    op_range,
    op_txn,
)

__all__ = [
    "BaseCompare",
    "CasResult",
    "CompareBuilder",
    "CompareBuilderStep1",
    "Create",
    "Delete",
    "Get",
    "LeaseCompare",
    "Mod",
    "OperationBuilder",
    "Put",
    "TransactionBuilder",
    "TransactionResponse",
    "Transactions",
    "TxCondition",
    "TxOp",
    "TxResponse",
    "TxResponses",
    "TxResult",
    "Txn",
    "Value",
    "Version",
    "as_del_op_result",
    "as_get_op_result",
    "as_put_op_result",
    "as_txn_op_result",
    "build_txn_request",
    "cas_result",
    "get_result",
    "put_if_not_exists_request",
    "replace_request",
    "tx_result",
]

_OPERATORS: dict[CompareResult, str] = {
    CompareResult.EQUAL: "==",
    CompareResult.NOT_EQUAL: "!=",
    CompareResult.LESS: "<",
    CompareResult.GREATER: ">",
}


def _optional_bytes(value: KeyLike | None, what: str) -> bytes:
    return b"" if value is None else to_bytes(value, what)


def _int_operand(value: object, what: str) -> int:
    """``int(value)`` for the legacy compares, which took ``"0"`` as well as ``0``."""
    if isinstance(value, (str, bytes, SupportsInt, SupportsIndex)):
        try:
            return int(value)
        except ValueError:
            pass
    raise ValueError(f"{what} must be an int (or a str of one), got {value!r}")


def _strict_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an int, got {value!r}")
    return value


def _value_operand(value: object, what: str) -> bytes:
    if not isinstance(value, (str, bytes)):
        raise ValueError(f"{what} must be str or bytes, got {value!r}")
    return to_bytes(value, what)


_CompareFactory: TypeAlias = Callable[..., Compare]


def _no_target(*args: object, **kwargs: object) -> Compare:
    raise TypeError("BaseCompare compares nothing: use Value, Version, Create, Mod, LeaseCompare")


# --- The legacy API: compares ----------------------------------------------------------------


class BaseCompare:
    """A comparison of one key (or a range of keys) for a legacy transaction.

    Make one with a subclass and finish it with an operator, which stores the operand and
    returns the compare itself: ``Value(b"k") == b"v"``, ``Version(b"k") > 2``,
    ``Create(b"k") == 0``, ``Mod(b"k") < 10``; ``!=`` works too. Subclasses: :class:`Value`,
    :class:`Version`, :class:`Create`, :class:`Mod`, :class:`LeaseCompare`.

    Args:
        key: The key to compare (``str`` is UTF-8 encoded).
        range_end: Compare every key in ``[key, range_end)`` instead of ``key`` alone.

    Raises:
        TypeError: ``key`` or ``range_end`` is neither ``str`` nor ``bytes``.
        ValueError: ``key`` is empty.
    """

    __slots__ = (
        "_key",
        "_key_bytes",
        "_op",
        "_operand",
        "_range_end",
        "_range_end_bytes",
        "_value",
    )

    _what: ClassVar[str] = "compare operand"
    _factory: ClassVar[_CompareFactory] = staticmethod(_no_target)

    def __init__(self, key: KeyLike, range_end: KeyLike | None = None) -> None:
        self._key_bytes = key_bytes(key)
        self._range_end_bytes = _optional_bytes(range_end, "range_end")
        self._key = key
        self._range_end = range_end
        self._value: object = None
        self._operand: int | bytes | None = None
        self._op: CompareResult | None = None

    def _set(self, op: CompareResult, other: object) -> Self:
        self._operand = self._check(other)
        self._value = other
        self._op = op
        return self

    def _check(self, other: object) -> int | bytes:
        return _int_operand(other, self._what)

    def __eq__(self, other: object) -> Self:  # type: ignore[override]
        """Compare for equality with ``other``; returns this compare."""
        return self._set(CompareResult.EQUAL, other)

    def __ne__(self, other: object) -> Self:  # type: ignore[override]
        """Compare for inequality with ``other``; returns this compare."""
        return self._set(CompareResult.NOT_EQUAL, other)

    def __lt__(self, other: object) -> Self:
        """Compare for "less than ``other``"; returns this compare."""
        return self._set(CompareResult.LESS, other)

    def __gt__(self, other: object) -> Self:
        """Compare for "greater than ``other``"; returns this compare."""
        return self._set(CompareResult.GREATER, other)

    __hash__: ClassVar[None] = None  # type: ignore[assignment]  # == builds a condition

    @property
    def key(self) -> KeyLike:
        """The key, as given."""
        return self._key

    @property
    def range_end(self) -> KeyLike | None:
        """The end of the compared range, as given (``None``: ``key`` alone)."""
        return self._range_end

    @property
    def value(self) -> object:
        """The operand, as given to the operator (``None`` before an operator was applied)."""
        return self._value

    @property
    def op(self) -> CompareResult | None:
        """The operator (``CompareResult.EQUAL``, ...), ``None`` before one was applied."""
        return self._op

    def build_message(self) -> Compare:
        """The ``Compare`` message to send.

        Returns:
            A new message.

        Raises:
            ValueError: No operator was applied yet.
        """
        if self._op is None or self._operand is None:
            raise ValueError(f"{self!r} has no operator: use ==, !=, < or >")
        return self._factory(
            self._key_bytes, self._op, self._operand, range_end=self._range_end_bytes
        )

    def __repr__(self) -> str:
        keys = repr(self._key) if self._range_end is None else f"{self._key!r}, {self._range_end!r}"
        head = f"{type(self).__name__}({keys})"
        if self._op is None:
            return head
        return f"{head} {_OPERATORS[self._op]} {self._value!r}"


class Value(BaseCompare):
    """Compare a key's value with ``str`` or ``bytes`` (else ``ValueError``)."""

    __slots__ = ()
    _factory = staticmethod(compare_value)
    _what = "value compare operand"

    def _check(self, other: object) -> int | bytes:
        return _value_operand(other, self._what)


class Version(BaseCompare):
    """Compare a key's version (``0``: the key does not exist) with an int (or ``"2"``)."""

    __slots__ = ()
    _factory = staticmethod(compare_version)
    _what = "version compare operand"


class Create(BaseCompare):
    """Compare a key's create revision (``0``: the key does not exist) with an int."""

    __slots__ = ()
    _factory = staticmethod(compare_create_revision)
    _what = "create revision compare operand"


class Mod(BaseCompare):
    """Compare a key's mod revision (the revision of its last change) with an int."""

    __slots__ = ()
    _factory = staticmethod(compare_mod_revision)
    _what = "mod revision compare operand"


class LeaseCompare(BaseCompare):
    """Compare the id of the lease attached to a key (``0``: none) with an int or a ``Lease``."""

    __slots__ = ()
    _factory = staticmethod(compare_lease)
    _what = "lease compare operand"

    def _check(self, other: object) -> int | bytes:
        if not isinstance(other, (int, str)) and hasattr(other, "id"):
            other = other.id
        return _int_operand(other, self._what)


# --- The legacy API: operations --------------------------------------------------------------


class _Op:
    __slots__ = ("_message",)

    _message: RequestOp

    def build_message(self) -> RequestOp:
        """The ``RequestOp`` message to send (built, and checked, when the operation was made).

        Returns:
            The message; do not modify it.
        """
        return self._message


class Put(_Op):
    """A put in a legacy transaction.

    Args:
        key: The key (``str`` is UTF-8 encoded).
        value: The value.
        lease: A lease id or a ``Lease`` to attach to the key (``None``: none).
        prev_kv: Return the key's previous value in the result.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key or an out-of-range lease id.
    """

    __slots__ = ("key", "lease", "prev_kv", "value")

    def __init__(
        self,
        key: KeyLike,
        value: KeyLike,
        lease: int | SupportsLeaseId | None = None,
        prev_kv: bool = False,
    ) -> None:
        self._message = op_put(
            key=key_bytes(key),
            value=to_bytes(value),
            lease=lease_id(lease),
            prev_kv=flag(prev_kv, "prev_kv"),
        )
        self.key: KeyLike = key
        """The key, as given."""
        self.value: KeyLike = value
        """The value, as given."""
        self.lease: int | SupportsLeaseId | None = lease
        """The lease, as given."""
        self.prev_kv: bool = prev_kv
        """Whether the previous value is asked for."""

    def __repr__(self) -> str:
        return f"Put({self.key!r}, {self.value!r}, lease={self.lease!r}, prev_kv={self.prev_kv!r})"


class Get(_Op):
    """A get (range read) in a legacy transaction; its result is a :data:`GetResult`.

    Args:
        key: The key, or the first key of the range.
        range_end: Read every key in ``[key, range_end)`` instead of ``key`` alone.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key.
    """

    __slots__ = ("key", "range_end")

    def __init__(self, key: KeyLike, range_end: KeyLike | None = None) -> None:
        self._message = op_range(
            key=key_bytes(key), range_end=_optional_bytes(range_end, "range_end")
        )
        self.key: KeyLike = key
        """The key, as given."""
        self.range_end: KeyLike | None = range_end
        """The end of the range, as given."""

    def __repr__(self) -> str:
        return f"Get({self.key!r}, range_end={self.range_end!r})"


class Delete(_Op):
    """A delete in a legacy transaction.

    Args:
        key: The key, or the first key of the range.
        range_end: Delete every key in ``[key, range_end)`` instead of ``key`` alone.
        prev_kv: Return the deleted keys and values in the result.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key.
    """

    __slots__ = ("key", "prev_kv", "range_end")

    def __init__(
        self, key: KeyLike, range_end: KeyLike | None = None, prev_kv: bool = False
    ) -> None:
        self._message = op_delete_range(
            key=key_bytes(key),
            range_end=_optional_bytes(range_end, "range_end"),
            prev_kv=flag(prev_kv, "prev_kv"),
        )
        self.key: KeyLike = key
        """The key, as given."""
        self.range_end: KeyLike | None = range_end
        """The end of the range, as given."""
        self.prev_kv: bool = prev_kv
        """Whether the deleted keys are asked for."""

    def __repr__(self) -> str:
        return f"Delete({self.key!r}, range_end={self.range_end!r}, prev_kv={self.prev_kv!r})"


class Txn(_Op):
    """A nested transaction in a legacy transaction; its result is the raw ``ResponseOp``.

    Args:
        compare: The compares (all must hold for ``success`` to run).
        success: The operations run when every compare holds (``None``: none).
        failure: The operations run otherwise (``None``: none).

    Raises:
        TypeError: A compare or an operation of the wrong type.
        ValueError: A compare without an operator.
    """

    __slots__ = ("compare", "failure", "success")

    def __init__(
        self,
        compare: Iterable[TxCondition],
        success: Iterable[TxOp] | None = None,
        failure: Iterable[TxOp] | None = None,
    ) -> None:
        compare, success, failure = _listed(compare, success, failure)
        self._message = RequestOp(request_txn=build_txn_request(compare, success, failure))
        self.compare: list[TxCondition] = compare
        """The compares."""
        self.success: list[TxOp] = success
        """The operations run on success."""
        self.failure: list[TxOp] = failure
        """The operations run on failure."""

    def __repr__(self) -> str:
        return f"Txn({self.compare!r}, success={self.success!r}, failure={self.failure!r})"


TxCondition: TypeAlias = BaseCompare
"""A compare of a legacy transaction: :class:`Value`, :class:`Version`, :class:`Create`, ..."""

TxOp: TypeAlias = Put | Get | Delete | Txn
"""An operation of a legacy transaction."""

TxResponse: TypeAlias = ResponseOp | GetResult
"""The result of one operation of a legacy transaction: a :data:`GetResult` for a get, the raw
``ResponseOp`` for a put, a delete or a nested transaction."""

TxResponses: TypeAlias = list[TxResponse]
"""The results of the operations that ran, in order."""

TxResult: TypeAlias = tuple[bool, TxResponses]
"""What ``transaction()`` returns: whether the compares held (so ``success`` ran) and the
results of the branch that ran."""


def _listed(
    compare: Iterable[TxCondition],
    success: Iterable[TxOp] | None,
    failure: Iterable[TxOp] | None,
) -> tuple[list[TxCondition], list[TxOp], list[TxOp]]:
    return _as_list(compare, "compare"), _as_list(success, "success"), _as_list(failure, "failure")


_T = TypeVar("_T")


def _as_list(items: Iterable[_T] | None, what: str) -> list[_T]:
    if items is None:
        return []
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(f"{what} must be a list (or other iterable), not {type(items).__name__}")
    return list(items)


def build_txn_request(
    compare: Iterable[TxCondition],
    success: Iterable[TxOp] | None = None,
    failure: Iterable[TxOp] | None = None,
) -> TxnRequest:
    """The ``TxnRequest`` of a legacy transaction.

    Args:
        compare: The compares.
        success: The operations run when every compare holds (``None``: none).
        failure: The operations run otherwise (``None``: none).

    Returns:
        The request.

    Raises:
        TypeError: Something else than a compare in ``compare`` or than an operation
            (:class:`Put`, :class:`Get`, :class:`Delete`, :class:`Txn`) in a branch.
        ValueError: A compare without an operator.
    """
    compares: list[Compare] = []
    for item in _as_list(compare, "compare"):
        if not isinstance(item, BaseCompare):
            raise TypeError(
                f"compare must hold compares (Value, Version, Create, Mod, LeaseCompare), "
                f"not {type(item).__name__}"
            )
        compares.append(item.build_message())
    return TxnRequest(
        compare=compares,
        success=_op_messages(success, "success"),
        failure=_op_messages(failure, "failure"),
    )


def _op_messages(ops: Iterable[TxOp] | None, what: str) -> list[RequestOp]:
    messages: list[RequestOp] = []
    for op in _as_list(ops, what):
        if not isinstance(op, _Op):
            raise TypeError(
                f"{what} must hold operations (Put, Get, Delete, Txn), not {type(op).__name__}"
            )
        messages.append(op.build_message())
    return messages


def get_result(response: RangeResponse, header: ResponseHeader) -> GetResult:
    """A range's keys as a :data:`GetResult`: ``(value, KVMetadata)`` per key.

    Args:
        response: The range response (a transaction's carries no header of its own).
        header: The header the metadata reports (the transaction's).

    Returns:
        One entry per key, in the response's order.
    """
    return [(kv.value, KVMetadata(kv, header)) for kv in response.kvs]


def tx_result(response: TxnResponse) -> TxResult:
    """A legacy transaction's :data:`TxResult`.

    Args:
        response: The server's answer.

    Returns:
        ``(succeeded, results)``: a :data:`GetResult` for each get, the raw ``ResponseOp``
        for anything else.
    """
    header = response.header
    results: TxResponses = []
    for op in response.responses:
        if op.WhichOneof("response") == "response_range":
            results.append(get_result(op.response_range, header))
        else:
            results.append(op)
    return response.succeeded, results


def _kind_error(response: TxResponse, wanted: str) -> TypeError:
    if isinstance(response, list):
        got = "get"
    elif isinstance(response, ResponseOp):
        got = (response.WhichOneof("response") or "empty").removeprefix("response_")
    else:
        got = type(response).__name__
    return TypeError(f"transaction result is a {got} result, not {wanted}")


def as_get_op_result(response: TxResponse) -> GetResult:
    """Narrow one result of :data:`TxResult` to a get's :data:`GetResult`.

    Args:
        response: A result of ``transaction()``.

    Returns:
        The result itself.

    Raises:
        TypeError: It is the result of another kind of operation.
    """
    if isinstance(response, list):
        return response
    raise _kind_error(response, "get")


def _raw_op(response: TxResponse, member: str, wanted: str) -> ResponseOp:
    if isinstance(response, ResponseOp) and response.WhichOneof("response") == member:
        return response
    raise _kind_error(response, wanted)


def as_put_op_result(response: TxResponse) -> PutResponse:
    """Narrow one result of :data:`TxResult` to a put's ``PutResponse``.

    Args:
        response: A result of ``transaction()``.

    Returns:
        The put's response.

    Raises:
        TypeError: It is the result of another kind of operation.
    """
    return _raw_op(response, "response_put", "put").response_put


def as_del_op_result(response: TxResponse) -> DeleteRangeResponse:
    """Narrow one result of :data:`TxResult` to a delete's ``DeleteRangeResponse``.

    Args:
        response: A result of ``transaction()``.

    Returns:
        The delete's response.

    Raises:
        TypeError: It is the result of another kind of operation.
    """
    return _raw_op(response, "response_delete_range", "delete").response_delete_range


def as_txn_op_result(response: TxResponse) -> TxnResponse:
    """Narrow one result of :data:`TxResult` to a nested transaction's ``TxnResponse``.

    Args:
        response: A result of ``transaction()``.

    Returns:
        The nested transaction's response.

    Raises:
        TypeError: It is the result of another kind of operation.
    """
    return _raw_op(response, "response_txn", "txn").response_txn


class Transactions:
    """The factories of legacy compares and operations: ``client.transactions`` (= ``client.tx``).

    ``tx.value(key) == b"v"``, ``tx.version(key) > 1``, ``tx.create(key) == 0``,
    ``tx.mod(key) < rev``, ``tx.lease(key) == lease_id``; ``tx.put(key, value)``,
    ``tx.get(key)``, ``tx.delete(key)``, ``tx.txn(compare, success, failure)``.
    """

    value = Value
    version = Version
    create = Create
    mod = Mod
    lease = LeaseCompare
    put = Put
    get = Get
    delete = Delete
    txn = Txn


# --- The builder API -------------------------------------------------------------------------

_V = TypeVar("_V")
_R = TypeVar("_R")


class TransactionBuilder:
    """Builds a transaction step by step; run it with ``client.txn(builder)``.

    Make one with :meth:`new` (mutable: each addition changes the builder and returns it) or
    :meth:`immutable` (each addition returns a new builder; the receiver never changes, so one
    builder can be the common base of several transactions)::

        tx = TransactionBuilder.new()
        tx.compare(b"k").version.eq(0)
        tx.success.put(b"k", b"v")
        tx.failure.get(b"k")

    Args:
        immutable: Whether additions return new builders.
    """

    __slots__ = ("_compare", "_failure", "_immutable", "_success")

    def __init__(self, immutable: bool = False) -> None:
        self._immutable = immutable
        self._compare: list[Compare] = []
        self._success: list[RequestOp] = []
        self._failure: list[RequestOp] = []

    @staticmethod
    def new() -> TransactionBuilder:
        """A new, empty, mutable builder.

        Returns:
            A builder whose additions change it and return it.
        """
        return TransactionBuilder(immutable=False)

    @staticmethod
    def immutable() -> TransactionBuilder:
        """A new, empty, immutable builder.

        Returns:
            A builder whose additions return new (immutable) builders.
        """
        return TransactionBuilder(immutable=True)

    @property
    def is_immutable(self) -> bool:
        """Whether additions return new builders (made by :meth:`immutable`)."""
        return self._immutable

    def _with(
        self, compare: list[Compare], success: list[RequestOp], failure: list[RequestOp]
    ) -> TransactionBuilder:
        builder = TransactionBuilder(self._immutable)
        builder._compare = compare
        builder._success = success
        builder._failure = failure
        return builder

    def _add_compare(self, compare: Compare) -> TransactionBuilder:
        if self._immutable:
            return self._with([*self._compare, compare], self._success, self._failure)
        self._compare.append(compare)
        return self

    def _add_success(self, op: RequestOp) -> TransactionBuilder:
        if self._immutable:
            return self._with(self._compare, [*self._success, op], self._failure)
        self._success.append(op)
        return self

    def _add_failure(self, op: RequestOp) -> TransactionBuilder:
        if self._immutable:
            return self._with(self._compare, self._success, [*self._failure, op])
        self._failure.append(op)
        return self

    def compare(self, key: KeyLike, range_end: KeyLike | None = None) -> CompareBuilder:
        """Start a compare of ``key`` (or of every key in ``[key, range_end)``).

        Args:
            key: The key to compare.
            range_end: The end of the compared range (``None``: ``key`` alone).

        Returns:
            Choose the compared field next: ``.value``, ``.version``, ``.create``, ``.mod``
            or ``.lease``.

        Raises:
            TypeError: ``key`` or ``range_end`` is neither ``str`` nor ``bytes``.
            ValueError: ``key`` is empty.
        """
        return CompareBuilder(
            self._add_compare, key_bytes(key), _optional_bytes(range_end, "range_end")
        )

    @property
    def success(self) -> OperationBuilder:
        """Add an operation run when every compare holds."""
        return OperationBuilder(self._add_success)

    @property
    def failure(self) -> OperationBuilder:
        """Add an operation run when a compare fails."""
        return OperationBuilder(self._add_failure)

    @property
    def tx(self) -> tuple[list[Compare], list[RequestOp], list[RequestOp]]:
        """Copies of the lists of compares, success and failure operations."""
        return list(self._compare), list(self._success), list(self._failure)

    @property
    def request(self) -> TxnRequest:
        """A new ``TxnRequest`` of the transaction built so far."""
        return TxnRequest(compare=self._compare, success=self._success, failure=self._failure)

    def copy(self) -> TransactionBuilder:
        """An independent copy (as mutable or immutable as this builder).

        Returns:
            A builder with the same compares and operations; adding to either leaves the
            other unchanged.
        """
        return self._with(list(self._compare), list(self._success), list(self._failure))

    def __repr__(self) -> str:
        kind = "immutable" if self._immutable else "new"
        return (
            f"<TransactionBuilder.{kind}(): {len(self._compare)} compares, "
            f"{len(self._success)} success ops, {len(self._failure)} failure ops>"
        )


class CompareBuilderStep1(Generic[_V]):
    """The last step of a compare: the operator, applied to an operand.

    ``_V`` is the operand type: ``str | bytes`` for ``.value``, ``int`` for the others. Each
    operator method takes the operand ``val``, adds the compare and returns the builder it was
    added to (a new one for an immutable builder); an operand of the wrong type is a
    ``ValueError``. A step can be completed several times: each adds its own compare.
    """

    __slots__ = ("_add", "_check", "_factory", "_key", "_range_end")

    def __init__(
        self,
        add: Callable[[Compare], TransactionBuilder],
        key: bytes,
        range_end: bytes,
        factory: _CompareFactory,
        check: Callable[[object, str], int | bytes],
    ) -> None:
        self._add = add
        self._key = key
        self._range_end = range_end
        self._factory = factory
        self._check = check

    def _complete(self, result: CompareResult, operand: _V) -> TransactionBuilder:
        checked = self._check(operand, "compare operand")
        return self._add(self._factory(self._key, result, checked, range_end=self._range_end))

    def eq(self, val: _V) -> TransactionBuilder:
        """Hold when the field equals ``val``; returns the builder."""
        return self._complete(CompareResult.EQUAL, val)

    def ne(self, val: _V) -> TransactionBuilder:
        """Hold when the field differs from ``val``; returns the builder."""
        return self._complete(CompareResult.NOT_EQUAL, val)

    def gt(self, val: _V) -> TransactionBuilder:
        """Hold when the field is greater than ``val``; returns the builder."""
        return self._complete(CompareResult.GREATER, val)

    def lt(self, val: _V) -> TransactionBuilder:
        """Hold when the field is (strictly) less than ``val``; returns the builder."""
        return self._complete(CompareResult.LESS, val)

    def le(self, val: _V) -> TransactionBuilder:
        """Hold when the field is **strictly** less than ``val`` (as :meth:`lt`).

        The name is the predecessor's; etcd has no "less or equal" compare. Returns the builder.
        """
        return self._complete(CompareResult.LESS, val)


class CompareBuilder:
    """Choose the field to compare: ``.value``, ``.version``, ``.create``, ``.mod``, ``.lease``."""

    __slots__ = ("_add", "_key", "_range_end")

    def __init__(
        self, add: Callable[[Compare], TransactionBuilder], key: bytes, range_end: bytes
    ) -> None:
        self._add = add
        self._key = key
        self._range_end = range_end

    @property
    def value(self) -> CompareBuilderStep1[KeyLike]:
        """Compare the value (with ``str`` or ``bytes``)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_value, _value_operand
        )

    @property
    def version(self) -> CompareBuilderStep1[int]:
        """Compare the version (``0``: the key does not exist)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_version, _strict_int
        )

    @property
    def create(self) -> CompareBuilderStep1[int]:
        """Compare the create revision (``0``: the key does not exist)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_create_revision, _strict_int
        )

    @property
    def mod(self) -> CompareBuilderStep1[int]:
        """Compare the mod revision (the revision of the last change)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_mod_revision, _strict_int
        )

    @property
    def lease(self) -> CompareBuilderStep1[int]:
        """Compare the id of the attached lease (``0``: none)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_lease, _strict_int
        )


class OperationBuilder:
    """Adds an operation to one branch of a transaction (``builder.success`` / ``.failure``)."""

    __slots__ = ("_add",)

    def __init__(self, add: Callable[[RequestOp], TransactionBuilder]) -> None:
        self._add = add

    def put(
        self,
        key: KeyLike,
        value: KeyLike,
        lease: int | SupportsLeaseId | None = None,
        prev_kv: bool = False,
    ) -> TransactionBuilder:
        """Add a put.

        Args:
            key: The key.
            value: The value.
            lease: A lease id or a ``Lease`` to attach to the key (``None``: none).
            prev_kv: Return the key's previous value in the result.

        Returns:
            The builder the operation was added to (a new one for an immutable builder).

        Raises:
            TypeError: An argument of the wrong type.
            ValueError: An empty key or an out-of-range lease id.
        """
        return self._add(
            op_put(
                key=key_bytes(key),
                value=to_bytes(value),
                lease=lease_id(lease),
                prev_kv=flag(prev_kv, "prev_kv"),
            )
        )

    def get(
        self,
        key: KeyLike,
        range_end: KeyLike | None = None,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        keys_only: bool = False,
        limit: int = 0,
        revision: int = 0,
    ) -> TransactionBuilder:
        """Add a get (range read); read its result with ``TransactionResponse.as_get``.

        Args:
            key: The key, or the first key of the range.
            range_end: Read every key in ``[key, range_end)`` (``None``: ``key`` alone).
            sort_order: ``None``, ``"asc"``/``"ascend"``, ``"desc"``/``"descend"`` (or a
                ``SortOrder``).
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``
                (or a ``SortTarget``).
            keys_only: Return keys without values.
            limit: The most keys to return (``<= 0``: no limit).
            revision: Read at this revision (``<= 0``: the latest).

        Returns:
            The builder the operation was added to (a new one for an immutable builder).

        Raises:
            TypeError: An argument of the wrong type.
            ValueError: An empty key, an unknown sort option or an int beyond int64.
        """
        return self._add(
            op_range(
                key=key_bytes(key),
                range_end=_optional_bytes(range_end, "range_end"),
                sort_order=sort_order_arg(sort_order),
                sort_target=sort_target_arg(sort_target),
                keys_only=flag(keys_only, "keys_only"),
                limit=limit_arg(limit),
                revision=revision_arg(revision),
            )
        )

    def delete(
        self, key: KeyLike, range_end: KeyLike | None = None, prev_kv: bool = False
    ) -> TransactionBuilder:
        """Add a delete.

        Args:
            key: The key, or the first key of the range.
            range_end: Delete every key in ``[key, range_end)`` (``None``: ``key`` alone).
            prev_kv: Return the deleted keys and values in the result.

        Returns:
            The builder the operation was added to (a new one for an immutable builder).

        Raises:
            TypeError: An argument of the wrong type.
            ValueError: An empty key.
        """
        return self._add(
            op_delete_range(
                key=key_bytes(key),
                range_end=_optional_bytes(range_end, "range_end"),
                prev_kv=flag(prev_kv, "prev_kv"),
            )
        )

    def txn(self, builder: TransactionBuilder) -> TransactionBuilder:
        """Add a nested transaction: ``builder``'s compares and operations as they are now.

        Args:
            builder: The nested transaction.

        Returns:
            The builder the operation was added to (a new one for an immutable builder).

        Raises:
            TypeError: ``builder`` is not a :class:`TransactionBuilder`.
        """
        if not isinstance(builder, TransactionBuilder):
            raise TypeError(f"txn() takes a TransactionBuilder, not {type(builder).__name__}")
        compare, success, failure = builder._compare, builder._success, builder._failure
        return self._add(op_txn(compare=compare, success=success, failure=failure))


class TransactionResponse:
    """The result of ``client.txn(builder)``: whether the compares held, and typed op results.

    ``as_get(i)``, ``as_put(i)``, ``as_del(i)`` and ``as_txn(i)`` read result ``i`` of the branch
    that ran and raise ``KeyError`` when ``i`` is outside ``[0, len(response))`` (negative
    indexes too) or the operation at ``i`` was of another kind. ``len()``, iteration and
    ``response[i]`` give the raw ``ResponseOp`` messages (with sequence semantics).

    Args:
        response: The server's answer.
        header: The header to report (a nested transaction carries the outermost one);
            ``None`` for ``response.header``.
    """

    __slots__ = ("_header", "_response", "_results")

    def __init__(self, response: TxnResponse, header: ResponseHeader | None = None) -> None:
        self._response = response
        self._header = response.header if header is None else header
        self._results = TxnResults(response)

    @property
    def success(self) -> bool:
        """Whether every compare held, so the ``success`` operations ran."""
        return self._response.succeeded

    @property
    def header(self) -> ResponseHeader:
        """The header of the (outermost) transaction's response."""
        return self._header

    @property
    def raw(self) -> TxnResponse:
        """The ``TxnResponse`` message."""
        return self._response

    @property
    def results(self) -> TxnResults:
        """The generated typed view of the results (Python indexing, ``TypeError`` subclasses)."""
        return self._results

    def __len__(self) -> int:
        """The number of results (operations of the branch that ran)."""
        return len(self._results)

    def __iter__(self) -> Iterator[ResponseOp]:
        """The raw results in order."""
        return iter(self._response.responses)

    def __getitem__(self, index: int) -> ResponseOp:
        """The raw result at ``index`` (negative indexes count from the end)."""
        return self._results[index]

    def _typed(self, index: int, read: Callable[[int], _R]) -> _R:
        # The predecessor's contract: KeyError for any index outside [0, n) or a wrong kind.
        if isinstance(index, bool) or not isinstance(index, int):
            raise KeyError(f"transaction result index must be an int, got {index!r}")
        if not 0 <= index < len(self._results):
            raise KeyError(
                f"transaction result {index} is out of range: there are {len(self._results)}"
            )
        try:
            return read(index)
        except ResultKindError as exc:
            raise KeyError(str(exc)) from exc

    def kind(self, index: int) -> TxnResultKind:
        """The kind of operation result ``index`` belongs to.

        Args:
            index: Position of the result, in ``[0, len(self))``.

        Returns:
            ``"range"``, ``"put"``, ``"delete_range"`` or ``"txn"``.

        Raises:
            KeyError: No result at ``index``.
        """
        return self._typed(index, self._results.kind)

    def as_get(self, index: int) -> GetResult:
        """The keys read by the get at ``index``.

        Args:
            index: Position of the result, in ``[0, len(self))``.

        Returns:
            ``(value, KVMetadata)`` per key; the metadata carries the transaction's header.

        Raises:
            KeyError: No result at ``index``, or it is not a get's.
        """
        return get_result(self._typed(index, self._results.range), self._header)

    def as_put(self, index: int) -> PutResponse:
        """The response of the put at ``index``.

        Args:
            index: Position of the result, in ``[0, len(self))``.

        Returns:
            The ``PutResponse``.

        Raises:
            KeyError: No result at ``index``, or it is not a put's.
        """
        return self._typed(index, self._results.put)

    def as_del(self, index: int) -> DeleteRangeResponse:
        """The response of the delete at ``index``.

        Args:
            index: Position of the result, in ``[0, len(self))``.

        Returns:
            The ``DeleteRangeResponse``.

        Raises:
            KeyError: No result at ``index``, or it is not a delete's.
        """
        return self._typed(index, self._results.delete_range)

    def as_txn(self, index: int) -> TransactionResponse:
        """The result of the nested transaction at ``index``.

        Args:
            index: Position of the result, in ``[0, len(self))``.

        Returns:
            Its view, reporting this transaction's header.

        Raises:
            KeyError: No result at ``index``, or it is not a nested transaction's.
        """
        return TransactionResponse(self._typed(index, self._results.txn), self._header)

    def __repr__(self) -> str:
        kinds = ", ".join(self._results.kind(i) for i in range(len(self._results)))
        return (
            f"<TransactionResponse success={self.success} "
            f"revision={self._header.revision} [{kinds}]>"
        )


# --- put_if_not_exists / replace -------------------------------------------------------------

CasResult: TypeAlias = tuple[Literal[True], PutResponse] | tuple[Literal[False], None]
"""What ``put_if_not_exists`` and ``replace`` return: ``(True, PutResponse)`` when they put,
else ``(False, None)``."""


def put_if_not_exists_request(
    key: KeyLike, value: KeyLike, lease: int | SupportsLeaseId | None
) -> TxnRequest:
    """The transaction of ``put_if_not_exists``: put when ``create_revision(key) == 0``."""
    data = key_bytes(key)
    return TxnRequest(
        compare=[compare_create_revision(data, CompareResult.EQUAL, 0)],
        success=[op_put(key=data, value=to_bytes(value), lease=lease_id(lease))],
    )


def replace_request(
    key: KeyLike,
    initial_value: KeyLike,
    new_value: KeyLike,
    lease: int | SupportsLeaseId | None,
) -> TxnRequest:
    """The transaction of ``replace``: put ``new_value`` when the value is ``initial_value``."""
    data = key_bytes(key)
    return TxnRequest(
        compare=[
            compare_value(data, CompareResult.EQUAL, to_bytes(initial_value, "initial_value"))
        ],
        success=[op_put(key=data, value=to_bytes(new_value, "new_value"), lease=lease_id(lease))],
    )


def cas_result(response: TxnResponse) -> CasResult:
    """``(True, PutResponse)`` if the single-put transaction ran its put, else ``(False, None)``."""
    if response.succeeded:
        return True, response.responses[0].response_put
    return False, None
