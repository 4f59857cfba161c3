"""The one error tree of etcd3, and the mapping of gRPC errors onto it.

Every error the client raises for a failed RPC is an [`EtcdError`][etcd3.errors.Etcd3Exception]
(alias [`Etcd3Exception`][etcd3.errors.Etcd3Exception], the predecessor's name), raised ``from`` the
original ``grpc.RpcError``. A mapped error keeps the server's message in ``str(err)`` and exposes
``.code`` (the ``grpc.StatusCode``, or ``None`` for client-side errors), ``.details`` (the
server's text), ``.method`` (the gRPC path, when known), and two answers about the request:

- ``retryable``: sending the same request again is safe and may succeed. True when the request
  provably did not take effect for a passing reason (etcd refused it before proposing it: no
  leader, not leader, too many requests, ...; or it was never sent: no connection could be
  made), or when the RPC is safe to repeat (reads, status, watches, keep-alives:
  ``MethodInfo.retry_safe``) and the failure is a connection failure or a deadline.
- ``outcome_unknown``: the request may have taken effect. True for a call that changes state
  (put, delete, transaction, lease grant and revoke, member and auth changes, lock, campaign)
  when the failure may have come after the request left the client: the connection lost
  mid-call, a deadline, "request timed out" and "server stopped" (etcd stopped waiting for a
  proposal that may still commit), a cancellation, an internal or unclassified error. Never
  resend such a request blindly: read what it would have changed (compare revisions) first.

When neither is true, the request was refused and did not take effect, and sending it again
fails the same way (a bad argument, a missing permission, a compacted revision).

The module is long because the tree is: one short class per error etcd defines, each with its
documented meaning, then the rule that picks a class for a failed call. They stay together so
that a reader looking up an error finds what it says about the request next to it, under the
import path the predecessors used (``etcd3.errors``).

etcd's own errors are recognised by their exact (gRPC code, message) pair from
[`ETCD_ERROR_TABLE`][etcd3.errors.ETCD_ERROR_TABLE], one row per error etcd defines
(``api/v3rpc/rpctypes``); any other error falls back to the class of its gRPC code. The tree, with
the gRPC code of each fallback in brackets and what each class says of the failed request on the
right (``transient``: refused before taking effect, for a passing reason, so ``retryable`` whatever
the RPC; ``unknown``: the outcome is unknown for a call that changes state, and ``retryable`` for an
RPC that is safe to repeat when the class is a connection failure or a deadline; unmarked: refused,
not retryable):

    EtcdError (= Etcd3Exception)
    ├── ConnectionFailedError [UNAVAILABLE]     unknown; transient if never sent
    │   ├── NoLeaderError, LeaderChangedError, UnhealthyClusterError,
    │   │   LearnerNotSupportedError                             transient
    │   ├── ServerStoppedError, RequestTimedOutError             unknown
    │   ├── ProposalDroppedError [UNKNOWN "raft proposal dropped"]  transient
    │   ├── NoServerAvailableError (no endpoint usable)          as its cause
    │   └── ConnectionClosedError (the client was closed)        unknown if in flight
    │       ├── ClientForkedError (used in a child after os.fork())
    │       └── WrongEventLoopError (asyncio: used outside its channels' event loop)
    ├── ConnectionTimeoutError [DEADLINE_EXCEEDED, "context deadline exceeded"]  unknown
    ├── WatchTimedOut (watch creation not confirmed in time)     transient
    ├── InternalServerError [INTERNAL]                           unknown
    ├── PreconditionFailedError [FAILED_PRECONDITION]
    │   ├── NotLeaderError                                       transient
    │   ├── LeaseExistsError, NotCapableError, BadLeaderTransfereeError
    │   ├── MemberExistsError, PeerURLExistsError, MemberNotEnoughStartedError,
    │   │   MemberNotLearnerError, LearnerNotReadyError, TooManyLearnersError,
    │   │   ClusterIDMismatchError
    │   ├── RootUserNotExistError, RootRoleNotExistError, UserAlreadyExistsError,
    │   │   UserNotFoundError, RoleAlreadyExistsError, RoleNotFoundError,
    │   │   RoleNotGrantedError, PermissionNotGrantedError, AuthNotEnabledError
    │   ├── ClusterVersionUnavailableError, DowngradeInProcessError,
    │   │   NoInflightDowngradeError
    │   └── ElectionNotLeaderError
    ├── OutOfRangeError [OUT_OF_RANGE]
    │   ├── RevisionCompactedError (.compacted_revision)
    │   ├── FutureRevisionError
    │   └── LeaseTTLTooLargeError
    ├── NotFoundError [NOT_FOUND]
    │   ├── LeaseNotFoundError
    │   │   └── LeaseLostError (keep-alive lost it) ── SessionLostError
    │   ├── MemberNotFoundError
    │   └── ElectionNoLeaderError
    ├── InvalidArgumentError [INVALID_ARGUMENT]
    │   ├── EmptyKeyError, KeyNotFoundError, ValueProvidedError, LeaseProvidedError,
    │   │   TooManyOpsError, DuplicateKeyError, InvalidSortOptionError, RequestTooLargeError
    │   ├── MemberBadURLsError
    │   ├── UserEmptyError, RoleEmptyError, AuthFailedError, PermissionNotGivenError,
    │   │   InvalidAuthMgmtError, AuthOldRevisionError
    │   └── WrongDowngradeVersionFormatError, InvalidDowngradeTargetVersionError
    ├── PermissionDeniedError [PERMISSION_DENIED]
    ├── UnauthenticatedError [UNAUTHENTICATED]
    │   └── InvalidAuthTokenError
    ├── ResourceExhaustedError [RESOURCE_EXHAUSTED]
    │   ├── NoSpaceError
    │   └── TooManyRequestsError                                 transient
    ├── AlreadyExistsError [ALREADY_EXISTS]
    ├── AbortedError [ABORTED]                                   unknown
    ├── RequestCancelledError [CANCELLED]                        unknown
    │   └── WatchCanceledError
    ├── UnimplementedError [UNIMPLEMENTED] (the server lacks this RPC: an older etcd?)
    ├── DataLossError [DATA_LOSS]
    │   └── CorruptClusterError
    ├── UnknownError [UNKNOWN, OK]                               unknown
    ├── LockError ── LockNotAcquiredError
    ├── ElectionError ── NotElectionLeaderError
    └── StreamClosedError (``send`` on a stream that has ended)
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import grpc

# The table of etcd's errors (etcd3._error_table) loads with the first failed call that needs it,
# the first watch, or when one of its names is first read here: a program that never fails does
# not pay for it.
if TYPE_CHECKING:
    from etcd3._error_table import ETCD_ERROR_TABLE, EtcdErrorRow
else:
    from etcd3 import _lazy

    __getattr__, __dir__ = _lazy.attach(
        __name__,
        globals(),
        {"etcd3._error_table": ("ETCD_ERROR_TABLE", "EtcdErrorRow")},
    )

__all__ = [
    "ETCD_ERROR_TABLE",
    "AbortedError",
    "AlreadyExistsError",
    "AuthFailedError",
    "AuthNotEnabledError",
    "AuthOldRevisionError",
    "BadLeaderTransfereeError",
    "ClientForkedError",
    "ClusterIDMismatchError",
    "ClusterVersionUnavailableError",
    "ConnectionClosedError",
    "ConnectionFailedError",
    "ConnectionTimeoutError",
    "CorruptClusterError",
    "DataLossError",
    "DowngradeInProcessError",
    "DuplicateKeyError",
    "ElectionError",
    "ElectionNoLeaderError",
    "ElectionNotLeaderError",
    "EmptyKeyError",
    "Etcd3Exception",
    "EtcdError",
    "EtcdErrorRow",
    "FutureRevisionError",
    "InternalServerError",
    "InvalidArgumentError",
    "InvalidAuthMgmtError",
    "InvalidAuthTokenError",
    "InvalidDowngradeTargetVersionError",
    "InvalidSortOptionError",
    "KeyNotFoundError",
    "LeaderChangedError",
    "LearnerNotReadyError",
    "LearnerNotSupportedError",
    "LeaseExistsError",
    "LeaseLostError",
    "LeaseNotFoundError",
    "LeaseProvidedError",
    "LeaseTTLTooLargeError",
    "LockError",
    "LockNotAcquiredError",
    "MemberBadURLsError",
    "MemberExistsError",
    "MemberNotEnoughStartedError",
    "MemberNotFoundError",
    "MemberNotLearnerError",
    "NoInflightDowngradeError",
    "NoLeaderError",
    "NoServerAvailableError",
    "NoSpaceError",
    "NotCapableError",
    "NotElectionLeaderError",
    "NotFoundError",
    "NotLeaderError",
    "OutOfRangeError",
    "PeerURLExistsError",
    "PermissionDeniedError",
    "PermissionNotGivenError",
    "PermissionNotGrantedError",
    "PreconditionFailedError",
    "ProposalDroppedError",
    "RequestCancelledError",
    "RequestTimedOutError",
    "RequestTooLargeError",
    "ResourceExhaustedError",
    "RevisionCompactedError",
    "RoleAlreadyExistsError",
    "RoleEmptyError",
    "RoleNotFoundError",
    "RoleNotGrantedError",
    "RootRoleNotExistError",
    "RootUserNotExistError",
    "ServerStoppedError",
    "SessionLostError",
    "StreamClosedError",
    "TooManyLearnersError",
    "TooManyOpsError",
    "TooManyRequestsError",
    "UnauthenticatedError",
    "UnhealthyClusterError",
    "UnimplementedError",
    "UnknownError",
    "UserAlreadyExistsError",
    "UserEmptyError",
    "UserNotFoundError",
    "ValueProvidedError",
    "WatchCanceledError",
    "WatchTimedOut",
    "WrongDowngradeVersionFormatError",
    "WrongEventLoopError",
    "error_from_status",
    "map_rpc_error",
]

_Code = grpc.StatusCode

MTLS_HINT = (
    "the server may require a client certificate (mTLS): pass cert_key and cert_cert "
    "(the server refuses a TLS client without one by closing the connection)"
)

TLS_UNKNOWN_CAUSE_HINT = (
    "grpc reported no cause: the server may not speak TLS on this port (then connect without "
    "ca_cert), or may require a client certificate (then pass cert_key and cert_cert)"
)
UNRESPONSIVE_SERVER_HINT = (
    "the server took the connection but did not answer on it (the HTTP/2 greeting or a "
    "keepalive ping): it is hung, paused, overloaded or unreachable"
)
REFUSED_HINT = (
    "nothing listens at that address: check that etcd runs there and that the port is its "
    "client port (2379 by default, not the peer port 2380)"
)
UNTRUSTED_SERVER_HINT = (
    "the server's certificate is not signed by a CA the client trusts: pass the CA that "
    "signed it as ca_cert"
)
NO_CREDENTIALS_HINT = (
    "etcd has auth enabled and the call carried no token (or named no user): give the client "
    "user and password"
)
CLIENT_CERT_REFUSED_HINT = (
    "the server refused the client certificate: cert_cert must be signed by a CA the server "
    "trusts (its --trusted-ca-file)"
)
TLS_SERVER_HINT = (
    "the server closed the connection at once: it may serve TLS on this port; pass ca_cert "
    "(or use an https:// endpoint)"
)
TLS_FILES_HINT = (
    "grpc could not set up TLS with the files given: cert_key must be the private key of "
    "the certificate in cert_cert"
)
PLAINTEXT_SERVER_HINT = (
    "the server did not speak TLS: it serves plaintext on this port; connect without ca_cert "
    "(or with an http:// endpoint)"
)


def _rebuild(cls: type[EtcdError], args: tuple[object, ...], state: dict[str, object]) -> EtcdError:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class Effect(enum.Enum):
    """What a class of errors says the failed request did (see the module docstring)."""

    REFUSED = "refused"
    """The request did not take effect, and sending it again fails the same way."""
    TRANSIENT = "transient"
    """The request did not take effect, for a passing reason: sending it again may succeed."""
    UNKNOWN = "unknown"
    """The request may have taken effect (unless its RPC only reads)."""


# grpc's texts for a call that failed before anything was sent: no connection could be made (a
# channel in TRANSIENT_FAILURE fails calls at once with the last connect error), the name did
# not resolve, or grpc refused to write on a connection the process inherited across
# os.fork() (in the child, every write on such a connection fails before its system call).
_NEVER_SENT_MARKERS = (
    "failed to connect to all addresses",
    "errors resolving",
    "DNS resolution failed",
    "name resolution failed",
    "Wrong file descriptor generation",
)


class EtcdError(Exception):
    """Root of every error etcd3 raises for a failed call.

    Attributes:
        code: The gRPC status code, or ``None`` for errors detected by the client itself.
        details: The server's (or gRPC's) error text, without hints added by the client.
        retryable: Sending the same request again is safe and may succeed: it provably did not
            take effect, for a passing reason, or its RPC is safe to repeat and the failure is a
            connection failure or a deadline.
        outcome_unknown: The request may have taken effect (a call that changes state, failed
            after it may have reached etcd): read before sending it again.
        method: The gRPC method path (``"/etcdserverpb.KV/Range"``) when known.
    """

    default_code: ClassVar[grpc.StatusCode | None] = None
    """The gRPC code this class stands for (the code given to
    [`map_rpc_error`][etcd3.errors.map_rpc_error] wins)."""
    effect: ClassVar[Effect] = Effect.REFUSED
    """What errors of this class say the failed request did."""
    default_message: ClassVar[str] = ""

    code: grpc.StatusCode | None
    details: str
    retryable: bool
    outcome_unknown: bool
    method: str | None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: grpc.StatusCode | None = None,
        details: str | None = None,
        retryable: bool | None = None,
        outcome_unknown: bool | None = None,
        method: str | None = None,
        retry_safe: bool = False,
    ) -> None:
        """Create the error.

        Args:
            message: The text of ``str(err)``; defaults to ``details``, then the class's default.
            code: gRPC status code; defaults to the class's ``default_code``.
            details: The server's text; defaults to ``message``.
            retryable: Overrides what [`classify`][etcd3.errors.EtcdError.classify] says.
            outcome_unknown: Overrides what [`classify`][etcd3.errors.EtcdError.classify] says.
            method: The gRPC method path, when known.
            retry_safe: The failed RPC is safe to repeat (``MethodInfo.retry_safe``); by
                default it is taken to change state.
        """
        if message is None:
            message = details if details is not None else self.default_message
        super().__init__(message)
        self.code = code if code is not None else self.default_code
        self.details = details if details is not None else message
        self.method = method
        auto_retryable, auto_unknown = self.classify(retry_safe)
        self.retryable = auto_retryable if retryable is None else retryable
        self.outcome_unknown = auto_unknown if outcome_unknown is None else outcome_unknown

    @property
    def never_sent(self) -> bool:
        """Whether the request provably never left the client (no connection could be made, or
        grpc refused to write on a connection inherited across ``os.fork()``)."""
        return type(self) is ConnectionFailedError and any(
            marker in self.details for marker in _NEVER_SENT_MARKERS
        )

    def classify(self, retry_safe: bool) -> tuple[bool, bool]:
        """``(retryable, outcome_unknown)`` of this error for an RPC of the given safety.

        The one rule behind both flags and the transport's retries: a request that provably
        did not take effect for a passing reason may be sent again whatever it was; one whose
        outcome is unknown may be sent again only if its RPC is safe to repeat (and then only
        after a connection failure or a deadline); a refused one is not sent again.

        Args:
            retry_safe: The failed RPC is safe to repeat after an unknown outcome.
        """
        effect = Effect.TRANSIENT if self.never_sent else self.effect
        if effect is Effect.TRANSIENT:
            return True, False
        if effect is Effect.REFUSED:
            return False, False
        if retry_safe:
            return isinstance(self, (ConnectionFailedError, ConnectionTimeoutError)), False
        return False, True

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only state would be lost by Exception's default pickling.
        return (_rebuild, (type(self), self.args, self.__dict__))


Etcd3Exception = EtcdError
"""The predecessor's (python-etcd3's) name of [`EtcdError`][etcd3.errors.Etcd3Exception]."""


# --- One class per gRPC code (the fallbacks) ------------------------------------------------


class ConnectionFailedError(EtcdError):
    """The server could not be reached or could not serve the request (``UNAVAILABLE``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.UNAVAILABLE
    effect: ClassVar[Effect] = Effect.UNKNOWN


class ConnectionTimeoutError(EtcdError):
    """The call's deadline expired (``DEADLINE_EXCEEDED``); whether a write applied is unknown."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.DEADLINE_EXCEEDED
    effect: ClassVar[Effect] = Effect.UNKNOWN


class InternalServerError(EtcdError):
    """The server (or gRPC) hit an internal error (``INTERNAL``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.INTERNAL
    effect: ClassVar[Effect] = Effect.UNKNOWN


class PreconditionFailedError(EtcdError):
    """The cluster is not in a state that allows the request (``FAILED_PRECONDITION``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.FAILED_PRECONDITION


class OutOfRangeError(EtcdError):
    """A revision or value is outside the valid range (``OUT_OF_RANGE``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.OUT_OF_RANGE


class NotFoundError(EtcdError):
    """The named entity does not exist (``NOT_FOUND``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.NOT_FOUND


class InvalidArgumentError(EtcdError):
    """The request is malformed or refused as given (``INVALID_ARGUMENT``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.INVALID_ARGUMENT


class PermissionDeniedError(EtcdError):
    """The authenticated user may not do this (``PERMISSION_DENIED``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.PERMISSION_DENIED


class UnauthenticatedError(EtcdError):
    """The call carries no valid credentials (``UNAUTHENTICATED``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.UNAUTHENTICATED


class ResourceExhaustedError(EtcdError):
    """A quota or size limit was hit (``RESOURCE_EXHAUSTED``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.RESOURCE_EXHAUSTED


class AlreadyExistsError(EtcdError):
    """The entity to create already exists (``ALREADY_EXISTS``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.ALREADY_EXISTS


class AbortedError(EtcdError):
    """The operation was aborted, e.g. by a concurrency conflict (``ABORTED``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.ABORTED
    effect: ClassVar[Effect] = Effect.UNKNOWN


class RequestCancelledError(EtcdError):
    """The call was cancelled (``CANCELLED``); not ``asyncio.CancelledError``."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.CANCELLED
    effect: ClassVar[Effect] = Effect.UNKNOWN


class UnimplementedError(EtcdError):
    """The server does not implement this RPC (``UNIMPLEMENTED``), e.g. an older etcd."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.UNIMPLEMENTED


class DataLossError(EtcdError):
    """Unrecoverable data loss or corruption (``DATA_LOSS``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.DATA_LOSS


class UnknownError(EtcdError):
    """An error gRPC or the server did not classify (``UNKNOWN``)."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.UNKNOWN
    effect: ClassVar[Effect] = Effect.UNKNOWN


# --- Client-side errors ------------------------------------------------------------------


class WatchTimedOut(EtcdError):
    """The server did not confirm a watch's creation (or ``watch_once`` saw no event) in time."""

    effect: ClassVar[Effect] = Effect.TRANSIENT
    default_message: ClassVar[str] = "watch timed out"


class NoServerAvailableError(ConnectionFailedError):
    """No endpoint of a multi-endpoint client is currently usable.

    Raised in place of an endpoint's failure when failover is off: its ``__cause__`` is that
    failure, whose ``retryable`` and ``outcome_unknown`` it carries.
    """

    default_code: ClassVar[grpc.StatusCode | None] = None
    effect: ClassVar[Effect] = Effect.TRANSIENT
    default_message: ClassVar[str] = "no etcd server is available"


class ConnectionClosedError(ConnectionFailedError):
    """The connection (client) was closed; calls after ``close()`` raise this.

    A call in flight when the client closed raises it too: if that call changes state, its
    ``outcome_unknown`` is true.
    """

    default_code: ClassVar[grpc.StatusCode | None] = None
    effect: ClassVar[Effect] = Effect.REFUSED
    default_message: ClassVar[str] = "the connection is closed"


class ClientForkedError(ConnectionClosedError):
    """The client was created in another process and used after ``os.fork()``.

    gRPC channels do not survive a fork: the child must create its own client.
    """

    default_message: ClassVar[str] = (
        "this client was created before os.fork() and cannot be used in the child process: "
        "create a new client in the child"
    )


class WrongEventLoopError(ConnectionClosedError):
    """An asyncio client was used in an event loop other than the one its channels belong to.

    A grpc.aio channel is bound to the event loop it was opened in (on the client's first
    call). Once that loop is closed, as each ``asyncio.run()`` closes its own, or from another
    loop, the channel cannot carry a call. Create the client inside the loop that uses it,
    for example one client per ``asyncio.run()``.
    """

    default_message: ClassVar[str] = (
        "this asyncio client's channels belong to the event loop of its first call, which is "
        "closed or is not the running loop: create the client in the event loop that uses it "
        "(one client per asyncio.run())"
    )


class StreamClosedError(EtcdError):
    """``send`` on a stream that was cancelled, half-closed or has ended."""

    default_message: ClassVar[str] = "the stream is closed"


# --- etcd's own errors --------------------------------------------------------------------


class NoLeaderError(ConnectionFailedError):
    """The member has no leader (election in progress or lost quorum)."""

    effect: ClassVar[Effect] = Effect.TRANSIENT


class LeaderChangedError(ConnectionFailedError):
    """The leader changed while the request was being served."""

    effect: ClassVar[Effect] = Effect.TRANSIENT


class ServerStoppedError(ConnectionFailedError):
    """The member is shutting down; a request it had proposed may still commit."""


class UnhealthyClusterError(ConnectionFailedError):
    """The member refused the request because the cluster is unhealthy."""

    effect: ClassVar[Effect] = Effect.TRANSIENT


class LearnerNotSupportedError(ConnectionFailedError):
    """A learner member cannot serve this RPC; send it to a voting member."""

    effect: ClassVar[Effect] = Effect.TRANSIENT


class ProposalDroppedError(ConnectionFailedError):
    """Raft dropped the proposal (the member has no leader): nothing was applied."""

    default_code: ClassVar[grpc.StatusCode | None] = _Code.UNKNOWN
    effect: ClassVar[Effect] = Effect.TRANSIENT


class RequestTimedOutError(ConnectionFailedError):
    """The server timed out waiting for the request to commit; it may still apply."""


class NotLeaderError(PreconditionFailedError):
    """The member is not the leader; the request may succeed on the leader."""

    effect: ClassVar[Effect] = Effect.TRANSIENT


class NotCapableError(PreconditionFailedError):
    """The cluster version does not support the request."""


class BadLeaderTransfereeError(PreconditionFailedError):
    """The requested leader transferee is not a suitable member."""


class LeaseExistsError(PreconditionFailedError):
    """A lease with the requested ID already exists."""


class MemberExistsError(PreconditionFailedError):
    """A member with this ID already exists."""


class PeerURLExistsError(PreconditionFailedError):
    """Another member already uses one of these peer URLs."""


class MemberNotEnoughStartedError(PreconditionFailedError):
    """Reconfiguration refused: too few members are started."""


class MemberNotLearnerError(PreconditionFailedError):
    """Only a learner member can be promoted."""


class LearnerNotReadyError(PreconditionFailedError):
    """The learner is not yet in sync with the leader."""


class TooManyLearnersError(PreconditionFailedError):
    """The cluster already has the maximum number of learners."""


class ClusterIDMismatchError(PreconditionFailedError):
    """The request was sent to a member of another cluster."""


class RootUserNotExistError(PreconditionFailedError):
    """Auth cannot be enabled: user ``root`` does not exist."""


class RootRoleNotExistError(PreconditionFailedError):
    """Auth cannot be enabled: user ``root`` does not have role ``root``."""


class UserAlreadyExistsError(PreconditionFailedError):
    """The user already exists."""


class UserNotFoundError(PreconditionFailedError):
    """The user does not exist."""


class RoleAlreadyExistsError(PreconditionFailedError):
    """The role already exists."""


class RoleNotFoundError(PreconditionFailedError):
    """The role does not exist."""


class RoleNotGrantedError(PreconditionFailedError):
    """The role is not granted to the user."""


class PermissionNotGrantedError(PreconditionFailedError):
    """The permission is not granted to the role."""


class AuthNotEnabledError(PreconditionFailedError):
    """Authentication is not enabled on the server."""


class ClusterVersionUnavailableError(PreconditionFailedError):
    """The cluster version is unknown during a downgrade."""


class DowngradeInProcessError(PreconditionFailedError):
    """A downgrade job is already in progress."""


class NoInflightDowngradeError(PreconditionFailedError):
    """There is no downgrade job to cancel."""


class RevisionCompactedError(OutOfRangeError):
    """The requested revision has been compacted away.

    Attributes:
        compacted_revision: The revision the store is compacted to, when known (a watch tells
            it); ``0`` when unknown (a failed Range does not).
    """

    compacted_revision: int

    def __init__(
        self,
        message: str | int | None = None,
        *,
        compacted_revision: int = 0,
        code: grpc.StatusCode | None = None,
        details: str | None = None,
        retryable: bool | None = None,
        outcome_unknown: bool | None = None,
        method: str | None = None,
        retry_safe: bool = False,
    ) -> None:
        """Create the error; ``compacted_revision`` is 0 when unknown.

        An integer in place of the message is the compacted revision (the predecessors'
        one positional argument).

        Raises:
            TypeError: ``message`` is neither a str nor an integer (a bool is none), or is an
                integer while ``compacted_revision`` is given too.
        """
        if message is not None and not isinstance(message, str):
            if isinstance(message, bool) or not hasattr(message, "__index__"):
                raise TypeError(
                    f"message must be a str or the compacted revision (int), not {message!r}"
                )
            if compacted_revision:
                raise TypeError("the compacted revision is given twice")
            compacted_revision = operator.index(message)
            message = f"the revision is compacted: history starts at {compacted_revision}"
        super().__init__(
            message,
            code=code,
            details=details,
            retryable=retryable,
            outcome_unknown=outcome_unknown,
            method=method,
            retry_safe=retry_safe,
        )
        self.compacted_revision = compacted_revision


class FutureRevisionError(OutOfRangeError):
    """The requested revision is newer than the store's current revision."""


class LeaseTTLTooLargeError(OutOfRangeError):
    """The requested lease TTL exceeds the server's maximum."""


class LeaseNotFoundError(NotFoundError):
    """The lease does not exist (never granted, expired or revoked).

    Attributes:
        lease_id: The lease's ID when the call named one lease (a revoke, a renewal, a put
            with a lease), else ``0``.
    """

    lease_id: int = 0


class MemberNotFoundError(NotFoundError):
    """The member does not exist."""


class EmptyKeyError(InvalidArgumentError):
    """The request has an empty key."""


class KeyNotFoundError(InvalidArgumentError):
    """A put with ``ignore_value``/``ignore_lease`` targets a key that does not exist."""


class ValueProvidedError(InvalidArgumentError):
    """A put sets ``ignore_value`` and also provides a value."""


class LeaseProvidedError(InvalidArgumentError):
    """A put sets ``ignore_lease`` and also provides a lease."""


class TooManyOpsError(InvalidArgumentError):
    """The transaction has more operations than the server allows (``--max-txn-ops``)."""


class DuplicateKeyError(InvalidArgumentError):
    """The transaction writes the same key more than once."""


class InvalidSortOptionError(InvalidArgumentError):
    """The range request's sort options are invalid."""


class RequestTooLargeError(InvalidArgumentError):
    """The request exceeds the server's size limit (``--max-request-bytes``, 1.5 MiB default)."""


class MemberBadURLsError(InvalidArgumentError):
    """The given member URLs are invalid."""


class UserEmptyError(InvalidArgumentError):
    """No user name: with auth enabled, usually a call that carries no token."""


class RoleEmptyError(InvalidArgumentError):
    """The role name is empty."""


class AuthFailedError(InvalidArgumentError):
    """Authentication failed: wrong user name or password."""


class PermissionNotGivenError(InvalidArgumentError):
    """A permission grant without a permission."""


class InvalidAuthMgmtError(InvalidArgumentError):
    """The auth management request is invalid (e.g. revoking root's root role)."""


class AuthOldRevisionError(InvalidArgumentError):
    """The token predates a change of the auth store: re-authenticate and retry."""


class WrongDowngradeVersionFormatError(InvalidArgumentError):
    """The downgrade target version is malformed."""


class InvalidDowngradeTargetVersionError(InvalidArgumentError):
    """The downgrade target version is not allowed."""


class InvalidAuthTokenError(UnauthenticatedError):
    """The auth token is invalid or expired: re-authenticate and retry."""


class NoSpaceError(ResourceExhaustedError):
    """The database exceeded its space quota (the NOSPACE alarm is raised)."""


class TooManyRequestsError(ResourceExhaustedError):
    """The server is overloaded (too many pending proposals)."""

    effect: ClassVar[Effect] = Effect.TRANSIENT


class WatchCanceledError(RequestCancelledError):
    """The server cancelled the watch stream."""

    effect: ClassVar[Effect] = Effect.REFUSED


class CorruptClusterError(DataLossError):
    """The cluster detected data corruption (the CORRUPT alarm is raised)."""


class ElectionNoLeaderError(NotFoundError):
    """The election has no leader (nobody campaigns, or the leader resigned)."""


class ElectionNotLeaderError(PreconditionFailedError):
    """The caller is not (or no longer) the election's leader (Proclaim/Resign)."""


# --- Errors the client detects itself (leases, sessions, locks, elections) ----------------


class LeaseLostError(LeaseNotFoundError):
    """Automatic keep-alive lost the lease: it expired unrenewed or was revoked elsewhere.

    Raised when a lost lease is used ([`refresh`][etcd3.Lease.refresh],
    [`start_keep_alive`][etcd3.Lease.start_keep_alive],
    [`raise_if_lost`][etcd3.Lease.raise_if_lost]) and handed to the lease's ``on_lost`` callback. A
    [`LeaseNotFoundError`][etcd3.errors.LeaseNotFoundError], so code that already handles a missing
    lease handles this too.

    Attributes:
        lease_id: The ID of the lost lease.
    """

    def __init__(self, message: str | None = None, *, lease_id: int = 0) -> None:
        super().__init__(message, method="/etcdserverpb.Lease/LeaseKeepAlive")
        self.lease_id = lease_id


class SessionLostError(LeaseLostError):
    """The session's lease has expired or was revoked, or the session was closed: whatever it
    held is gone.

    Raised by a lock or an election that finds its key gone, and by any use of a lost or
    closed session.
    """

    default_code: ClassVar[grpc.StatusCode | None] = None  # detected by the client
    default_message: ClassVar[str] = "the session's lease has expired or was revoked"


class LockError(EtcdError):
    """A lock operation failed."""


class LockNotAcquiredError(LockError):
    """``with lock:`` (``async with``) could not acquire the lock within the lock's timeout."""

    default_message: ClassVar[str] = "the lock was not acquired in time"


class ElectionError(EtcdError):
    """An election operation failed."""


class NotElectionLeaderError(ElectionError):
    """The operation needs leadership (``proclaim``), but this candidate does not lead (never
    elected, resigned, or its session was lost)."""

    default_message: ClassVar[str] = "not the leader of this election"


# --- The mapping ----------------------------------------------------------------------


_E = "etcdserver: "

FALLBACK_BY_CODE: Mapping[grpc.StatusCode, type[EtcdError]] = {
    _Code.OK: UnknownError,  # an RpcError with OK status is a gRPC bug; never let it pass
    _Code.CANCELLED: RequestCancelledError,
    _Code.UNKNOWN: UnknownError,
    _Code.INVALID_ARGUMENT: InvalidArgumentError,
    _Code.DEADLINE_EXCEEDED: ConnectionTimeoutError,
    _Code.NOT_FOUND: NotFoundError,
    _Code.ALREADY_EXISTS: AlreadyExistsError,
    _Code.PERMISSION_DENIED: PermissionDeniedError,
    _Code.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    _Code.FAILED_PRECONDITION: PreconditionFailedError,
    _Code.ABORTED: AbortedError,
    _Code.OUT_OF_RANGE: OutOfRangeError,
    _Code.UNIMPLEMENTED: UnimplementedError,
    _Code.INTERNAL: InternalServerError,
    _Code.UNAVAILABLE: ConnectionFailedError,
    _Code.DATA_LOSS: DataLossError,
    _Code.UNAUTHENTICATED: UnauthenticatedError,
}
"""The class of an error whose (code, message) is not in
[`ETCD_ERROR_TABLE`][etcd3.errors.ETCD_ERROR_TABLE]."""


def rpc_status(exc: grpc.RpcError) -> tuple[grpc.StatusCode, str]:
    """The gRPC code and details of a failed call (``UNKNOWN`` and the error's text for the
    bare ``RpcError`` grpc raises in a few corners, which is not a ``Call``)."""
    code_fn = getattr(exc, "code", None)
    details_fn = getattr(exc, "details", None)
    code = code_fn() if callable(code_fn) else None
    details = details_fn() if callable(details_fn) else None
    if not isinstance(code, grpc.StatusCode):
        code = _Code.UNKNOWN
    if not isinstance(details, str):
        details = str(exc) if details is None else repr(details)
    return code, details


def map_rpc_error(
    exc: grpc.RpcError,
    *,
    method: str | None = None,
    secure_without_client_cert: bool = False,
    retry_safe: bool = False,
) -> EtcdError:
    """Translate a gRPC error into the matching [`EtcdError`][etcd3.errors.Etcd3Exception].

    The result's ``__cause__`` is already ``exc``, so it carries its origin even when it is
    handed to a callback instead of being raised; raise it with ``raise ... from exc``.

    Args:
        exc: The error grpc raised (sync or asyncio).
        method: The gRPC method path, for messages and ``err.method``.
        secure_without_client_cert: The channel uses TLS without a client certificate; an
            ``UNAVAILABLE`` then gets a hint that the server may require mTLS.
        retry_safe: The failed RPC is safe to repeat (``MethodInfo.retry_safe``); it decides
            ``retryable`` and ``outcome_unknown`` (see
            [`EtcdError.classify`][etcd3.errors.EtcdError.classify]).

    Returns:
        The mapped error (not raised).
    """
    code, details = rpc_status(exc)
    err = error_from_status(
        code,
        details,
        method=method,
        secure_without_client_cert=secure_without_client_cert,
        retry_safe=retry_safe,
    )
    err.__cause__ = exc
    return err


_CLASS_HINTS: Mapping[type[EtcdError], str] = {
    UserEmptyError: NO_CREDENTIALS_HINT,
    LeaseTTLTooLargeError: "the longest TTL etcd grants is 9,000,000,000 s",
    TooManyOpsError: "etcd's limit is its --max-txn-ops setting, 128 by default",
    RequestTooLargeError: "etcd's limit is its --max-request-bytes setting, 1.5 MiB by default",
}
"""What etcd's text for an error of these classes leaves out: what to do, or the limit."""

_GRPC_REQUEST_TOO_LARGE = "grpc: received message larger than max"
"""The start of etcd's gRPC server's refusal of a request over its receive limit (the
request size limit plus gRPC's margin), before etcd sees it."""


def error_from_status(
    code: grpc.StatusCode,
    details: str,
    *,
    method: str | None = None,
    secure_without_client_cert: bool = False,
    retry_safe: bool = False,
    hint: str | None = None,
) -> EtcdError:
    """Build the [`EtcdError`][etcd3.errors.Etcd3Exception] for a call's final status (see
    [`map_rpc_error`][etcd3.errors.map_rpc_error]).

    Args:
        code: The call's gRPC status code (not ``OK``).
        details: The call's status message.
        method: The gRPC method path, for messages and ``err.method``.
        secure_without_client_cert: As for [`map_rpc_error`][etcd3.errors.map_rpc_error].
        retry_safe: As for [`map_rpc_error`][etcd3.errors.map_rpc_error].
        hint: The likely cause of a connection failure (``UNAVAILABLE``), added to its message
            in place of the mTLS hint (e.g. ``PLAINTEXT_SERVER_HINT``).

    Returns:
        The mapped error (not raised), without a ``__cause__``.
    """
    from etcd3._error_table import BY_CODE_AND_MESSAGE

    cls = BY_CODE_AND_MESSAGE.get((code, details))
    message = details or code.name
    if cls is None:
        cls = FALLBACK_BY_CODE.get(code, UnknownError)
        if code is _Code.UNAVAILABLE and (hint is not None or secure_without_client_cert):
            message = f"{message} ({hint or MTLS_HINT})"
        elif code is _Code.UNIMPLEMENTED:
            message = _unimplemented_message(method, message)
        elif code is _Code.RESOURCE_EXHAUSTED and details.startswith(_GRPC_REQUEST_TOO_LARGE):
            # One error for a request over the size limit, whichever layer refused it.
            cls = RequestTooLargeError
            message = _E + "request is too large"
    missing = _CLASS_HINTS.get(cls)
    if missing is not None:
        message = f"{message} ({missing})"
    return cls(message, code=code, details=details, method=method, retry_safe=retry_safe)


def _unimplemented_message(method: str | None, details: str) -> str:
    """Name the RPC and, for one newer than etcd 3.0, the release that introduced it."""
    # The method table loads every message class: an error class alone does not need it.
    from etcd3.rpc.methods import BY_PATH

    info = BY_PATH.get(method) if method else None
    if method and info and info.since > (3, 0):
        since = ".".join(map(str, info.since))
        return (
            f"the server does not implement {method}, added in etcd {since}: "
            f"this server is older ({details})"
        )
    return f"the server does not implement {method or 'this RPC'} (an older etcd?): {details}"
