# Generated from etcd3/_auth_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client's auth, user and role administration (placeholder; being written)."""

from __future__ import annotations

from etcd3._base import ClientBase

__all__ = ["AuthMixin"]


class AuthMixin(ClientBase):
    """The client's auth, user and role administration."""
