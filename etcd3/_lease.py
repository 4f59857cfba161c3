# Generated from etcd3/_lease_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client's leases (placeholder; being written)."""

from __future__ import annotations

from etcd3._base import ClientBase

__all__ = ["LeaseMixin"]


class LeaseMixin(ClientBase):
    """The client's leases."""
