"""The table of etcd's errors: each (gRPC code, exact message) etcd sends, and our class for it.

Read through ``etcd3.errors`` (``ETCD_ERROR_TABLE``, ``EtcdErrorRow``, ...), which loads this module
with the first failed call that needs it, or with the first watch (the watch core reads the
table's messages): building the table costs more than a program that never fails should pay at
import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import grpc

from etcd3.errors import (
    AuthFailedError,
    AuthNotEnabledError,
    AuthOldRevisionError,
    BadLeaderTransfereeError,
    ClusterIDMismatchError,
    ClusterVersionUnavailableError,
    ConnectionTimeoutError,
    CorruptClusterError,
    DowngradeInProcessError,
    DuplicateKeyError,
    ElectionNoLeaderError,
    ElectionNotLeaderError,
    EmptyKeyError,
    EtcdError,
    FutureRevisionError,
    InvalidAuthMgmtError,
    InvalidAuthTokenError,
    InvalidDowngradeTargetVersionError,
    InvalidSortOptionError,
    KeyNotFoundError,
    LeaderChangedError,
    LearnerNotReadyError,
    LearnerNotSupportedError,
    LeaseExistsError,
    LeaseNotFoundError,
    LeaseProvidedError,
    LeaseTTLTooLargeError,
    MemberBadURLsError,
    MemberExistsError,
    MemberNotEnoughStartedError,
    MemberNotFoundError,
    MemberNotLearnerError,
    NoInflightDowngradeError,
    NoLeaderError,
    NoSpaceError,
    NotCapableError,
    NotLeaderError,
    PeerURLExistsError,
    PermissionDeniedError,
    PermissionNotGivenError,
    PermissionNotGrantedError,
    ProposalDroppedError,
    RequestCancelledError,
    RequestTimedOutError,
    RequestTooLargeError,
    RevisionCompactedError,
    RoleAlreadyExistsError,
    RoleEmptyError,
    RoleNotFoundError,
    RoleNotGrantedError,
    RootRoleNotExistError,
    RootUserNotExistError,
    ServerStoppedError,
    TooManyLearnersError,
    TooManyOpsError,
    TooManyRequestsError,
    UnhealthyClusterError,
    UserAlreadyExistsError,
    UserEmptyError,
    UserNotFoundError,
    ValueProvidedError,
    WatchCanceledError,
    WrongDowngradeVersionFormatError,
)
from etcd3.rpc.server_errors import SERVER_ERRORS

__all__ = [
    "BY_CODE_AND_MESSAGE",
    "CLASS_BY_GO_NAME",
    "ETCD_ERROR_TABLE",
    "UNDECLARED_ERRORS",
    "EtcdErrorRow",
]

_Code = grpc.StatusCode


class EtcdErrorRow(NamedTuple):
    """One error etcd sends: its gRPC code, its exact message and our class for it."""

    code: grpc.StatusCode
    message: str
    error_class: type[EtcdError]


CLASS_BY_GO_NAME: Mapping[str, type[EtcdError]] = {
    # KV
    "ErrGRPCEmptyKey": EmptyKeyError,
    "ErrGRPCKeyNotFound": KeyNotFoundError,
    "ErrGRPCValueProvided": ValueProvidedError,
    "ErrGRPCLeaseProvided": LeaseProvidedError,
    "ErrGRPCTooManyOps": TooManyOpsError,
    "ErrGRPCDuplicateKey": DuplicateKeyError,
    "ErrGRPCCompacted": RevisionCompactedError,
    "ErrGRPCFutureRev": FutureRevisionError,
    "ErrGRPCNoSpace": NoSpaceError,
    # Leases and watches
    "ErrGRPCLeaseNotFound": LeaseNotFoundError,
    "ErrGRPCLeaseExist": LeaseExistsError,
    "ErrGRPCLeaseTTLTooLarge": LeaseTTLTooLargeError,
    "ErrGRPCWatchCanceled": WatchCanceledError,
    # Membership
    "ErrGRPCMemberExist": MemberExistsError,
    "ErrGRPCPeerURLExist": PeerURLExistsError,
    "ErrGRPCMemberNotEnoughStarted": MemberNotEnoughStartedError,
    "ErrGRPCMemberBadURLs": MemberBadURLsError,
    "ErrGRPCMemberNotFound": MemberNotFoundError,
    "ErrGRPCMemberNotLearner": MemberNotLearnerError,
    "ErrGRPCLearnerNotReady": LearnerNotReadyError,
    "ErrGRPCTooManyLearners": TooManyLearnersError,
    "ErrGRPCClusterIdMismatch": ClusterIDMismatchError,
    # Limits
    "ErrGRPCRequestTooLarge": RequestTooLargeError,
    "ErrGRPCRequestTooManyRequests": TooManyRequestsError,
    # Auth
    "ErrGRPCRootUserNotExist": RootUserNotExistError,
    "ErrGRPCRootRoleNotExist": RootRoleNotExistError,
    "ErrGRPCUserAlreadyExist": UserAlreadyExistsError,
    "ErrGRPCUserEmpty": UserEmptyError,
    "ErrGRPCUserNotFound": UserNotFoundError,
    "ErrGRPCRoleAlreadyExist": RoleAlreadyExistsError,
    "ErrGRPCRoleNotFound": RoleNotFoundError,
    "ErrGRPCRoleEmpty": RoleEmptyError,
    "ErrGRPCAuthFailed": AuthFailedError,
    "ErrGRPCPermissionNotGiven": PermissionNotGivenError,
    "ErrGRPCPermissionDenied": PermissionDeniedError,
    "ErrGRPCRoleNotGranted": RoleNotGrantedError,
    "ErrGRPCPermissionNotGranted": PermissionNotGrantedError,
    "ErrGRPCAuthNotEnabled": AuthNotEnabledError,
    "ErrGRPCInvalidAuthToken": InvalidAuthTokenError,
    "ErrGRPCInvalidAuthMgmt": InvalidAuthMgmtError,
    "ErrGRPCAuthOldRevision": AuthOldRevisionError,
    # Raft and server state
    "ErrGRPCNoLeader": NoLeaderError,
    "ErrGRPCNotLeader": NotLeaderError,
    "ErrGRPCLeaderChanged": LeaderChangedError,
    "ErrGRPCNotCapable": NotCapableError,
    "ErrGRPCStopped": ServerStoppedError,
    "ErrGRPCTimeout": RequestTimedOutError,
    "ErrGRPCTimeoutDueToLeaderFail": RequestTimedOutError,
    "ErrGRPCTimeoutDueToConnectionLost": RequestTimedOutError,
    "ErrGRPCTimeoutWaitAppliedIndex": RequestTimedOutError,
    "ErrGRPCUnhealthy": UnhealthyClusterError,
    "ErrGRPCCorrupt": CorruptClusterError,
    "ErrGPRCNotSupportedForLearner": LearnerNotSupportedError,  # sic: etcd 3.5's spelling
    "ErrGRPCBadLeaderTransferee": BadLeaderTransfereeError,
    # Downgrades
    "ErrGRPCClusterVersionUnavailable": ClusterVersionUnavailableError,
    "ErrGRPCWrongDowngradeVersionFormat": WrongDowngradeVersionFormatError,
    "ErrGRPCInvalidDowngradeTargetVersion": InvalidDowngradeTargetVersionError,
    "ErrGRPCDowngradeInProcess": DowngradeInProcessError,
    "ErrGRPCNoInflightDowngrade": NoInflightDowngradeError,
    # The server's view of the client's context
    "ErrGRPCCanceled": RequestCancelledError,
    "ErrGRPCDeadlineExceeded": ConnectionTimeoutError,
}
"""Our class for each error the pinned etcd declares, by its Go name.

The declarations are generated (``etcd3.rpc.server_errors.SERVER_ERRORS``). A declared
error missing here falls back to its code's class, and the unit tests fail on it: an etcd bump
with a new error gets a class (or a deliberate fallback) here."""

_R = EtcdErrorRow
_E = "etcdserver: "

UNDECLARED_ERRORS: tuple[EtcdErrorRow, ...] = (
    # etcd 3.6 declares it; older servers never send it.
    _R(_Code.INVALID_ARGUMENT, _E + "invalid sort option", InvalidSortOptionError),
    # etcd 3.6 sends these with FAILED_PRECONDITION, older servers with UNAVAILABLE.
    _R(_Code.FAILED_PRECONDITION, _E + "not capable", NotCapableError),
    _R(_Code.FAILED_PRECONDITION, _E + "rpc not supported for learner", LearnerNotSupportedError),
    _R(
        _Code.FAILED_PRECONDITION,
        _E + "cluster version not found during downgrade",
        ClusterVersionUnavailableError,
    ),
    # Stream RPCs (Snapshot, ...) pass the auth store's errors on untranslated, as UNKNOWN.
    _R(_Code.UNKNOWN, "auth: revision in header is old", AuthOldRevisionError),
    _R(_Code.UNKNOWN, "auth: user name is empty", UserEmptyError),
    _R(_Code.UNKNOWN, "auth: invalid auth token", InvalidAuthTokenError),
    _R(_Code.UNKNOWN, "auth: permission denied", PermissionDeniedError),
    # raft's ErrProposalDropped, passed on untranslated (a member without a leader).
    _R(_Code.UNKNOWN, "raft proposal dropped", ProposalDroppedError),
    # Go's context.DeadlineExceeded, passed on untranslated.
    _R(_Code.UNKNOWN, "context deadline exceeded", ConnectionTimeoutError),
    # The Election service passes its package's errors on untranslated.
    _R(_Code.UNKNOWN, "election: no leader", ElectionNoLeaderError),
    _R(_Code.UNKNOWN, "election: not leader", ElectionNotLeaderError),
)
"""Errors etcd sends that the pinned ``rpctypes`` does not declare, each with why."""

ETCD_ERROR_TABLE: tuple[EtcdErrorRow, ...] = (
    *(
        _R(error.code, error.message, CLASS_BY_GO_NAME[error.go_name])
        for error in SERVER_ERRORS
        if error.go_name in CLASS_BY_GO_NAME
    ),
    *UNDECLARED_ERRORS,
)
"""Every error etcd sends, as (gRPC code, exact message, class); see ``etcd3.errors``."""

BY_CODE_AND_MESSAGE: dict[tuple[grpc.StatusCode, str], type[EtcdError]] = {
    (row.code, row.message): row.error_class for row in ETCD_ERROR_TABLE
}
"""The class of each row of ``ETCD_ERROR_TABLE``, by (gRPC code, exact message)."""
