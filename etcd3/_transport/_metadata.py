"""The metadata every call carries, and the auth token in it.

etcd reads the auth token from the call metadata key ``token`` (grpc sends ``CallCredentials``
only over TLS, and etcd commonly runs auth on plaintext). :class:`CallMetadata` keeps the
token, the credentials to log in again when it expires, and whether a stream was refused for
it; it builds each call's metadata tuple once per token change, so a call only picks one.

With ``require_leader``, calls carry ``hasleader: true``: a member without a leader refuses
them at once ("etcdserver: no leader", never applied, so retried elsewhere even for writes)
instead of letting them hang, and etcd cancels such Watch and LeaseKeepAlive streams when the
member loses its leader, instead of leaving them silently stalled. Maintenance calls never carry
it: status, alarms, defragment and snapshot must work on a member cut off from its leader.
"""

from __future__ import annotations

from google.protobuf.message import Message

from etcd3._runtime import Metadata, MethodInfo

__all__ = ["REQUIRE_LEADER_METADATA", "TOKEN_METADATA_KEY", "CallMetadata", "MetadataTuple"]

TOKEN_METADATA_KEY = "token"
"""etcd reads the auth token from this call metadata key (CallCredentials need TLS)."""

REQUIRE_LEADER_METADATA = ("hasleader", "true")
"""Metadata asking etcd to refuse the call (cancel the stream) while it has no leader."""

_LEADERLESS_SERVICES = frozenset({"etcdserverpb.Maintenance"})

MetadataTuple = tuple[tuple[str, str | bytes], ...]
"""Call metadata as grpc takes it."""


class CallMetadata:
    """The token, the credentials to renew it, and the metadata of every call.

    Not locked: each attribute is replaced whole, so a reader sees the old or the new value.

    Args:
        base: Extra metadata sent with every call.
        require_leader: Send ``hasleader: true`` (except on Maintenance calls).
    """

    __slots__ = (
        "_base",
        "_credentials",
        "_leader",
        "_plain",
        "_require_leader",
        "_stale",
        "_token",
    )

    def __init__(self, base: Metadata | None, *, require_leader: bool) -> None:
        self._base: MetadataTuple = tuple(base or ())
        self._require_leader = require_leader
        self._token: str | None = None
        self._stale = False
        self._credentials: tuple[str, str] | None = None
        self._plain: MetadataTuple | None = None
        self._leader: MetadataTuple | None = None
        self._rebuild()

    @property
    def token(self) -> str | None:
        """The auth token sent with every call, if any."""
        return self._token

    def set_token(self, token: str | None) -> None:
        """Send ``token`` with every later call (``None``: send none)."""
        self._token = token
        self._rebuild()

    def logged_in(self, token: str) -> None:
        """A login returned ``token``: send it from now on; it is fresh."""
        self.set_token(token)
        self._stale = False

    @property
    def stale(self) -> bool:
        """Whether a stream was refused for the token (renew it before the next stream)."""
        return self._stale

    def mark_stale(self) -> None:
        """Note that etcd refused the token on a stream."""
        self._stale = True

    @property
    def credentials(self) -> tuple[str, str] | None:
        """``(user, password)`` to log in again with when the token expires, if known."""
        return self._credentials

    def set_credentials(self, user: str | None, password: str | None) -> None:
        """Remember the credentials used to renew an expired token (``None``: forget them)."""
        self._credentials = (user, password) if user is not None and password is not None else None

    def for_call(
        self, method: MethodInfo[Message, Message], extra: Metadata | None
    ) -> MetadataTuple | None:
        """The metadata of a call of ``method`` with the caller's ``extra`` pairs.

        Returns:
            The pairs in order (base, token, ``hasleader``, extra), or ``None`` for none.
        """
        md = self._plain if method.service in _LEADERLESS_SERVICES else self._leader
        if extra:
            return (*(md or ()), *extra)
        return md

    def anonymous(self, method: MethodInfo[Message, Message]) -> MetadataTuple | None:
        """The metadata of a login: without the token, which etcd would check (and refuse,
        when stale) before anything else."""
        md = self._base
        if self._require_leader and method.service not in _LEADERLESS_SERVICES:
            md = (*md, REQUIRE_LEADER_METADATA)
        return md or None

    def _rebuild(self) -> None:
        token = self._token
        extra: MetadataTuple = ((TOKEN_METADATA_KEY, token),) if token is not None else ()
        plain = (*self._base, *extra)
        self._plain = plain or None
        self._leader = (*plain, REQUIRE_LEADER_METADATA) if self._require_leader else plain or None
