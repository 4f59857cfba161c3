"""The watch multiplexer: many watches over one etcd Watch stream, without I/O (sans-IO).

The sync and asyncio shells (``_watcher.py`` / ``_watcher_async.py``) own the stream, who reads
it and the callback pool; they feed every response into ``WatchCore`` and send the requests it
queues (``WatchCore.pop_request``). The core decides everything else:

- **Registrations.** Each watch gets our own id, stable across reconnects (etcd's ids are per
  stream). etcd answers create requests in the order they were sent, so pending creates are a
  FIFO: the n-th ``created`` response belongs to the n-th create sent on this stream.
- **Resume.** Each watch remembers the revision to resume from: the last *delivered* event's
  ``mod_revision`` + 1, or the creation revision + 1 before any event. Never a response header's
  revision: while a watcher catches up, headers carry the store's current revision, ahead of
  the events. Fragmented batches may stop inside a revision; the core then resumes at
  that revision and drops the events of it that were already delivered.
- **Cancel.** ``cancel`` ends the watch for its consumer at once; the server-side watcher is
  cancelled when (or as soon as) its id is known, and its late responses are dropped.
- **Bounded buffers.** The shells queue deliveries for each consumer; the core counts them.
  When a consumer lags ``WatchCore.max_queued`` responses behind, its server watcher is
  cancelled (the reader never blocks, other watches never stall) and re-created from the
  resume revision once the consumer has drained half of its queue: nothing is lost or repeated,
  memory stays bounded, and the server holds the history meanwhile.
- **Creation.** A watch not yet confirmed fails the way a unary call fails: each stream that
  ends before its confirmation is one failed attempt of a ``CallAttempts``
  under the client's [`RetryPolicy`][etcd3.RetryPolicy] and the creation's deadline, so a creation
  against members that refuse connections raises the same ``ConnectionFailedError`` as a read,
  after the same attempts and backoff (while a deadline allows, a refused connection is tried
  again until it expires). A creation that runs out of time without any failure to report
  raises [`WatchTimedOut`][etcd3.errors.WatchTimedOut].
- **Errors.** A refused create raises the server's ``cancel_reason`` as a typed error; a
  compaction cancel becomes [`RevisionCompactedError`][etcd3.errors.RevisionCompactedError]; these
  end the watch. Once confirmed, a watch outlives every transient failure (``is_transient``): the
  stream is re-opened with capped, jittered backoff (``Backoff``) and every live
  watch is re-created on the new stream.
- **Outages.** The core remembers since when the stream has been down (from the first failure
  until a re-opened stream answers), so the shells can report an outage once it lasts
  (``WatchCore.outage_warning``) and when it ends (``WatchCore.stream_answered``), and
  each watch can tell its [`WatchState`][etcd3.WatchState].

The module is long because the multiplexer is one state machine: registrations, resume, cancel,
buffers, creation and outages all read and change the same per-stream state, and the rules
above hold only together.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import grpc

from etcd3._backoff import Backoff
from etcd3._events import WatchFilterType
from etcd3._record import record
from etcd3._retry import RetryPolicy
from etcd3._retry_core import CallAttempts, is_auth_expired, is_endpoint_failure
from etcd3._validate import key_bytes, range_end_for_key, to_bytes
from etcd3.errors import (
    ETCD_ERROR_TABLE,
    AuthOldRevisionError,
    ConnectionClosedError,
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    InternalServerError,
    InvalidAuthTokenError,
    PermissionDeniedError,
    RequestCancelledError,
    RevisionCompactedError,
    StreamClosedError,
    TooManyRequestsError,
    UnauthenticatedError,
    UnknownError,
    WatchCanceledError,
    WatchTimedOut,
    error_from_status,
)
from etcd3.rpc import etcdserverpb
from etcd3.rpc.etcdserverpb import (
    FilterType,
    WatchCancelRequest,
    WatchCreateRequest,
    WatchProgressRequest,
    WatchRequest,
)

__all__ = [
    "AUTH_CHECKS",
    "Phase",
    "Recheck",
    "Registration",
    "Sink",
    "WatchCore",
    "WatchSpec",
    "WatchState",
    "is_transient",
    "refusal_error",
    "unconfirmed",
    "watch_spec",
]

ALL_WATCHES = -1
"""The ``watch_id`` of a response meant for every watch of the stream (progress requests)."""

_FILTERS: dict[object, FilterType] = {
    "noput": FilterType.NOPUT,
    "nodelete": FilterType.NODELETE,
    FilterType.NOPUT: FilterType.NOPUT,
    FilterType.NODELETE: FilterType.NODELETE,
}


@record
class WatchSpec:
    """What a watch watches, validated: everything its create request needs but the revision.

    Attributes:
        key: First key.
        range_end: End of the range (``b""``: the key alone).
        start_revision: First revision to report (``0``: from the creation on).
        progress_notify: Ask for periodic empty responses while nothing changes.
        filters: Server-side filters (``FilterType`` values).
        prev_kv: Ask for the previous key-value of each event.
        fragment: Let the server split large batches into fragments.
    """

    key: bytes
    range_end: bytes = b""
    start_revision: int = 0
    progress_notify: bool = False
    filters: tuple[FilterType, ...] = ()
    prev_kv: bool = False
    fragment: bool = False

    def create_request(self, start_revision: int) -> WatchRequest:
        """The create request that starts this watch at ``start_revision`` (``0``: now)."""
        return WatchRequest(
            create_request=WatchCreateRequest(
                key=self.key,
                range_end=self.range_end,
                start_revision=start_revision,
                progress_notify=self.progress_notify,
                filters=self.filters,
                prev_kv=self.prev_kv,
                fragment=self.fragment,
            )
        )


def watch_spec(
    key: object,
    range_end: object = None,
    start_revision: object = None,
    progress_notify: object = False,
    filters: Iterable[WatchFilterType] | None = None,
    prev_kv: object = False,
    fragment: object = False,
    *,
    prefix: bool = False,
) -> WatchSpec:
    """Validate watch arguments into a ``WatchSpec``.

    Args:
        key: The key (``str`` or ``bytes``), or the prefix when ``prefix`` is true.
        range_end: End of the range, or ``None`` for the key alone (ignored with ``prefix``).
        start_revision: ``None`` (now) or a revision >= 1 (inclusive).
        progress_notify: Ask for periodic progress notifications.
        filters: ``"noput"``/``"nodelete"`` or ``FilterType`` values, or ``None``.
        prev_kv: Ask for previous key-values.
        fragment: Allow fragmented responses.
        prefix: Watch every key starting with ``key`` (an empty prefix: every key).

    Returns:
        The validated spec.

    Raises:
        TypeError: A key, range end, revision or filter of the wrong type.
        ValueError: An empty key, a revision < 1 or an unknown filter.
    """
    if prefix:
        data = to_bytes(key, "key prefix")
        key_b, end_b = (data, range_end_for_key(data)) if data else (b"\0", b"\0")
    else:
        key_b = key_bytes(key)
        end_b = b"" if range_end is None else to_bytes(range_end, "range_end")
    if start_revision is None:
        start = 0
    elif isinstance(start_revision, bool) or not isinstance(start_revision, int):
        raise TypeError(
            f"start_revision must be an int or None, not {type(start_revision).__name__}"
        )
    elif start_revision < 1:
        raise ValueError(f"start_revision must be >= 1 or None, got {start_revision}")
    else:
        start = start_revision
    chosen: list[FilterType] = []
    if filters is not None:
        if isinstance(filters, (str, bytes)):
            raise TypeError("filters must be a collection of filters, not a single string")
        for item in filters:
            try:
                chosen.append(_FILTERS[item])
            except (KeyError, TypeError):
                raise ValueError(
                    f"unknown watch filter {item!r}: use 'noput', 'nodelete' or FilterType"
                ) from None
    return WatchSpec(
        key=key_b,
        range_end=end_b,
        start_revision=start,
        progress_notify=bool(progress_notify),
        filters=tuple(dict.fromkeys(chosen)),
        prev_kv=bool(prev_kv),
        fragment=bool(fragment),
    )


def unconfirmed(spec: WatchSpec, timeout: float | None) -> WatchTimedOut:
    """The error for a watch etcd did not confirm within its creation's ``timeout``."""
    within = "in time" if timeout is None else f"within {timeout:g} s"
    return WatchTimedOut(
        f"etcd did not confirm the watch of {spec.key!r} {within}: the server may be hung, "
        "paused, overloaded or unreachable"
    )


def refusal_error(response: etcdserverpb.WatchResponse) -> EtcdError:
    """The typed error for a watch the server cancelled or refused (not at our request).

    A compaction gives [`RevisionCompactedError`][etcd3.errors.RevisionCompactedError] with
    ``compacted_revision``; a ``cancel_reason`` that is one of etcd's error messages gives that
    error's class; any other reason gives [`WatchCanceledError`][etcd3.errors.WatchCanceledError]
    carrying the reason.
    """
    if response.compact_revision:
        return RevisionCompactedError(
            f"watch start revision has been compacted (history starts at "
            f"{response.compact_revision})",
            compacted_revision=response.compact_revision,
        )
    reason = response.cancel_reason
    for row in ETCD_ERROR_TABLE:
        if row.message == reason:
            return row.error_class(reason, code=row.code, details=reason)
    # etcd < 3.5.x sends some reasons as a whole gRPC error text ("rpc error: code =
    # PermissionDenied desc = etcdserver: permission denied"): map it like a call's status.
    match = re.fullmatch(_GRPC_ERROR_TEXT, reason, re.DOTALL)
    if match is not None:
        code = getattr(grpc.StatusCode, re.sub(_CAMEL_WORD, r"_\1", match[1]).upper(), None)
        if isinstance(code, grpc.StatusCode) and code is not grpc.StatusCode.OK:
            return error_from_status(code, match[2])
    return WatchCanceledError(reason or "the server cancelled the watch", details=reason)


# Patterns, not compiled ones: ``re`` compiles them on the first cancelled watch and caches
# them, so a client that never sees one does not pay for compiling them at import.
_GRPC_ERROR_TEXT = r"rpc error: code = (\w+) desc = (.*)"
_CAMEL_WORD = r"(?<=[a-z])([A-Z])"

_AUTH_REFUSALS = (PermissionDeniedError, UnauthenticatedError, AuthOldRevisionError)
"""Refusals of a watch creation that an expired token explains: etcd checks the token the
stream was opened with, which may have expired since (``--auth-token-ttl``)."""

AUTH_CHECKS = 3
"""Permission checks a watch gets between two successful creations; a refusal after them is
final. One check is usually enough, but a token can be refused again by the time the watch is
re-created: each member expires a simple token on its own after ``--auth-token-ttl`` seconds
without use there, and a member that lags has not yet learnt a token that is new."""


_TRANSIENT = (
    ConnectionFailedError,
    ConnectionTimeoutError,
    InternalServerError,
    UnknownError,
    RequestCancelledError,
    StreamClosedError,
    InvalidAuthTokenError,
    TooManyRequestsError,
)


def is_transient(error: EtcdError | None) -> bool:
    """Whether a failed watch stream should be re-opened (``None``: it ended without error).

    Connection loss, server restarts (``UNAVAILABLE``, ``INTERNAL`` RST_STREAM, ``CANCELLED``
    by a stopping server), an expired token (the new stream carries the current one) and
    overload are transient; closing the client and refusals (permission, bad request,
    unimplemented) are not.
    """
    if error is None:
        return True
    if isinstance(error, ConnectionClosedError):
        return False
    return error.retryable or isinstance(error, _TRANSIENT)


class Sink(Protocol):
    """Where the core hands a watch's results: implemented by the shells (must not block)."""

    def confirmed(self, error: EtcdError | None, revision: int) -> None:
        """The creation was confirmed at store ``revision`` (``error`` ``None``) or refused."""
        ...

    def push(self, item: etcdserverpb.WatchResponse | EtcdError | None) -> None:
        """Queue a response (the raw message: consumers wrap what they use), the terminal
        error, or ``None`` (the watch ended)."""
        ...


S = TypeVar("S", bound=Sink)


class Recheck(enum.Enum):
    """What follows a permission check (``WatchCore.auth_checked``)."""

    ENDED = "ended"
    """Nothing: the watch ended (refused for good, or cancelled meanwhile)."""
    NOW = "now"
    """Re-open the stream at once: the first check passed, the token is fresh."""
    LATER = "later"
    """Re-open the stream after the usual delay: a check passed again, or failed for a reason
    that says nothing about the permission (the connection, an expired token)."""


class Phase(enum.Enum):
    """Where a watch's server-side watcher stands."""

    NEW = "new"
    """None exists; create one when a stream is open."""
    PENDING = "pending"
    """A create request was sent; waiting for ``created``."""
    ACTIVE = "active"
    """The server watcher exists and its responses are delivered."""
    PAUSED = "paused"
    """Cancelled by us because the consumer lags; re-created once it catches up."""


@dataclass(frozen=True, slots=True)
class WatchState:
    """Where one watch stands, for health checks and monitoring (``handle.state``).

    Attributes:
        connected: etcd has confirmed the watch on the stream in use, and that stream works.
        reconnecting_since: While the stream is down and being re-opened, the
            ``time.monotonic()`` instant it was lost (``None`` while it works). Deliveries
            resume, with nothing lost, once it is back.
        last_revision: The highest ``mod_revision`` among the events delivered to the watch's
            consumer (``0`` before the first one).
        ended: The watch was cancelled, failed or closed with its client.
    """

    connected: bool
    reconnecting_since: float | None
    last_revision: int
    ended: bool


class Registration(Generic[S]):
    """One watch as the core tracks it (shells only read ``id``, ``spec`` and ``sink``)."""

    __slots__ = (
        "attempts",
        "auth_checks",
        "confirmed",
        "deadline",
        "done",
        "failure",
        "id",
        "in_order",
        "next_revision",
        "partial",
        "phase",
        "queued",
        "server_id",
        "sink",
        "skip",
        "spec",
    )

    def __init__(self, watch_id: int, spec: WatchSpec, sink: S, deadline: float | None) -> None:
        self.id: int = watch_id
        self.spec: WatchSpec = spec
        self.sink: S = sink
        self.deadline: float | None = deadline
        """When the creation must be confirmed (``time.monotonic()``; ``None``: no limit)."""
        self.attempts: CallAttempts | None = None
        """The creation's failed attempts so far (from its first failure until confirmed)."""
        self.failure: EtcdError | None = None
        """The last failure of a stream before the creation was confirmed."""
        self.phase: Phase = Phase.NEW
        self.server_id: int | None = None
        self.next_revision: int = spec.start_revision
        """Where a (re-)created watcher starts: 0 (now) until the first confirmation."""
        self.in_order: bool = False
        """The server watcher's responses so far needed no trimming, and none of revision
        ``next_revision`` was delivered (the next one is checked against it only)."""
        self.partial: int = 0
        """Events of revision ``next_revision`` already delivered (a fragment stopped mid-way)."""
        self.skip: int = 0
        """Replayed events of revision ``next_revision`` still to drop after a re-create."""
        self.queued: int = 0
        """Deliveries handed to the sink and not yet consumed."""
        self.confirmed: bool = False
        self.done: bool = False
        """Ended for the consumer (cancelled, failed or closed)."""
        self.auth_checks: int = 0
        """Permission checks since the watch was last created that passed or were refused for
        the token (see ``AUTH_CHECKS``)."""

    def __repr__(self) -> str:
        return (
            f"<Registration {self.id} {self.phase.value} server_id={self.server_id} "
            f"next_revision={self.next_revision} done={self.done}>"
        )


class WatchCore(Generic[S]):
    """The state of every watch on one client and of its one stream (no I/O, not thread-safe:
    the sync shell calls it under a lock, the asyncio shell from its event loop).

    Args:
        max_queued: Undelivered responses per watch before its server watcher is paused.
        policy: The retry policy that creations follow (the client's; default
            ``RetryPolicy()``).
        warn_after: Seconds of outage after which ``outage_warning`` answers (once).
    """

    def __init__(
        self,
        max_queued: int = 1024,
        *,
        policy: RetryPolicy | None = None,
        warn_after: float = 30.0,
    ) -> None:
        if max_queued < 2:
            raise ValueError("max_queued must be >= 2")
        self.max_queued = max_queued
        self.resume_at = max_queued // 2
        self.backoff = Backoff()
        self.policy = policy if policy is not None else RetryPolicy()
        self.warn_after = warn_after
        self.outage_since: float | None = None
        """Since when (``time.monotonic()``) the stream has been down, while watches are live
        and no re-opened stream has answered yet; ``None`` otherwise (read-only)."""
        self._warned = False
        self._answered = False
        self._working = False
        self._ids = 0
        self._live: dict[int, Registration[S]] = {}
        self._pending: deque[Registration[S]] = deque()
        self._by_server: dict[int, Registration[S]] = {}
        self._outbox: deque[WatchRequest] = deque()
        self._auth_checks: list[Registration[S]] = []
        self._stream_open = False
        self._closed = False

    # --- Queries -----------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """No watch is live: the stream (and its reader) can go."""
        return not self._live

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._closed

    @property
    def stream_open(self) -> bool:
        """Whether a stream is open (requests queued now go to it)."""
        return self._stream_open

    @property
    def has_requests(self) -> bool:
        """Whether requests wait to be sent."""
        return bool(self._outbox)

    @property
    def has_auth_checks(self) -> bool:
        """Whether ``take_auth_checks`` has something to return."""
        return bool(self._auth_checks)

    @property
    def has_work(self) -> bool:
        """Whether the shell has something to do after ``receive``: requests to send,
        permissions to check, or an outage that a response may have ended."""
        return bool(self._outbox or self._auth_checks) or self.outage_since is not None

    @property
    def live(self) -> int:
        """How many watches are live."""
        return len(self._live)

    def get(self, watch_id: int) -> Registration[S] | None:
        """The live watch with our id ``watch_id``, if any."""
        return self._live.get(watch_id)

    def state(self, reg: Registration[S], last_revision: int) -> WatchState:
        """The [`WatchState`][etcd3.WatchState] of ``reg`` (``last_revision``: what its consumer
        got)."""
        return WatchState(
            connected=(
                not reg.done and self._answered and reg.phase in (Phase.ACTIVE, Phase.PAUSED)
            ),
            reconnecting_since=None if reg.done else self.outage_since,
            last_revision=last_revision,
            ended=reg.done,
        )

    def pop_request(self) -> WatchRequest | None:
        """The next request to send on the current stream, in order; ``None`` when none."""
        return self._outbox.popleft() if self._outbox else None

    # --- The consumer side -------------------------------------------------------------

    def add(self, spec: WatchSpec, sink: S, deadline: float | None = None) -> Registration[S]:
        """Register a watch; its create request is queued now if a stream is open, else when
        one opens (``stream_opened``).

        Args:
            spec: What to watch.
            sink: Where its results go.
            deadline: When its creation must be confirmed (``time.monotonic()``; ``None``:
                no limit, the retry policy's attempts bound it).

        Raises:
            ConnectionClosedError: After ``close``.
        """
        if self._closed:
            raise ConnectionClosedError("the client is closed")
        self._ids += 1
        reg = Registration(self._ids, spec, sink, deadline)
        self._live[reg.id] = reg
        if self._stream_open:
            self._create(reg)
        return reg

    def cancel(self, watch_id: int) -> bool:
        """End a watch for its consumer (``push(None)``) and cancel its server watcher.

        Returns:
            Whether ``watch_id`` was live (unknown or ended ids are a no-op).
        """
        reg = self._live.get(watch_id)
        if reg is None:
            return False
        self._finish(reg, None)
        return True

    def consumed(self, reg: Registration[S], count: int = 1) -> bool:
        """The consumer took ``count`` deliveries; a paused watch resumes once half drained.

        Returns:
            Whether requests wait to be sent (the resumed watch's create).
        """
        reg.queued -= count
        if (
            reg.phase is Phase.PAUSED
            and not reg.done
            and reg.queued <= self.resume_at
            and self._stream_open
        ):
            self._create(reg)
            return True
        return False

    def consumed_id(self, watch_id: int, count: int = 1) -> bool:
        """``consumed`` for the watch with our id ``watch_id`` (a no-op once it ended)."""
        reg = self._live.get(watch_id)
        return reg is not None and self.consumed(reg, count)

    def request_progress(self) -> bool:
        """Queue a progress request (etcd answers every watch of the stream with its revision).

        Returns:
            Whether a stream was open to send it on.
        """
        if not self._stream_open:
            return False
        self._outbox.append(WatchRequest(progress_request=WatchProgressRequest()))
        return True

    def creation_failure(
        self, reg: Registration[S], timeout: float | None = None
    ) -> EtcdError | None:
        """End a creation whose deadline passed unconfirmed; ``None`` if it was confirmed.

        Args:
            reg: The watch.
            timeout: The creation's timeout in seconds, for the message.

        Returns:
            The error to raise: the stream failure that kept it from being confirmed, or
                ``None`` when there was none (the caller raises ``unconfirmed(...)``).
        """
        if reg.confirmed:
            return None
        error = reg.failure if reg.failure is not None else unconfirmed(reg.spec, timeout)
        reg.confirmed = True
        reg.sink.confirmed(error, 0)
        self._finish(reg, None)
        return reg.failure

    def take_auth_checks(self) -> list[Registration[S]]:
        """The watches whose creation was refused for want of permission, to check once.

        etcd checks a watch's permission with the token its *stream* was opened with, which
        may have expired since. For each watch returned, the shell makes a call needing the
        same permission (the transport refreshes an expired token on the way) and reports
        the outcome to ``auth_checked``, which says when to re-open the stream (with the
        fresh token), where the watch is created again. A refusal after ``AUTH_CHECKS``
        checks without a creation in between is final.
        """
        checks = [reg for reg in self._auth_checks if not reg.done]
        self._auth_checks.clear()
        return checks

    def auth_checked(self, reg: Registration[S], error: EtcdError | None) -> Recheck:
        """The outcome of a permission check (``take_auth_checks``): ``None`` if it passed,
        else the error of the read that checked.

        A check that passed, or failed for a transient reason (the connection, the cluster)
        or for a stale token (expired again, or older than a change of the auth store since),
        leaves the watch waiting for the next stream; any other error (permission denied)
        refuses the watch. Only failures that concern the token or the permission count
        against ``AUTH_CHECKS``: an outage must not end a watch.

        Returns:
            What the shell does next (the most urgent outcome of its checks wins).
        """
        if reg.done:
            return Recheck.ENDED
        if error is None:
            reg.auth_checks += 1
            return Recheck.NOW if reg.auth_checks == 1 else Recheck.LATER
        if is_transient(error) or is_auth_expired(error):
            if isinstance(error, _AUTH_REFUSALS):
                reg.auth_checks += 1
            return Recheck.LATER
        if not reg.confirmed:
            reg.confirmed = True
            reg.sink.confirmed(error, 0)
            self._finish(reg, None)
        else:
            self._finish(reg, error)
        return Recheck.ENDED

    def close(self) -> None:
        """End every watch (``push(None)``; waiting creators get ``ConnectionClosedError``)."""
        self._closed = True
        error = ConnectionClosedError("the client was closed")
        for reg in list(self._live.values()):
            if not reg.confirmed:
                reg.confirmed = True
                reg.sink.confirmed(error, 0)
            self._finish(reg, None)
        self._stream_lost()

    # --- The stream side ---------------------------------------------------------------

    def stream_opened(self) -> None:
        """A new stream is open: queue a create for every watch that needs one, in order."""
        self._stream_open = True
        self._answered = False
        for reg in self._live.values():
            if reg.phase is Phase.NEW or (
                reg.phase is Phase.PAUSED and reg.queued <= self.resume_at
            ):
                self._create(reg)

    def stream_failed(
        self,
        error: EtcdError | None,
        *,
        terminal: bool,
        now: float,
        endpoint: str | None = None,
        next_endpoint: str | None = None,
    ) -> float:
        """The stream ended (``error`` ``None``: without one). Server watchers are gone: live
        watches will be re-created on the next stream, or all fail with ``error`` if
        ``terminal``.

        Each creation not yet confirmed counts the failure as one of its attempts (see the
        module docstring): one whose retry policy or deadline says to give up fails now with
        ``error``; the others set the pace of the next attempt.

        Args:
            error: What ended the stream.
            terminal: End every watch with ``error`` (the client closed, or ``error`` is not
                transient).
            now: ``time.monotonic()``.
            endpoint: Where the stream ran (``None``: unknown).
            next_endpoint: Where the next stream will open (``None``: unknown).

        Returns:
            Seconds to wait before opening the next stream.
        """
        self._stream_lost()
        if self._live and self.outage_since is None:
            self.outage_since = now
        final = error
        if final is None:
            final = (
                StreamClosedError("the watch stream ended")
                if terminal
                else ConnectionFailedError("the watch stream ended before etcd confirmed it")
            )
        if terminal:
            for reg in list(self._live.values()):
                if not reg.confirmed:
                    reg.confirmed = True
                    reg.sink.confirmed(final, 0)
                    self._finish(reg, None)
                else:
                    self._finish(reg, final)
            return 0.0
        self._working = False
        backoff = self.backoff.next_delay()
        pace: float | None = None
        for reg in list(self._live.values()):
            if reg.confirmed:
                continue
            wait = self._attempt_failed(reg, final, now, endpoint, next_endpoint)
            if wait is not None:
                pace = wait if pace is None else min(pace, wait)
        if not self._live:
            # Every creation gave up: no watch is left to resume, so there is no outage, and
            # the next watch's creation must not wait for this stream's backoff (its own
            # retry policy paces it from its first attempt).
            self.backoff.reset()
            self.outage_since = None
            self._warned = False
            return 0.0
        # While a creation waits, its retry policy sets the pace (as for a unary call).
        return backoff if pace is None else pace

    def stream_closed(self) -> None:
        """The shell closed the stream on purpose (no watch left): no failure, no outage."""
        self._stream_lost()

    def stream_answered(self, now: float) -> float | None:
        """A re-opened stream answered: the outage, if one was going on, is over.

        Returns:
            How long the outage lasted, or ``None`` if there was none.
        """
        since = self.outage_since
        if since is None:
            return None
        self.outage_since = None
        self._warned = False
        return now - since

    def outage_warning(self, now: float) -> float | None:
        """How long the stream has been down, once it is longer than ``warn_after`` (the first
        time only, per outage); ``None`` otherwise."""
        since = self.outage_since
        if since is None or self._warned or now - since < self.warn_after:
            return None
        self._warned = True
        return now - since

    def receive(self, response: etcdserverpb.WatchResponse) -> bool:
        """Route one response of the stream to its watch.

        Returns:
            ``has_work``: whether the shell has something to do now.
        """
        self._answered = True
        watch_id = response.watch_id
        reg = self._by_server.get(watch_id)
        if reg is not None and reg.in_order and not (reg.spec.fragment and response.fragment):
            # The common case: the next events of a watcher whose responses so far needed no
            # trimming, starting after the last one delivered. A response with events is
            # neither a creation's answer nor a cancellation (etcd sends those without
            # events), and etcd fragments only the responses of a watch created with
            # ``fragment`` set: every other response ends at a revision boundary.
            events = response.events
            count = len(events)
            if count:
                first = events[0].kv.mod_revision
                if first >= reg.next_revision:
                    if not self._working:
                        self._stream_works()
                    reg.next_revision = (
                        first if count == 1 else events[count - 1].kv.mod_revision
                    ) + 1
                    queued = reg.queued = reg.queued + 1
                    reg.sink.push(response)
                    if queued < self.max_queued:
                        return self.outage_since is not None
                    self._pause(reg)
                    return self.has_work
        if response.created:
            self._on_created(response)
            return self.has_work
        if not self._working:
            self._stream_works()
        if watch_id == ALL_WATCHES:
            # A progress response for the whole stream: every watch sees it, none advances
            # its resume revision (etcd < 3.5.8 answers before slow watchers caught up).
            for each in list(self._by_server.values()):
                if each.phase is Phase.ACTIVE and not each.done:
                    self._deliver(each, response)
            return self.has_work
        if reg is None:
            # A watcher we cancelled or paused: its history is replayed when needed.
            return self.has_work
        if response.canceled or response.compact_revision:
            del self._by_server[watch_id]
            reg.server_id = None
            if not reg.done and reg.phase is Phase.ACTIVE:
                reg.phase = Phase.NEW
                self._finish(reg, refusal_error(response))
            return self.has_work
        if reg.done or reg.phase is not Phase.ACTIVE:
            return self.has_work
        if not response.events:
            # Per-watch progress: etcd sends it only to watchers that are in sync, so
            # every event up to the header's revision has been delivered.
            if reg.partial == 0 and not response.fragment:
                reg.next_revision = max(reg.next_revision, response.header.revision + 1)
            self._deliver(reg, response)
            return self.has_work
        if self._trim(reg, response):
            reg.in_order = reg.partial == 0 and reg.skip == 0
            self._deliver(reg, response)
        return self.has_work

    # --- Internals ---------------------------------------------------------------------

    def _stream_works(self) -> None:
        # A response with events or progress. (Not a bare `created`: a member that accepts
        # watches and then drops the stream must not be retried without backoff.)
        self._working = True
        self.backoff.reset()

    def _attempt_failed(
        self,
        reg: Registration[S],
        error: EtcdError,
        now: float,
        endpoint: str | None,
        next_endpoint: str | None,
    ) -> float | None:
        """Count a failed attempt of an unconfirmed creation; fail it when the policy says so.

        Returns:
            The wait before its next attempt, or ``None`` if it failed.
        """
        attempts = reg.attempts
        if attempts is None:
            attempts = reg.attempts = CallAttempts(self.policy, True, reg.deadline)
        reg.failure = error
        where = endpoint or ""
        fresh = next_endpoint is not None and next_endpoint != where
        step = attempts.on_failure(
            error,
            where,
            now,
            failover=is_endpoint_failure(error),
            next_is_fresh=fresh and next_endpoint not in attempts.tried,
        )
        if step is not None:
            return step.delay
        reg.confirmed = True
        reg.sink.confirmed(error, 0)
        self._finish(reg, None)
        return None

    def _create(self, reg: Registration[S]) -> None:
        # A watcher (re-)created at ``next_revision`` needs its responses checked against that
        # revision only, unless events of it were delivered already (a cut fragment): then
        # they are counted off by ``_trim``. Most watches see one event or a few, so their
        # first response must not take the slow path.
        reg.in_order = reg.partial == 0
        reg.phase = Phase.PENDING
        reg.skip = reg.partial
        self._pending.append(reg)
        self._outbox.append(reg.spec.create_request(reg.next_revision))

    def _on_created(self, response: etcdserverpb.WatchResponse) -> None:
        if not self._pending:
            return  # not ours: a confused server; nothing waits for it
        reg = self._pending.popleft()
        if response.canceled or response.compact_revision:
            error = refusal_error(response)
            reg.phase = Phase.NEW
            if isinstance(error, _AUTH_REFUSALS) and reg.auth_checks < AUTH_CHECKS and not reg.done:
                # Perhaps only the stream's token expired: the shell checks the permission
                # with a call (which refreshes the token) and re-creates on a new stream.
                self._auth_checks.append(reg)
                return
            if not reg.confirmed:
                reg.confirmed = True
                reg.sink.confirmed(error, 0)
                self._finish(reg, None)
            elif not reg.done:
                self._finish(reg, error)
            return
        reg.server_id = response.watch_id
        self._by_server[response.watch_id] = reg
        if reg.done or reg.phase is not Phase.PENDING:
            # Cancelled while the create was in flight.
            self._cancel_server_watch(reg)
            return
        reg.phase = Phase.ACTIVE
        reg.auth_checks = 0
        reg.attempts = None
        reg.failure = None
        if reg.next_revision == 0:
            # etcd starts a watcher without start revision at the header revision + 1.
            reg.next_revision = response.header.revision + 1
        if not reg.confirmed:
            reg.confirmed = True
            reg.sink.confirmed(None, response.header.revision)

    def _trim(self, reg: Registration[S], response: etcdserverpb.WatchResponse) -> bool:
        """Drop replayed events already delivered; track the resume point. False: nothing left."""
        events = response.events
        count = len(events)
        start = reg.next_revision
        drop = 0
        while drop < count and events[drop].kv.mod_revision < start:
            drop += 1
        skip = reg.skip
        while skip and drop < count and events[drop].kv.mod_revision == start:
            drop += 1
            skip -= 1
        reg.skip = skip
        if drop:
            if drop == count:
                return False
            del events[:drop]
            count -= drop
        reg.skip = 0
        last = events[count - 1].kv.mod_revision
        if response.fragment:
            # The batch may continue inside revision `last`: count what was delivered of it.
            tail = 1
            while tail < count and events[count - 1 - tail].kv.mod_revision == last:
                tail += 1
            reg.partial = reg.partial + tail if tail == count and last == start else tail
            reg.next_revision = last
        else:
            # etcd ends every unfragmented batch at a revision boundary.
            reg.partial = 0
            reg.next_revision = last + 1
        return True

    def _deliver(self, reg: Registration[S], response: etcdserverpb.WatchResponse) -> None:
        reg.queued += 1
        reg.sink.push(response)
        if reg.queued >= self.max_queued:
            self._pause(reg)

    def _pause(self, reg: Registration[S]) -> None:
        if reg.phase is Phase.ACTIVE:
            # The consumer lags: stop this watcher instead of buffering without bound or
            # blocking the reader; it is re-created from next_revision in consumed().
            self._cancel_server_watch(reg)
            reg.phase = Phase.PAUSED

    def _cancel_server_watch(self, reg: Registration[S]) -> None:
        server_id = reg.server_id
        if server_id is not None:
            self._by_server.pop(server_id, None)
            reg.server_id = None
            if self._stream_open:
                self._outbox.append(
                    WatchRequest(cancel_request=WatchCancelRequest(watch_id=server_id))
                )

    def _finish(self, reg: Registration[S], error: EtcdError | None) -> None:
        """End ``reg`` for its consumer: push the terminal ``error`` or ``None``."""
        if reg.done:
            return
        reg.done = True
        self._live.pop(reg.id, None)
        if reg.phase is Phase.ACTIVE:
            self._cancel_server_watch(reg)
        # A PENDING registration stays in _pending: its `created` answer must still be
        # matched, and is then cancelled on the server (see _on_created).
        reg.sink.push(error)

    def _stream_lost(self) -> None:
        self._stream_open = False
        self._answered = False
        self._pending.clear()
        self._by_server.clear()
        self._outbox.clear()
        for reg in self._live.values():
            reg.server_id = None
            if reg.phase is not Phase.PAUSED:
                reg.phase = Phase.NEW
