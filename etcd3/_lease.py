# Generated from etcd3/_lease_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""The sync client's leases: grant, inspect, refresh and revoke (:class:`Lease`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from types import TracebackType

from typing_extensions import Self

from etcd3._base import ClientBase
from etcd3._cluster_views import (
    LeaseBase,
    checked_keep_alive,
    lease_id_arg,
    ttl_arg,
    whole_call_seconds,
)
from etcd3._validate import flag
from etcd3.errors import LeaseNotFoundError, StreamClosedError
from etcd3.rpc.etcdserverpb import (
    LeaseGrantRequest,
    LeaseKeepAliveRequest,
    LeaseKeepAliveResponse,
    LeaseLeasesRequest,
    LeaseLeasesResponse,
    LeaseRevokeRequest,
    LeaseTimeToLiveRequest,
    LeaseTimeToLiveResponse,
)
from etcd3.rpc.methods import LEASE_LEASE_KEEP_ALIVE

__all__ = ["Lease", "LeaseMixin"]

_LEASES_REQUEST = LeaseLeasesRequest()


class Lease(LeaseBase):
    """A granted lease: keys put with ``lease=`` are deleted when it expires or is revoked.

    Get one from :meth:`LeaseMixin.lease`. ``with lease:`` revokes it on exit.

    The live reads (:attr:`remaining_ttl`, :attr:`granted_ttl`, :attr:`keys`) ask the server
    each time. In the sync client they are coroutine properties: ``lease.keys``; in
    the sync client plain properties: ``lease.keys``.

    Args:
        lease_id: The lease ID.
        ttl: The TTL in seconds it was granted with.
        etcd_client: The client its calls go through (required for any call).

    Attributes:
        id: The lease ID.
        ttl: The TTL in seconds it was granted with (see :attr:`granted_ttl` for the server's).
    """

    __slots__ = ("_etcd_client",)

    def __init__(self, lease_id: int, ttl: int, etcd_client: LeaseMixin | None = None) -> None:
        super().__init__(lease_id, ttl)
        self._etcd_client = etcd_client

    @property
    def _client(self) -> LeaseMixin:
        if self._etcd_client is None:
            raise ValueError(f"{self!r} has no etcd_client to make calls with")
        return self._etcd_client

    @property
    def remaining_ttl(self) -> int:
        """Seconds left before the lease expires; ``-1`` once it has expired or was revoked."""
        return (self._client.get_lease_info(self.id, keys=False)).TTL

    @property
    def granted_ttl(self) -> int:
        """The TTL in seconds the server granted (or last refreshed) the lease with."""
        return (self._client.get_lease_info(self.id, keys=False)).grantedTTL

    @property
    def keys(self) -> tuple[bytes, ...]:
        """The keys attached to the lease."""
        return tuple((self._client.get_lease_info(self.id, keys=True)).keys)

    def revoke(self, timeout_override: float | None = None) -> None:
        """Revoke the lease now: its keys are deleted.

        Args:
            timeout_override: This call's deadline in seconds (``None``: the client's).

        Raises:
            etcd3.errors.LeaseNotFoundError: The lease has expired or was revoked already.
            etcd3.EtcdError: The call failed.
        """
        self._client.revoke_lease(self.id, timeout_override)

    def refresh(self, timeout_override: float | None = None) -> LeaseKeepAliveResponse:
        """Renew the lease once: its remaining TTL starts again from the granted TTL.

        Args:
            timeout_override: Deadline in seconds of the keep-alive exchange (``None``: the
                client's).

        Returns:
            The server's ``LeaseKeepAliveResponse`` (``TTL``: the renewed TTL).

        Raises:
            etcd3.errors.LeaseNotFoundError: The lease has expired or was revoked.
            etcd3.EtcdError: The call failed.
        """
        return self._client._keep_alive_once(
            self.id, whole_call_seconds(timeout_override, self._client.timeout)
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Expired or revoked already: nothing is left to clean up.
        with suppress(LeaseNotFoundError):
            self.revoke()


class LeaseMixin(ClientBase):
    """The client's leases."""

    def lease(
        self, ttl: int, lease_id: int | None = None, timeout_override: float | None = None
    ) -> Lease:
        """Grant a lease.

        Args:
            ttl: Time to live in seconds (the server may grant a minimum of its own).
            lease_id: The ID to ask for; ``None`` lets the server choose.
            timeout_override: This call's deadline in seconds (``None``: the client's).

        Returns:
            The granted :class:`Lease`.

        Raises:
            TypeError: ``ttl`` or ``lease_id`` is not an int.
            ValueError: ``ttl`` is not positive, or ``lease_id`` is not a positive int64.
            etcd3.errors.LeaseExistsError: A lease with ``lease_id`` exists already.
            etcd3.EtcdError: The call failed.
        """
        request = LeaseGrantRequest(
            TTL=ttl_arg(ttl), ID=0 if lease_id is None else lease_id_arg(lease_id)
        )
        response = self._rpc.lease.lease_grant(request, timeout=self._deadline(timeout_override))
        return Lease(response.ID, response.TTL, self)

    def revoke_lease(self, lease_id: int, timeout_override: float | None = None) -> None:
        """Revoke a lease: the keys attached to it are deleted.

        Args:
            lease_id: The lease ID.
            timeout_override: This call's deadline in seconds (``None``: the client's).

        Raises:
            TypeError: ``lease_id`` is not an int.
            ValueError: ``lease_id`` is not a positive int64.
            etcd3.errors.LeaseNotFoundError: The lease has expired or was revoked already.
            etcd3.EtcdError: The call failed.
        """
        request = LeaseRevokeRequest(ID=lease_id_arg(lease_id))
        self._rpc.lease.lease_revoke(request, timeout=self._deadline(timeout_override))

    def refresh_lease(
        self, lease_id: int, timeout_override: float | None = None
    ) -> Iterator[LeaseKeepAliveResponse]:
        """Renew a lease once, through a short keep-alive stream opened on first iteration.

        Args:
            lease_id: The lease ID.
            timeout_override: Deadline in seconds of the whole stream (``None``: the client's).

        Returns:
            An iterator yielding the one ``LeaseKeepAliveResponse`` (``TTL``: the renewed TTL).

        Raises:
            TypeError: ``lease_id`` is not an int (at call time).
            ValueError: ``lease_id`` is not a positive int64 (at call time).
            etcd3.errors.LeaseNotFoundError: The lease has expired, was revoked or never
                existed (etcd itself answers TTL 0; this client raises instead).
            etcd3.EtcdError: The call failed.
        """
        lease_id = lease_id_arg(lease_id)
        seconds = whole_call_seconds(timeout_override, self.timeout)
        return self._refresh_lease(lease_id, seconds)

    def _refresh_lease(
        self, lease_id: int, seconds: float | None
    ) -> Iterator[LeaseKeepAliveResponse]:
        yield self._keep_alive_once(lease_id, seconds)

    def _keep_alive_once(self, lease_id: int, seconds: float | None) -> LeaseKeepAliveResponse:
        stream = self._rpc.lease.lease_keep_alive(timeout=seconds)
        with stream:
            stream.send(LeaseKeepAliveRequest(ID=lease_id))
            for response in stream:
                return checked_keep_alive(response)
        raise StreamClosedError(
            "the keep-alive stream ended without an answer", method=LEASE_LEASE_KEEP_ALIVE.path
        )

    def get_lease_info(
        self, lease_id: int, keys: bool = True, timeout_override: float | None = None
    ) -> LeaseTimeToLiveResponse:
        """Read a lease's TTLs and attached keys.

        Args:
            lease_id: The lease ID.
            keys: Whether to list the attached keys (``keys`` of the response).
            timeout_override: This call's deadline in seconds (``None``: the client's).

        Returns:
            The ``LeaseTimeToLiveResponse``: ``TTL`` (seconds left, ``-1`` once expired or
            unknown), ``grantedTTL`` and ``keys``.

        Raises:
            TypeError: ``lease_id`` is not an int.
            ValueError: ``lease_id`` is not a positive int64.
            etcd3.EtcdError: The call failed.
        """
        request = LeaseTimeToLiveRequest(ID=lease_id_arg(lease_id), keys=flag(keys, "keys"))
        return self._rpc.lease.lease_time_to_live(request, timeout=self._deadline(timeout_override))

    def leases(self, timeout_override: float | None = None) -> LeaseLeasesResponse:
        """List every lease the cluster holds.

        Args:
            timeout_override: This call's deadline in seconds (``None``: the client's).

        Returns:
            The ``LeaseLeasesResponse``: ``[status.ID for status in response.leases]``.

        Raises:
            etcd3.EtcdError: The call failed.
        """
        return self._rpc.lease.lease_leases(
            _LEASES_REQUEST, timeout=self._deadline(timeout_override)
        )
