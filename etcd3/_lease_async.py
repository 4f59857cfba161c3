# async-to-sync: source
"""The asyncio client's leases (placeholder; being written)."""

from __future__ import annotations

from etcd3._base_async import AsyncClientBase

__all__ = ["AsyncLeaseMixin"]


class AsyncLeaseMixin(AsyncClientBase):
    """The client's leases."""
