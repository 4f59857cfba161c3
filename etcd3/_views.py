"""Lazy, read-only views over etcd's protobuf messages (sans-IO, shared by both clients).

A view keeps the upb message it was made from and decodes a field only when it is read, so a
range of many keys costs one small object per key until the values are used (STYLE.md: lazy
over eager).
"""

from __future__ import annotations

from typing import TypeAlias

from etcd3.rpc.etcdserverpb import ResponseHeader
from etcd3.rpc.mvccpb import KeyValue

__all__ = ["GetResult", "KVMetadata", "KVResult"]


class KVMetadata:
    """The metadata of one key as read from etcd: a lazy, read-only view.

    Fields are read from the underlying ``mvccpb.KeyValue`` on access. Two views are equal
    when their key, revisions, version, lease and response header are equal.

    Args:
        keyvalue: The key-value message (its ``value`` is not part of the metadata).
        header: The header of the response the key came in.
    """

    __slots__ = ("_header", "_kv")

    def __init__(self, keyvalue: KeyValue, header: ResponseHeader) -> None:
        self._kv = keyvalue
        self._header = header

    @classmethod
    def create(cls, kv: KeyValue, header: ResponseHeader) -> KVMetadata:
        """Make a view of ``kv`` that came in a response with ``header``.

        Args:
            kv: The key-value message.
            header: The header of the response that carried it.

        Returns:
            The metadata view.
        """
        return cls(kv, header)

    @property
    def key(self) -> bytes:
        """The key."""
        return self._kv.key

    @property
    def create_revision(self) -> int:
        """The revision of the key's last creation."""
        return self._kv.create_revision

    @property
    def mod_revision(self) -> int:
        """The revision of the key's last modification."""
        return self._kv.mod_revision

    @property
    def version(self) -> int:
        """The number of modifications since the key's creation (1 right after creation)."""
        return self._kv.version

    @property
    def lease_id(self) -> int:
        """The id of the lease attached to the key, ``0`` for none."""
        return self._kv.lease

    @property
    def response_header(self) -> ResponseHeader:
        """The header of the response the key came in (its ``revision`` is the store's)."""
        return self._header

    def _fields(self) -> tuple[bytes, int, int, int, int]:
        kv = self._kv
        return (kv.key, kv.create_revision, kv.mod_revision, kv.version, kv.lease)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KVMetadata):
            return NotImplemented
        return self._fields() == other._fields() and self._header == other._header

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        kv = self._kv
        return (
            f"KVMetadata(key={kv.key!r}, create_revision={kv.create_revision}, "
            f"mod_revision={kv.mod_revision}, version={kv.version}, lease_id={kv.lease}, "
            f"response_header.revision={self._header.revision})"
        )


KVResult: TypeAlias = tuple[bytes, KVMetadata]
"""A key's value and its metadata."""

GetResult: TypeAlias = list[KVResult]
"""Several :data:`KVResult`, e.g. the gets of a transaction."""
