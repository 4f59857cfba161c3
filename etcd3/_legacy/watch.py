"""The predecessors' watch objects of ``etcd3.watch``, over the client's own watches.

Both predecessors built a ``Watcher`` on a raw grpc ``WatchStub`` and gave each client one.
Here every watch of a client already shares the client's one resumable stream, so a
``Watcher`` is a view of a client's callback watches, and a ``Watch`` (python-etcd3) holds
one watch's id and iterator.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from etcd3._client import Etcd3Client
from etcd3._events import Event, WatchCallback, WatchFilterType
from etcd3._validate import KeyLike

__all__ = ["Watch", "Watcher"]


class Watcher:
    """Adds and cancels callback watches on a client, with one creation timeout for all.

    Args:
        watchstub: The client whose watch stream carries the watches.
        timeout: Seconds a watch creation may wait for etcd's confirmation (``None``: the
            client's timeout).
    """

    def __init__(self, watchstub: Etcd3Client, timeout: float | None = None) -> None:
        self._client = watchstub
        self.timeout = timeout
        """Seconds a creation may wait for etcd's confirmation (``None``: the client's)."""

    def add_callback(
        self,
        key: KeyLike,
        callback: WatchCallback,
        range_end: KeyLike | None = None,
        start_revision: int | None = None,
        progress_notify: bool = False,
        filters: Iterable[WatchFilterType] | None = None,
        prev_kv: bool = False,
    ) -> int:
        """Watch ``key`` (or ``[key, range_end)``), calling ``callback`` with each response.

        The callback gets each [`WatchResponse`][etcd3.WatchResponse], or once the
        [`EtcdError`][etcd3.errors.Etcd3Exception] that ended the watch.

        Args:
            key: The key, or the first key of the range.
            callback: Called with each response, or with the error that ended the watch.
            range_end: The end of the range (``None``: ``key`` alone).
            start_revision: The first revision to report (``None``: from now on).
            progress_notify: Ask for periodic empty responses while nothing changes.
            filters: ``"noput"``/``"nodelete"`` or ``FilterType`` values.
            prev_kv: Report the previous key-value of each event.

        Returns:
            The watch id, for ``cancel``.

        Raises:
            etcd3.WatchTimedOut: etcd did not confirm the watch within ``timeout``.
            etcd3.EtcdError: etcd refused the watch, or the client is closed.
        """
        return self._client.add_watch_callback(
            key,
            callback,
            range_end,
            start_revision,
            progress_notify,
            filters,
            prev_kv,
            timeout_override=self.timeout,
        )

    def cancel(self, watch_id: int) -> None:
        """Stop the watch ``watch_id``; an unknown id is a no-op.

        Args:
            watch_id: The id ``add_callback`` returned.
        """
        self._client.cancel_watch(watch_id)


class Watch:
    """One watch: its id, its iterator and the client to cancel it through (python-etcd3).

    Args:
        watch_id: The watch id.
        iterator: The watch's events, if it has an iterator.
        etcd_client: The client that made the watch.
    """

    def __init__(
        self,
        watch_id: int,
        iterator: Iterator[Event] | None = None,
        etcd_client: Etcd3Client | None = None,
    ) -> None:
        self.watch_id = watch_id
        """The watch id."""
        self.iterator = iterator
        """The watch's events (``None``: none were given)."""
        self.etcd_client = etcd_client
        """The client that made the watch."""

    def cancel(self) -> None:
        """Stop the watch through its client.

        Raises:
            ValueError: The watch was made without a client.
        """
        if self.etcd_client is None:
            raise ValueError(f"watch {self.watch_id} has no etcd_client to cancel it through")
        self.etcd_client.cancel_watch(self.watch_id)
