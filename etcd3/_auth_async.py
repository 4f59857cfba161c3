# async-to-sync: source
"""The asyncio client's auth, user and role administration (placeholder; being written)."""

from __future__ import annotations

from etcd3._base_async import AsyncClientBase

__all__ = ["AsyncAuthMixin"]


class AsyncAuthMixin(AsyncClientBase):
    """The client's auth, user and role administration."""
