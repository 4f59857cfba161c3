# async-to-sync: source
"""The asyncio client's transactions: ``transaction()``, ``txn()``, ``put_if_not_exists()``,
``replace()``; compares, operations and builders live in the sans-IO ``etcd3._transactions``."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from etcd3._base_async import AsyncClientBase
from etcd3._validate import KeyLike, SupportsLeaseId

# The transaction modules (operators, builders, recipes, typed results) load with the client's
# first transaction or first read of ``transactions``: the client's import path does not need them.
if TYPE_CHECKING:
    from etcd3._transactions.builder import TransactionBuilder, TransactionResponse
    from etcd3._transactions.operators import Transactions, TxCondition, TxOp, TxResult
    from etcd3._transactions.recipes import CasResult

__all__ = ["AsyncTxnMixin"]


class _TransactionsOnFirstRead:
    """The class attribute ``transactions``: one ``Transactions``, made when first read."""

    __slots__ = ("_lock", "_value")

    def __init__(self) -> None:
        self._value: Transactions | None = None
        self._lock = threading.Lock()  # threads reading it first all get the same one

    def __get__(self, instance: object, owner: type | None = None) -> Transactions:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    from etcd3._transactions.operators import Transactions

                    self._value = Transactions()
        return self._value


class AsyncTxnMixin(AsyncClientBase):
    """The client's transactions: the legacy ``transaction()`` and the builder's ``txn()``."""

    if TYPE_CHECKING:
        transactions: ClassVar[Transactions]
        """Factories of legacy compares and operations (``client.transactions.value(key) == v``)."""

        tx: ClassVar[Transactions]
        """Alias of [`transactions`][etcd3.AsyncEtcd3Client.transactions]."""
    else:
        transactions = tx = _TransactionsOnFirstRead()

    async def transaction(
        self,
        compare: Iterable[TxCondition],
        success: Iterable[TxOp] | None = None,
        failure: Iterable[TxOp] | None = None,
        timeout_override: float | None = None,
    ) -> TxResult:
        """Run a transaction: if every compare holds run ``success``, else ``failure``.

        Args:
            compare: Compares, e.g. ``client.transactions.value(b"k") == b"v"``.
            success: Operations (``client.transactions.put(...)``, ``.get``, ``.delete``,
                ``.txn``) run when every compare holds; ``None`` for none.
            failure: Operations run otherwise; ``None`` for none.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            ``(succeeded, results)``: one result per operation of the branch that ran, a
                ``GetResult`` for a get, the raw ``ResponseOp`` for a put, delete or nested txn.

        Raises:
            TypeError: A compare or an operation of the wrong type.
            ValueError: A compare without an operator.
            etcd3.errors.TooManyOpsError: More operations than the server allows per txn.
            etcd3.EtcdError: The call failed.
        """
        from etcd3._transactions.operators import build_txn_request, tx_result

        timeout = self._call_timeout(timeout_override)
        request = build_txn_request(compare, success, failure)
        return tx_result(await self._rpc.kv.txn(request, timeout=timeout))

    async def txn(
        self, tx: TransactionBuilder, timeout_override: float | None = None
    ) -> TransactionResponse:
        """Run the transaction a [`TransactionBuilder`][etcd3.TransactionBuilder] built.

        Args:
            tx: The transaction.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            Whether the compares held, and typed access to the results.

        Raises:
            TypeError: ``txn`` is not a ``TransactionBuilder``.
            etcd3.errors.TooManyOpsError: More operations than the server allows per txn.
            etcd3.EtcdError: The call failed.
        """
        from etcd3._transactions.builder import TransactionBuilder, TransactionResponse

        if not isinstance(tx, TransactionBuilder):
            raise TypeError(f"txn() takes a TransactionBuilder, not {type(tx).__name__}")
        timeout = self._call_timeout(timeout_override)
        return TransactionResponse(await self._rpc.kv.txn(tx.request, timeout=timeout))

    async def put_if_not_exists(
        self,
        key: KeyLike,
        value: KeyLike,
        lease: int | SupportsLeaseId | None = None,
        timeout_override: float | None = None,
    ) -> CasResult:
        """Put ``key`` only if it does not exist (one transaction on ``create(key) == 0``).

        Args:
            key: The key.
            value: Its value.
            lease: A lease id or a ``Lease`` to attach to the key (``None``: none).
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            ``(True, PutResponse)`` if the key was created, ``(False, None)`` if it existed.

        Raises:
            TypeError: An argument of the wrong type.
            ValueError: An empty key.
            etcd3.EtcdError: The call failed.
        """
        from etcd3._transactions.recipes import cas_result, put_if_not_exists_request

        timeout = self._call_timeout(timeout_override)
        request = put_if_not_exists_request(key, value, lease)
        return cas_result(await self._rpc.kv.txn(request, timeout=timeout))

    async def replace(
        self,
        key: KeyLike,
        initial_value: KeyLike,
        new_value: KeyLike,
        lease: int | SupportsLeaseId | None = None,
        timeout_override: float | None = None,
    ) -> CasResult:
        """Put ``new_value`` only if the key's value is ``initial_value`` (compare-and-swap).

        Args:
            key: The key.
            initial_value: The value the key must have.
            new_value: The value to put.
            lease: A lease id or a ``Lease`` to attach to the key (``None``: none).
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            ``(True, PutResponse)`` if the value was replaced, else ``(False, None)`` (another
                value, or no such key).

        Raises:
            TypeError: An argument of the wrong type.
            ValueError: An empty key.
            etcd3.EtcdError: The call failed.
        """
        from etcd3._transactions.recipes import cas_result, replace_request

        timeout = self._call_timeout(timeout_override)
        request = replace_request(key, initial_value, new_value, lease)
        return cas_result(await self._rpc.kv.txn(request, timeout=timeout))
