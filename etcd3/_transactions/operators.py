"""python-etcd3's transactions: compares finished with Python operators, operation objects.

``client.transaction(compare, success, failure)`` runs them:

    tx = client.transactions
    client.transaction(
        compare=[tx.value(b"k") == b"v", tx.version(b"k") > 0],
        success=[tx.put(b"k", b"w")],
        failure=[tx.get(b"k")],
    )

and returns a [`TxResult`][etcd3.TxResult]: whether the compares held, and the results of the branch
that ran (a [`GetResult`][etcd3.GetResult] for a get, the raw ``ResponseOp`` otherwise), which the
``as_*_op_result`` helpers narrow to one kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, TypeAlias, TypeVar

from typing_extensions import Self

from etcd3._transactions.messages import (
    CompareFactory,
    delete_op,
    get_result,
    int_operand,
    optional_bytes,
    put_op,
    range_op,
    value_operand,
)
from etcd3._validate import KeyLike, SupportsLeaseId, key_bytes
from etcd3._views import GetResult
from etcd3.rpc.etcdserverpb import (
    Compare,
    CompareResult,
    DeleteRangeResponse,
    PutResponse,
    RequestOp,
    ResponseOp,
    TxnRequest,
    TxnResponse,
)
from etcd3.rpc.txn import (
    compare_create_revision,
    compare_lease,
    compare_mod_revision,
    compare_value,
    compare_version,
)

__all__ = [
    "BaseCompare",
    "Create",
    "Delete",
    "Get",
    "LeaseCompare",
    "Mod",
    "Put",
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
    "tx_result",
]

_OPERATORS: dict[CompareResult, str] = {
    CompareResult.EQUAL: "==",
    CompareResult.NOT_EQUAL: "!=",
    CompareResult.LESS: "<",
    CompareResult.GREATER: ">",
}


def _no_target(*args: object, **kwargs: object) -> Compare:
    raise TypeError("BaseCompare compares nothing: use Value, Version, Create, Mod, LeaseCompare")


# --- Compares ----------------------------------------------------------------------------------


class BaseCompare:
    """A comparison of one key (or a range of keys) for a legacy transaction.

    Make one with a subclass and finish it with an operator, which stores the operand and
    returns the compare itself: ``Value(b"k") == b"v"``, ``Version(b"k") > 2``,
    ``Create(b"k") == 0``, ``Mod(b"k") < 10``; ``!=`` works too. Subclasses: [`Value`][etcd3.Value],
    [`Version`][etcd3.Version], [`Create`][etcd3.Create], [`Mod`][etcd3.Mod], ``LeaseCompare``.

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
    _factory: ClassVar[CompareFactory] = staticmethod(_no_target)

    def __init__(self, key: KeyLike, range_end: KeyLike | None = None) -> None:
        self._key_bytes = key_bytes(key)
        self._range_end_bytes = optional_bytes(range_end, "range_end")
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
        return int_operand(other, self._what)

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
        return value_operand(other, self._what)


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
        return int_operand(other, self._what)


# --- Operations ----------------------------------------------------------------------------------


class _Op:
    """What every operation object is: the checked ``RequestOp`` it sends.

    The attributes are those the operation was made with and may be changed afterwards, as
    with the predecessors: the message is built from them each time it is sent, and checked
    both when the operation is made and when it is built.
    """

    __slots__ = ()

    def build_message(self) -> RequestOp:
        """The ``RequestOp`` message to send, built from the current attributes.

        Returns:
            A new message.

        Raises:
            TypeError: An attribute of the wrong type.
            ValueError: An empty key or an out-of-range lease id.
        """
        raise NotImplementedError


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
        put_op(key, value, lease, prev_kv)  # the arguments' errors, at the call site
        self.key: KeyLike = key
        """The key, as given."""
        self.value: KeyLike = value
        """The value, as given."""
        self.lease: int | SupportsLeaseId | None = lease
        """The lease, as given."""
        self.prev_kv: bool = prev_kv
        """Whether the previous value is asked for."""

    def build_message(self) -> RequestOp:
        """The ``RequestOp`` to send, built from the current attributes."""
        return put_op(self.key, self.value, self.lease, self.prev_kv)

    def __repr__(self) -> str:
        return f"Put({self.key!r}, {self.value!r}, lease={self.lease!r}, prev_kv={self.prev_kv!r})"


class Get(_Op):
    """A get (range read) in a legacy transaction; its result is a [`GetResult`][etcd3.GetResult].

    Args:
        key: The key, or the first key of the range.
        range_end: Read every key in ``[key, range_end)`` instead of ``key`` alone.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key.
    """

    __slots__ = ("key", "range_end")

    def __init__(self, key: KeyLike, range_end: KeyLike | None = None) -> None:
        range_op(key, range_end)  # the arguments' errors, at the call site
        self.key: KeyLike = key
        """The key, as given."""
        self.range_end: KeyLike | None = range_end
        """The end of the range, as given."""

    def build_message(self) -> RequestOp:
        """The ``RequestOp`` to send, built from the current attributes."""
        return range_op(self.key, self.range_end)

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
        delete_op(key, range_end, prev_kv)  # the arguments' errors, at the call site
        self.key: KeyLike = key
        """The key, as given."""
        self.range_end: KeyLike | None = range_end
        """The end of the range, as given."""
        self.prev_kv: bool = prev_kv
        """Whether the deleted keys are asked for."""

    def build_message(self) -> RequestOp:
        """The ``RequestOp`` to send, built from the current attributes."""
        return delete_op(self.key, self.range_end, self.prev_kv)

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
        build_txn_request(compare, success, failure)  # the arguments' errors, at the call site
        self.compare: list[TxCondition] = compare
        """The compares."""
        self.success: list[TxOp] = success
        """The operations run on success."""
        self.failure: list[TxOp] = failure
        """The operations run on failure."""

    def build_message(self) -> RequestOp:
        """The ``RequestOp`` to send, built from the current attributes."""
        return RequestOp(request_txn=build_txn_request(self.compare, self.success, self.failure))

    def __repr__(self) -> str:
        return f"Txn({self.compare!r}, success={self.success!r}, failure={self.failure!r})"


TxCondition: TypeAlias = BaseCompare
"""A compare of a legacy transaction: [`Value`][etcd3.Value], [`Version`][etcd3.Version],
[`Create`][etcd3.Create], ..."""

TxOp: TypeAlias = Put | Get | Delete | Txn
"""An operation of a legacy transaction."""

TxResponse: TypeAlias = ResponseOp | GetResult
"""The result of one operation of a legacy transaction: a [`GetResult`][etcd3.GetResult] for a get,
the raw ``ResponseOp`` for a put, a delete or a nested transaction."""

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
            ([`Put`][etcd3.Put], [`Get`][etcd3.Get], [`Delete`][etcd3.Delete], [`Txn`][etcd3.Txn])
            in a branch.
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


def tx_result(response: TxnResponse) -> TxResult:
    """A legacy transaction's [`TxResult`][etcd3.TxResult].

    Args:
        response: The server's answer.

    Returns:
        ``(succeeded, results)``: a [`GetResult`][etcd3.GetResult] for each get, the raw
            ``ResponseOp`` for anything else.
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
    """Narrow one result of [`TxResult`][etcd3.TxResult] to a get's [`GetResult`][etcd3.GetResult].

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
    """Narrow one result of [`TxResult`][etcd3.TxResult] to a put's ``PutResponse``.

    Args:
        response: A result of ``transaction()``.

    Returns:
        The put's response.

    Raises:
        TypeError: It is the result of another kind of operation.
    """
    return _raw_op(response, "response_put", "put").response_put


def as_del_op_result(response: TxResponse) -> DeleteRangeResponse:
    """Narrow one result of [`TxResult`][etcd3.TxResult] to a delete's ``DeleteRangeResponse``.

    Args:
        response: A result of ``transaction()``.

    Returns:
        The delete's response.

    Raises:
        TypeError: It is the result of another kind of operation.
    """
    return _raw_op(response, "response_delete_range", "delete").response_delete_range


def as_txn_op_result(response: TxResponse) -> TxnResponse:
    """Narrow one result of [`TxResult`][etcd3.TxResult] to a nested transaction's ``TxnResponse``.

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
