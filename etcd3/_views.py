"""Lazy, read-only views over etcd's protobuf messages (sans-IO, shared by both clients).

A view keeps the upb message it was made from and decodes a field only when it is read, so a
range of many keys costs one small object per key until the values are used. In the whole
client a *view* is a read-only result object built from an etcd message: these are lazy,
those of the admin calls (:mod:`etcd3._cluster_views`) small eager dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple, TypeAlias

from etcd3.rpc.etcdserverpb import RangeResponse, ResponseHeader
from etcd3.rpc.mvccpb import KeyValue

__all__ = [
    "GetResult",
    "KVMetadata",
    "KVResult",
    "detached_results",
    "first_result",
    "results",
]


class _KVSnapshot(NamedTuple):
    """The metadata fields of a ``KeyValue``, copied out (same attribute names)."""

    key: bytes
    create_revision: int
    mod_revision: int
    version: int
    lease: int


class KVMetadata:
    """The metadata of one key as read from etcd: a lazy, read-only view.

    Fields are read from the underlying ``mvccpb.KeyValue`` on access. Two views are equal
    when their key, revisions, version, lease and response header are equal.

    Args:
        keyvalue: The key-value message (its ``value`` is not part of the metadata).
        header: The header of the response the key came in.
    """

    __slots__ = ("_header", "_kv")
    _kv: KeyValue | _KVSnapshot
    _header: ResponseHeader

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

    @classmethod
    def _detached(cls, kv: KeyValue, header: ResponseHeader) -> KVMetadata:
        # A view that does not keep kv's whole response (its upb arena) alive.
        view = cls.__new__(cls)
        view._kv = _KVSnapshot(kv.key, kv.create_revision, kv.mod_revision, kv.version, kv.lease)
        view._header = header
        return view

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


def first_result(response: RangeResponse) -> KVResult | None:
    """The first key of a range response as a :data:`KVResult`, ``None`` if there is none."""
    kvs = response.kvs
    if not kvs:
        return None
    kv = kvs[0]
    return kv.value, KVMetadata(kv, response.header)


def results(response: RangeResponse) -> Iterator[KVResult]:
    """Every key of a range response as a lazy :data:`KVResult` (views keep the response)."""
    header = response.header
    for kv in response.kvs:
        yield kv.value, KVMetadata(kv, header)


def detached_results(response: RangeResponse) -> Iterator[KVResult]:
    """Like :func:`results`, but results kept by the caller do not keep the response alive.

    Paged reads use it so that a caller who keeps results holds their data, not every page.
    """
    header = ResponseHeader()
    header.CopyFrom(response.header)
    detached = KVMetadata._detached
    for kv in response.kvs:
        yield kv.value, detached(kv, header)
