# async-to-sync: source
"""The client's entry points to the coordination recipes: locks, sessions, elections.

The recipes' modules load when a method here is first called: a client that never locks or
elects does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etcd3._lease_async import AsyncLeaseMixin
from etcd3._watch_async import AsyncWatchMixin

if TYPE_CHECKING:
    from etcd3._election_async import AsyncElection
    from etcd3._lease_core import LeaseLostCallback
    from etcd3._lock_async import AsyncLock
    from etcd3._session_async import AsyncSession

__all__ = ["AsyncRecipesClient", "AsyncRecipesMixin"]


class AsyncRecipesClient(AsyncWatchMixin, AsyncLeaseMixin):
    """What the coordination recipes need of a client: its leases and watches.

    Every ``AsyncRecipesClient`` is one; sessions, locks and elections take it.
    """


class AsyncRecipesMixin(AsyncRecipesClient):
    """Locks, sessions and elections on top of the client's leases and watches.

    None of these methods sends a request: the objects they return do, when used.
    """

    def lock(self, name: str | bytes, ttl: int = 60) -> AsyncLock:
        """A distributed lock named ``name`` (see [`AsyncLock`][etcd3.AsyncLock]).

        Args:
            name: The lock's name: its keys live under ``/locks/<name>/``.
            ttl: Seconds a dead holder keeps the lock before it passes on.

        Returns:
            The lock, not yet acquired (``async with lock:`` or ``await lock.acquire()``).

        Raises:
            TypeError: ``name`` is not ``str``/``bytes`` or ``ttl`` not an int.
            ValueError: An empty ``name`` or a ``ttl`` <= 0.
        """
        from etcd3._lock_async import AsyncLock

        return AsyncLock(name, ttl, self)

    def session(self, ttl: int = 60, *, on_lost: LeaseLostCallback | None = None) -> AsyncSession:
        """A session: a lease kept alive automatically, for locks and elections to share
        (see [`AsyncSession`][etcd3.AsyncSession]).

        Args:
            ttl: The lease's time to live in seconds: how long the session's keys outlive a
                dead process.
            on_lost: Called once with the [`LeaseLostError`][etcd3.errors.LeaseLostError] if the
                session is lost.

        Returns:
            The session; its lease is granted by ``async with``, ``open()`` or first use.

        Raises:
            TypeError: ``ttl`` is not an int, or ``on_lost`` not callable.
            ValueError: ``ttl`` <= 0.
        """
        from etcd3._session_async import AsyncSession

        return AsyncSession(self, ttl, on_lost=on_lost)

    def election(
        self, name: str | bytes, *, ttl: int = 60, prefix: str | bytes | None = None
    ) -> AsyncElection:
        """A leader election named ``name`` with sessions of its own (see
        [`AsyncElection`][etcd3.AsyncElection]; pass a session to ``AsyncElection`` to share one).

        Args:
            name: The election's name: its keys live under ``/election/<name>/``.
            ttl: Seconds a dead leader keeps the leadership before it passes on.
            prefix: The key prefix to use instead of ``/election/<name>/``.

        Returns:
            The election, not campaigning yet.

        Raises:
            TypeError: A bad argument type.
            ValueError: An empty ``name`` or ``prefix``, or a ``ttl`` <= 0.
        """
        from etcd3._election_async import AsyncElection

        return AsyncElection(self, name, ttl=ttl, prefix=prefix)
