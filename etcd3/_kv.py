# Generated from etcd3/_kv_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client's reads, paged reads, writes, deletes and compaction (placeholder)."""

from __future__ import annotations

from etcd3._base import ClientBase

__all__ = ["KVMixin"]


class KVMixin(ClientBase):
    """The client's reads, paged reads, writes, deletes and compaction."""
