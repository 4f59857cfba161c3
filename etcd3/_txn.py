# Generated from etcd3/_txn_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client's transaction() and TransactionBuilder/txn() APIs (placeholder)."""

from __future__ import annotations

from etcd3._base import ClientBase

__all__ = ["TxnMixin"]


class TxnMixin(ClientBase):
    """The client's the legacy transaction() API and the TransactionBuilder/txn() API."""
