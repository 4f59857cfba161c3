"""From grpc's failures to [`EtcdError`][etcd3.errors.Etcd3Exception], for one caller.

[`etcd3.errors`][etcd3.errors] holds the error table; ``CallErrors`` adds what only the caller
knows:

- a call that failed because the caller was closed (or is in a forked child) says so
  ([`ConnectionClosedError`][etcd3.errors.ConnectionClosedError]), whatever grpc made of it;
- a connection failure carries its likely cause: a server that took the connection and
  stopped answering (``UNRESPONSIVE_SERVER_HINT``), nothing listening (``REFUSED_HINT``), a
  TLS server closing a plaintext client's connection (``TLS_SERVER_HINT``), a server
  certificate the client does not trust (``UNTRUSTED_SERVER_HINT``), TLS files grpc cannot
  use (``TLS_FILES_HINT``), a client certificate the server refused
  (``CLIENT_CERT_REFUSED_HINT``), a TLS handshake that a server which does not speak TLS ended
  (``PLAINTEXT_SERVER_HINT``), or, on a TLS channel without a client certificate, a server
  that may require one (``MTLS_HINT``); when grpc gives no cause at all, both of the last
  two (``TLS_UNKNOWN_CAUSE_HINT``).
"""

from __future__ import annotations

from typing import Protocol

import grpc
from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
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
    ConnectionClosedError,
    EtcdError,
    PermissionDeniedError,
    error_from_status,
    rpc_status,
)

__all__ = ["CallErrors", "ChannelLifecycle", "connection_hint"]

_WRONG_VERSION = ("WRONG_VERSION_NUMBER", "wrong version number")
"""The TLS library's words for a server that answered in another protocol."""

_UNRESPONSIVE = (
    "ping timeout",
    "keepalive timeout",
    "keepalive watchdog timeout",
    "timed out before receiving SETTINGS frame",
)
"""grpc's words for a server that took the connection and then did not answer: a keepalive
ping went unanswered, or the HTTP/2 greeting never came."""

_REFUSED = "Connection refused"
_VERIFY_FAILED = "CERTIFICATE_VERIFY_FAILED"
_UNTRUSTED = (
    "unable to get local issuer certificate",
    "self signed certificate",
    "self-signed certificate",
)
"""The TLS library's reasons for a server certificate signed by no CA the client trusts (a
``CERTIFICATE_VERIFY_FAILED`` for another reason, an expired certificate say, names it)."""
_BAD_CERTIFICATE = ("ALERT_BAD_CERTIFICATE", "Unwrap failed (TSI_DATA_CORRUPTED)")
"""grpc's words for a server's TLS alert refusing the client certificate (or its absence): the
alert itself during the handshake, or, in TLS 1.3, where the server checks the certificate
after the client has finished its handshake, the first read that finds the alert."""
_NO_HANDSHAKER = "Failed to create security handshaker"
"""grpc's words for TLS material it could not use: a client key that is not the key of the
client certificate (the kind of each file is checked when the client is made)."""

_KEYED_SERVICES = ("/etcdserverpb.KV/", "/etcdserverpb.Watch/", "/etcdserverpb.Lease/")
"""The services whose permissions are granted on keys (a role's read and write ranges)."""

_CONNECT_FAILED = "failed to connect to all addresses"
_CLOSED_IN_HANDSHAKE = ("Handshake read failed", ": Socket closed", "Connection reset by peer")
"""grpc's words (1.62 to 1.85) for a connection closed during the TLS handshake: what a
plaintext etcd does at a client's first TLS record (its port multiplexer matches no protocol).
A server that wants a client certificate answers with a TLS alert instead. Older grpc (1.42)
says only ``failed to connect to all addresses``, whatever the cause."""


class ChannelLifecycle(Protocol):
    """Whether the caller's channels may still be used (an ``._pool.EndpointPool``)."""

    @property
    def unusable(self) -> bool:
        """Closed, or in a forked child."""
        ...

    def closed_error(
        self, method: MethodInfo[Message, Message] | None = None, *, in_flight: bool = False
    ) -> ConnectionClosedError:
        """The error for a call refused (or cut off) because the channels are closed."""
        ...

    def loop_at(self, target: str | None) -> object:
        """The event loop of the channel to ``target`` (``host:port``); ``None`` when unknown,
        not opened yet, or sync."""
        ...


def connection_hint(details: str, *, tls: bool, secure_without_client_cert: bool) -> str | None:
    """The likely cause of a connection failure (``UNAVAILABLE``) with these ``details``.

    Args:
        details: grpc's text for the failure.
        tls: The channel uses TLS.
        secure_without_client_cert: The channel uses TLS without a client certificate.

    Returns:
        A hint for the error message, or ``None``.
    """
    tls = tls or secure_without_client_cert  # the latter implies the former
    if any(marker in details for marker in _UNRESPONSIVE):
        return UNRESPONSIVE_SERVER_HINT
    if _REFUSED in details:
        return REFUSED_HINT
    if not tls:
        if details.startswith(_CONNECT_FAILED) and details.endswith(": Socket closed"):
            return TLS_SERVER_HINT  # what a TLS etcd does at a plaintext client's greeting
        return None
    if _VERIFY_FAILED in details:
        # The server's certificate: no client certificate hint; the CA one if it applies.
        return UNTRUSTED_SERVER_HINT if any(reason in details for reason in _UNTRUSTED) else None
    if _NO_HANDSHAKER in details:
        return TLS_FILES_HINT
    if any(marker in details for marker in _WRONG_VERSION) or (
        details.startswith(_CONNECT_FAILED)
        and any(marker in details for marker in _CLOSED_IN_HANDSHAKE)
    ):
        return PLAINTEXT_SERVER_HINT
    if details.strip() == _CONNECT_FAILED:
        return TLS_UNKNOWN_CAUSE_HINT
    if secure_without_client_cert:
        return MTLS_HINT
    refused = any(marker in details for marker in _BAD_CERTIFICATE)
    return CLIENT_CERT_REFUSED_HINT if refused else None


class CallErrors:
    """Maps the failures of one caller's calls and streams (see the module docstring).

    Args:
        channels: The caller's channels: closed ones turn every failure into a closed error.
        tls: The channels use TLS.
        secure_without_client_cert: The channels use TLS without a client certificate.
        metadata: The caller's credentials, to name the user a permission was refused to.
    """

    __slots__ = ("_channels", "_metadata", "_secure_without_client_cert", "_tls")

    def __init__(
        self,
        channels: ChannelLifecycle,
        *,
        tls: bool,
        secure_without_client_cert: bool,
        metadata: CallMetadata | None = None,
    ) -> None:
        self._channels = channels
        self._tls = tls
        self._secure_without_client_cert = secure_without_client_cert
        self._metadata = metadata

    def from_rpc_error(self, exc: grpc.RpcError, method: MethodInfo[Message, Message]) -> EtcdError:
        """The error for a failed call (its flags follow the method's safety), caused by
        ``exc``."""
        code, details = rpc_status(exc)
        err = self.from_status(code, details, method)
        err.__cause__ = exc
        return err

    def from_status(
        self, code: grpc.StatusCode, details: str, method: MethodInfo[Message, Message]
    ) -> EtcdError:
        """The error for a finished call's non-OK status."""
        if self._channels.unusable:
            return self._channels.closed_error(method, in_flight=True)
        hint = None
        if code is grpc.StatusCode.UNAVAILABLE:
            hint = connection_hint(
                details,
                tls=self._tls,
                secure_without_client_cert=self._secure_without_client_cert,
            )
        error = error_from_status(
            code, details, method=method.path, retry_safe=method.retry_safe, hint=hint
        )
        if type(error) is PermissionDeniedError:
            error.args = (f"{details} ({self._refused_to(method)})",)
        return error

    def _refused_to(self, method: MethodInfo[Message, Message]) -> str:
        """Who was refused what: etcd's text names neither the user nor the request."""
        credentials = None if self._metadata is None else self._metadata.credentials
        who = "the client's user" if credentials is None else f"user {credentials[0]!r}"
        if method.path.startswith(_KEYED_SERVICES):
            return f"{who} has no role that permits {method.path} on these keys"
        # etcd permits the administration RPCs (auth, members, maintenance) to root only.
        return f"{who} lacks the root role, which {method.path} requires"
