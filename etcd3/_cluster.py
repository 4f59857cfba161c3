# Generated from etcd3/_cluster_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client's members, status, alarms and maintenance (placeholder; being written)."""

from __future__ import annotations

from etcd3._base import ClientBase

__all__ = ["ClusterMixin"]


class ClusterMixin(ClientBase):
    """The client's members, status, alarms and maintenance."""
