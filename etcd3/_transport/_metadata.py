"""The metadata every call carries, and the auth token in it.

etcd reads the auth token from the call metadata key ``token`` (grpc sends ``CallCredentials``
only over TLS, and etcd commonly runs auth on plaintext). ``CallMetadata`` keeps the
token, the credentials to log in again when it expires, and whether a stream was refused for
it; it builds each call's metadata once per token change, so a call only picks one. grpc.aio
parses a metadata tuple into its own ``Metadata`` object on every call (a tenth of a unary
call's client CPU); the asyncio caller hands it one prebuilt object instead (``freeze``).

With ``require_leader``, calls carry ``hasleader: true``: a member without a leader refuses
them at once ("etcdserver: no leader", never applied, so retried elsewhere even for writes)
instead of letting them hang, and etcd cancels such Watch and LeaseKeepAlive streams when the
member loses its leader, instead of leaving them silently stalled. Maintenance calls never carry
it: status, alarms, defragment and snapshot must work on a member cut off from its leader.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TypeAlias

from google.protobuf.message import Message

from etcd3._runtime import Metadata, MethodInfo

__all__ = [
    "LEADERLESS_SERVICES",
    "REQUIRE_LEADER_METADATA",
    "TOKEN_METADATA_KEY",
    "CallMetadata",
    "MetadataTuple",
    "WireMetadata",
]

TOKEN_METADATA_KEY = "token"
"""etcd reads the auth token from this call metadata key (CallCredentials need TLS)."""

REQUIRE_LEADER_METADATA = ("hasleader", "true")
"""Metadata asking etcd to refuse the call (cancel the stream) while it has no leader."""

LEADERLESS_SERVICES = frozenset({"etcdserverpb.Maintenance"})
"""The services whose calls never carry ``hasleader``."""

MetadataTuple: TypeAlias = tuple[tuple[str, str | bytes], ...]
"""Call metadata as pairs."""

WireMetadata: TypeAlias = Collection[tuple[str, str | bytes]]
"""Call metadata as handed to grpc: pairs, or an object prebuilt from them (grpc.aio's
``Metadata``)."""


class CallMetadata:
    """The token, the credentials to renew it, and the metadata of every call.

    Not locked: each attribute is replaced whole, so a reader sees the old or the new value.

    Args:
        base: Extra metadata sent with every call.
        require_leader: Send ``hasleader: true`` (except on Maintenance calls).
        freeze: Turns the pairs of a call without extra metadata into what is sent for them
            (once per token change); the pairs themselves without it.
    """

    __slots__ = (
        "_base",
        "_credentials",
        "_freeze",
        "_leader_pairs",
        "_plain_pairs",
        "_require_leader",
        "_stale",
        "leader",
        "plain",
        "token",
    )

    leader: WireMetadata | None
    """What a call with ``hasleader`` sends (everything but Maintenance calls)."""
    plain: WireMetadata | None
    """What a call without ``hasleader`` sends."""
    token: str | None
    """The auth token sent with every call, if any."""

    def __init__(
        self,
        base: Metadata | None,
        *,
        require_leader: bool,
        freeze: Callable[[MetadataTuple], WireMetadata] | None = None,
    ) -> None:
        self._base: MetadataTuple = tuple(base or ())
        self._require_leader = require_leader
        self._freeze = freeze
        self.token = None
        self._stale = False
        self._credentials: tuple[str, str] | None = None
        self._rebuild()

    def set_token(self, token: str | None) -> None:
        """Send ``token`` with every later call (``None``: send none)."""
        self.token = token
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
    ) -> WireMetadata | None:
        """The metadata of a call of ``method`` with the caller's ``extra`` pairs.

        Returns:
            The pairs in order (base, token, ``hasleader``, extra), or ``None`` for none.
        """
        leaderless = method.service in LEADERLESS_SERVICES
        if extra:
            return (*(self._plain_pairs if leaderless else self._leader_pairs), *extra)
        return self.plain if leaderless else self.leader

    def anonymous(self, method: MethodInfo[Message, Message]) -> MetadataTuple | None:
        """The metadata of a login: without the token, which etcd would check (and refuse,
        when stale) before anything else."""
        md = self._base
        if self._require_leader and method.service not in LEADERLESS_SERVICES:
            md = (*md, REQUIRE_LEADER_METADATA)
        return md or None

    def _rebuild(self) -> None:
        token = self.token
        extra: MetadataTuple = ((TOKEN_METADATA_KEY, token),) if token is not None else ()
        plain = (*self._base, *extra)
        leader = (*plain, REQUIRE_LEADER_METADATA) if self._require_leader else plain
        self._plain_pairs, self._leader_pairs = plain, leader
        freeze = self._freeze
        if freeze is None:
            self.plain, self.leader = plain or None, leader or None
        else:
            self.plain = freeze(plain) if plain else None
            self.leader = freeze(leader) if leader else None
