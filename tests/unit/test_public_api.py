"""Pin the names ``import etcd3`` exports: adding or removing one is a deliberate change."""

from __future__ import annotations

import etcd3

EXPORTED = [
    "DEFAULT_TIMEOUT",
    "AbortedError",
    "AlreadyExistsError",
    "AsyncConnection",
    "AsyncEtcd3Client",
    "AuthFailedError",
    "AuthNotEnabledError",
    "AuthOldRevisionError",
    "BadLeaderTransfereeError",
    "ClusterIDMismatchError",
    "ClusterVersionUnavailableError",
    "Connection",
    "ConnectionClosedError",
    "ConnectionFailedError",
    "ConnectionTimeoutError",
    "CorruptClusterError",
    "DataLossError",
    "DowngradeInProcessError",
    "DuplicateKeyError",
    "EmptyKeyError",
    "Etcd3Client",
    "Etcd3Exception",
    "EtcdError",
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
    "LeaseNotFoundError",
    "LeaseProvidedError",
    "LeaseTTLTooLargeError",
    "MemberBadURLsError",
    "MemberExistsError",
    "MemberNotEnoughStartedError",
    "MemberNotFoundError",
    "MemberNotLearnerError",
    "Metadata",
    "NoInflightDowngradeError",
    "NoLeaderError",
    "NoServerAvailableError",
    "NoSpaceError",
    "NotCapableError",
    "NotFoundError",
    "NotLeaderError",
    "OutOfRangeError",
    "PeerURLExistsError",
    "PermissionDeniedError",
    "PermissionNotGivenError",
    "PermissionNotGrantedError",
    "PreconditionFailedError",
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
    "StreamClosedError",
    "Timeout",
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
    "__version__",
    "async_client",
    "client",
    "error_from_status",
    "map_rpc_error",
    "rpc",
]


def test_exported_names_are_pinned() -> None:
    assert etcd3.__all__ == EXPORTED


def test_exported_names_resolve() -> None:
    # (ruff's RUF022 keeps __all__ sorted.)
    for name in etcd3.__all__:
        assert getattr(etcd3, name) is not None, name


def test_every_exported_error_is_an_etcd_error() -> None:
    errors = [getattr(etcd3, n) for n in etcd3.__all__ if n.endswith(("Error", "Exception"))]
    assert len(errors) > 50
    for cls in [*errors, etcd3.WatchTimedOut]:
        assert issubclass(cls, etcd3.EtcdError), cls
    assert etcd3.Etcd3Exception is etcd3.EtcdError
