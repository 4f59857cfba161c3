# async-to-sync: source
"""The asyncio client's the watch family (placeholder; being written)."""

from __future__ import annotations

from etcd3._base_async import AsyncClientBase

__all__ = ["AsyncWatchMixin"]


class AsyncWatchMixin(AsyncClientBase):
    """The client's the watch family."""
