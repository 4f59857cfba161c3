# async-to-sync: source
"""The asyncio client's reads, paged reads, writes, deletes and compaction (placeholder)."""

from __future__ import annotations

from etcd3._base_async import AsyncClientBase

__all__ = ["AsyncKVMixin"]


class AsyncKVMixin(AsyncClientBase):
    """The client's reads, paged reads, writes, deletes and compaction."""
