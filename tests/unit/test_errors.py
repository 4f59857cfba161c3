"""The error tree and the mapping of gRPC errors onto it."""

from __future__ import annotations

import pickle
import re

import grpc
import grpc.aio
import pytest

import etcd3.errors as errors_module
from etcd3._error_table import CLASS_BY_GO_NAME, UNDECLARED_ERRORS
from etcd3.errors import (
    ETCD_ERROR_TABLE,
    FALLBACK_BY_CODE,
    MTLS_HINT,
    NO_CREDENTIALS_HINT,
    AuthFailedError,
    AuthOldRevisionError,
    ConnectionClosedError,
    ConnectionFailedError,
    ConnectionTimeoutError,
    Effect,
    EtcdError,
    EtcdErrorRow,
    InternalServerError,
    InvalidArgumentError,
    InvalidAuthTokenError,
    LeaseNotFoundError,
    LeaseTTLTooLargeError,
    NoLeaderError,
    NoServerAvailableError,
    NotFoundError,
    NotLeaderError,
    OutOfRangeError,
    PreconditionFailedError,
    RequestCancelledError,
    RequestTimedOutError,
    RequestTooLargeError,
    RevisionCompactedError,
    TooManyOpsError,
    UnimplementedError,
    UnknownError,
    UserEmptyError,
    WatchTimedOut,
    error_from_status,
    map_rpc_error,
)
from etcd3.rpc.server_errors import SERVER_ERRORS


def rpc_error(code: grpc.StatusCode, details: str) -> grpc.aio.AioRpcError:
    """A real grpc error object, as grpc.aio raises it."""
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details)


class BareRpcError(grpc.RpcError):
    """An RpcError that is not a Call: grpc raises such errors in a few corners."""


@pytest.mark.parametrize("row", ETCD_ERROR_TABLE, ids=lambda row: row.message)
def test_every_row_maps_to_its_class(row: EtcdErrorRow) -> None:
    exc = rpc_error(row.code, row.message)
    err = map_rpc_error(exc, method="/etcdserverpb.KV/Range")
    assert type(err) is row.error_class
    assert err.code is row.code
    assert err.details == row.message
    hint = CLASS_HINTS.get(row.error_class)
    assert str(err) == (row.message if hint is None else f"{row.message} ({hint})")
    assert err.method == "/etcdserverpb.KV/Range"
    assert err.__cause__ is exc


@pytest.mark.parametrize("row", ETCD_ERROR_TABLE, ids=lambda row: row.message)
def test_row_class_belongs_under_a_sensible_code_class(row: EtcdErrorRow) -> None:
    # A row's class descends from its code's fallback, except where etcd changed a code
    # between versions, or sent an untranslated error as UNKNOWN.
    fallback = FALLBACK_BY_CODE[row.code]
    variants = {r.code for r in ETCD_ERROR_TABLE if r.message == row.message}
    if len(variants) == 1 and row.code is not grpc.StatusCode.UNKNOWN:
        assert issubclass(row.error_class, fallback)


def test_table_has_no_duplicate_keys() -> None:
    keys = [(row.code, row.message) for row in ETCD_ERROR_TABLE]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("code", "cls"), list(FALLBACK_BY_CODE.items()))
def test_fallback_per_code(code: grpc.StatusCode, cls: type[EtcdError]) -> None:
    exc = rpc_error(code, "something the table does not know")
    err = map_rpc_error(exc)
    assert type(err) is cls
    assert err.code is code
    assert err.details == "something the table does not know"
    assert "something the table does not know" in str(err)


def test_every_status_code_has_a_fallback() -> None:
    assert set(FALLBACK_BY_CODE) == set(grpc.StatusCode)


def test_message_needs_the_exact_code() -> None:
    # Same text under another code is not etcd's error: the code's fallback applies.
    err = map_rpc_error(rpc_error(grpc.StatusCode.INTERNAL, "etcdserver: no leader"))
    assert type(err) is InternalServerError


def test_predecessor_causes() -> None:
    cases = [
        (grpc.StatusCode.UNAVAILABLE, "connection refused", ConnectionFailedError),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded", ConnectionTimeoutError),
        (grpc.StatusCode.UNKNOWN, "context deadline exceeded", ConnectionTimeoutError),
        (grpc.StatusCode.INTERNAL, "boom", InternalServerError),
        (grpc.StatusCode.FAILED_PRECONDITION, "nope", PreconditionFailedError),
        (
            grpc.StatusCode.OUT_OF_RANGE,
            "etcdserver: mvcc: required revision has been compacted",
            RevisionCompactedError,
        ),
    ]
    for code, details, cls in cases:
        assert isinstance(map_rpc_error(rpc_error(code, details)), cls)


CLASS_HINTS = {
    UserEmptyError: NO_CREDENTIALS_HINT,
    LeaseTTLTooLargeError: "the longest TTL etcd grants is 9,000,000,000 s",
    TooManyOpsError: "etcd's limit is its --max-txn-ops setting, 128 by default",
    RequestTooLargeError: "etcd's limit is its --max-request-bytes setting, 1.5 MiB by default",
}
"""The errors whose text gets what etcd's leaves out: what to do, or the limit."""


def test_compacted_revision_defaults_to_unknown() -> None:
    err = map_rpc_error(
        rpc_error(
            grpc.StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"
        )
    )
    assert isinstance(err, RevisionCompactedError)
    assert isinstance(err, OutOfRangeError)
    assert err.compacted_revision == 0
    assert RevisionCompactedError(compacted_revision=7).compacted_revision == 7


def test_an_integer_message_is_the_compacted_revision() -> None:
    # The predecessors' signature: the compacted revision is the one positional argument.
    err = RevisionCompactedError(5)
    assert err.compacted_revision == 5
    assert str(err) == "the revision is compacted: history starts at 5"
    assert pickle.loads(pickle.dumps(err)).compacted_revision == 5
    with pytest.raises(TypeError, match="compacted revision"):
        RevisionCompactedError(True)  # a bool is no revision
    with pytest.raises(TypeError, match="given twice"):
        RevisionCompactedError(5, compacted_revision=9)


def test_retryable_follows_the_cause() -> None:
    def retryable(code: grpc.StatusCode, details: str) -> bool:
        return map_rpc_error(rpc_error(code, details)).retryable

    assert retryable(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses")
    assert retryable(grpc.StatusCode.UNAVAILABLE, "etcdserver: no leader")
    assert retryable(grpc.StatusCode.FAILED_PRECONDITION, "etcdserver: not leader")
    assert retryable(grpc.StatusCode.RESOURCE_EXHAUSTED, "etcdserver: too many requests")
    # Outcome unknown: the caller decides from the method's retry safety.
    assert not retryable(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
    assert not retryable(grpc.StatusCode.UNAVAILABLE, "etcdserver: request timed out")
    # Permanent causes.
    assert not retryable(
        grpc.StatusCode.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"
    )
    assert not retryable(grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided")
    assert not retryable(grpc.StatusCode.NOT_FOUND, "etcdserver: requested lease not found")


# (code, details) of each cause -> (retryable, outcome_unknown) for a write, then for a read.
# A write is a call that changes state (Put, Txn, DeleteRange, ...), a read one that is safe to
# repeat (Range, Status, the watch and keep-alive streams).
_NOT_APPLIED_TRANSIENT = ((True, False), (True, False))
_NOT_APPLIED = ((False, False), (False, False))
_UNKNOWN_CONNECTION = ((False, True), (True, False))
_UNKNOWN_OTHER = ((False, True), (False, False))
_U = grpc.StatusCode.UNAVAILABLE
CLASSIFICATION = [
    # Never sent: no connection could be made, or the name did not resolve.
    (_U, "failed to connect to all addresses; last error: ...", _NOT_APPLIED_TRANSIENT),
    (_U, "DNS resolution failed for etcd.invalid:2379", _NOT_APPLIED_TRANSIENT),
    # A forked child's write on a connection it inherited: grpc refuses it before sendmsg.
    (_U, "Stream removed (sendmsg: Wrong file descriptor generation)", _NOT_APPLIED_TRANSIENT),
    # Refused by etcd before it proposed the request, for a passing reason.
    (_U, "etcdserver: no leader", _NOT_APPLIED_TRANSIENT),
    (_U, "etcdserver: leader changed", _NOT_APPLIED_TRANSIENT),
    (_U, "etcdserver: unhealthy cluster", _NOT_APPLIED_TRANSIENT),
    (_U, "etcdserver: rpc not supported for learner", _NOT_APPLIED_TRANSIENT),
    (grpc.StatusCode.UNKNOWN, "raft proposal dropped", _NOT_APPLIED_TRANSIENT),
    (grpc.StatusCode.FAILED_PRECONDITION, "etcdserver: not leader", _NOT_APPLIED_TRANSIENT),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, "etcdserver: too many requests", _NOT_APPLIED_TRANSIENT),
    # The connection lost mid-call: the request may have reached the leader.
    (_U, "Socket closed", _UNKNOWN_CONNECTION),
    (_U, "recvmsg:Connection reset by peer", _UNKNOWN_CONNECTION),
    (_U, "Stream removed", _UNKNOWN_CONNECTION),
    # etcd stopped waiting for a proposal that may still commit.
    (_U, "etcdserver: request timed out", _UNKNOWN_CONNECTION),
    (_U, "etcdserver: request timed out, possibly due to leader failure", _UNKNOWN_CONNECTION),
    (_U, "etcdserver: request timed out, possibly due to connection lost", _UNKNOWN_CONNECTION),
    (_U, "etcdserver: server stopped", _UNKNOWN_CONNECTION),
    # Deadlines: the client's, or the server's view of it.
    (grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded", _UNKNOWN_CONNECTION),
    (grpc.StatusCode.UNKNOWN, "context deadline exceeded", _UNKNOWN_CONNECTION),
    # Cancelled, internal or unclassified: nothing tells whether a write applied.
    (grpc.StatusCode.CANCELLED, "etcdserver: request canceled", _UNKNOWN_OTHER),
    (grpc.StatusCode.CANCELLED, "Locally cancelled by application!", _UNKNOWN_OTHER),
    (grpc.StatusCode.INTERNAL, "Received RST_STREAM with error code 2", _UNKNOWN_OTHER),
    (grpc.StatusCode.UNKNOWN, "something unforeseen", _UNKNOWN_OTHER),
    (grpc.StatusCode.ABORTED, "aborted", _UNKNOWN_OTHER),
    # Refused for good: sending it again fails the same way.
    (grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided", _NOT_APPLIED),
    (grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: request is too large", _NOT_APPLIED),
    (
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "grpc: received message larger than max (2097157 vs. 2097152)",
        _NOT_APPLIED,
    ),
    (grpc.StatusCode.NOT_FOUND, "etcdserver: requested lease not found", _NOT_APPLIED),
    (grpc.StatusCode.PERMISSION_DENIED, "etcdserver: permission denied", _NOT_APPLIED),
    (grpc.StatusCode.UNAUTHENTICATED, "etcdserver: invalid auth token", _NOT_APPLIED),
    (grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: revision of auth store is old", _NOT_APPLIED),
    (
        grpc.StatusCode.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision has been compacted",
        _NOT_APPLIED,
    ),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded", _NOT_APPLIED),
    (grpc.StatusCode.UNIMPLEMENTED, "unknown method Downgrade", _NOT_APPLIED),
    (grpc.StatusCode.FAILED_PRECONDITION, "etcdserver: member ID already exist", _NOT_APPLIED),
]


@pytest.mark.parametrize(("code", "details", "expected"), CLASSIFICATION)
def test_each_cause_is_classified_for_writes_and_for_reads(
    code: grpc.StatusCode, details: str, expected: tuple[tuple[bool, bool], tuple[bool, bool]]
) -> None:
    for retry_safe, (retryable, unknown) in zip((False, True), expected, strict=True):
        err = map_rpc_error(rpc_error(code, details), retry_safe=retry_safe)
        assert (err.retryable, err.outcome_unknown) == (retryable, unknown), (
            f"{type(err).__name__} retry_safe={retry_safe}"
        )
        assert err.classify(retry_safe) == (retryable, unknown)


@pytest.mark.parametrize("row", ETCD_ERROR_TABLE, ids=lambda row: row.message)
@pytest.mark.parametrize("retry_safe", [False, True])
def test_no_error_says_both_retryable_and_unknown(row: EtcdErrorRow, retry_safe: bool) -> None:
    err = map_rpc_error(rpc_error(row.code, row.message), retry_safe=retry_safe)
    assert not (err.retryable and err.outcome_unknown)
    if err.retryable and not retry_safe:
        # A write is only sent again when it provably did not take effect.
        assert err.effect is Effect.TRANSIENT


def _tree_marks() -> dict[str, str]:
    """Class name -> its mark in the module docstring's tree ("" when unmarked)."""
    doc = errors_module.__doc__
    assert doc is not None
    tree = doc[doc.index("    EtcdError (= Etcd3Exception)") :]
    marks: dict[str, str] = {}
    pending: list[str] = []
    for line in tree.splitlines():
        names = re.findall(r"\b([A-Z]\w+(?:Error|TimedOut))\b", line.split("[")[0])
        pending += [name for name in names if hasattr(errors_module, name)]
        mark = re.search(r"\s{2,}(transient|unknown|as its cause)\b", line)
        if line.rstrip().endswith(",") and mark is None:
            continue  # the class list goes on on the next line
        for name in pending:
            marks[name] = mark.group(1) if mark else ""
        pending = []
    return marks


def test_the_documented_tree_marks_each_class_by_its_effect() -> None:
    marks = _tree_marks()
    classes = [
        cls
        for cls in vars(errors_module).values()
        if isinstance(cls, type) and issubclass(cls, EtcdError)
    ]
    assert len(marks) >= 60
    for cls in classes:
        mark = marks.get(cls.__name__)
        if mark is None:  # drawn elsewhere in a line ("LockError ── LockNotAcquiredError")
            continue
        expected = {Effect.TRANSIENT: "transient", Effect.UNKNOWN: "unknown"}.get(cls.effect, "")
        if cls is NoServerAvailableError:
            expected = "as its cause"
        if cls is ConnectionClosedError:
            expected = "unknown"  # "unknown if in flight"
        assert mark == expected, cls.__name__


def test_a_call_in_flight_when_the_client_closes_has_an_unknown_outcome() -> None:
    assert not ConnectionClosedError().outcome_unknown  # nothing sent
    in_flight = ConnectionClosedError(outcome_unknown=True)
    assert (in_flight.retryable, in_flight.outcome_unknown) == (False, True)


def test_unavailable_on_tls_without_client_cert_hints_at_mtls() -> None:
    exc = rpc_error(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses")
    err = map_rpc_error(exc, secure_without_client_cert=True)
    assert type(err) is ConnectionFailedError
    assert "failed to connect to all addresses" in str(err)
    assert "client certificate" in str(err)
    assert "cert_key and cert_cert" in str(err)
    assert err.details == "failed to connect to all addresses"
    # No hint without the flag, nor when etcd itself answered.
    assert "client certificate" not in str(map_rpc_error(exc))
    no_leader = rpc_error(grpc.StatusCode.UNAVAILABLE, "etcdserver: no leader")
    assert "client certificate" not in str(
        map_rpc_error(no_leader, secure_without_client_cert=True)
    )


def test_unimplemented_says_the_server_lacks_the_rpc() -> None:
    exc = rpc_error(grpc.StatusCode.UNIMPLEMENTED, "unknown method Downgrade")
    err = map_rpc_error(exc, method="/etcdserverpb.Maintenance/Downgrade")
    assert type(err) is UnimplementedError
    assert "does not implement /etcdserverpb.Maintenance/Downgrade" in str(err)
    assert "unknown method Downgrade" in str(err)


def test_bare_rpc_error_maps_to_unknown() -> None:
    exc = BareRpcError("odd")
    err = map_rpc_error(exc)
    assert type(err) is UnknownError
    assert err.code is grpc.StatusCode.UNKNOWN
    assert "odd" in str(err)


def test_empty_details_use_the_code_name() -> None:
    err = map_rpc_error(rpc_error(grpc.StatusCode.ABORTED, ""))
    assert str(err) == "ABORTED"


def test_raise_from_keeps_the_grpc_error() -> None:
    exc = rpc_error(grpc.StatusCode.NOT_FOUND, "etcdserver: requested lease not found")

    def call() -> None:
        try:
            raise exc
        except grpc.RpcError as caught:
            raise map_rpc_error(caught) from caught

    with pytest.raises(LeaseNotFoundError) as info:
        call()
    assert info.value.__cause__ is exc
    assert isinstance(info.value, NotFoundError)


def test_everything_is_an_etcd_error() -> None:
    classes = [
        obj
        for obj in vars(errors_module).values()
        if isinstance(obj, type) and issubclass(obj, BaseException)
    ]
    assert len(classes) > 60
    for cls in classes:
        assert issubclass(cls, EtcdError), cls
        assert cls.__doc__, cls
    for name in errors_module.__all__:
        assert hasattr(errors_module, name), name


def test_predecessor_names() -> None:
    assert errors_module.Etcd3Exception is EtcdError
    for cls in (
        WatchTimedOut,
        InternalServerError,
        ConnectionFailedError,
        ConnectionTimeoutError,
        PreconditionFailedError,
        RevisionCompactedError,
        NoServerAvailableError,
    ):
        assert issubclass(cls, errors_module.Etcd3Exception)
        cls()  # the predecessor raised them without arguments


def test_cancelled_error_does_not_shadow_asyncio() -> None:
    import asyncio

    assert not issubclass(RequestCancelledError, asyncio.CancelledError)
    assert not hasattr(errors_module, "CancelledError")


def test_token_refresh_errors() -> None:
    token = map_rpc_error(
        rpc_error(grpc.StatusCode.UNAUTHENTICATED, "etcdserver: invalid auth token")
    )
    assert type(token) is InvalidAuthTokenError
    old = map_rpc_error(
        rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: revision of auth store is old")
    )
    assert type(old) is AuthOldRevisionError
    assert isinstance(old, InvalidArgumentError)
    bad = map_rpc_error(
        rpc_error(
            grpc.StatusCode.INVALID_ARGUMENT,
            "etcdserver: authentication failed, invalid user ID or password",
        )
    )
    assert type(bad) is AuthFailedError


def test_defaults_of_client_side_errors() -> None:
    closed = ConnectionClosedError()
    assert isinstance(closed, ConnectionFailedError)
    assert not closed.retryable
    assert closed.code is None
    assert str(closed) == "the connection is closed"
    assert WatchTimedOut().retryable
    assert isinstance(NoLeaderError("x"), ConnectionFailedError)
    assert NotLeaderError("x").retryable
    assert not RequestTimedOutError("x").retryable
    explicit = EtcdError("msg", code=grpc.StatusCode.ABORTED, retryable=True)
    assert (str(explicit), explicit.code, explicit.retryable, explicit.details) == (
        "msg",
        grpc.StatusCode.ABORTED,
        True,
        "msg",
    )


def test_errors_pickle_with_their_state() -> None:
    err = RevisionCompactedError(
        "etcdserver: mvcc: required revision has been compacted",
        compacted_revision=42,
        code=grpc.StatusCode.OUT_OF_RANGE,
        method="/etcdserverpb.KV/Range",
    )
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is RevisionCompactedError
    assert str(copy) == str(err)
    assert copy.compacted_revision == 42
    assert copy.code is grpc.StatusCode.OUT_OF_RANGE
    assert copy.method == "/etcdserverpb.KV/Range"


def test_every_error_etcd_declares_has_a_class() -> None:
    unmapped = [
        f"{e.go_name} ({e.code.name} {e.message!r})"
        for e in SERVER_ERRORS
        if e.go_name not in CLASS_BY_GO_NAME
    ]
    assert not unmapped, (
        "etcd declares errors etcd3._error_table.CLASS_BY_GO_NAME does not map: "
        f"{', '.join(unmapped)}; give each its class"
    )


def test_every_mapped_go_name_is_still_declared() -> None:
    declared = {e.go_name for e in SERVER_ERRORS}
    stale = sorted(set(CLASS_BY_GO_NAME) - declared)
    assert not stale, (
        f"the pinned etcd no longer declares {stale}: remove them from CLASS_BY_GO_NAME, and "
        "keep in UNDECLARED_ERRORS any (code, message) older servers still send"
    )


def test_undeclared_rows_are_not_declared_by_the_pinned_etcd() -> None:
    declared = {(e.code, e.message) for e in SERVER_ERRORS}
    twice = [
        f"{row.code.name} {row.message!r}"
        for row in UNDECLARED_ERRORS
        if (row.code, row.message) in declared
    ]
    assert not twice, f"the pinned etcd now declares {twice}: drop them from UNDECLARED_ERRORS"
    assert len(ETCD_ERROR_TABLE) == len(SERVER_ERRORS) + len(UNDECLARED_ERRORS)


def test_unimplemented_names_the_release_that_added_the_rpc() -> None:
    exc = rpc_error(grpc.StatusCode.UNIMPLEMENTED, "unknown method Downgrade")
    err = map_rpc_error(exc, method="/etcdserverpb.Maintenance/Downgrade")
    assert type(err) is UnimplementedError
    assert str(err) == (
        "the server does not implement /etcdserverpb.Maintenance/Downgrade, added in etcd 3.5: "
        "this server is older (unknown method Downgrade)"
    )
    lock = map_rpc_error(
        rpc_error(grpc.StatusCode.UNIMPLEMENTED, "unknown service"), method="/v3lockpb.Lock/Lock"
    )
    assert "added in etcd 3.2" in str(lock)
    # An RPC of the first v3 release, or one we do not know, gets no release to blame.
    for method in ("/etcdserverpb.KV/Range", "/etcdserverpb.KV/NoSuchMethod", None):
        err = map_rpc_error(rpc_error(grpc.StatusCode.UNIMPLEMENTED, "x"), method=method)
        assert "added in" not in str(err)
        assert "(an older etcd?): x" in str(err)


def test_every_grpc_code_has_a_fallback_class() -> None:
    assert set(FALLBACK_BY_CODE) == set(grpc.StatusCode)


def test_error_from_status_defaults_to_an_unsafe_rpc_without_a_tls_hint() -> None:
    refused = error_from_status(grpc.StatusCode.UNAVAILABLE, "failed to connect")
    assert str(refused) == "failed to connect"
    hinted = error_from_status(
        grpc.StatusCode.UNAVAILABLE, "failed to connect", secure_without_client_cert=True
    )
    assert str(hinted) == f"failed to connect ({MTLS_HINT})"
    deadline = error_from_status(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
    assert (deadline.retryable, deadline.outcome_unknown) == (False, True)


def test_a_connection_failure_hint_replaces_the_mtls_hint() -> None:
    unavailable = grpc.StatusCode.UNAVAILABLE
    hinted = error_from_status(unavailable, "failed to connect", hint="plaintext server")
    assert str(hinted) == "failed to connect (plaintext server)"
    both = error_from_status(
        unavailable, "failed to connect", hint="plaintext server", secure_without_client_cert=True
    )
    assert str(both) == "failed to connect (plaintext server)"
    # Only a connection failure takes the hint.
    other = error_from_status(grpc.StatusCode.INTERNAL, "broken", hint="plaintext server")
    assert str(other) == "broken"


def test_a_request_over_grpcs_size_limit_is_etcds_request_too_large() -> None:
    details = "grpc: received message larger than max (2097157 vs. 2097152)"
    err = error_from_status(grpc.StatusCode.RESOURCE_EXHAUSTED, details)
    assert type(err) is RequestTooLargeError
    assert str(err) == f"etcdserver: request is too large ({CLASS_HINTS[RequestTooLargeError]})"
    assert err.details == details
    # Only gRPC's RESOURCE_EXHAUSTED says so: the same words under another code are not it.
    assert type(error_from_status(grpc.StatusCode.UNKNOWN, details)) is UnknownError
