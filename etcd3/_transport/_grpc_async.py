"""grpc.aio as the asyncio transport uses it; ``._grpc`` is the sync side, name for name.

Hand-kept, not generated (the two modules are a pair): here grpc's two APIs differ in kind, not
in spelling, so no rename turns one into the other.

- **Opening a channel:** ``grpc.aio`` channels take interceptors as an argument; sync channels
  are wrapped by ``grpc.intercept_channel``.
- **A call whose channel is closed under it:** grpc.aio raises ``UsageError`` before the call
  starts, and ``asyncio.CancelledError`` while it runs (closing a channel cancels its calls),
  which must be told apart from the cancellation of the task awaiting it.
- **Call metadata:** grpc.aio turns a metadata tuple into its ``Metadata`` object on every
  call (about a tenth of a unary call's client CPU); a prebuilt one is sent as it is, and
  ours gives its length and pairs, which grpc.aio asks for on every call, without walking a
  dict. Sync grpc takes the tuple directly.
- **Which event loop a channel serves:** a grpc.aio channel belongs to the loop it was opened
  in. A call made from another loop, or after that loop closed (each ``asyncio.run()`` closes
  its own), fails with a ``RuntimeError`` from asyncio, turned into ``WrongEventLoopError``.
- **When a connection logs in:** not in its constructor. No event loop may be running there,
  and a grpc.aio channel belongs to the loop that uses it: the first call, ``open()`` or
  ``async with`` logs in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import NoReturn, TypeAlias

import grpc
import grpc.aio
from google.protobuf.message import Message

from etcd3._runtime import MethodInfo
from etcd3._transport._errors import ChannelLifecycle
from etcd3._transport._metadata import MetadataTuple
from etcd3.errors import WrongEventLoopError

__all__ = [
    "CLOSED_CHANNEL_ERRORS",
    "AsyncChannel",
    "AsyncChannelInUse",
    "AsyncClientInterceptor",
    "in_foreign_loop",
    "open_at_construction",
    "open_channel",
    "prebuilt_metadata",
    "raise_for_closed_channel",
    "running_loop",
    "task_is_being_cancelled",
]

AsyncChannel: TypeAlias = grpc.aio.Channel
"""The channel of one endpoint."""

AsyncChannelInUse: TypeAlias = grpc.aio.Channel | None
"""What a connection's ``channel`` gives: ``None`` before the first call, since a grpc.aio
channel is created inside the event loop that uses it."""

AsyncClientInterceptor: TypeAlias = grpc.aio.ClientInterceptor
"""A grpc.aio client interceptor for the asyncio client (e.g. a
``grpc.aio.UnaryUnaryClientInterceptor`` or ``grpc.aio.StreamStreamClientInterceptor``)."""

CLOSED_CHANNEL_ERRORS = (grpc.aio.UsageError, asyncio.CancelledError, RuntimeError)
"""What a grpc.aio call may raise when its channel is closed or belongs to another event loop
(see ``raise_for_closed_channel``)."""


def open_channel(
    target: str,
    credentials: grpc.ChannelCredentials | None,
    options: Sequence[tuple[str, int | str | bytes]],
    interceptors: Sequence[AsyncClientInterceptor],
) -> grpc.aio.Channel:
    """A grpc.aio channel to ``target``: plaintext without ``credentials``, with the
    ``interceptors`` around every call (in order)."""
    wrap = interceptors or None
    if credentials is None:
        return grpc.aio.insecure_channel(target, options=options, interceptors=wrap)
    return grpc.aio.secure_channel(target, credentials, options=options, interceptors=wrap)


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop, which a channel opened now belongs to (``None`` outside one)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def in_foreign_loop(loop: object) -> bool:
    """Whether the running code is outside ``loop``, the event loop of a channel (``None``:
    unknown, as for a channel the user opened)."""
    return loop is not None and running_loop() is not loop


class _FixedMetadata(grpc.aio.Metadata):
    """grpc.aio's metadata object for pairs that nothing changes after it is built.

    grpc.aio tests a call's metadata for truth and copies it into a tuple on every call; the
    base class answers both by walking its dict of lists, this one from the pairs it was built
    from. Nothing may change it in place (``add``, item assignment): its pairs would no longer
    say what it holds.
    """

    def __init__(self, *pairs: tuple[str, str | bytes]) -> None:
        super().__init__(*pairs)
        self._pairs = pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def __iter__(self) -> Iterator[tuple[str, str | bytes]]:
        return iter(self._pairs)


def prebuilt_metadata(pairs: MetadataTuple) -> grpc.aio.Metadata:
    """The metadata object every call without extra pairs sends: built once, not per call.

    Only for channels without interceptors: one may change a call's metadata in place.
    """
    return _FixedMetadata(*pairs)


def task_is_being_cancelled() -> bool:
    """Whether the running task has a pending cancellation request (Python 3.11+).

    Tells a ``CancelledError`` aimed at the awaiting task (propagate it) from one grpc raises
    because the *call* was cancelled locally (by ``cancel()`` or by closing the channel).
    Python 3.10 cannot tell; there a locally cancelled call is assumed to be the cause.
    """
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


def raise_for_closed_channel(
    exc: BaseException,
    channels: ChannelLifecycle,
    method: MethodInfo[Message, Message],
    loop: object,
) -> NoReturn:
    """Raise what ``exc``, one of ``CLOSED_CHANNEL_ERRORS`` raised by a call on a channel of
    event loop ``loop``, means.

    Raises:
        WrongEventLoopError: The code runs outside ``loop`` (the call was not sent).
        ConnectionClosedError: The channel was closed before the call started
            (``UsageError``), or while it ran (``CancelledError`` after the caller closed, not
            aimed at the task).
        asyncio.CancelledError: ``exc`` itself: the task is being cancelled.
        RuntimeError: ``exc`` itself, for any other cause.
    """
    if isinstance(exc, RuntimeError):
        if in_foreign_loop(loop):
            raise WrongEventLoopError(method=method.path) from exc
        raise exc
    if isinstance(exc, grpc.aio.UsageError):
        raise channels.closed_error(method) from exc
    if channels.unusable and not task_is_being_cancelled():
        raise channels.closed_error(method, in_flight=True) from None
    raise exc


def open_at_construction(connection: object) -> None:
    """Nothing to do: an asyncio connection logs in on first use (see the module docstring)."""
