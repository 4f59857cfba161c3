"""The cursor of a paged range read (sans-IO, shared by the sync and asyncio clients).

A paged read is a sequence of Range calls over ``[start, end)``, each with ``limit=page_size``
and in key order. The cursor decides each next request from the previous response:

- the next page starts at ``last_key + b"\\0"``, the smallest key greater than the last one
  returned, so every key comes exactly once, in order, even when a key is a prefix of another
  or ends in ``0xFF`` (adding 1 to the last byte would skip ``last_key + b"\\0..."`` keys);
- every page reads the same revision: the caller's ``revision`` if positive, else the first
  page's ``header.revision``, so the whole read is one snapshot (if that revision is compacted
  meanwhile, etcd refuses the page and the client raises ``RevisionCompactedError``);
- the read ends when a response says ``more`` is false (or returns no key).

The cursor keeps only the next request, never a response, so a streaming caller holds one page.
"""

from __future__ import annotations

from etcd3._validate import flag, positive_int, revision_arg
from etcd3.rpc.etcdserverpb import RangeRequest, RangeResponse

__all__ = ["PageCursor"]


class PageCursor:
    """Plans the Range requests of one paged read of ``[start, end)``.

    Use ``request`` for the next call (``None`` when the read is complete) and feed each
    response to ``advance``.

    Args:
        start: The first key of the range (non-empty; ``b"\\0"`` for the keyspace's start).
        end: The range end (``b"\\0"``: no upper bound).
        page_size: Keys per page, > 0.
        keys_only: Whether to leave values out.
        serializable: Whether to use member-local (serializable) reads.
        revision: The revision to read; ``<= 0`` pins the first page's revision.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: ``page_size <= 0``, or an empty ``start``/``end``.
    """

    __slots__ = ("_request", "_revision")

    def __init__(
        self,
        start: bytes,
        end: bytes,
        *,
        page_size: object = 1000,
        keys_only: object = False,
        serializable: object = False,
        revision: object = 0,
    ) -> None:
        if not start or not end:
            raise ValueError("a paged read needs a non-empty start and end")
        self._revision = revision_arg(revision)
        self._request: RangeRequest | None = RangeRequest(
            key=start,
            range_end=end,
            limit=positive_int(page_size, "page_size"),
            revision=self._revision,
            keys_only=flag(keys_only, "keys_only"),
            serializable=flag(serializable, "serializable"),
        )

    @property
    def request(self) -> RangeRequest | None:
        """The next page's request, or ``None`` once the read is complete."""
        return self._request

    @property
    def revision(self) -> int:
        """The revision every page reads (``0`` until a first page without one has been read)."""
        return self._revision

    def advance(self, response: RangeResponse) -> RangeRequest | None:
        """Take the response to ``request``; return the next request (``None``: done)."""
        current = self._request
        if current is None:
            raise RuntimeError("the paged read is already complete")
        if not self._revision:
            self._revision = response.header.revision
        kvs = response.kvs
        if not response.more or not kvs:
            self._request = None
            return None
        self._request = RangeRequest(
            key=kvs[-1].key + b"\0",
            range_end=current.range_end,
            limit=current.limit,
            revision=self._revision,
            keys_only=current.keys_only,
            serializable=current.serializable,
        )
        return self._request
