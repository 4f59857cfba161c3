"""grpc's sync API as the sync transport uses it; the pair of ``._grpc_async`` (hand-kept,
name for name: that module says why these cannot be generated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn, Protocol, TypeAlias

import grpc
from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
from etcd3._transport._errors import ChannelLifecycle
from etcd3._transport._metadata import MetadataTuple

__all__ = [
    "CLOSED_CHANNEL_ERRORS",
    "Channel",
    "ChannelInUse",
    "ClientInterceptor",
    "open_at_construction",
    "open_channel",
    "prebuilt_metadata",
    "raise_for_closed_channel",
    "running_loop",
]

Channel: TypeAlias = grpc.Channel
"""The channel of one endpoint."""

ChannelInUse: TypeAlias = grpc.Channel
"""What a connection's ``channel`` gives: the channel in use, opened on demand."""

ClientInterceptor: TypeAlias = (
    grpc.UnaryUnaryClientInterceptor
    | grpc.UnaryStreamClientInterceptor
    | grpc.StreamUnaryClientInterceptor
    | grpc.StreamStreamClientInterceptor
)
"""A grpc client interceptor for the sync client (an instance of one of grpc's four kinds)."""

CLOSED_CHANNEL_ERRORS = (ValueError,)
"""What a sync grpc call raises on a closed channel: see ``raise_for_closed_channel``."""


def open_channel(
    target: str,
    credentials: grpc.ChannelCredentials | None,
    options: Sequence[tuple[str, int | str | bytes]],
    interceptors: Sequence[ClientInterceptor],
) -> grpc.Channel:
    """A grpc channel to ``target``: plaintext without ``credentials``, with the
    ``interceptors`` around every call (in order)."""
    if credentials is None:
        channel = grpc.insecure_channel(target, options=options)
    else:
        channel = grpc.secure_channel(target, credentials, options=options)
    if interceptors:
        return grpc.intercept_channel(channel, *interceptors)
    return channel


def prebuilt_metadata(pairs: MetadataTuple) -> MetadataTuple:
    """The metadata every call without extra pairs sends: the pairs (sync grpc takes them)."""
    return pairs


def running_loop() -> None:
    """No event loop: a sync channel belongs to no loop."""
    return None


def raise_for_closed_channel(
    exc: BaseException,
    channels: ChannelLifecycle,
    method: MethodInfo[Message, Message],
    loop: object,
) -> NoReturn:
    """Raise what ``exc``, a ``ValueError`` raised by starting a call, means.

    A call in flight when its channel closes fails with ``CANCELLED`` instead, mapped like any
    failure.
    ``loop`` is unused: a sync channel serves every thread (the asyncio side checks that a
    call runs in its channel's event loop).

    Raises:
        ConnectionClosedError: The channel is closed (grpc: "Cannot invoke RPC on closed
            channel!", also when it was closed behind the caller's back).
        ValueError: ``exc`` itself, for any other cause.
    """
    if channels.unusable or "closed channel" in str(exc):
        raise channels.closed_error(method) from exc
    raise exc


class _Opens(Protocol):
    def open(self) -> object: ...

    def close(self) -> None: ...


def open_at_construction(connection: _Opens) -> None:
    """Log in now: a sync connection with credentials fails in its constructor when they are
    wrong. On failure it is closed (nobody else holds it), then the error is raised."""
    try:
        connection.open()
    except BaseException:
        connection.close()
        raise
