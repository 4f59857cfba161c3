"""Lazy, read-only views over etcd's protobuf messages (sans-IO, shared by both clients).

A view keeps the upb message it was made from and decodes a field only when it is read (but
for a [KV][etcd3.KV]'s value, read when the view is made), so a range of many keys costs one
small object per key, made as the range is iterated. In the whole
client a *view* is a read-only result object built from an etcd message: these are lazy,
those of the admin calls (``etcd3._cluster_views``) small eager dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final, TypeAlias, overload

from etcd3.rpc.etcdserverpb import RangeResponse, ResponseHeader
from etcd3.rpc.mvccpb import KeyValue

__all__ = [
    "KV",
    "BareKV",
    "BareKVMetadata",
    "GetResult",
    "KVMetadata",
    "KVResult",
    "RangeResult",
    "detached_results",
    "first_kv",
    "first_result",
    "kv_view",
    "metadata_view",
]


def _view_args(
    view: str, keyvalue: KeyValue | None, kv: KeyValue | None, header: ResponseHeader | None
) -> tuple[KeyValue, ResponseHeader]:
    """The key-value message and header of a view, from its constructor's arguments: the
    message comes as ``keyvalue`` or as ``kv``, exactly one of them.

    Raises:
        TypeError: Both spellings or neither, or no header.
    """
    if keyvalue is not None and kv is not None:
        raise TypeError(f"{view}() takes the key-value message as keyvalue or as kv, not both")
    message = keyvalue if keyvalue is not None else kv
    if message is None:
        raise TypeError(f"{view}() needs the key-value message, as keyvalue or as kv")
    if header is None:
        raise TypeError(f"{view}() needs the header of the response the key came in")
    return message, header


class _KVSnapshot:
    """The metadata fields of a ``KeyValue``, copied out (same attribute names).

    A plain slotted class: a ``NamedTuple`` costs several times more to create at import.
    """

    __slots__ = ("create_revision", "key", "lease", "mod_revision", "version")

    def __init__(
        self, key: bytes, create_revision: int, mod_revision: int, version: int, lease: int
    ) -> None:
        self.key = key
        self.create_revision = create_revision
        self.mod_revision = mod_revision
        self.version = version
        self.lease = lease


class KVMetadata:
    """The metadata of one key as read from etcd: a lazy, read-only view.

    Fields are read from the underlying ``mvccpb.KeyValue`` on access. Two views are equal
    when their key, revisions, version, lease and response header are equal. The views a
    client returns are of a private subclass that is cheaper to make: test them with
    ``isinstance``, not ``type(...) is``, and make views with the class or ``create``.

    Args:
        keyvalue: The key-value message (its ``value`` is not part of the metadata).
        header: The header of the response the key came in.
        kv: The key-value message under etcd3-client's name for it, keyword only: pass
            ``keyvalue`` (python-etcd3's name) or ``kv``, not both.

    Raises:
        TypeError: Both ``keyvalue`` and ``kv``, neither, or no ``header``.
    """

    __slots__ = ("_header", "_kv")
    _kv: KeyValue | _KVSnapshot
    _header: ResponseHeader

    @overload
    def __init__(self, keyvalue: KeyValue, header: ResponseHeader) -> None: ...

    @overload
    def __init__(self, *, kv: KeyValue, header: ResponseHeader) -> None: ...

    def __init__(
        self,
        keyvalue: KeyValue | None = None,
        header: ResponseHeader | None = None,
        *,
        kv: KeyValue | None = None,
    ) -> None:
        if kv is not None or keyvalue is None or header is None:
            keyvalue, header = _view_args(type(self).__name__, keyvalue, kv, header)
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


class KV(KVMetadata):
    """One key as read from etcd: its value and metadata in one lazy, read-only view.

    What [get_kv][etcd3.Etcd3Client.get_kv] returns (or ``None``), and what a
    [RangeResult][etcd3.RangeResult] holds: a [KVMetadata][etcd3.KVMetadata] with the
    value (``key``, ``value``, ``create_revision``, ``mod_revision``, ``version``,
    ``lease_id``, ``response_header``); ``raw`` is etcd's ``mvccpb.KeyValue`` message.
    The value is the one field read when the view is made: nearly every reader of a key
    reads it, and a slot costs a fraction of a property call on each access. The views a
    client returns are of a private subclass that is cheaper to make: test them with
    ``isinstance``, not ``type(...) is``, and make views with the class or ``create``.

    Args:
        keyvalue: The key-value message.
        header: The header of the response the key came in.
        kv: The key-value message under etcd3-client's name for it, keyword only: pass
            ``keyvalue`` (python-etcd3's name) or ``kv``, not both.

    Raises:
        TypeError: Both ``keyvalue`` and ``kv``, neither, or no ``header``.
    """

    __slots__ = ("value",)
    _kv: KeyValue
    value: Final[bytes]
    """The value (``b""`` when read with ``keys_only``)."""

    @overload
    def __init__(self, keyvalue: KeyValue, header: ResponseHeader) -> None: ...

    @overload
    def __init__(self, *, kv: KeyValue, header: ResponseHeader) -> None: ...

    def __init__(
        self,
        keyvalue: KeyValue | None = None,
        header: ResponseHeader | None = None,
        *,
        kv: KeyValue | None = None,
    ) -> None:
        message, header = _view_args(type(self).__name__, keyvalue, kv, header)
        super().__init__(message, header)
        self.value = message.value

    @property
    def raw(self) -> KeyValue:
        """etcd's key-value message this view reads from."""
        return self._kv

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KV):
            return NotImplemented
        return super().__eq__(other) and self.value == other.value

    def __hash__(self) -> int:
        return super().__hash__()

    def __repr__(self) -> str:
        kv = self._kv
        return (
            f"KV(key={kv.key!r}, value={self.value!r}, mod_revision={kv.mod_revision}, "
            f"version={kv.version}, lease_id={kv.lease})"
        )


class BareKVMetadata(KVMetadata):
    """A [KVMetadata][etcd3.KVMetadata] made by calling the class with no argument, whose maker
    sets its slots.

    Calling a class without a Python ``__init__`` runs in C; ``KVMetadata(kv, header)`` runs an
    ``__init__`` frame, and ``object.__new__(KVMetadata)`` builds an argument tuple for a
    wrapper. In the loop over a range's keys, either costs about a tenth of the loop's time
    per key (``python -m bench.iteration``).
    """

    __slots__ = ()
    if TYPE_CHECKING:

        def __init__(self) -> None: ...

    else:
        __init__ = object.__init__

    @classmethod
    def create(cls, kv: KeyValue, header: ResponseHeader) -> KVMetadata:
        """A public ``KVMetadata`` (a view's ``create`` must not need a bare call)."""
        return KVMetadata(kv, header)


class BareKV(KV):
    """A [KV][etcd3.KV] made by calling the class with no argument, whose maker sets its slots
    (``_kv``, ``_header`` and ``value``): see ``BareKVMetadata``."""

    __slots__ = ()
    if TYPE_CHECKING:

        def __init__(self) -> None: ...

    else:
        __init__ = object.__init__

    @classmethod
    def create(cls, kv: KeyValue, header: ResponseHeader) -> KV:
        """A public ``KV`` (a view's ``create`` must not need a bare call)."""
        return KV(kv, header)


def kv_view(kv: KeyValue, header: ResponseHeader) -> KV:
    """The [KV][etcd3.KV] of ``kv``, which came in a response with ``header``."""
    view = BareKV()
    view._kv = kv
    view._header = header
    view.value = kv.value  # type: ignore[misc]  # __init__'s work, without its frame
    return view


def metadata_view(kv: KeyValue, header: ResponseHeader) -> KVMetadata:
    """The [KVMetadata][etcd3.KVMetadata] of ``kv``, which came in a response with ``header``."""
    view = BareKVMetadata()
    view._kv = kv
    view._header = header
    return view


class RangeResult(Sequence[KV]):
    """The keys of one range read, in the order etcd returned them: a lazy, read-only sequence.

    What [get_kvs][etcd3.Etcd3Client.get_kvs] returns: every key arrived with the one response,
    so iterating it (also in the asyncio client, after its one ``await``) sends nothing. Each
    [KV][etcd3.KV] is made when read.

    Args:
        response: The ``RangeResponse`` it reads from (``raw``).
    """

    __slots__ = ("_response",)

    def __init__(self, response: RangeResponse) -> None:
        self._response = response

    @property
    def raw(self) -> RangeResponse:
        """etcd's response."""
        return self._response

    @property
    def header(self) -> ResponseHeader:
        """The response header: ``header.revision`` is the store revision read at."""
        return self._response.header

    @property
    def total(self) -> int:
        """How many keys the range holds (etcd's ``count``), whatever ``limit`` returned."""
        return self._response.count

    @property
    def more(self) -> bool:
        """Whether ``limit`` left keys of the range out."""
        return self._response.more

    def __len__(self) -> int:
        return len(self._response.kvs)

    @overload
    def __getitem__(self, index: int) -> KV: ...

    @overload
    def __getitem__(self, index: slice) -> list[KV]: ...

    def __getitem__(self, index: int | slice) -> KV | list[KV]:
        header = self._response.header
        if isinstance(index, slice):
            return [kv_view(kv, header) for kv in self._response.kvs[index]]
        return kv_view(self._response.kvs[index], header)

    def __iter__(self) -> Iterator[KV]:
        header = self._response.header
        # The loop makes each view itself: calling kv_view would cost a frame per key.
        bare = BareKV
        for kv in self._response.kvs:
            view = bare()
            view._kv = kv
            view._header = header
            view.value = kv.value  # type: ignore[misc]  # __init__'s work, without its frame
            yield view

    def __repr__(self) -> str:
        response = self._response
        return (
            f"RangeResult({len(response.kvs)} keys of {response.count}, "
            f"revision={response.header.revision}, more={response.more})"
        )


def first_kv(response: RangeResponse) -> KV | None:
    """The first key of a range response as a [KV][etcd3.KV], ``None`` if there is none."""
    kvs = response.kvs
    return kv_view(kvs[0], response.header) if kvs else None


KVResult: TypeAlias = tuple[bytes, KVMetadata]
"""A key's value and its metadata."""

GetResult: TypeAlias = list[KVResult]
"""Several [`KVResult`][etcd3.KVResult], e.g. the gets of a transaction."""


def first_result(response: RangeResponse) -> KVResult | None:
    """The first key of a range response as a [`KVResult`][etcd3.KVResult], ``None`` if there is
    none."""
    kvs = response.kvs
    if not kvs:
        return None
    kv = kvs[0]
    # Made here rather than by metadata_view: every get comes through, and a call is a frame.
    view = BareKVMetadata()
    view._kv = kv
    view._header = response.header
    return kv.value, view


def detached_results(response: RangeResponse) -> Iterator[KVResult]:
    """Every key of a range response as a [`KVResult`][etcd3.KVResult] that does not keep the
    response alive.

    Paged reads use it so that a caller who keeps results holds their data, not every page.
    """
    header = ResponseHeader()
    header.CopyFrom(response.header)
    detached = KVMetadata._detached
    for kv in response.kvs:
        yield kv.value, detached(kv, header)
