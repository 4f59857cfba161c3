"""python-etcd3's and etcd3-client's helpers of ``etcd3.utils`` that the core API lacks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

import grpc

from etcd3._connection_settings import StrPath, TLSConfig
from etcd3._validate import KeyLike, SupportsLeaseId, lease_id, to_bytes

__all__ = [
    "HasEvents",
    "get_secure_creds",
    "increment_last_byte",
    "lease_to_id",
    "response_to_event_iterator",
]

_E_co = TypeVar("_E_co", covariant=True)


def increment_last_byte(byte_string: KeyLike) -> bytes:
    """``byte_string`` with its last byte incremented (``b"a"`` -> ``b"b"``).

    python-etcd3 made its prefix range ends this way. It cannot increment a last byte of
    ``0xFF``: [`etcd3.range_end_for_key`][etcd3.range_end_for_key] handles every prefix and is what
    the client uses.

    Args:
        byte_string: The bytes (``str`` is UTF-8 encoded).

    Returns:
        The incremented bytes.

    Raises:
        TypeError: ``byte_string`` is neither ``str`` nor ``bytes``.
        ValueError: ``byte_string`` is empty, or its last byte is ``0xFF``.
    """
    data = to_bytes(byte_string, "byte_string")
    if not data:
        raise ValueError("byte_string must not be empty: it has no last byte to increment")
    if data[-1] == 0xFF:
        raise ValueError(
            f"the last byte of {data!r} is 0xFF and cannot be incremented "
            f"(etcd3.range_end_for_key handles it)"
        )
    return data[:-1] + bytes([data[-1] + 1])


def lease_to_id(lease: int | str | SupportsLeaseId | None) -> int:
    """The lease id of ``lease``: its ``id`` for a ``Lease``, ``int(lease)`` otherwise.

    Args:
        lease: A ``Lease`` (anything with an int ``id``), a lease id as ``int`` or as a string
            of one, or ``None`` (no lease: ``0``).

    Returns:
        The id, ``0`` for no lease.

    Raises:
        TypeError: ``lease`` is none of these.
        ValueError: A string that is not an int, or an id outside ``0..2**63-1``.
    """
    if isinstance(lease, str):
        return lease_id(int(lease))
    return lease_id(lease)


class HasEvents(Protocol[_E_co]):
    """A watch response: anything with a sequence of ``events``."""

    @property
    def events(self) -> Iterable[_E_co]:
        """The events of the response."""
        ...


def response_to_event_iterator(response_iterator: Iterable[HasEvents[_E_co]]) -> Iterator[_E_co]:
    """The events of each watch response, in order, as one iterator.

    Args:
        response_iterator: Watch responses: the client's ``WatchResponse`` (its ``events``
            are [`Event`][etcd3.Event] views) or raw ``etcdserverpb.WatchResponse`` messages.

    Returns:
        A lazy iterator over every event of every response.
    """
    for response in response_iterator:
        yield from response.events


def get_secure_creds(
    ca_cert: StrPath, cert_key: StrPath | None = None, cert_cert: StrPath | None = None
) -> grpc.ChannelCredentials:
    """grpc channel credentials from PEM files: TLS with ``ca_cert``, mTLS with all three.

    Args:
        ca_cert: The CA that signed the server's certificate.
        cert_key: The client's private key (mTLS, with ``cert_cert``).
        cert_cert: The client's certificate chain (mTLS, with ``cert_key``).

    Returns:
        The credentials, for ``grpc.secure_channel``.

    Raises:
        ValueError: Only one of ``cert_key``/``cert_cert``, or a file cannot be read.
    """
    return TLSConfig(ca_cert, cert_key, cert_cert).credentials()
