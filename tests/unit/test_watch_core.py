"""The sans-IO watch multiplexer: registrations, order, resume bookkeeping, errors (no server)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from etcd3._events import WatchResponse
from etcd3._retry import RetryPolicy
from etcd3._watch_core import (
    ALL_WATCHES,
    AUTH_CHECKS,
    Phase,
    Recheck,
    WatchCore,
    WatchSpec,
    is_transient,
    refusal_error,
    watch_spec,
)
from etcd3.errors import (
    AuthOldRevisionError,
    ConnectionClosedError,
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    FutureRevisionError,
    InvalidArgumentError,
    InvalidAuthTokenError,
    PermissionDeniedError,
    PreconditionFailedError,
    RevisionCompactedError,
    StreamClosedError,
    WatchCanceledError,
)
from etcd3.rpc.etcdserverpb import FilterType, ResponseHeader, WatchRequest
from etcd3.rpc.etcdserverpb import WatchResponse as RawResponse
from etcd3.rpc.mvccpb import Event, EventType, KeyValue


class Sink:
    """Records what the core hands over."""

    def __init__(self) -> None:
        self.confirmations: list[tuple[EtcdError | None, int]] = []
        self.items: list[WatchResponse | EtcdError | None] = []

    def confirmed(self, error: EtcdError | None, revision: int) -> None:
        self.confirmations.append((error, revision))

    def push(self, item: RawResponse | EtcdError | None) -> None:
        self.items.append(WatchResponse(item) if isinstance(item, RawResponse) else item)

    def revisions(self) -> list[list[int]]:
        return [
            [e.mod_revision for e in item] for item in self.items if isinstance(item, WatchResponse)
        ]


def created(server_id: int, revision: int = 10) -> RawResponse:
    return RawResponse(header=ResponseHeader(revision=revision), watch_id=server_id, created=True)


def events(
    server_id: int, *revisions: int, header: int = 100, fragment: bool = False
) -> RawResponse:
    return RawResponse(
        header=ResponseHeader(revision=header),
        watch_id=server_id,
        fragment=fragment,
        events=[
            Event(type=EventType.PUT, kv=KeyValue(key=b"k", mod_revision=r)) for r in revisions
        ],
    )


def drain(core: WatchCore[Sink]) -> list[WatchRequest]:
    out = []
    while (request := core.pop_request()) is not None:
        out.append(request)
    return out


def creates(requests: list[WatchRequest]) -> list[tuple[bytes, int]]:
    return [
        (r.create_request.key, r.create_request.start_revision)
        for r in requests
        if r.WhichOneof("request_union") == "create_request"
    ]


def cancels(requests: list[WatchRequest]) -> list[int]:
    return [
        r.cancel_request.watch_id
        for r in requests
        if r.WhichOneof("request_union") == "cancel_request"
    ]


def open_core(max_queued: int = 1024) -> WatchCore[Sink]:
    core: WatchCore[Sink] = WatchCore(max_queued)
    core.stream_opened()
    return core


def test_creates_wait_for_a_stream_and_are_answered_in_order() -> None:
    core: WatchCore[Sink] = WatchCore()
    a, b = Sink(), Sink()
    reg_a = core.add(WatchSpec(b"a"), a)
    reg_b = core.add(WatchSpec(b"b", start_revision=3), b)
    assert (reg_a.id, reg_b.id) == (1, 2)
    assert drain(core) == []  # no stream yet
    core.stream_opened()
    assert creates(drain(core)) == [(b"a", 0), (b"b", 3)]
    # etcd answers in order: the first `created` is a's, whatever its server id.
    core.receive(created(7, revision=20))
    core.receive(created(3, revision=21))
    assert a.confirmations == [(None, 20)]
    assert b.confirmations == [(None, 21)]
    core.receive(events(3, 22))
    core.receive(events(7, 23))
    assert a.revisions() == [[23]]
    assert b.revisions() == [[22]]
    assert (reg_a.phase, reg_a.server_id) == (Phase.ACTIVE, 7)


def test_create_request_carries_every_option() -> None:
    spec = watch_spec(
        "k",
        "z",
        5,
        progress_notify=True,
        filters=["noput", FilterType.NODELETE],
        prev_kv=True,
        fragment=True,
    )
    request = spec.create_request(9).create_request
    assert (request.key, request.range_end, request.start_revision) == (b"k", b"z", 9)
    assert (request.progress_notify, request.prev_kv, request.fragment) == (True, True, True)
    assert list(request.filters) == [FilterType.NOPUT, FilterType.NODELETE]


def test_resume_starts_after_the_last_delivered_event_not_the_header() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(0, revision=10))
    # A catching-up batch: the header is far ahead of the events.
    core.receive(events(0, 11, 12, header=500))
    core.stream_failed(ConnectionFailedError("gone"), terminal=False, now=0.0)
    assert sink.items[-1] is not None  # transient: nothing reaches the consumer
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 13)]


def test_resume_before_any_event_starts_after_the_creation_revision() -> None:
    core = open_core()
    core.add(WatchSpec(b"k"), Sink())
    drain(core)
    core.receive(created(0, revision=10))
    core.stream_failed(None, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 11)]


def test_unconfirmed_create_is_resent_on_the_next_stream() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k", start_revision=4), sink)
    drain(core)
    core.stream_failed(ConnectionFailedError("gone"), terminal=False, now=0.0)
    assert sink.confirmations == []
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 4)]
    core.receive(created(1))
    assert sink.confirmations == [(None, 10)]


def test_replayed_events_are_never_delivered_twice() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k", start_revision=2), sink)
    drain(core)
    core.receive(created(0))
    core.receive(events(0, 2, 3))
    core.receive(events(0, 2, 3, 4))  # a confused replay: only 4 is new
    core.receive(events(0, 3))  # nothing new: nothing delivered
    assert sink.revisions() == [[2, 3], [4]]


def test_only_a_cut_fragment_makes_a_new_watcher_check_each_event() -> None:
    core = open_core()
    plain, cut = Sink(), Sink()
    reg_plain = core.add(WatchSpec(b"a"), plain)
    reg_cut = core.add(WatchSpec(b"b", fragment=True), cut)
    drain(core)
    # A new watcher's first response is checked against its start revision only.
    assert reg_plain.in_order
    assert reg_cut.in_order
    core.receive(created(0, revision=4))
    core.receive(created(1, revision=4))
    core.receive(events(0, 5))
    core.receive(events(1, 5, 6, fragment=True))  # revision 6 may go on in the next fragment
    assert (plain.revisions(), cut.revisions()) == ([[5]], [[5, 6]])
    core.stream_failed(None, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"a", 6), (b"b", 6)]
    assert reg_plain.in_order
    assert not reg_cut.in_order  # its replay of revision 6 must be counted off
    core.receive(created(2, revision=9))
    core.receive(created(3, revision=9))
    core.receive(events(2, 7))
    core.receive(events(3, 6, 6, 7))
    assert plain.revisions() == [[5], [7]]
    assert cut.revisions() == [[5, 6], [6, 7]]
    assert reg_cut.in_order


def test_fragmented_revision_is_resumed_without_loss_or_duplicates() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k", fragment=True), sink)
    drain(core)
    core.receive(created(0, revision=4))
    core.receive(events(0, 5, 6, 6, fragment=True))  # revision 6 continues in the next fragment
    core.receive(events(0, 6, fragment=True))  # still revision 6
    core.stream_failed(ConnectionFailedError("gone"), terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 6)]  # re-read revision 6...
    core.receive(created(1))
    core.receive(events(1, 6, 6, 6, 6, 7))  # ...skipping the 3 events of it delivered already
    assert sink.revisions() == [[5, 6, 6], [6], [6, 7]]
    core.stream_failed(None, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 8)]


def test_cancel_ends_the_consumer_at_once_and_cancels_on_the_server() -> None:
    core = open_core()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(5))
    assert core.cancel(reg.id)
    assert sink.items == [None]
    assert cancels(drain(core)) == [5]
    assert core.idle
    core.receive(events(5, 11))  # in flight before the server saw the cancel: dropped
    assert sink.items == [None]
    assert not core.cancel(reg.id)  # twice: no-op
    assert not core.cancel(999)  # unknown: no-op


def test_cancel_while_creating_cancels_the_server_watch_once_created() -> None:
    core = open_core()
    first, second = Sink(), Sink()
    reg = core.add(WatchSpec(b"a"), first)
    core.add(WatchSpec(b"b"), second)
    drain(core)
    core.cancel(reg.id)
    assert drain(core) == []  # no server id yet
    core.receive(created(8))  # still matched to the cancelled watch: order is kept
    core.receive(created(9))
    assert cancels(drain(core)) == [8]
    assert first.confirmations == []
    assert second.confirmations == [(None, 10)]


def test_refused_create_reports_the_servers_reason() -> None:
    core = open_core()
    denied, odd = Sink(), Sink()
    core.add(WatchSpec(b"secret"), denied)
    core.add(WatchSpec(b"x"), odd)
    drain(core)
    core.receive(
        RawResponse(
            watch_id=-1,
            created=True,
            canceled=True,
            cancel_reason="etcdserver: permission denied",
        )
    )
    core.receive(RawResponse(watch_id=-1, created=True, canceled=True, cancel_reason="strange"))
    error, _ = odd.confirmations[0]
    assert isinstance(error, WatchCanceledError)
    assert str(error) == "strange"
    # A permission refusal is checked once first (the stream's token may have expired).
    assert denied.confirmations == []
    (check,) = core.take_auth_checks()
    assert check.spec.key == b"secret"
    assert core.take_auth_checks() == []
    refused = PermissionDeniedError("etcdserver: permission denied")
    core.auth_checked(check, refused)
    assert denied.confirmations == [(refused, 0)]
    assert denied.items == [None]
    assert core.idle


@pytest.mark.parametrize(
    ("reason", "error_class", "text"),
    [
        (
            "rpc error: code = PermissionDenied desc = etcdserver: permission denied",
            PermissionDeniedError,
            "etcdserver: permission denied",
        ),
        (
            "rpc error: code = Unauthenticated desc = etcdserver: invalid auth token",
            InvalidAuthTokenError,
            "etcdserver: invalid auth token",
        ),
        ("rpc error: code = FailedPrecondition desc = odd", PreconditionFailedError, "odd"),
        ("rpc error: code = NoSuchCode desc = odd", WatchCanceledError, "rpc error"),
        ("etcdserver: mvcc: required revision is a future revision", FutureRevisionError, "future"),
    ],
)
def test_refusal_reasons_map_to_typed_errors(
    reason: str, error_class: type[EtcdError], text: str
) -> None:
    error = refusal_error(RawResponse(canceled=True, cancel_reason=reason))
    assert type(error) is error_class
    assert text in str(error)


def test_a_watch_refused_for_permission_is_checked_and_created_on_a_new_stream() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(1, revision=20))
    core.receive(events(1, 21))
    # The stream fails; on the next one the (expired) token gets the create refused.
    core.stream_failed(ConnectionFailedError("gone"), terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 22)]
    core.receive(denied_create())
    (check,) = core.take_auth_checks()
    # The permission is there: the token was refreshed, the stream re-opens at once.
    assert core.auth_checked(check, None) is Recheck.NOW
    assert sink.items[1:] == []
    core.stream_failed(None, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 22)]
    core.receive(created(2, revision=30))
    core.receive(events(2, 22, 23))
    assert sink.revisions() == [[21], [22, 23]]


def confirmed_then_recreated() -> tuple[WatchCore[Sink], Sink]:
    """A watch confirmed at revision 20 whose stream failed: its create is on a new stream."""
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(1, revision=20))
    reopen(core)
    return core, sink


def reopen(core: WatchCore[Sink]) -> None:
    """The stream fails; a new one opens and takes the creates queued for it."""
    core.stream_failed(ConnectionFailedError("gone"), terminal=False, now=0.0)
    core.stream_opened()
    drain(core)


def refused_after_checks(
    core: WatchCore[Sink], outcomes: Sequence[EtcdError | None]
) -> list[Recheck]:
    """Refuse the watch's create once per outcome, answer its check with it, re-open."""
    rechecks = []
    for outcome in outcomes:
        core.receive(denied_create())
        (check,) = core.take_auth_checks()
        rechecks.append(core.auth_checked(check, outcome))
        core.stream_failed(None, terminal=False, now=0.0)
        core.stream_opened()
        drain(core)
    return rechecks


def test_a_refusal_after_every_check_passed_is_final_after_auth_checks() -> None:
    # A token can be refused again before the re-creation (it expired again on the member,
    # or a lagging member has not learnt it): the check is repeated, a bounded number of times.
    core, sink = confirmed_then_recreated()
    rechecks = refused_after_checks(core, [None] * AUTH_CHECKS)
    assert rechecks == [Recheck.NOW] + [Recheck.LATER] * (AUTH_CHECKS - 1)
    assert sink.items == []
    core.receive(denied_create())
    assert core.take_auth_checks() == []
    assert isinstance(sink.items[-1], PermissionDeniedError)
    assert core.idle


def test_a_creation_gives_a_watch_its_checks_again() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    for server_id in range(1, 4):
        refused_after_checks(core, [None] * AUTH_CHECKS)
        core.receive(created(server_id, revision=20))
        reopen(core)
    assert sink.confirmations == [(None, 20)]
    assert sink.items == []


def test_a_check_that_fails_for_want_of_a_connection_is_not_counted() -> None:
    core, sink = confirmed_then_recreated()
    outages = [ConnectionTimeoutError("slow"), ConnectionFailedError("gone")] * AUTH_CHECKS
    assert refused_after_checks(core, outages) == [Recheck.LATER] * len(outages)
    # The watch still has every check: the first to pass re-opens the stream at once.
    rechecks = refused_after_checks(core, [None] * AUTH_CHECKS)
    assert rechecks == [Recheck.NOW] + [Recheck.LATER] * (AUTH_CHECKS - 1)
    assert sink.items == []
    assert not core.idle


@pytest.mark.parametrize(
    "stale",
    [
        InvalidAuthTokenError("etcdserver: invalid auth token"),
        # The auth store changed after the read renewed the token (a user or role edited).
        AuthOldRevisionError("etcdserver: revision of auth store is old"),
    ],
    ids=["expired", "old-auth-revision"],
)
def test_a_check_refused_for_its_token_is_retried_later_and_counted(stale: EtcdError) -> None:
    # The read that checks renews a stale token; if the renewed one is refused too
    # (no credentials to renew it with, or the auth store keeps changing), the watch ends
    # after its checks.
    core, sink = confirmed_then_recreated()
    assert refused_after_checks(core, [stale] * AUTH_CHECKS) == [Recheck.LATER] * AUTH_CHECKS
    assert sink.items == []
    core.receive(denied_create())
    assert isinstance(sink.items[-1], PermissionDeniedError)


def test_a_check_refused_for_permission_ends_the_watch() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    refused = PermissionDeniedError("etcdserver: permission denied")
    assert refused_after_checks(core, [refused]) == [Recheck.ENDED]
    assert sink.confirmations == [(refused, 0)]
    assert core.idle


def test_auth_checks_of_cancelled_watches_are_dropped() -> None:
    core = open_core()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(denied_create())
    core.cancel(reg.id)
    assert core.take_auth_checks() == []
    core.auth_checked(reg, PermissionDeniedError("no"))  # ended already: nothing more
    assert sink.items == [None]


def denied_create() -> RawResponse:
    return RawResponse(
        watch_id=-1,
        created=True,
        canceled=True,
        cancel_reason="rpc error: code = PermissionDenied desc = etcdserver: permission denied",
    )


def test_compaction_cancel_is_a_terminal_typed_error() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k", start_revision=2), sink)
    drain(core)
    core.receive(created(4))
    core.receive(RawResponse(watch_id=4, canceled=True, compact_revision=17))
    (error,) = sink.items
    assert isinstance(error, RevisionCompactedError)
    assert error.compacted_revision == 17
    assert core.idle
    assert drain(core) == []  # the server already cancelled it


def test_server_cancel_with_reason_ends_the_watch() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(4))
    core.receive(
        RawResponse(watch_id=4, canceled=True, cancel_reason="etcdserver: permission denied")
    )
    assert isinstance(sink.items[0], PermissionDeniedError)
    assert core.idle


def test_terminal_stream_failure_fails_every_watch() -> None:
    core = open_core()
    live, waiting = Sink(), Sink()
    core.add(WatchSpec(b"a"), live)
    drain(core)
    core.receive(created(0))
    core.add(WatchSpec(b"b"), waiting)
    denied = PermissionDeniedError("no")
    core.stream_failed(denied, terminal=True, now=0.0)
    assert live.items == [denied]
    assert waiting.confirmations == [(denied, 0)]
    assert waiting.items == [None]
    assert core.idle


def test_a_lagging_consumer_pauses_its_watch_and_resumes_without_loss() -> None:
    core = open_core(max_queued=4)
    slow, fast = Sink(), Sink()
    reg = core.add(WatchSpec(b"slow"), slow)
    core.add(WatchSpec(b"fast"), fast)
    drain(core)
    core.receive(created(1, revision=10))
    core.receive(created(2, revision=10))
    for rev in (11, 12, 13, 14):
        core.receive(events(1, rev))
    assert reg.phase is Phase.PAUSED
    assert cancels(drain(core)) == [1]
    core.receive(events(1, 15))  # in flight: dropped, replayed later
    core.receive(events(2, 15))  # other watches go on
    assert fast.revisions() == [[15]]
    core.consumed(reg)
    assert drain(core) == []  # 3 still queued: not yet
    core.consumed(reg)
    assert creates(drain(core)) == [(b"slow", 15)]
    core.receive(created(3))
    core.receive(events(3, 15))
    assert slow.revisions() == [[11], [12], [13], [14], [15]]


def test_progress_notifications() -> None:
    core = open_core()
    a, b = Sink(), Sink()
    reg_a = core.add(WatchSpec(b"a", progress_notify=True), a)
    reg_b = core.add(WatchSpec(b"b"), b)
    drain(core)
    core.receive(created(0, revision=10))
    core.receive(created(1, revision=10))
    # Per-watch progress: sent only to in-sync watchers, so it advances the resume point.
    core.receive(RawResponse(header=ResponseHeader(revision=30), watch_id=0))
    assert reg_a.next_revision == 31
    # A stream-wide answer to request_progress: delivered to all, advances nothing.
    assert core.request_progress()
    assert [r.WhichOneof("request_union") for r in drain(core)] == ["progress_request"]
    core.receive(RawResponse(header=ResponseHeader(revision=40), watch_id=-1))
    assert reg_a.next_revision == 31
    assert reg_b.next_revision == 11
    assert [len(item) for item in a.items if isinstance(item, WatchResponse)] == [0, 0]
    assert len(b.items) == 1


def test_close_ends_everything_and_refuses_new_watches() -> None:
    core = open_core()
    live, waiting = Sink(), Sink()
    core.add(WatchSpec(b"a"), live)
    drain(core)
    core.receive(created(0))
    core.add(WatchSpec(b"b"), waiting)
    core.close()
    assert live.items == [None]
    error, _ = waiting.confirmations[0]
    assert isinstance(error, ConnectionClosedError)
    assert core.idle
    assert not core.stream_open
    with pytest.raises(ConnectionClosedError):
        core.add(WatchSpec(b"c"), Sink())


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("k",), {}, WatchSpec(b"k")),
        ((b"k", "m"), {}, WatchSpec(b"k", b"m")),
        (("",), {"prefix": True}, WatchSpec(b"\0", b"\0")),
        (("/a",), {"prefix": True}, WatchSpec(b"/a", b"/b")),
        ((b"k", None, 7), {"filters": ("nodelete", "nodelete")}, None),
    ],
)
def test_watch_spec_normalizes(
    args: tuple[object, ...], kwargs: dict[str, object], expected: WatchSpec | None
) -> None:
    spec = watch_spec(*args, **kwargs)  # type: ignore[arg-type]
    if expected is None:
        assert (spec.start_revision, spec.filters) == (7, (FilterType.NODELETE,))
    else:
        assert spec == expected


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"key": b""}, ValueError),
        ({"key": 5}, TypeError),
        ({"key": b"k", "range_end": 5}, TypeError),
        ({"key": b"k", "start_revision": 0}, ValueError),
        ({"key": b"k", "start_revision": -3}, ValueError),
        ({"key": b"k", "start_revision": True}, TypeError),
        ({"key": b"k", "start_revision": "5"}, TypeError),
        ({"key": b"k", "filters": ["noget"]}, ValueError),
        ({"key": b"k", "filters": [5]}, ValueError),
        ({"key": b"k", "filters": "noput"}, TypeError),
    ],
)
def test_watch_spec_rejects_bad_input(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        watch_spec(**kwargs)  # type: ignore[arg-type]


def test_a_creation_that_gives_up_leaves_no_outage_and_no_wait_behind() -> None:
    core: WatchCore[Sink] = WatchCore(policy=RetryPolicy(max_attempts=2))
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    core.stream_opened()
    drain(core)
    refused = ConnectionFailedError("refused")
    assert core.stream_failed(refused, terminal=False, now=0.0) > 0  # its next attempt
    assert core.outage_since == 0.0
    core.stream_opened()
    drain(core)
    assert core.stream_failed(refused, terminal=False, now=0.1) == 0.0  # gave up
    assert sink.confirmations == [(refused, 0)]
    assert core.live == 0
    assert core.outage_since is None  # nothing is being resumed
    assert core.backoff.next_delay() <= core.backoff.base  # a new watch starts afresh


def test_only_a_working_stream_resets_the_backoff() -> None:
    core = open_core()
    core.add(WatchSpec(b"k"), Sink())
    drain(core)
    first = [core.backoff.next_delay() for _ in range(6)]
    core.receive(created(1))  # accepted, but that proves little
    assert core.backoff.next_delay() >= first[-1] / 2
    core.receive(events(1, 11))  # traffic: the stream works
    assert core.backoff.next_delay() <= core.backoff.base


@pytest.mark.parametrize("server_id", [1, ALL_WATCHES], ids=["watch", "stream"])
def test_a_progress_response_proves_the_stream_works(server_id: int) -> None:
    core = open_core()
    core.add(WatchSpec(b"k"), Sink())
    drain(core)
    first = [core.backoff.next_delay() for _ in range(6)]
    core.receive(created(1))
    core.receive(RawResponse(header=ResponseHeader(revision=11), watch_id=server_id))
    assert first[-1] > 2 * core.backoff.base
    assert core.backoff.next_delay() <= core.backoff.base


def test_transient_errors() -> None:
    assert is_transient(None)
    assert is_transient(ConnectionFailedError("down"))
    assert is_transient(StreamClosedError())
    assert not is_transient(ConnectionClosedError())
    assert not is_transient(PermissionDeniedError("no"))
    assert not is_transient(InvalidArgumentError("bad"))
