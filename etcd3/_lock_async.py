# async-to-sync: source
"""Distributed locks: [`AsyncLock`][etcd3.AsyncLock], fair and Go-compatible."""

from __future__ import annotations

from types import TracebackType

from typing_extensions import Self

from etcd3._concurrency_core import LOCK_PREFIX, LockNotAcquiredError, held_request, is_held
from etcd3._recipes_async import AsyncRecipesClient
from etcd3._session_async import AsyncParticipant, AsyncSession
from etcd3._timeouts import deadline_after, timeout_arg
from etcd3._validate import recipe_name_arg, recipe_prefix_arg, ttl_arg
from etcd3.errors import LockError
from etcd3.rpc.etcdserverpb import LeaseKeepAliveResponse

__all__ = ["AsyncLock"]


class AsyncLock(AsyncParticipant):
    """A distributed mutex: at most one holder at a time across every process, served in
    the order the waiters arrived.

    Get one with ``client.lock(name, ttl)`` or ``AsyncLock(name, ttl, etcd_client=client)``;
    ``async with lock:`` acquires (waiting up to ``acquire_timeout``, 10 s by default, else
    raising [`LockNotAcquiredError`][etcd3.errors.LockNotAcquiredError]) and releases.

    The protocol is that of etcd's Go ``concurrency.Mutex``, so Go and Python processes
    exclude each other on the same lock: each waiter writes its own key
    ``<prefix><lease id hex>`` (default prefix ``/locks/<name>/``; a Go ``NewMutex(s,
    "/locks/<name>")`` shares it) with its session's lease; the key with the lowest create
    revision holds the lock; the others each wait, through a watch, for the deletion of the
    key created just before theirs.

    Without ``session`` each acquisition opens a session of its own (a lease of ``ttl``
    seconds, kept alive while the lock is held): if the holder dies, its lease expires after
    ``ttl`` seconds and the next waiter proceeds. Releasing (or a failed attempt) revokes it.
    With ``session`` (a [`AsyncSession`][etcd3.AsyncSession]) the lock uses that session's lease, as
    Go does; use one lock per name per session.

    Args:
        name: The lock's name (``str`` or ``bytes``, not empty).
        ttl: Lease TTL in seconds of the lock's own sessions (unused with ``session``).
        etcd_client: The client to use (optional with ``session``).
        session: A session to hold the lock with instead of one per acquisition.
        prefix: The key prefix of the lock, instead of ``/locks/<name>/``.
        acquire_timeout: How long ``async with lock:`` waits (``None`` or ``math.inf``:
            forever).

    Raises:
        TypeError: A bad argument type.
        ValueError: An empty name or prefix, a ``ttl`` <= 0, neither ``etcd_client`` nor
            ``session``, or a ``session`` of another client.

    Attributes:
        name: The lock's name as given.
        ttl: The TTL of the lock's own sessions.
        prefix: The lock's key prefix (bytes).
        acquire_timeout: How long ``async with lock:`` waits.
    """

    _not_held = LockError

    def __init__(
        self,
        name: str | bytes,
        ttl: int = 60,
        etcd_client: AsyncRecipesClient | None = None,
        *,
        session: AsyncSession | None = None,
        prefix: str | bytes | None = None,
        acquire_timeout: float | None = 10,
    ) -> None:
        raw_name = recipe_name_arg(name)
        checked_ttl = ttl_arg(ttl)
        if session is not None:
            if etcd_client is not None and etcd_client is not session.client:
                raise ValueError("etcd_client and session.client differ")
            etcd_client = session.client
        if etcd_client is None:
            raise ValueError("Lock needs an etcd_client (or a session)")
        super().__init__(
            etcd_client, session, checked_ttl, recipe_prefix_arg(prefix, LOCK_PREFIX, raw_name)
        )
        self.name = name
        self.ttl = checked_ttl
        self.acquire_timeout: float | None = timeout_arg(acquire_timeout, "acquire_timeout")

    def __repr__(self) -> str:
        state = "held" if self._claim is not None else "not held"
        return f"<{type(self).__name__} {self.prefix!r} {state}>"

    async def acquire(self, timeout: float | None = 10) -> bool:
        """Acquire the lock, waiting for it at most ``timeout`` seconds.

        Acquiring a lock this object holds already returns ``True`` at once. ``timeout``
        bounds the whole call: the wait for earlier holders and each request (which also
        has the client's timeout; with ``0``, only the client's). Deleting the key of a
        failed attempt has the client's timeout alone: a key left behind would stand in every
        later waiter's way.

        Args:
            timeout: Seconds to wait; ``None`` (or ``math.inf``) waits forever; ``0`` tries
                once.

        Returns:
            Whether the lock is held now. On ``False`` (and on any error or cancellation)
                this waiter's key is deleted again.

        Raises:
            TypeError: ``timeout`` is not a number or ``None``.
            ValueError: ``timeout`` is negative.
            etcd3.errors.SessionLostError: The session was lost (before or while waiting).
            etcd3.errors.ConnectionTimeoutError: The time ran out before etcd granted the
                session's lease, answered the request to join the line, or confirmed that the
                turn came: whether another holds the lock is unknown.
            etcd3.EtcdError: A request failed.
        """
        wait = timeout_arg(timeout)
        if self._holds():
            return True
        self._claim = None
        self._claim = await self._enqueue(b"", deadline_after(wait), try_once=wait == 0)
        return self._claim is not None

    async def release(self) -> bool:
        """Release the lock (a no-op when not held).

        Deletes the holder's key, then revokes the lock's own session, if it has one: each
        request has the client's timeout. The revocation only hands the lock on sooner: when it
        fails, the session's lease, no longer kept alive, expires after ``ttl`` with the key.

        Returns:
            Whether the lock was held and this released it (``False`` also when the key had
                gone already, e.g. with an expired session).

        Raises:
            etcd3.EtcdError: The deletion failed. The object holds the lock no longer either way;
                the key goes with the session's lease: an own session's is revoked at once
                (or expires after ``ttl``), a shared session's ends with that session.
        """
        return await self._leave()

    async def refresh(self) -> LeaseKeepAliveResponse:
        """Renew the lease now (it is also kept alive automatically).

        Returns:
            The server's ``LeaseKeepAliveResponse``.

        Raises:
            ValueError: The lock is not held.
            etcd3.errors.LeaseLostError: The lease is lost.
            etcd3.EtcdError: The request failed.
        """
        lease = self.lease
        if self._claim is None or lease is None:
            raise ValueError(f"{self!r} is not held: nothing to refresh")
        return await lease.refresh()

    async def is_acquired(self) -> bool:
        """Whether this object holds the lock, checked with the server.

        Returns:
            ``True`` while the lock's key still exists as it was created at acquisition.
        """
        claim = self._claim
        if claim is None or not self._holds():
            return False
        response = await self._client.rpc.kv.range(held_request(claim.key))
        return is_held(response, claim.revision)

    async def __aenter__(self) -> Self:
        if not await self.acquire(self.acquire_timeout):
            raise LockNotAcquiredError(
                f"could not acquire the lock {self.prefix!r} within {self.acquire_timeout} s"
            )
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.release()
