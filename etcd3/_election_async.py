# async-to-sync: source
"""Leader election: [`AsyncElection`][etcd3.AsyncElection], Go-compatible (etcd's
``concurrency.Election``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType

from typing_extensions import Self

from etcd3._concurrency_core import (
    ELECTION_PREFIX,
    Leader,
    NotElectionLeaderError,
    first_put,
    leader_changes,
    leader_of,
    owner_request,
    proclaim_request,
)
from etcd3._recipes_async import AsyncRecipesClient
from etcd3._session_async import AsyncParticipant, AsyncSession
from etcd3._timeouts import deadline_after, timeout_arg
from etcd3._validate import recipe_name_arg, recipe_prefix_arg, to_bytes, ttl_arg

__all__ = ["AsyncElection"]


class AsyncElection(AsyncParticipant):
    """A leader election: at most one leader at a time; candidates take over in the order
    they started campaigning.

    Get one with ``client.election(name)`` or ``AsyncElection(session_or_client, name)``.
    The protocol and key layout are those of etcd's Go ``concurrency.Election``: each
    candidate writes ``<prefix><lease id hex>`` (default prefix ``/election/<name>/``; a Go
    ``NewElection(s, "/election/<name>")`` shares it) with its session's lease and the value
    it campaigns with; the key with the lowest create revision leads, and its value is the
    leader's proclamation. Observers ([`observe`][etcd3.AsyncElection.observe],
    [`leader`][etcd3.AsyncElection.leader]) need no session.

    Leadership ends with [`resign`][etcd3.AsyncElection.resign],
    [`close`][etcd3.AsyncElection.close], or the loss of the session: once the session is lost
    [`is_leader`][etcd3.AsyncElection.is_leader] is false and
    [`proclaim`][etcd3.AsyncElection.proclaim] raises, and since the lease is gone on the server,
    the next candidate is elected. The create revision of the leader's key
    ([`revision`][etcd3.AsyncElection.revision]) grows with each new leader: use it as a fencing
    token.

    Args:
        session_or_client: An [`AsyncSession`][etcd3.AsyncSession] to campaign with, or a client
            (the election then opens a session of its own for each campaign, closed on
            [`resign`][etcd3.AsyncElection.resign]).
        name: The election's name (``str`` or ``bytes``, not empty).
        ttl: Lease TTL in seconds of the election's own sessions (unused with a session).
        prefix: The key prefix of the election, instead of ``/election/<name>/``.

    Raises:
        TypeError: ``session_or_client`` is neither a session nor a client, or another bad
            argument type.
        ValueError: An empty name or prefix, or a ``ttl`` <= 0.

    Attributes:
        name: The election's name as given.
        prefix: The election's key prefix (bytes).
    """

    _not_held = NotElectionLeaderError

    def __init__(
        self,
        session_or_client: AsyncSession | AsyncRecipesClient,
        name: str | bytes,
        *,
        ttl: int = 60,
        prefix: str | bytes | None = None,
    ) -> None:
        raw_name = recipe_name_arg(name)
        checked_ttl = ttl_arg(ttl)
        if isinstance(session_or_client, AsyncSession):
            session: AsyncSession | None = session_or_client
            client = session_or_client.client
        elif isinstance(session_or_client, AsyncRecipesClient):
            session, client = None, session_or_client
        else:
            raise TypeError(
                f"session_or_client must be a Session or a client, "
                f"not {type(session_or_client).__name__}"
            )
        super().__init__(
            client, session, checked_ttl, recipe_prefix_arg(prefix, ELECTION_PREFIX, raw_name)
        )
        self.name = name

    def __repr__(self) -> str:
        state = "leader" if self._claim is not None else "not leader"
        return f"<{type(self).__name__} {self.prefix!r} {state}>"

    def is_leader(self) -> bool:
        """Whether this candidate leads, as far as this process knows (no request).

        False before winning, after [`resign`][etcd3.AsyncElection.resign], and as soon as the
        session is lost.
        """
        return self._holds()

    async def campaign(self, value: str | bytes, timeout: float | None = None) -> bool:
        """Stand for election with ``value`` and wait until elected.

        Campaigning again while leading proclaims ``value`` instead.

        Args:
            value: The value to lead with (what [`leader`][etcd3.AsyncElection.leader] and observers
                see).
            timeout: Seconds to wait for the leadership, requests included (each also has
                the client's timeout); ``None`` (or ``math.inf``) waits as long as it takes;
                ``0`` only wins an election nobody leads. Deleting the key of a failed
                campaign has the client's timeout alone: a key left behind would stand in
                every later candidate's way.

        Returns:
            Whether this candidate leads now. On ``False`` (and on any error or
                cancellation) its key is deleted again.

        Raises:
            TypeError: ``value`` is not ``str``/``bytes``, or ``timeout`` not a number.
            ValueError: ``timeout`` is negative.
            etcd3.errors.SessionLostError: The session was lost (before or while waiting).
            etcd3.errors.ConnectionTimeoutError: The time ran out before etcd granted the
                session's lease, answered the request to join the line, or confirmed that the
                turn came: whether another holds the leadership is unknown.
            etcd3.EtcdError: A request failed.
        """
        data = to_bytes(value, "value")
        wait = timeout_arg(timeout)
        if self._holds():
            await self.proclaim(data)
            return True
        self._claim = None
        claim = await self._enqueue(data, deadline_after(wait), try_once=wait == 0)
        self._claim = claim
        if claim is not None and claim.value != data:
            # This session had campaigned before with another value: lead with this one.
            await self.proclaim(data)
        return claim is not None

    async def proclaim(self, value: str | bytes) -> None:
        """Change the leader's value without a new election.

        Args:
            value: The new value.

        Raises:
            TypeError: ``value`` is not ``str``/``bytes``.
            etcd3.errors.NotElectionLeaderError: This candidate does not lead (any more).
            etcd3.EtcdError: The request failed.
        """
        data = to_bytes(value, "value")
        claim, lease = self._claim, self.lease
        if claim is None or lease is None or not self._holds():
            self._claim = None
            raise NotElectionLeaderError(f"not the leader of the election {self.prefix!r}")
        response = await self._client.rpc.kv.txn(
            proclaim_request(claim.key, claim.revision, data, lease.id)
        )
        if not response.succeeded:
            self._claim = None
            raise NotElectionLeaderError(
                f"the leader key {claim.key!r} is gone: leadership of {self.prefix!r} was lost"
            )
        self._claim = claim._replace(value=data)

    async def resign(self) -> bool:
        """Give up leadership (a no-op when not leading); the next candidate is elected.

        Deletes the candidate's key, then revokes the election's own session, if it has one:
        each request has the client's timeout. The revocation only hands leadership on sooner:
        when it fails, the session's lease, no longer kept alive, expires with the key.

        Returns:
            Whether this candidate led and its key was deleted now.

        Raises:
            etcd3.EtcdError: The deletion failed. The object leads no longer either way;
                the key goes with the session's lease: an own session's is revoked at once
                (or expires after its TTL), a shared session's ends with that session.
        """
        return await self._leave()

    async def leader(self) -> Leader | None:
        """The current leader, read from the server.

        Returns:
            ``Leader(key, value, revision)``, or ``None`` when nobody leads.

        Raises:
            etcd3.EtcdError: The request failed.
        """
        return leader_of(await self._client.rpc.kv.range(owner_request(self.prefix)))

    def observe(self) -> AsyncIterator[Leader]:
        """Follow the leadership: yield the leader now (once there is one), then each change
        of leader or of its value, in order, until the iteration stops.

        Nothing is sent before the first iteration. While nobody leads, nothing is yielded.
        Stop it with ``break`` (or ``aclose()``/``close()`` of the iterator).

        Returns:
            An iterator of [`Leader`][etcd3.Leader] values.
        """
        return self._observe()

    async def _observe(self) -> AsyncIterator[Leader]:
        client = self._client
        last: Leader | None = None
        while True:
            response = await client.rpc.kv.range(owner_request(self.prefix))
            current = leader_of(response)
            start = response.header.revision + 1
            if current is None:
                found = None
                responses, cancel = await client.watch_prefix_response(
                    self.prefix, start_revision=start, filters=["nodelete"]
                )
                try:
                    async for batch in responses:
                        found = first_put(batch.watch_response.events)
                        if found is not None:
                            break
                finally:
                    await cancel()
                if found is None:
                    return  # the watch ended (the client closed)
                current, start = found
            if current != last:
                last = current
                yield current
            responses, cancel = await client.watch_response(current.key, start_revision=start)
            try:
                deleted = False
                async for batch in responses:
                    values, deleted = leader_changes(batch.watch_response.events)
                    for value in values:
                        if value != last:
                            last = value
                            yield value
                    if deleted:
                        break
                if not deleted:
                    return  # the watch ended (the client closed)
            finally:
                await cancel()

    async def close(self) -> None:
        """Resign, and close the election's own session (a given session stays open)."""
        await self.resign()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
