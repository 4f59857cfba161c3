# async-to-sync: source
"""The asyncio client's reads, paged reads, writes, deletes and compaction.

Arguments are checked by ``etcd3._validate`` and requests built there; the paging cursor is
``etcd3._paging``; results are the lazy views of ``etcd3._views``. This module only sends
the requests, straight to the caller: they are built and checked already, and the generated
service methods would only add a call frame and their keyword checks to every call. Methods
that return an iterator (``get_prefix``, ``get_range_paged``, ...) check their arguments when
called and send nothing before the first iteration.

The module is long for one job: about twenty public methods, most of them the predecessors'
signatures with every argument documented (a read has over a dozen); the logic of each is a
few lines over the cores named above.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Literal

from etcd3._base_async import AsyncClientBase
from etcd3._lease_core import name_lease
from etcd3._paging import PageCursor
from etcd3._validate import (
    KeyLike,
    SortOrderLike,
    SortTargetLike,
    SupportsLeaseId,
    flag,
    key_bytes,
    positive_int,
    put_request,
    range_bound,
    range_end_for_key,
    range_request,
    single_key_request,
    to_bytes,
)
from etcd3._views import (
    KV,
    BareKVMetadata,
    KVResult,
    RangeResult,
    detached_results,
    first_kv,
    first_result,
)
from etcd3.errors import LeaseNotFoundError
from etcd3.rpc.etcdserverpb import (
    CompactionRequest,
    DeleteRangeRequest,
    DeleteRangeResponse,
    PutResponse,
    RangeRequest,
    RangeResponse,
)
from etcd3.rpc.methods import KV_COMPACT, KV_DELETE_RANGE, KV_PUT, KV_RANGE

__all__ = ["AsyncKVMixin"]

_WHOLE_KEYSPACE = b"\0"


def _prefix_bounds(key_prefix: KeyLike) -> tuple[bytes, bytes]:
    """``[key, range_end)`` of a prefix; the empty prefix is the whole keyspace."""
    start = to_bytes(key_prefix, "key_prefix")
    return (start or _WHOLE_KEYSPACE), range_end_for_key(start)


class AsyncKVMixin(AsyncClientBase):
    """The client's reads, paged reads, writes, deletes and compaction.

    Keys and values are ``str`` (UTF-8 encoded) or ``bytes``; reads return ``bytes``. Every
    method takes ``timeout_override``: ``None`` for the client's ``timeout``, else this call's
    timeout in seconds (``0`` is already expired, ``math.inf`` is no deadline; a paged read
    applies it to each page).
    """

    # -- single-key reads ---------------------------------------------------------------------

    async def get_response(
        self,
        key: KeyLike,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> RangeResponse:
        """Read one key and return etcd's raw response.

        Args:
            key: The key.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            The ``RangeResponse`` (``kvs`` has zero or one entry).

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty key or a negative ``timeout_override``.
            etcd3.EtcdError: The call failed (``RevisionCompactedError`` for a compacted
                ``revision``, ``ConnectionTimeoutError`` past the deadline).
        """
        request = single_key_request(key, serializable, revision)
        return await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )

    async def get(
        self,
        key: KeyLike,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> KVResult | tuple[None, None]:
        """Read one key's value and metadata.

        Args:
            key: The key.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            ``(value, KVMetadata)``, or ``(None, None)`` if the key does not exist.

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty key or a negative ``timeout_override``.
            etcd3.EtcdError: The call failed.
        """
        request = single_key_request(key, serializable, revision)
        response = await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )
        return first_result(response) or (None, None)

    async def get_strict(
        self,
        key: KeyLike,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> KVResult:
        """Read one key's value and metadata; a missing key is an error.

        Args:
            key: The key.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            ``(value, KVMetadata)``.

        Raises:
            KeyError: The key does not exist (the error's argument is ``key`` as given).
            TypeError: A wrong argument type.
            ValueError: An empty key or a negative ``timeout_override``.
            etcd3.EtcdError: The call failed.
        """
        request = single_key_request(key, serializable, revision)
        response = await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )
        result = first_result(response)
        if result is None:
            raise KeyError(key)
        return result

    async def get_kv(
        self,
        key: KeyLike,
        *,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> KV | None:
        """Read one key: its value and metadata in one [KV][etcd3.KV], or ``None`` if absent.

        The typed-first form of [get][etcd3.Etcd3Client.get]: ``if kv is None`` narrows it for type
        checkers, with value and metadata together (``kv.value``, ``kv.mod_revision``).

        Args:
            key: The key.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            The key, or ``None`` if it does not exist.

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty key or a negative ``timeout_override``.
            etcd3.EtcdError: The call failed.
        """
        request = single_key_request(key, serializable, revision)
        response = await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )
        return first_kv(response)

    async def get_kvs(
        self,
        key: KeyLike,
        range_end: KeyLike | None = None,
        *,
        prefix: bool = False,
        keys_only: bool = False,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        limit: int = 0,
        serializable: bool = False,
        revision: int = 0,
        min_mod_revision: int = 0,
        max_mod_revision: int = 0,
        min_create_revision: int = 0,
        max_create_revision: int = 0,
        timeout_override: float | None = None,
    ) -> RangeResult:
        """Read a key, every key starting with a prefix, or every key of a range, in one call.

        The keys come as one [RangeResult][etcd3.RangeResult], a sequence of
        [KV][etcd3.KV] (with ``header``, ``total`` and ``more``): iterating it sends nothing
        (in asyncio too, once awaited). ``key`` alone reads that key;
        ``prefix=True`` every key starting with it (``""``: the whole keyspace); ``range_end``
        every key in ``[key, range_end)``. Use a paged read (``get_prefix_paged``) for ranges
        too large for one response.

        Args:
            key: The key, the prefix (with ``prefix=True``) or the start of the range.
            range_end: The end of the range, excluded (``b"\\0"``: no upper bound).
            prefix: Read every key that starts with ``key``.
            keys_only: Leave values out (they read as ``b""``).
            sort_order: ``None`` (key order), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"``,
                or a ``RangeSortOrder``.
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``,
                or a ``RangeSortTarget``.
            limit: At most this many keys (``more`` tells whether some were left out);
                ``<= 0`` for no limit.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            min_mod_revision: Only keys last modified at or after this revision (0: any).
            max_mod_revision: Only keys last modified at or before this revision (0: any).
            min_create_revision: Only keys created at or after this revision (0: any).
            max_create_revision: Only keys created at or before this revision (0: any).
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            The keys read.

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty key without ``prefix``, ``prefix`` together with
                ``range_end``, an empty ``range_end``, a bad option.
            etcd3.EtcdError: The call failed.
        """
        if flag(prefix, "prefix"):
            if range_end is not None:
                raise ValueError("pass either prefix=True or range_end, not both")
            start, end = _prefix_bounds(key)
        else:
            start = key_bytes(key)
            end = b"" if range_end is None else range_bound(range_end)
        request = range_request(
            start,
            end,
            keys_only,
            sort_order,
            sort_target,
            limit,
            serializable,
            revision,
            min_mod_revision=min_mod_revision,
            max_mod_revision=max_mod_revision,
            min_create_revision=min_create_revision,
            max_create_revision=max_create_revision,
        )
        response = await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )
        return RangeResult(response)

    # -- range reads --------------------------------------------------------------------------

    async def get_prefix_response(
        self,
        key_prefix: KeyLike,
        keys_only: bool = False,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        limit: int = 0,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
        *,
        count_only: bool = False,
        min_mod_revision: int = 0,
        max_mod_revision: int = 0,
        min_create_revision: int = 0,
        max_create_revision: int = 0,
    ) -> RangeResponse:
        """Read every key that starts with ``key_prefix`` and return etcd's raw response.

        Args:
            key_prefix: The prefix; ``""`` selects the whole keyspace.
            keys_only: Leave values out (they read as ``b""``).
            sort_order: ``None`` (key order), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"``,
                or a ``RangeSortOrder``.
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``,
                or a ``RangeSortTarget``.
            limit: At most this many keys; ``<= 0`` for no limit.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.
            count_only: Return only the number of keys (``count``), no key.
            min_mod_revision: Only keys last modified at or after this revision (0: any).
            max_mod_revision: Only keys last modified at or before this revision (0: any).
            min_create_revision: Only keys created at or after this revision (0: any).
            max_create_revision: Only keys created at or before this revision (0: any).

        Returns:
            The ``RangeResponse``.

        Raises:
            TypeError: A wrong argument type.
            ValueError: An unknown sort option, a negative revision filter or
                ``timeout_override``.
            etcd3.EtcdError: The call failed.
        """
        start, end = _prefix_bounds(key_prefix)
        request = range_request(
            start,
            end,
            keys_only,
            sort_order,
            sort_target,
            limit,
            serializable,
            revision,
            count_only=count_only,
            min_mod_revision=min_mod_revision,
            max_mod_revision=max_mod_revision,
            min_create_revision=min_create_revision,
            max_create_revision=max_create_revision,
        )
        return await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )

    def get_prefix(
        self,
        key_prefix: KeyLike,
        keys_only: bool = False,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        limit: int = 0,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
        *,
        count_only: bool = False,
        min_mod_revision: int = 0,
        max_mod_revision: int = 0,
        min_create_revision: int = 0,
        max_create_revision: int = 0,
    ) -> AsyncGenerator[KVResult, None]:
        """Iterate over every key that starts with ``key_prefix``.

        Arguments are checked now; the one Range call is sent at the first iteration.
        The arguments are those of
        [`get_prefix_response`][etcd3.AsyncEtcd3Client.get_prefix_response].

        Args:
            key_prefix: The prefix; ``""`` selects the whole keyspace.
            keys_only: Leave values out (they read as ``b""``).
            sort_order: ``None`` (key order), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"``,
                or a ``RangeSortOrder``.
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``,
                or a ``RangeSortTarget``.
            limit: At most this many keys; ``<= 0`` for no limit.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.
            count_only: Return no key (use
                [`get_prefix_response`][etcd3.AsyncEtcd3Client.get_prefix_response] for the count).
            min_mod_revision: Only keys last modified at or after this revision (0: any).
            max_mod_revision: Only keys last modified at or before this revision (0: any).
            min_create_revision: Only keys created at or after this revision (0: any).
            max_create_revision: Only keys created at or before this revision (0: any).

        Returns:
            An iterator of ``(value, KVMetadata)``.

        Raises:
            TypeError: A wrong argument type (when called).
            ValueError: A bad option (when called).
            etcd3.EtcdError: The call failed (when iterated).
        """
        start, end = _prefix_bounds(key_prefix)
        request = range_request(
            start,
            end,
            keys_only,
            sort_order,
            sort_target,
            limit,
            serializable,
            revision,
            count_only=count_only,
            min_mod_revision=min_mod_revision,
            max_mod_revision=max_mod_revision,
            min_create_revision=min_create_revision,
            max_create_revision=max_create_revision,
        )
        return self._results(request, self._call_timeout(timeout_override))

    async def get_range_response(
        self,
        range_start: KeyLike,
        range_end: KeyLike,
        keys_only: bool = False,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        limit: int = 0,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
        *,
        count_only: bool = False,
        min_mod_revision: int = 0,
        max_mod_revision: int = 0,
        min_create_revision: int = 0,
        max_create_revision: int = 0,
    ) -> RangeResponse:
        """Read every key in ``[range_start, range_end)`` and return etcd's raw response.

        Args:
            range_start: The first key (``b"\\0"`` for the start of the keyspace).
            range_end: The end, excluded (``b"\\0"`` for no upper bound).
            keys_only: Leave values out (they read as ``b""``).
            sort_order: ``None`` (key order), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"``,
                or a ``RangeSortOrder``.
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``,
                or a ``RangeSortTarget``.
            limit: At most this many keys; ``<= 0`` for no limit.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.
            count_only: Return only the number of keys (``count``), no key.
            min_mod_revision: Only keys last modified at or after this revision (0: any).
            max_mod_revision: Only keys last modified at or before this revision (0: any).
            min_create_revision: Only keys created at or after this revision (0: any).
            max_create_revision: Only keys created at or before this revision (0: any).

        Returns:
            The ``RangeResponse``.

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty ``range_start`` or ``range_end``, a bad option.
            etcd3.EtcdError: The call failed.
        """
        request = range_request(
            key_bytes(range_start, "range_start"),
            range_bound(range_end),
            keys_only,
            sort_order,
            sort_target,
            limit,
            serializable,
            revision,
            count_only=count_only,
            min_mod_revision=min_mod_revision,
            max_mod_revision=max_mod_revision,
            min_create_revision=min_create_revision,
            max_create_revision=max_create_revision,
        )
        return await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )

    def get_range(
        self,
        range_start: KeyLike,
        range_end: KeyLike,
        keys_only: bool = False,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        limit: int = 0,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
        *,
        count_only: bool = False,
        min_mod_revision: int = 0,
        max_mod_revision: int = 0,
        min_create_revision: int = 0,
        max_create_revision: int = 0,
    ) -> AsyncGenerator[KVResult, None]:
        """Iterate over every key in ``[range_start, range_end)``.

        Arguments are checked now; the one Range call is sent at the first iteration.

        Args:
            range_start: The first key (``b"\\0"`` for the start of the keyspace).
            range_end: The end, excluded (``b"\\0"`` for no upper bound).
            keys_only: Leave values out (they read as ``b""``).
            sort_order: ``None`` (key order), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"``,
                or a ``RangeSortOrder``.
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``,
                or a ``RangeSortTarget``.
            limit: At most this many keys; ``<= 0`` for no limit.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.
            count_only: Return no key (use
                [`get_range_response`][etcd3.AsyncEtcd3Client.get_range_response] for the count).
            min_mod_revision: Only keys last modified at or after this revision (0: any).
            max_mod_revision: Only keys last modified at or before this revision (0: any).
            min_create_revision: Only keys created at or after this revision (0: any).
            max_create_revision: Only keys created at or before this revision (0: any).

        Returns:
            An iterator of ``(value, KVMetadata)``.

        Raises:
            TypeError: A wrong argument type (when called).
            ValueError: An empty ``range_start`` or ``range_end``, a bad option (when called).
            etcd3.EtcdError: The call failed (when iterated).
        """
        request = range_request(
            key_bytes(range_start, "range_start"),
            range_bound(range_end),
            keys_only,
            sort_order,
            sort_target,
            limit,
            serializable,
            revision,
            count_only=count_only,
            min_mod_revision=min_mod_revision,
            max_mod_revision=max_mod_revision,
            min_create_revision=min_create_revision,
            max_create_revision=max_create_revision,
        )
        return self._results(request, self._call_timeout(timeout_override))

    async def get_all_response(
        self,
        keys_only: bool = False,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        limit: int = 0,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
        *,
        count_only: bool = False,
        min_mod_revision: int = 0,
        max_mod_revision: int = 0,
        min_create_revision: int = 0,
        max_create_revision: int = 0,
    ) -> RangeResponse:
        """Read every key and return etcd's raw response.

        Args:
            keys_only: Leave values out (they read as ``b""``).
            sort_order: ``None`` (key order), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"``,
                or a ``RangeSortOrder``.
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``,
                or a ``RangeSortTarget``.
            limit: At most this many keys; ``<= 0`` for no limit.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.
            count_only: Return only the number of keys (``count``), no key.
            min_mod_revision: Only keys last modified at or after this revision (0: any).
            max_mod_revision: Only keys last modified at or before this revision (0: any).
            min_create_revision: Only keys created at or after this revision (0: any).
            max_create_revision: Only keys created at or before this revision (0: any).

        Returns:
            The ``RangeResponse``.

        Raises:
            TypeError: A wrong argument type.
            ValueError: A bad option.
            etcd3.EtcdError: The call failed.
        """
        request = range_request(
            _WHOLE_KEYSPACE,
            _WHOLE_KEYSPACE,
            keys_only,
            sort_order,
            sort_target,
            limit,
            serializable,
            revision,
            count_only=count_only,
            min_mod_revision=min_mod_revision,
            max_mod_revision=max_mod_revision,
            min_create_revision=min_create_revision,
            max_create_revision=max_create_revision,
        )
        return await self._rpc.caller.unary(
            KV_RANGE, request, self._call_timeout(timeout_override), None
        )

    def get_all(
        self,
        keys_only: bool = False,
        sort_order: SortOrderLike = None,
        sort_target: SortTargetLike = None,
        limit: int = 0,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
        *,
        count_only: bool = False,
        min_mod_revision: int = 0,
        max_mod_revision: int = 0,
        min_create_revision: int = 0,
        max_create_revision: int = 0,
    ) -> AsyncGenerator[KVResult, None]:
        """Iterate over every key.

        Arguments are checked now; the one Range call is sent at the first iteration.

        Args:
            keys_only: Leave values out (they read as ``b""``).
            sort_order: ``None`` (key order), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"``,
                or a ``RangeSortOrder``.
            sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``,
                or a ``RangeSortTarget``.
            limit: At most this many keys; ``<= 0`` for no limit.
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the latest.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.
            count_only: Return no key (use
                [`get_all_response`][etcd3.AsyncEtcd3Client.get_all_response] for the count).
            min_mod_revision: Only keys last modified at or after this revision (0: any).
            max_mod_revision: Only keys last modified at or before this revision (0: any).
            min_create_revision: Only keys created at or after this revision (0: any).
            max_create_revision: Only keys created at or before this revision (0: any).

        Returns:
            An iterator of ``(value, KVMetadata)``.

        Raises:
            TypeError: A wrong argument type (when called).
            ValueError: A bad option (when called).
            etcd3.EtcdError: The call failed (when iterated).
        """
        request = range_request(
            _WHOLE_KEYSPACE,
            _WHOLE_KEYSPACE,
            keys_only,
            sort_order,
            sort_target,
            limit,
            serializable,
            revision,
            count_only=count_only,
            min_mod_revision=min_mod_revision,
            max_mod_revision=max_mod_revision,
            min_create_revision=min_create_revision,
            max_create_revision=max_create_revision,
        )
        return self._results(request, self._call_timeout(timeout_override))

    async def _results(
        self, request: RangeRequest, timeout: float | None
    ) -> AsyncGenerator[KVResult, None]:
        # The views of the keys are built here, not by a helper generator or metadata_view: a
        # second generator step or a call per key would cost as much as the view itself.
        response = await self._rpc.caller.unary(KV_RANGE, request, timeout, None)
        header = response.header
        bare = BareKVMetadata
        for kv in response.kvs:
            meta = bare()
            meta._kv = kv
            meta._header = header
            yield kv.value, meta

    # -- paged reads --------------------------------------------------------------------------

    def get_range_paged_response(
        self,
        range_start: KeyLike,
        range_end: KeyLike,
        keys_only: bool = False,
        page_size: int = 1000,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> AsyncGenerator[RangeResponse, None]:
        """Read ``[range_start, range_end)`` page by page; yield each page's raw response.

        Each page is one Range call of at most ``page_size`` keys in key order, starting
        right after the previous page's last key, all at one revision: ``revision`` if
        positive, else the first page's. Arguments are checked now; the first call is sent
        at the first iteration.

        Args:
            range_start: The first key (``b"\\0"`` for the start of the keyspace).
            range_end: The end, excluded (``b"\\0"`` for no upper bound).
            keys_only: Leave values out (they read as ``b""``).
            page_size: Keys per page (> 0).
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the first page's revision.
            timeout_override: Each page's timeout in seconds; ``None`` for the client's.

        Returns:
            An iterator of ``RangeResponse``, one per page.

        Raises:
            TypeError: A wrong argument type (when called).
            ValueError: ``page_size <= 0``, an empty ``range_start`` or ``range_end``
                (when called).
            etcd3.RevisionCompactedError: The read's revision was compacted before the last
                page (when iterated).
            etcd3.EtcdError: A call failed (when iterated).
        """
        cursor = PageCursor(
            key_bytes(range_start, "range_start"),
            range_bound(range_end),
            page_size=page_size,
            keys_only=keys_only,
            serializable=serializable,
            revision=revision,
        )
        return self._pages(cursor, self._call_timeout(timeout_override))

    def get_range_paged(
        self,
        range_start: KeyLike,
        range_end: KeyLike,
        keys_only: bool = False,
        page_size: int = 1000,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> AsyncGenerator[KVResult, None]:
        """Iterate over ``[range_start, range_end)`` page by page, one snapshot, in key order.

        Every key comes exactly once. About one page is held at a time, and kept results
        do not keep their page alive. Arguments are checked now; the first call is sent at
        the first iteration.

        Args:
            range_start: The first key (``b"\\0"`` for the start of the keyspace).
            range_end: The end, excluded (``b"\\0"`` for no upper bound).
            keys_only: Leave values out (they read as ``b""``).
            page_size: Keys per page (> 0).
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the first page's revision.
            timeout_override: Each page's timeout in seconds; ``None`` for the client's.

        Returns:
            An iterator of ``(value, KVMetadata)``.

        Raises:
            TypeError: A wrong argument type (when called).
            ValueError: ``page_size <= 0``, an empty ``range_start`` or ``range_end``
                (when called).
            etcd3.RevisionCompactedError: The read's revision was compacted before the last
                page (when iterated).
            etcd3.EtcdError: A call failed (when iterated).
        """
        cursor = PageCursor(
            key_bytes(range_start, "range_start"),
            range_bound(range_end),
            page_size=page_size,
            keys_only=keys_only,
            serializable=serializable,
            revision=revision,
        )
        return self._paged_results(cursor, self._call_timeout(timeout_override))

    def get_prefix_paged_response(
        self,
        key_prefix: KeyLike,
        keys_only: bool = False,
        page_size: int = 1000,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> AsyncGenerator[RangeResponse, None]:
        """Read every key that starts with ``key_prefix`` page by page; yield raw responses.

        Pages work as in
        [`get_range_paged_response`][etcd3.AsyncEtcd3Client.get_range_paged_response]. Arguments are
        checked now; the first call is sent at the first iteration.

        Args:
            key_prefix: The prefix; ``""`` selects the whole keyspace.
            keys_only: Leave values out (they read as ``b""``).
            page_size: Keys per page (> 0).
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the first page's revision.
            timeout_override: Each page's timeout in seconds; ``None`` for the client's.

        Returns:
            An iterator of ``RangeResponse``, one per page.

        Raises:
            TypeError: A wrong argument type (when called).
            ValueError: ``page_size <= 0`` (when called).
            etcd3.RevisionCompactedError: The read's revision was compacted before the last
                page (when iterated).
            etcd3.EtcdError: A call failed (when iterated).
        """
        start, end = _prefix_bounds(key_prefix)
        cursor = PageCursor(
            start,
            end,
            page_size=page_size,
            keys_only=keys_only,
            serializable=serializable,
            revision=revision,
        )
        return self._pages(cursor, self._call_timeout(timeout_override))

    def get_prefix_paged(
        self,
        key_prefix: KeyLike,
        keys_only: bool = False,
        page_size: int = 1000,
        serializable: bool = False,
        revision: int = 0,
        timeout_override: float | None = None,
    ) -> AsyncGenerator[KVResult, None]:
        """Iterate over every key that starts with ``key_prefix``, page by page, one snapshot.

        Pages work as in [`get_range_paged`][etcd3.AsyncEtcd3Client.get_range_paged]: every key
        once, in key order, about one page held at a time. Arguments are checked now; the first call
        is sent at the first iteration.

        Args:
            key_prefix: The prefix; ``""`` selects the whole keyspace.
            keys_only: Leave values out (they read as ``b""``).
            page_size: Keys per page (> 0).
            serializable: Read from the member's local state (faster, possibly stale).
            revision: The revision to read at; ``<= 0`` for the first page's revision.
            timeout_override: Each page's timeout in seconds; ``None`` for the client's.

        Returns:
            An iterator of ``(value, KVMetadata)``.

        Raises:
            TypeError: A wrong argument type (when called).
            ValueError: ``page_size <= 0`` (when called).
            etcd3.RevisionCompactedError: The read's revision was compacted before the last
                page (when iterated).
            etcd3.EtcdError: A call failed (when iterated).
        """
        start, end = _prefix_bounds(key_prefix)
        cursor = PageCursor(
            start,
            end,
            page_size=page_size,
            keys_only=keys_only,
            serializable=serializable,
            revision=revision,
        )
        return self._paged_results(cursor, self._call_timeout(timeout_override))

    async def _pages(
        self, cursor: PageCursor, timeout: float | None
    ) -> AsyncGenerator[RangeResponse, None]:
        request = cursor.request
        while request is not None:
            response = await self._rpc.caller.unary(KV_RANGE, request, timeout, None)
            request = cursor.advance(response)
            yield response
            # Drop the page before fetching the next: one page in memory at a time.
            del response

    async def _paged_results(
        self, cursor: PageCursor, timeout: float | None
    ) -> AsyncGenerator[KVResult, None]:
        async for response in self._pages(cursor, timeout):
            for result in detached_results(response):
                yield result
            del response

    # -- writes -------------------------------------------------------------------------------

    async def put(
        self,
        key: KeyLike,
        value: KeyLike,
        lease: int | SupportsLeaseId | None = None,
        prev_kv: bool = False,
        timeout_override: float | None = None,
    ) -> PutResponse:
        """Set ``key`` to ``value``.

        Args:
            key: The key.
            value: The value (may be empty).
            lease: A lease id or ``Lease`` to attach the key to; ``None`` for none.
            prev_kv: Return the key's previous state in the response's ``prev_kv``.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            The ``PutResponse`` (``header.revision`` is the revision of this write).

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty key, a negative lease id or ``timeout_override``.
            etcd3.EtcdError: The call failed (``LeaseNotFoundError`` for an unknown lease).
        """
        request = put_request(key, value, lease, prev_kv)
        try:
            return await self._rpc.caller.unary(
                KV_PUT, request, self._call_timeout(timeout_override), None
            )
        except LeaseNotFoundError as exc:
            name_lease(exc, request.lease)
            raise

    async def delete(
        self,
        key: KeyLike,
        prev_kv: bool = False,
        timeout_override: float | None = None,
    ) -> tuple[Literal[True], DeleteRangeResponse] | tuple[Literal[False], None]:
        """Delete one key.

        Args:
            key: The key.
            prev_kv: Return the deleted key's state in the response's ``prev_kvs``.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            ``(True, DeleteRangeResponse)`` if the key existed, else ``(False, None)``.

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty key or a negative ``timeout_override``.
            etcd3.EtcdError: The call failed.
        """
        request = DeleteRangeRequest(key=key_bytes(key), prev_kv=flag(prev_kv, "prev_kv"))
        response = await self._rpc.caller.unary(
            KV_DELETE_RANGE, request, self._call_timeout(timeout_override), None
        )
        if response.deleted >= 1:
            return True, response
        return False, None

    async def delete_prefix(
        self,
        prefix: KeyLike,
        prev_kv: bool = False,
        timeout_override: float | None = None,
    ) -> DeleteRangeResponse:
        """Delete every key that starts with ``prefix``.

        Args:
            prefix: The prefix; ``""`` deletes the whole keyspace.
            prev_kv: Return the deleted keys in the response's ``prev_kvs``.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            The ``DeleteRangeResponse`` (``deleted`` is the number of keys deleted).

        Raises:
            TypeError: A wrong argument type.
            ValueError: A negative ``timeout_override``.
            etcd3.EtcdError: The call failed.
        """
        start, end = _prefix_bounds(prefix)
        request = DeleteRangeRequest(key=start, range_end=end, prev_kv=flag(prev_kv, "prev_kv"))
        return await self._rpc.caller.unary(
            KV_DELETE_RANGE, request, self._call_timeout(timeout_override), None
        )

    async def delete_range(
        self,
        key: KeyLike,
        range_end: KeyLike,
        prev_kv: bool = False,
        timeout_override: float | None = None,
    ) -> DeleteRangeResponse:
        """Delete every key in ``[key, range_end)``.

        Args:
            key: The first key (``b"\\0"`` for the start of the keyspace).
            range_end: The end, excluded (``b"\\0"`` for no upper bound).
            prev_kv: Return the deleted keys in the response's ``prev_kvs``.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Returns:
            The ``DeleteRangeResponse`` (``deleted`` is the number of keys deleted).

        Raises:
            TypeError: A wrong argument type.
            ValueError: An empty ``key`` or ``range_end``, a negative ``timeout_override``.
            etcd3.EtcdError: The call failed.
        """
        request = DeleteRangeRequest(
            key=key_bytes(key), range_end=range_bound(range_end), prev_kv=flag(prev_kv, "prev_kv")
        )
        return await self._rpc.caller.unary(
            KV_DELETE_RANGE, request, self._call_timeout(timeout_override), None
        )

    async def compact(
        self,
        revision: int,
        physical: bool = False,
        timeout_override: float | None = None,
    ) -> None:
        """Discard the history of every key before ``revision``.

        Reads and watches at a compacted revision then fail with
        ``RevisionCompactedError``.

        Args:
            revision: The oldest revision to keep (> 0, at most the current revision).
            physical: Wait until the compaction is physically applied.
            timeout_override: This call's timeout in seconds; ``None`` for the client's.

        Raises:
            TypeError: A wrong argument type.
            ValueError: ``revision <= 0`` or a negative ``timeout_override``.
            etcd3.EtcdError: The call failed (``RevisionCompactedError`` if ``revision`` is
                already compacted, ``FutureRevisionError`` if it is in the future).
        """
        request = CompactionRequest(
            revision=positive_int(revision, "revision"), physical=flag(physical, "physical")
        )
        await self._rpc.caller.unary(
            KV_COMPACT, request, self._call_timeout(timeout_override), None
        )
