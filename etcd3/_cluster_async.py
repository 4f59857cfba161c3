# async-to-sync: source
"""The asyncio client's members, status, alarms and maintenance (placeholder; being written)."""

from __future__ import annotations

from etcd3._base_async import AsyncClientBase

__all__ = ["AsyncClusterMixin"]


class AsyncClusterMixin(AsyncClientBase):
    """The client's members, status, alarms and maintenance."""
