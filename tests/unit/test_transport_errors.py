"""The caller's error mapping: closed callers, and hints at a connection failure's cause."""

from __future__ import annotations

import grpc
from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
from etcd3._transport._errors import CallErrors, connection_hint
from etcd3._transport._metadata import CallMetadata
from etcd3.errors import (
    CLIENT_CERT_REFUSED_HINT,
    MTLS_HINT,
    PLAINTEXT_SERVER_HINT,
    REFUSED_HINT,
    TLS_FILES_HINT,
    TLS_SERVER_HINT,
    TLS_UNKNOWN_CAUSE_HINT,
    UNRESPONSIVE_SERVER_HINT,
    UNTRUSTED_SERVER_HINT,
    ClientForkedError,
    ConnectionClosedError,
    ConnectionFailedError,
    NoLeaderError,
    PermissionDeniedError,
)
from etcd3.rpc.methods import AUTH_USER_LIST, KV_PUT, KV_RANGE

UNAVAILABLE = grpc.StatusCode.UNAVAILABLE
# grpc's texts for a TLS client whose server answered in plaintext: a plaintext etcd closes the
# connection at the first TLS record (grpcio 1.85, then 1.62); another server answers in its
# own protocol, which the TLS library cannot read.
CLOSED_IN_HANDSHAKE = (
    "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:2379: "
    "Handshake read failed (Socket closed)",
    "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:2379: "
    "Handshake read failed (recvmsg:Connection reset by peer (104))",
    "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:2379: "
    "Socket closed",
)
WRONG_VERSION = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:2379: Tls handshake "
    "failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: error:100000f7:SSL routines:"
    "OPENSSL_internal:WRONG_VERSION_NUMBER: Invalid certificate verification context: OK"
)
# A server that wants a client certificate answers a client without one with a TLS alert.
BAD_CERTIFICATE = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:2379: Tls handshake "
    "failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: error:10000412:SSL routines:"
    "OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE: OK"
)


class Channels:
    def __init__(self) -> None:
        self.unusable = False
        self.forked = False

    def closed_error(
        self, method: MethodInfo[Message, Message] | None = None, *, in_flight: bool = False
    ) -> ConnectionClosedError:
        path = None if method is None else method.path
        unknown = in_flight and method is not None and not method.retry_safe
        cls = ClientForkedError if self.forked else ConnectionClosedError
        return cls(method=path, outcome_unknown=unknown)

    def loop_at(self, target: str | None) -> object:
        return None


def test_a_server_that_does_not_speak_tls_is_named() -> None:
    for details in (*CLOSED_IN_HANDSHAKE, WRONG_VERSION):
        for without_cert in (True, False):
            hint = connection_hint(details, tls=True, secure_without_client_cert=without_cert)
            assert hint == PLAINTEXT_SERVER_HINT, details


def test_a_plaintext_client_of_a_tls_server_is_told_to_use_tls() -> None:
    # A TLS etcd closes a plaintext client's connection at its HTTP/2 greeting (grpcio 1.85):
    # the same words a TLS client of a plaintext server reads in grpcio 1.62.
    closed = CLOSED_IN_HANDSHAKE[2]
    assert connection_hint(closed, tls=False, secure_without_client_cert=False) == TLS_SERVER_HINT
    for details in CLOSED_IN_HANDSHAKE[:2]:  # TLS handshake words: not a plaintext channel's
        assert connection_hint(details, tls=False, secure_without_client_cert=False) is None


# grpcio 1.85's texts (the last error of the subchannel) for each cause, as a call reports it.
REFUSED = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:2379: "
    "Failed to connect to remote host: Connection refused"
)
UNTRUSTED = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:2379: Tls handshake "
    "failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: error:1000007d:SSL routines:OPENSSL_internal:"
    "CERTIFICATE_VERIFY_FAILED: unable to get local issuer certificate: OK"
)
NO_HANDSHAKER = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:2379: "
    "Failed to create security handshaker."
)
NO_GREETING = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:2379: "
    "connection attempt timed out before receiving SETTINGS frame"
)


def test_each_cause_has_its_own_hint_whatever_the_channel() -> None:
    expected = {REFUSED: REFUSED_HINT, NO_GREETING: UNRESPONSIVE_SERVER_HINT}
    for details, hint in expected.items():
        for tls, without_cert in ((False, False), (True, False), (True, True)):
            assert connection_hint(details, tls=tls, secure_without_client_cert=without_cert) == (
                hint
            )


def test_a_server_certificate_that_failed_for_another_reason_gets_no_ca_hint() -> None:
    expired = UNTRUSTED.replace("unable to get local issuer certificate", "certificate has expired")
    for without_cert in (True, False):
        # grpc's text names the reason; the server's certificate is no client's business.
        assert connection_hint(expired, tls=True, secure_without_client_cert=without_cert) is None
    self_signed = UNTRUSTED.replace(
        "unable to get local issuer certificate", "self signed certificate"
    )
    hint = connection_hint(self_signed, tls=True, secure_without_client_cert=False)
    assert hint == UNTRUSTED_SERVER_HINT


def test_tls_failures_that_are_not_a_missing_client_certificate_say_what_they_are() -> None:
    expected = {UNTRUSTED: UNTRUSTED_SERVER_HINT, NO_HANDSHAKER: TLS_FILES_HINT}
    for details, hint in expected.items():
        for without_cert in (True, False):
            assert connection_hint(details, tls=True, secure_without_client_cert=without_cert) == (
                hint
            )


def test_a_lost_connection_is_not_a_handshake() -> None:
    lost = "Socket closed"  # a call in flight when its member died
    assert connection_hint(lost, tls=True, secure_without_client_cert=False) is None
    assert connection_hint(lost, tls=True, secure_without_client_cert=True) == MTLS_HINT


def test_a_failure_without_a_cause_names_both_tls_causes() -> None:
    bare = "failed to connect to all addresses"  # all older grpc says of a failed handshake
    for without_cert in (True, False):
        hint = connection_hint(bare, tls=True, secure_without_client_cert=without_cert)
        assert hint == TLS_UNKNOWN_CAUSE_HINT
    assert connection_hint(bare, tls=False, secure_without_client_cert=False) is None


def test_mtls_hint_only_without_a_client_certificate() -> None:
    assert connection_hint(BAD_CERTIFICATE, tls=True, secure_without_client_cert=True) == MTLS_HINT
    # With a client certificate, the same alert says the server does not accept that one.
    hint = connection_hint(BAD_CERTIFICATE, tls=True, secure_without_client_cert=False)
    assert hint == CLIENT_CERT_REFUSED_HINT
    # In TLS 1.3 the server refuses it after the client's handshake is over (etcd 3.4).
    unwrap = (
        "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:2379: "
        "Unwrap failed (TSI_DATA_CORRUPTED)"
    )
    hint = connection_hint(unwrap, tls=True, secure_without_client_cert=False)
    assert hint == CLIENT_CERT_REFUSED_HINT
    assert connection_hint(unwrap, tls=True, secure_without_client_cert=True) == MTLS_HINT
    # Nothing listening is no certificate problem.
    assert connection_hint(REFUSED, tls=True, secure_without_client_cert=True) == REFUSED_HINT


def test_the_hint_is_added_to_connection_failures_only() -> None:
    errors = CallErrors(Channels(), tls=True, secure_without_client_cert=True)
    details = CLOSED_IN_HANDSHAKE[0]
    err = errors.from_status(UNAVAILABLE, details, KV_RANGE)
    assert isinstance(err, ConnectionFailedError)
    assert str(err).endswith(f"({PLAINTEXT_SERVER_HINT})")
    assert err.details == details  # the server's text, without our hint
    assert "client certificate" not in str(err)
    no_leader = errors.from_status(UNAVAILABLE, "etcdserver: no leader", KV_RANGE)
    assert isinstance(no_leader, NoLeaderError)
    assert "TLS" not in str(no_leader)


def test_a_connection_closed_for_unanswered_pings_says_so() -> None:
    # grpc's texts for a call on a connection it closed after a keepalive ping went unanswered
    # (a paused, hung or unreachable server): they name neither the server nor the cause.
    for details in (
        "Stream removed (ping timeout)",
        "keepalive timeout",
        "keepalive watchdog timeout",
    ):
        for tls, without_cert in ((False, False), (True, False), (True, True)):
            hint = connection_hint(details, tls=tls, secure_without_client_cert=without_cert)
            assert hint == UNRESPONSIVE_SERVER_HINT
        err = CallErrors(Channels(), tls=False, secure_without_client_cert=False).from_status(
            UNAVAILABLE, details, KV_PUT
        )
        assert isinstance(err, ConnectionFailedError)
        assert str(err) == f"{details} ({UNRESPONSIVE_SERVER_HINT})"
        assert err.details == details
        assert err.outcome_unknown  # the put may have reached etcd before the connection died


def test_a_refused_permission_names_the_user_and_the_request() -> None:
    denied = "etcdserver: permission denied"
    metadata = CallMetadata(None, require_leader=True)
    errors = CallErrors(Channels(), tls=False, secure_without_client_cert=False, metadata=metadata)
    anonymous = errors.from_status(grpc.StatusCode.PERMISSION_DENIED, denied, KV_PUT)
    assert isinstance(anonymous, PermissionDeniedError)
    assert str(anonymous) == (
        f"{denied} (the client's user has no role that permits /etcdserverpb.KV/Put on these keys)"
    )
    metadata.set_credentials("alice", "secret")
    alice = errors.from_status(grpc.StatusCode.PERMISSION_DENIED, denied, KV_RANGE)
    assert str(alice) == (
        f"{denied} (user 'alice' has no role that permits /etcdserverpb.KV/Range on these keys)"
    )
    assert alice.details == denied
    assert "secret" not in str(alice)
    admin = errors.from_status(grpc.StatusCode.PERMISSION_DENIED, denied, AUTH_USER_LIST)
    assert str(admin) == (
        f"{denied} (user 'alice' lacks the root role, which /etcdserverpb.Auth/UserList requires)"
    )


def test_failures_of_a_closed_caller_say_closed() -> None:
    channels = Channels()
    errors = CallErrors(channels, tls=False, secure_without_client_cert=False)
    channels.unusable = True
    err = errors.from_status(grpc.StatusCode.CANCELLED, "Channel closed!", KV_PUT)
    assert type(err) is ConnectionClosedError
    assert err.outcome_unknown  # the put was in flight
    channels.forked = True
    assert type(errors.from_status(UNAVAILABLE, "x", KV_RANGE)) is ClientForkedError
