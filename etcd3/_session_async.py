# async-to-sync: source
"""Sessions (a lease kept alive for as long as a process needs it) and the queue protocol that
locks and elections share (see ``etcd3._concurrency_core`` for the key layout)."""

from __future__ import annotations

from contextlib import suppress
from types import TracebackType
from typing import ClassVar

from typing_extensions import Self

from etcd3._acompat import ASYNC, Lock, uninterrupted
from etcd3._concurrency_core import (
    Claim,
    SessionLostError,
    claim_request,
    held_request,
    is_held,
    parse_claim,
    predecessor,
    predecessor_request,
    release_request,
    waiter_key,
)
from etcd3._lease_async import AsyncLease
from etcd3._lease_core import LeaseLostCallback
from etcd3._recipes_async import AsyncRecipesClient
from etcd3._timeouts import request_timeout, time_left
from etcd3._validate import callback_arg, ttl_arg
from etcd3.errors import (
    ConnectionTimeoutError,
    EtcdError,
    LeaseNotFoundError,
    RevisionCompactedError,
    WatchTimedOut,
)
from etcd3.rpc.etcdserverpb import DeleteRangeRequest

__all__ = ["AsyncParticipant", "AsyncSession"]


class AsyncSession:
    """A lease kept alive automatically for the life of a process: what locks and elections
    hold their keys with (etcd's Go ``concurrency.Session``).

    The lease is granted on first use ([`open`][etcd3.AsyncSession.open], ``async with``, or a lock
    or election that needs it) and renewed every third of its TTL by the client's keep-alive. If the
    process dies, the lease expires after ``ttl`` seconds and every key it held is deleted:
    locks are released, leadership passes on. If renewal fails for a whole TTL (or the lease
    is revoked elsewhere) the session is *lost*: [`lost`][etcd3.AsyncSession.lost] turns true,
    [`wait_lost`][etcd3.AsyncSession.wait_lost] returns, ``on_lost`` is called, and using the
    session raises [`SessionLostError`][etcd3.errors.SessionLostError].
    [`close`][etcd3.AsyncSession.close] revokes the lease.

    Args:
        client: The client whose calls and keep-alive the session uses.
        ttl: The lease's time to live in seconds.
        on_lost: Called once with the [`LeaseLostError`][etcd3.errors.LeaseLostError] when the
            session is lost (from the keep-alive task; a thread in the sync client). A
            coroutine function is awaited in asyncio; the sync client refuses one.

    Raises:
        TypeError: ``ttl`` is not an int, ``on_lost`` is not callable (or, in the sync
            client, is a coroutine function).
        ValueError: ``ttl`` is not positive.

    Attributes:
        client: The client the session uses.
        ttl: The lease's time to live in seconds.
    """

    def __init__(
        self,
        client: AsyncRecipesClient,
        ttl: int = 60,
        *,
        on_lost: LeaseLostCallback | None = None,
    ) -> None:
        if on_lost is not None:
            callback_arg(on_lost, "on_lost", coroutines=ASYNC)
        self.client = client
        self.ttl: int = ttl_arg(ttl)
        self._on_lost = on_lost
        self._lease: AsyncLease | None = None
        self._closed = False
        self._granting: Lock = Lock()

    def __repr__(self) -> str:
        lease = "not granted" if self._lease is None else f"lease {self._lease.id:#x}"
        return f"<{type(self).__name__} ttl={self.ttl} {lease}>"

    @property
    def lease(self) -> AsyncLease:
        """The session's lease, once granted (by [`open`][etcd3.AsyncSession.open],
        ``async with``, or a lock or election that used the session).

        Raises:
            ValueError: The lease was never granted.
        """
        lease = self._lease
        if lease is None:
            raise self._not_granted()
        return lease

    def _not_granted(self) -> ValueError:
        return ValueError(f"{self!r} has no lease yet (call open() first)")

    @property
    def lost(self) -> bool:
        """Whether the lease is lost (expired unrenewed, or revoked elsewhere)."""
        return self._lease is not None and self._lease.lost

    @property
    def closed(self) -> bool:
        """Whether [`close`][etcd3.AsyncSession.close] was called."""
        return self._closed

    async def open(self, timeout_override: float | None = None) -> AsyncLease:
        """Grant the lease and start keeping it alive, unless done already.

        Args:
            timeout_override: Timeout in seconds of the grant (``None``: the client's).

        Returns:
            The session's lease.

        Raises:
            etcd3.errors.SessionLostError: The session is lost or closed.
            etcd3.EtcdError: The grant failed.
        """
        lease = self._lease
        if lease is None:
            async with self._granting:
                self._raise_if_closed()
                if self._lease is None:
                    self._lease = await self.client.lease(
                        self.ttl, None, timeout_override, keep_alive=True, on_lost=self._on_lost
                    )
                lease = self._lease
        self._raise_if_closed()
        if lease.lost:
            raise SessionLostError(
                f"session lease {lease.id:#x} is lost", lease_id=lease.id
            ) from lease.lost_error
        return lease

    def _raise_if_closed(self) -> None:
        if self._closed:
            raise SessionLostError("the session is closed")

    async def wait_lost(self, timeout: float | None = None) -> bool:
        """Wait until the session is lost, or its lease is no longer kept alive (the session
        or its client closed, or the lease's keep-alive was stopped).

        Args:
            timeout: Seconds to wait at most; ``None`` for no limit.

        Returns:
            Whether the session is lost (``False``: the time ran out first, or the session or
            its client closed).

        Raises:
            ValueError: The session's lease was never granted.
        """
        lease = self._lease
        if lease is None:
            raise self._not_granted()
        return await lease.wait_lost(timeout)

    async def close(self) -> None:
        """Stop the keep-alive and revoke the lease: every key of the session is deleted.

        Idempotent; a lease that expired already is fine.

        Raises:
            etcd3.EtcdError: The revocation failed (the lease then expires after its TTL).
        """
        if self._closed:
            return
        self._closed = True
        lease = self._lease
        if lease is not None:
            with suppress(LeaseNotFoundError):
                await lease.revoke()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _say_turn_unknown(error: ConnectionTimeoutError, when: str) -> None:
    """Add to ``error``'s message that the wait for a turn ran out of time ``when``."""
    error.args = (
        f"{error}; out of time {when}, so whether another participant holds the turn is unknown",
    )


class AsyncParticipant:
    """One key in the queue under a prefix, held with a session: the common part of
    [`AsyncLock`][etcd3.AsyncLock] and [`AsyncElection`][etcd3.AsyncElection].

    A participant given a session uses it; otherwise it opens a session of its own for each
    turn (closed when the turn ends, which also deletes the key).
    """

    def __init__(
        self, client: AsyncRecipesClient, session: AsyncSession | None, ttl: int, prefix: bytes
    ) -> None:
        self._client = client
        self._shared_session = session
        self._own_session: AsyncSession | None = None
        self._ttl = session.ttl if session is not None else ttl
        self.prefix = prefix
        """The key prefix of the queue (each participant's key is the prefix + lease hex)."""
        self._claim: Claim | None = None

    @property
    def session(self) -> AsyncSession | None:
        """The session holding this participant's key (``None`` while it has none)."""
        return self._shared_session if self._shared_session is not None else self._own_session

    _not_held: ClassVar[type[EtcdError]] = EtcdError
    """The error for reading [`key`][etcd3.AsyncLock.key] or [`revision`][etcd3.AsyncLock.revision]
    while the turn is not held."""

    @property
    def held(self) -> bool:
        """Whether this participant holds its turn (as far as this process knows: no RPC)."""
        return self._claim is not None

    @property
    def key(self) -> bytes:
        """This participant's key while it holds its turn.

        Raises:
            LockError: The turn is not held (a lock; ``NotElectionLeaderError`` for an
                election): check [`held`][etcd3.AsyncLock.held] first if unsure.
        """
        return self._held_claim().key

    @property
    def revision(self) -> int:
        """The create revision of [`key`][etcd3.AsyncLock.key] while the turn is held: a fencing
        token that grows with each new holder.

        Raises:
            LockError: The turn is not held (a lock; ``NotElectionLeaderError`` for an
                election): check [`held`][etcd3.AsyncLock.held] first if unsure.
        """
        return self._held_claim().revision

    def _held_claim(self) -> Claim:
        claim = self._claim
        if claim is None:
            raise self._not_held(f"{self!r} holds nothing: its key and revision exist while held")
        return claim

    @property
    def lease(self) -> AsyncLease | None:
        """The lease of the session in use (``None`` while there is none)."""
        session = self.session
        return None if session is None else session._lease

    def _holds(self) -> bool:
        """Whether the turn is held as far as this process knows (no RPC)."""
        session = self.session
        return (
            self._claim is not None
            and session is not None
            and not session.lost
            and not session.closed
        )

    async def _enqueue(
        self, value: bytes, deadline: float | None, *, try_once: bool
    ) -> Claim | None:
        """Queue up under the prefix and wait for the turn.

        Every request ends by ``deadline`` too (``try_once``: has the client's timeout), but
        the deletion of the key after a failed attempt, which has the client's timeout: a key
        left in a shared session's line would block every later participant.

        Returns:
            The claim once it is first in line; ``None`` if the wait ended first behind
                another participant (the key is gone again then).

        Raises:
            ConnectionTimeoutError: Out of time before etcd granted the lease, answered the
                request to join the line or confirmed the turn (whether another participant
                holds it is unknown), or a request's own timeout.
        """
        bound = None if try_once else deadline
        session = self._shared_session
        if session is None:
            if self._own_session is None or self._own_session.closed or self._own_session.lost:
                self._own_session = AsyncSession(self._client, self._ttl)
            session = self._own_session
        try:
            lease = await session.open(request_timeout(bound, self._client.timeout))
        except ConnectionTimeoutError as exc:
            # Raised, not ``None`` (which says that someone else holds the turn): without a
            # lease the line was never joined, so whether anyone holds it is unknown.
            if time_left(bound) == 0:
                _say_turn_unknown(exc, "before joining the line")
            raise
        key = waiter_key(self.prefix, lease.id)
        claim: Claim | None = None
        try:
            response = await self._client.rpc.kv.txn(
                claim_request(self.prefix, key, lease.id, value),
                timeout=request_timeout(bound, self._client.timeout),
            )
            claim = parse_claim(key, value, response)
            if claim.owned or (not try_once and await self._wait_turn(claim, deadline)):
                return claim
        except ConnectionTimeoutError as exc:
            if claim is None and time_left(bound) == 0:
                # The request to join the line went unanswered: whether it joined, and whether
                # another participant is ahead, is unknown.
                _say_turn_unknown(exc, "before etcd answered the request to join the line")
            with suppress(EtcdError):
                await self._abandon(key)
            raise
        except BaseException:
            # Interrupted or failed: leave the queue, but report the original error.
            with suppress(EtcdError):
                await self._abandon(key)
            raise
        await self._abandon(key)
        return None

    async def _wait_turn(self, claim: Claim, deadline: float | None) -> bool:
        """Wait until no key created before ``claim`` is left.

        Returns:
            Whether the turn came; ``False``: out of time behind another participant.

        Raises:
            ConnectionTimeoutError: Out of time before etcd confirmed that the key is still
                ours once nobody was ahead (whether the turn came is unknown), or a request's
                own timeout.
        """
        rpc = self._client.rpc
        default = self._client.timeout
        while True:
            try:
                ahead = predecessor(
                    await rpc.kv.range(
                        predecessor_request(self.prefix, claim.revision),
                        timeout=request_timeout(deadline, default),
                    )
                )
            except ConnectionTimeoutError:
                if time_left(deadline) == 0:
                    return False  # someone was ahead at the last look
                raise
            if ahead is None:
                break
            key, start = ahead
            left = time_left(deadline)
            # Wake up once per TTL at least, to notice a lost session while the line stalls.
            wait = self._ttl if left is None else min(left, self._ttl)
            try:
                await self._client.watch_once(key, wait, start_revision=start, filters=["noput"])
            except WatchTimedOut:
                if time_left(deadline) == 0:
                    return False
                session = self.session
                if session is not None and session.lost:
                    await session.open()  # raises SessionLostError
            except RevisionCompactedError:
                pass  # look again: the predecessor's deletion is older than the history
        # Our own key may have gone meanwhile with an expired session.
        try:
            held = await rpc.kv.range(
                held_request(claim.key), timeout=request_timeout(deadline, default)
            )
        except ConnectionTimeoutError as exc:
            if time_left(deadline) == 0:
                _say_turn_unknown(exc, "before etcd confirmed that the turn came")
            raise
        if not is_held(held, claim.revision):
            raise SessionLostError(
                f"the key {claim.key!r} was deleted while waiting (session lost?)"
            )
        return True

    async def _abandon(self, key: bytes) -> None:
        """Leave the queue: close an own session (revoking its lease deletes the key), or
        delete the key from a shared one. A cancellation meanwhile does not cut it short (it
        is raised after): a key left in a shared session's line would block every later
        participant while the session lives.

        Raises:
            EtcdError: The deletion from a shared session failed: the key stays in the line
                until it is deleted or the session ends. A revocation that fails is no error:
                closing stopped the keep-alive first, so the lease expires with its key.
        """
        await uninterrupted(lambda: self._abandon_now(key))

    async def _abandon_now(self, key: bytes) -> None:
        own, self._own_session = self._own_session, None
        if self._shared_session is None:
            if own is not None:
                with suppress(EtcdError):
                    await own.close()
        else:
            await self._client.rpc.kv.delete_range(DeleteRangeRequest(key=key))

    async def _leave(self) -> bool:
        """Give up the turn held: delete the key if it is still ours, close an own session.

        Closing an own session revokes its lease after the deletion; its failure is no error
        (the keep-alive stopped first, so the lease expires), and the deletion's error is the
        one raised. A cancellation meanwhile does not cut it short (it is raised after): a key
        left in a shared session's line would block every later participant.

        Returns:
            Whether the key was still ours (and is deleted now).
        """
        return await uninterrupted(self._leave_now)

    async def _leave_now(self) -> bool:
        claim, self._claim = self._claim, None
        own, self._own_session = self._own_session, None
        try:
            if claim is None:
                return False
            response = await self._client.rpc.kv.txn(release_request(claim.key, claim.revision))
            return response.succeeded
        finally:
            if own is not None:
                with suppress(EtcdError):
                    await own.close()
