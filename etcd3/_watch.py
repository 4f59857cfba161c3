# Generated from etcd3/_watch_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client's the watch family (placeholder; being written)."""

from __future__ import annotations

from etcd3._base import ClientBase

__all__ = ["WatchMixin"]


class WatchMixin(ClientBase):
    """The client's the watch family."""
