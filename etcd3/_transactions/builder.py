"""etcd3-client's transactions: a builder of compares and operations, and a typed response.

``client.txn(builder)`` runs what a [`TransactionBuilder`][etcd3.TransactionBuilder] built:

    tx = TransactionBuilder.new()
    tx.compare(b"k").version.eq(0)
    tx.success.put(b"k", b"v")
    tx.failure.get(b"k")
    response = client.txn(tx)

and returns a [`TransactionResponse`][etcd3.TransactionResponse], whose ``as_get(i)``,
``as_put(i)``, ``as_del(i)`` and ``as_txn(i)`` read result ``i`` as the kind of operation it
answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from etcd3._runtime import ResultKindError
from etcd3._transactions.messages import (
    CompareFactory,
    delete_op,
    get_result,
    optional_bytes,
    put_op,
    range_op,
    strict_int,
    value_operand,
)
from etcd3._validate import KeyLike, SortOrderLike, SortTargetLike, SupportsLeaseId, key_bytes
from etcd3._views import GetResult
from etcd3.rpc.etcdserverpb import (
    Compare,
    CompareResult,
    DeleteRangeResponse,
    PutResponse,
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
    op_txn,
)

__all__ = [
    "CompareBuilder",
    "CompareBuilderStep1",
    "OperationBuilder",
    "TransactionBuilder",
    "TransactionResponse",
]

_V = TypeVar("_V")
_R = TypeVar("_R")


class TransactionBuilder:
    """Builds a transaction step by step; run it with ``client.txn(builder)``.

    Make one with [`new`][etcd3.TransactionBuilder.new] (mutable: each addition changes the builder
    and returns it) or [`immutable`][etcd3.TransactionBuilder.immutable] (each addition returns a
    new builder; the receiver never changes, so one builder can be the common base of several
    transactions):

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
        """Whether additions return new builders (made by
        [`immutable`][etcd3.TransactionBuilder.immutable])."""
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
            self._add_compare, key_bytes(key), optional_bytes(range_end, "range_end")
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
        factory: CompareFactory,
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
        """Hold when the field is **strictly** less than ``val`` (as
        [`lt`][etcd3.CompareBuilderStep1.lt]).

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
            self._add, self._key, self._range_end, compare_value, value_operand
        )

    @property
    def version(self) -> CompareBuilderStep1[int]:
        """Compare the version (``0``: the key does not exist)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_version, strict_int
        )

    @property
    def create(self) -> CompareBuilderStep1[int]:
        """Compare the create revision (``0``: the key does not exist)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_create_revision, strict_int
        )

    @property
    def mod(self) -> CompareBuilderStep1[int]:
        """Compare the mod revision (the revision of the last change)."""
        return CompareBuilderStep1(
            self._add, self._key, self._range_end, compare_mod_revision, strict_int
        )

    @property
    def lease(self) -> CompareBuilderStep1[int]:
        """Compare the id of the attached lease (``0``: none)."""
        return CompareBuilderStep1(self._add, self._key, self._range_end, compare_lease, strict_int)


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
        return self._add(put_op(key, value, lease, prev_kv))

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
            range_op(
                key,
                range_end,
                sort_order=sort_order,
                sort_target=sort_target,
                keys_only=keys_only,
                limit=limit,
                revision=revision,
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
        return self._add(delete_op(key, range_end, prev_kv))

    def txn(self, builder: TransactionBuilder) -> TransactionBuilder:
        """Add a nested transaction: ``builder``'s compares and operations as they are now.

        Args:
            builder: The nested transaction.

        Returns:
            The builder the operation was added to (a new one for an immutable builder).

        Raises:
            TypeError: ``builder`` is not a [`TransactionBuilder`][etcd3.TransactionBuilder].
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
