# async-to-sync: source
"""The asyncio client's transaction() and TransactionBuilder/txn() APIs (placeholder)."""

from __future__ import annotations

from etcd3._base_async import AsyncClientBase

__all__ = ["AsyncTxnMixin"]


class AsyncTxnMixin(AsyncClientBase):
    """The client's the legacy transaction() API and the TransactionBuilder/txn() API."""
