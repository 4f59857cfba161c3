"""What the watch multiplexer promises beyond its main tests: edge revisions, paused watches
across reconnects, fragments, late refusals, and the ends of streams (no server)."""

from __future__ import annotations

import dataclasses
import random

import grpc
import pytest
from test_watch_core import (
    Sink,
    cancels,
    created,
    creates,
    denied_create,
    drain,
    events,
    open_core,
)

from etcd3._retry import RetryPolicy
from etcd3._watch_core import (
    Phase,
    Registration,
    WatchCore,
    WatchSpec,
    WatchState,
    is_transient,
    refusal_error,
    unconfirmed,
    watch_spec,
)
from etcd3.errors import (
    ConnectionClosedError,
    ConnectionFailedError,
    ConnectionTimeoutError,
    EtcdError,
    InternalServerError,
    InvalidAuthTokenError,
    PermissionDeniedError,
    PreconditionFailedError,
    RequestCancelledError,
    RevisionCompactedError,
    StreamClosedError,
    TooManyRequestsError,
    UnknownError,
    WatchCanceledError,
    WatchTimedOut,
)
from etcd3.rpc.etcdserverpb import FilterType, ResponseHeader
from etcd3.rpc.etcdserverpb import WatchResponse as RawResponse

GONE = ConnectionFailedError("gone")


def test_start_revision_one_is_the_whole_history() -> None:
    spec = watch_spec("k", start_revision=1)
    assert spec.start_revision == 1
    assert spec.create_request(spec.start_revision).create_request.start_revision == 1


def confirmed_core(
    policy: RetryPolicy | None = None, warn_after: float = 30.0
) -> tuple[WatchCore[Sink], Registration[Sink], Sink]:
    """A core (stream open) with one watch confirmed at revision 10 as server watcher 1."""
    core: WatchCore[Sink] = WatchCore(policy=policy, warn_after=warn_after)
    core.stream_opened()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(1, revision=10))
    return core, reg, sink


def paused(sink: Sink) -> tuple[WatchCore[Sink], Registration[Sink]]:
    """A core (max_queued 4, stream open) with one watch whose consumer lags: it is paused."""
    core = open_core(max_queued=4)
    reg = core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(1, revision=10))
    for rev in (11, 12, 13, 14):
        core.receive(events(1, rev))
    assert reg.phase is Phase.PAUSED
    assert cancels(drain(core)) == [1]
    return core, reg


def test_a_paused_watch_still_lagging_is_not_recreated_on_a_new_stream() -> None:
    core, reg = paused(Sink())
    core.stream_failed(GONE, terminal=False, now=0.0)
    assert reg.phase is Phase.PAUSED  # a reconnect does not forget the lag
    core.consumed(reg)  # 3 queued: more than half
    core.stream_opened()
    assert drain(core) == []
    core.consumed(reg)  # 2 queued: exactly half, resumed on the open stream
    assert creates(drain(core)) == [(b"k", 15)]


def test_a_paused_watch_drained_while_no_stream_is_open_resumes_when_one_opens() -> None:
    core, reg = paused(Sink())
    core.stream_failed(GONE, terminal=False, now=0.0)
    core.consumed(reg)
    assert not core.consumed(reg)  # exactly half queued, but nothing to send on
    assert drain(core) == []
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 15)]
    assert reg.phase is Phase.PENDING


def fragmenting(sink: Sink) -> tuple[WatchCore[Sink], Registration[Sink]]:
    """A core with one confirmed watch (at revision 4) that lets the server fragment batches."""
    core = open_core()
    reg = core.add(WatchSpec(b"k", fragment=True), sink)
    drain(core)
    core.receive(created(0, revision=4))
    return core, reg


def test_a_revision_spanning_several_fragments_is_counted_whole() -> None:
    sink = Sink()
    core, reg = fragmenting(sink)
    core.receive(events(0, 5, 5, fragment=True))
    core.receive(events(0, 5, 5, fragment=True))
    core.receive(events(0, 5, fragment=True))
    assert (reg.next_revision, reg.partial) == (5, 5)
    core.stream_failed(None, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 5)]
    core.receive(created(1))
    core.receive(events(1, 5, 5, 5, 5, 5, 5, 6))  # five of revision 5 were delivered
    assert sink.revisions() == [[5, 5], [5, 5], [5], [5, 6]]
    assert (reg.next_revision, reg.partial) == (7, 0)


def test_a_fragment_ending_a_revision_counts_only_that_revisions_tail() -> None:
    core, reg = fragmenting(Sink())
    core.receive(events(0, 5, 6, 7, 7, fragment=True))
    assert (reg.next_revision, reg.partial) == (7, 2)
    core.receive(events(0, 7, 8, fragment=True))
    assert (reg.next_revision, reg.partial) == (8, 1)


def test_a_progress_inside_a_fragmented_revision_does_not_move_the_resume_point() -> None:
    core, reg = fragmenting(Sink())
    core.receive(events(0, 5, 6, fragment=True))
    core.receive(RawResponse(header=ResponseHeader(revision=9), watch_id=0))
    assert reg.next_revision == 6


def test_a_confirmed_watch_refused_again_after_its_check_fails_ends_with_the_error() -> None:
    core = open_core()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(1, revision=20))
    core.stream_failed(GONE, terminal=False, now=0.0)
    core.stream_opened()
    drain(core)
    core.receive(denied_create())
    (check,) = core.take_auth_checks()
    refused = PermissionDeniedError("etcdserver: permission denied")
    core.auth_checked(check, refused)
    assert sink.confirmations == [(None, 20)]  # confirmed once, never again
    assert sink.items == [refused]
    assert reg.done
    assert core.idle


def test_a_terminal_end_without_error_fails_confirmed_watches_with_stream_closed() -> None:
    core = open_core()
    live, waiting = Sink(), Sink()
    core.add(WatchSpec(b"a"), live)
    core.add(WatchSpec(b"b"), waiting)
    core.receive(created(0))  # a is confirmed, b's create is still unanswered
    assert core.stream_failed(None, terminal=True, now=0.0) == 0.0
    (error,) = live.items
    assert isinstance(error, StreamClosedError)
    assert str(error) == "the watch stream ended"
    ((refusal, revision),) = waiting.confirmations
    assert isinstance(refusal, StreamClosedError)
    assert revision == 0
    assert waiting.items == [None]
    assert core.idle


@pytest.mark.parametrize("max_queued", [1, 0, -1])
def test_max_queued_below_two_is_refused(max_queued: int) -> None:
    with pytest.raises(ValueError, match=r"^max_queued must be >= 2$"):
        WatchCore(max_queued)


def test_a_compaction_refusal_names_the_first_revision_left() -> None:
    error = refusal_error(RawResponse(canceled=True, compact_revision=17, cancel_reason="x"))
    assert isinstance(error, RevisionCompactedError)
    assert str(error) == "watch start revision has been compacted (history starts at 17)"
    assert error.compacted_revision == 17


def test_a_known_refusal_keeps_etcds_code_and_reason() -> None:
    reason = "etcdserver: permission denied"
    error = refusal_error(RawResponse(canceled=True, cancel_reason=reason))
    assert type(error) is PermissionDeniedError
    assert (str(error), error.code, error.details) == (
        reason,
        grpc.StatusCode.PERMISSION_DENIED,
        reason,
    )


def test_a_refusal_without_reason_or_with_status_ok_is_a_watch_cancel() -> None:
    silent = refusal_error(RawResponse(canceled=True))
    assert type(silent) is WatchCanceledError
    assert (str(silent), silent.details) == ("the server cancelled the watch", "")
    text = "rpc error: code = OK desc = fine"
    ok = refusal_error(RawResponse(canceled=True, cancel_reason=text))
    assert type(ok) is WatchCanceledError
    assert (str(ok), ok.details) == (text, text)


def test_a_grpc_status_text_spanning_lines_keeps_its_whole_description() -> None:
    text = "rpc error: code = FailedPrecondition desc = first\nsecond"
    error = refusal_error(RawResponse(canceled=True, cancel_reason=text))
    assert type(error) is PreconditionFailedError
    assert error.details == "first\nsecond"


def test_every_option_and_filter_form_reaches_the_spec() -> None:
    spec = watch_spec(
        b"k",
        filters=[FilterType.NOPUT, "nodelete", "noput"],
        progress_notify=1,
        prev_kv=1,
        fragment=1,
    )
    assert spec.filters == (FilterType.NOPUT, FilterType.NODELETE)
    assert (spec.progress_notify, spec.prev_kv, spec.fragment) == (True, True, True)
    assert watch_spec(b"k", filters=[FilterType.NODELETE]).filters == (FilterType.NODELETE,)
    assert watch_spec(b"k", filters=()).filters == ()
    plain = watch_spec(b"k")
    assert (plain.progress_notify, plain.prev_kv, plain.fragment, plain.filters) == (
        False,
        False,
        False,
        (),
    )
    assert watch_spec("p", prefix=True, range_end="ignored").range_end == b"q"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_revision": 0}, r"^start_revision must be >= 1 or None, got 0$"),
        ({"start_revision": "5"}, r"^start_revision must be an int or None, not str$"),
        ({"start_revision": True}, r"^start_revision must be an int or None, not bool$"),
        ({"filters": ["noget"]}, r"^unknown watch filter 'noget': use 'noput', 'nodelete' or "),
        ({"filters": [[1]]}, r"^unknown watch filter \[1\]: use "),
        ({"filters": b"noput"}, r"^filters must be a collection of filters, not a single string$"),
    ],
)
def test_watch_spec_refusals_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        watch_spec(b"k", **kwargs)  # type: ignore[arg-type]


def test_transient_means_retryable_or_a_connection_failure_but_never_closed() -> None:
    assert is_transient(EtcdError("odd", retryable=True))
    assert not is_transient(EtcdError("odd", retryable=False))
    assert not is_transient(ConnectionClosedError("closed", retryable=True))
    for error in (
        ConnectionTimeoutError("slow", retryable=False),
        InternalServerError("x", retryable=False),
        UnknownError("x", retryable=False),
        RequestCancelledError("x", retryable=False),
        InvalidAuthTokenError("x", retryable=False),
        TooManyRequestsError("x", retryable=False),
    ):
        assert is_transient(error), error


def test_the_cores_state_as_the_shells_read_it() -> None:
    core: WatchCore[Sink] = WatchCore(max_queued=6)
    assert (core.max_queued, core.resume_at) == (6, 3)
    assert not core.stream_open
    assert not core.request_progress()  # no stream to send it on
    assert not core.has_requests
    reg = core.add(WatchSpec(b"k", start_revision=4), Sink())
    assert core.get(reg.id) is reg
    assert core.get(reg.id + 1) is None
    assert repr(reg) == "<Registration 1 new server_id=None next_revision=4 done=False>"
    core.stream_opened()
    assert core.stream_open
    assert core.has_requests
    drain(core)
    assert not core.has_requests
    assert not core.closed
    core.close()
    assert core.closed


def test_a_created_answer_nobody_waits_for_is_ignored() -> None:
    core = open_core()
    core.receive(created(3))
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(created(4, revision=12))
    assert sink.confirmations == [(None, 12)]


def test_a_paused_watch_cancelled_by_its_consumer_is_never_recreated() -> None:
    core, reg = paused(Sink())
    core.cancel(reg.id)
    for _ in range(4):
        assert not core.consumed(reg)
    assert drain(core) == []


def test_a_spec_is_frozen_and_slotted() -> None:
    spec = WatchSpec(b"k")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.key = b"j"  # type: ignore[misc]
    assert not hasattr(spec, "__dict__")


def test_wrong_key_types_are_named_in_the_refusal() -> None:
    with pytest.raises(TypeError, match=r"^key prefix must be str or bytes, not int$"):
        watch_spec(5, prefix=True)
    with pytest.raises(TypeError, match=r"^range_end must be str or bytes, not int$"):
        watch_spec(b"k", 5)


def test_phases_and_the_registration_repr_name_them() -> None:
    assert [phase.value for phase in Phase] == ["new", "pending", "active", "paused"]
    core, reg = paused(Sink())
    assert repr(reg) == "<Registration 1 paused server_id=None next_revision=15 done=False>"
    core.stream_failed(None, terminal=False, now=0.0)
    core.stream_opened()
    assert repr(reg) == "<Registration 1 paused server_id=None next_revision=15 done=False>"


def test_a_server_cancel_forgets_the_server_id() -> None:
    core, reg, _ = confirmed_core()
    assert repr(reg) == "<Registration 1 active server_id=1 next_revision=11 done=False>"
    core.receive(RawResponse(watch_id=1, canceled=True, cancel_reason="gone"))
    assert repr(reg) == "<Registration 1 new server_id=None next_revision=11 done=True>"


def test_a_stream_loss_forgets_server_ids_and_says_no_stream_is_open() -> None:
    core, reg, _ = confirmed_core()
    core.stream_failed(None, terminal=False, now=0.0)
    assert core.stream_open is False
    assert repr(reg) == "<Registration 1 new server_id=None next_revision=11 done=False>"


def test_queue_bounds_defaults_and_limits() -> None:
    core: WatchCore[Sink] = WatchCore()
    assert (core.max_queued, core.resume_at) == (1024, 512)
    assert (core.stream_open, core.closed) == (False, False)
    assert WatchCore(2).resume_at == 1
    odd: WatchCore[Sink] = WatchCore(5)
    assert odd.resume_at == 2
    assert type(odd.resume_at) is int


def test_closing_refuses_new_watches_and_waiting_creators_by_name() -> None:
    core = open_core()
    waiting = Sink()
    core.add(WatchSpec(b"k"), waiting)
    core.close()
    ((error, revision),) = waiting.confirmations
    assert isinstance(error, ConnectionClosedError)
    assert (str(error), revision) == ("the client was closed", 0)
    with pytest.raises(ConnectionClosedError, match=r"^the client is closed$"):
        core.add(WatchSpec(b"k"), Sink())


def test_a_refused_create_is_confirmed_at_revision_zero() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(RawResponse(watch_id=-1, created=True, canceled=True, cancel_reason="no"))
    ((error, revision),) = sink.confirmations
    assert isinstance(error, WatchCanceledError)
    assert revision == 0


def test_replayed_events_to_skip_carry_over_to_the_next_response() -> None:
    sink = Sink()
    core, reg = fragmenting(sink)
    core.receive(events(0, 5, 6, 6, 6, fragment=True))  # three of revision 6 delivered
    core.stream_failed(None, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 6)]
    core.receive(created(1))
    core.receive(events(1, 6, 6, fragment=True))  # two of the three replayed: nothing new
    core.receive(events(1, 6, 6, 7))  # the third, then one not delivered yet
    assert sink.revisions() == [[5, 6, 6, 6], [6, 7]]
    assert (reg.next_revision, reg.partial, reg.skip) == (8, 0, 0)


def test_a_fragment_of_one_new_revision_counts_only_its_own_events() -> None:
    core, reg = fragmenting(Sink())
    core.receive(events(0, 5, 6, 6, fragment=True))
    assert (reg.next_revision, reg.partial) == (6, 2)
    core.receive(events(0, 7, 7, fragment=True))  # all of revision 7: 6 ended
    assert (reg.next_revision, reg.partial) == (7, 2)


def test_late_events_of_a_paused_watchers_old_id_are_dropped_after_it_resumes() -> None:
    sink = Sink()
    core, reg = paused(sink)
    core.consumed(reg)
    core.consumed(reg)
    assert creates(drain(core)) == [(b"k", 15)]
    core.receive(created(3))
    core.receive(events(1, 16))  # the old watcher's, sent before it saw the cancel
    core.receive(events(3, 15, 16))
    assert sink.revisions() == [[11], [12], [13], [14], [15, 16]]


def test_a_known_refusal_keeps_the_code_etcd_sent_it_with() -> None:
    error = refusal_error(RawResponse(canceled=True, cancel_reason="auth: invalid auth token"))
    assert type(error) is InvalidAuthTokenError
    assert error.code is grpc.StatusCode.UNKNOWN  # not the class's usual UNAUTHENTICATED


def test_a_watch_refused_while_its_check_runs_is_refused_once() -> None:
    core = open_core()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.receive(denied_create())
    (check,) = core.take_auth_checks()
    assert repr(check) == "<Registration 1 new server_id=None next_revision=0 done=False>"
    core.stream_failed(None, terminal=False, now=0.0)  # a new stream re-sends the create
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 0)]
    refused = PermissionDeniedError("etcdserver: permission denied")
    core.auth_checked(check, refused)
    core.receive(denied_create())  # the re-sent create's answer: the watch has ended already
    assert sink.confirmations == [(refused, 0)]
    assert sink.items == [None]


def test_an_outage_runs_from_the_first_failure_until_a_stream_answers() -> None:
    core, _, _ = confirmed_core(warn_after=30.0)
    assert core.outage_since is None
    assert core.stream_answered(1.0) is None  # no outage to end
    core.stream_failed(GONE, terminal=False, now=5.0)
    core.stream_opened()
    core.stream_failed(GONE, terminal=False, now=7.0)  # the same outage goes on
    assert core.outage_since == 5.0
    assert core.outage_warning(34.9) is None  # not long enough yet
    assert core.outage_warning(35.0) == 30.0
    assert core.outage_warning(50.0) is None  # once per outage
    core.stream_opened()
    assert core.stream_answered(41.0) == 36.0
    assert core.outage_since is None
    assert core.outage_warning(100.0) is None
    core.stream_failed(GONE, terminal=False, now=200.0)  # a new outage warns again
    assert core.outage_warning(230.5) == 30.5


def test_a_stream_failing_with_no_watch_live_is_no_outage() -> None:
    core = open_core()
    assert core.stream_failed(GONE, terminal=False, now=3.0) == 0.0  # nothing waits to resume
    assert core.outage_since is None


def test_while_an_outage_lasts_every_response_asks_the_shell_to_act() -> None:
    core, reg, _ = confirmed_core()
    assert core.receive(events(1, 11)) is False  # in sync, nothing to do
    core.stream_failed(GONE, terminal=False, now=1.0)
    core.stream_opened()
    drain(core)
    assert core.receive(created(2)) is True  # the outage is not yet reported over
    assert core.receive(events(2, 12)) is True
    assert core.stream_answered(2.0) == 1.0
    assert core.receive(events(2, 13)) is False
    assert reg.next_revision == 14


def test_a_watch_state_follows_its_stream() -> None:
    core = open_core(max_queued=4)
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink)
    assert core.state(reg, 0) == WatchState(False, None, 0, False)  # not confirmed yet
    drain(core)
    core.receive(created(1, revision=10))
    assert core.state(reg, 0) == WatchState(True, None, 0, False)
    for rev in (11, 12, 13, 14):
        core.receive(events(1, rev))
    assert reg.phase is Phase.PAUSED
    assert core.state(reg, 14) == WatchState(True, None, 14, False)  # paused, yet connected
    core.stream_failed(GONE, terminal=False, now=8.0)
    assert core.state(reg, 14) == WatchState(False, 8.0, 14, False)
    core.stream_opened()  # still paused, but this stream has not answered yet
    assert core.state(reg, 14) == WatchState(False, 8.0, 14, False)
    core.cancel(reg.id)
    assert core.state(reg, 14) == WatchState(False, None, 14, True)


def test_a_cancelled_watch_is_not_connected_while_its_stream_works() -> None:
    core, reg, _ = confirmed_core()
    other = core.add(WatchSpec(b"o"), Sink())
    drain(core)
    core.receive(created(2))
    core.cancel(reg.id)
    assert core.state(reg, 0).connected is False
    assert core.state(other, 0).connected is True


def test_a_creation_past_its_deadline_without_any_failure_times_out() -> None:
    core = open_core()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink, deadline=5.0)
    assert core.creation_failure(reg, 2.5) is None  # nothing failed: the caller raises the timeout
    ((error, revision),) = sink.confirmations
    assert isinstance(error, WatchTimedOut)
    assert str(error).startswith("etcd did not confirm the watch of b'k' within 2.5 s: ")
    assert revision == 0
    assert sink.items == [None]
    assert core.idle


def test_an_unconfirmed_watch_says_which_and_why() -> None:
    cause = "the server may be hung, paused, overloaded or unreachable"
    timed = unconfirmed(WatchSpec(b"k"), 2.5)
    assert str(timed) == f"etcd did not confirm the watch of b'k' within 2.5 s: {cause}"
    untimed = unconfirmed(WatchSpec(b"k"), None)
    assert str(untimed) == f"etcd did not confirm the watch of b'k' in time: {cause}"


def test_a_creation_past_its_deadline_reports_the_failure_that_held_it_up() -> None:
    core = open_core()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink, deadline=5.0)
    drain(core)
    core.stream_failed(GONE, terminal=False, now=0.0)
    assert core.creation_failure(reg) is GONE
    assert sink.confirmations == [(GONE, 0)]
    assert sink.items == [None]
    assert core.idle


def test_a_confirmed_watch_has_no_creation_failure() -> None:
    core, reg, sink = confirmed_core()
    assert core.creation_failure(reg) is None
    assert sink.confirmations == [(None, 10)]
    assert sink.items == []
    assert core.live == 1


def test_a_confirmation_forgets_the_failures_before_it() -> None:
    core: WatchCore[Sink] = WatchCore(policy=RetryPolicy(max_attempts=2))
    core.stream_opened()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.stream_failed(GONE, terminal=False, now=0.0)  # one of its two attempts
    core.stream_opened()
    drain(core)
    core.receive(created(1))
    assert core.creation_failure(reg) is None
    # Confirmed: later failures are transient, however many.
    for now in (1.0, 2.0, 3.0):
        core.stream_failed(GONE, terminal=False, now=now)
        core.stream_opened()
        assert creates(drain(core)) == [(b"k", 11)]
    assert sink.items == []
    assert not reg.done


def test_a_creation_waits_the_pace_of_its_retry_policy_unless_it_moves_on() -> None:
    policy = RetryPolicy(initial_backoff=10.0, max_backoff=10.0, jitter=0.0)
    core: WatchCore[Sink] = WatchCore(policy=policy)
    core.stream_opened()
    core.add(WatchSpec(b"k"), Sink())
    drain(core)
    # The same endpoint again: the policy's backoff, not the stream's (at most 2 s).
    assert core.stream_failed(GONE, terminal=False, now=0.0, endpoint="a", next_endpoint="a") == 10
    core.stream_opened()
    drain(core)
    # An endpoint this creation has not tried yet: no wait.
    assert core.stream_failed(GONE, terminal=False, now=1.0, endpoint="a", next_endpoint="b") == 0
    core.stream_opened()
    drain(core)
    # Back to "a", which failed already in this creation: wait again.
    assert core.stream_failed(GONE, terminal=False, now=2.0, endpoint="b", next_endpoint="a") > 0


def test_without_a_waiting_creation_the_stream_backoff_sets_the_pace() -> None:
    policy = RetryPolicy(initial_backoff=10.0, max_backoff=10.0, jitter=0.0)
    core, _, _ = confirmed_core(policy=policy)
    delay = core.stream_failed(GONE, terminal=False, now=0.0, endpoint="a", next_endpoint="a")
    assert 0 < delay <= core.backoff.base


def test_the_soonest_creation_sets_the_pace() -> None:
    core: WatchCore[Sink] = WatchCore(
        policy=RetryPolicy(initial_backoff=10.0, max_backoff=10.0, jitter=0.0)
    )
    core.stream_opened()
    core.add(WatchSpec(b"a"), Sink(), deadline=4.0)  # its deadline leaves no room to wait
    core.add(WatchSpec(b"b"), Sink())
    core.add(WatchSpec(b"c"), Sink(), deadline=100.0)
    drain(core)
    assert (
        core.stream_failed(GONE, terminal=False, now=0.0, endpoint="x", next_endpoint="x") == 10.0
    )
    assert core.live == 2


def test_closing_the_stream_on_purpose_is_no_outage() -> None:
    core, reg, _ = confirmed_core()
    core.cancel(reg.id)
    core.stream_closed()
    assert not core.stream_open
    assert drain(core) == []  # the cancel had nowhere to go: the stream is gone with it
    assert core.outage_since is None


def test_requests_queued_for_a_lost_stream_are_dropped() -> None:
    core = open_core()
    core.add(WatchSpec(b"k"), Sink())
    assert core.request_progress()
    core.stream_failed(GONE, terminal=False, now=0.0)
    assert not core.has_requests
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 0)]


def test_consumed_by_id_resumes_a_paused_watch_and_ignores_ended_ones() -> None:
    core, reg = paused(Sink())
    assert not core.consumed_id(reg.id)  # 3 queued
    assert core.consumed_id(reg.id)  # half drained: its create waits to be sent
    assert creates(drain(core)) == [(b"k", 15)]
    assert not core.consumed_id(999)
    core.cancel(reg.id)
    assert not core.consumed_id(reg.id)


def test_consumed_counts_several_deliveries_at_once() -> None:
    core, reg = paused(Sink())
    assert core.consumed(reg, 2)
    assert creates(drain(core)) == [(b"k", 15)]


def test_a_watch_pausing_on_its_fast_path_asks_the_shell_to_send_the_cancel() -> None:
    core = open_core(max_queued=2)
    reg = core.add(WatchSpec(b"k"), Sink())
    drain(core)
    core.receive(created(1))
    assert core.receive(events(1, 11)) is False
    assert core.receive(events(1, 12)) is True
    assert reg.phase is Phase.PAUSED
    assert cancels(drain(core)) == [1]


def test_a_stream_wide_progress_reaches_only_active_watches() -> None:
    core = open_core(max_queued=2)
    lagging, active = Sink(), Sink()
    slow = core.add(WatchSpec(b"s"), lagging)
    core.add(WatchSpec(b"a"), active)
    drain(core)
    core.receive(created(1))
    core.receive(created(2))
    core.receive(events(1, 11))
    core.receive(events(1, 12))
    assert slow.phase is Phase.PAUSED
    core.receive(RawResponse(header=ResponseHeader(revision=40), watch_id=-1))
    assert len(lagging.items) == 2
    assert len(active.items) == 1


def test_auth_checks_are_announced_until_taken() -> None:
    core = open_core()
    core.add(WatchSpec(b"k"), Sink())
    drain(core)
    assert not core.has_auth_checks
    assert core.receive(denied_create()) is True
    assert core.has_auth_checks
    core.take_auth_checks()
    assert not core.has_auth_checks
    assert not core.has_work


def test_a_watch_state_is_a_frozen_snapshot() -> None:
    core, reg, _ = confirmed_core()
    state = core.state(reg, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.connected = False  # type: ignore[misc]
    assert not hasattr(state, "__dict__")


def test_an_outage_is_worth_a_warning_after_thirty_seconds_by_default() -> None:
    core: WatchCore[Sink] = WatchCore()
    core.stream_opened()
    core.add(WatchSpec(b"k"), Sink())
    drain(core)
    core.receive(created(1))
    core.stream_failed(GONE, terminal=False, now=100.0)
    assert core.outage_warning(129.9) is None
    assert core.outage_warning(130.0) == 30.0


def test_consumed_by_id_counts_several_deliveries_at_once() -> None:
    core, reg = paused(Sink())
    assert core.consumed_id(reg.id, 2)
    assert creates(drain(core)) == [(b"k", 15)]


def test_a_deadline_passing_after_the_creation_timed_out_changes_nothing() -> None:
    core = open_core()
    sink = Sink()
    reg = core.add(WatchSpec(b"k"), sink, deadline=5.0)
    core.creation_failure(reg)
    assert core.creation_failure(reg) is None
    assert len(sink.confirmations) == 1
    assert sink.items == [None]


def refused_creations() -> list[tuple[WatchCore[Sink], Registration[Sink], Sink]]:
    """Cores whose one watch was refused before its confirmation, one per way to refuse it."""
    cases = []
    for how in ("close", "terminal", "attempts", "server"):
        core: WatchCore[Sink] = WatchCore(policy=RetryPolicy(max_attempts=1))
        core.stream_opened()
        sink = Sink()
        reg = core.add(WatchSpec(b"k"), sink, deadline=5.0)
        drain(core)
        if how == "close":
            core.close()
        elif how == "terminal":
            core.stream_failed(None, terminal=True, now=0.0)
        elif how == "attempts":
            core.stream_failed(GONE, terminal=False, now=0.0)
        else:
            core.receive(RawResponse(watch_id=-1, created=True, canceled=True, cancel_reason="no"))
        cases.append((core, reg, sink))
    return cases


def test_a_deadline_passing_after_the_creation_was_refused_changes_nothing() -> None:
    for core, reg, sink in refused_creations():
        ((error, _),) = sink.confirmations
        assert error is not None
        assert core.creation_failure(reg) is None  # the refusal stands: no timeout on top
        assert len(sink.confirmations) == 1, error
        assert sink.items == [None]


def test_a_stream_ending_quietly_before_a_confirmation_is_a_connection_failure() -> None:
    core: WatchCore[Sink] = WatchCore(policy=RetryPolicy(max_attempts=1))
    core.stream_opened()
    sink = Sink()
    core.add(WatchSpec(b"k"), sink)
    drain(core)
    core.stream_failed(None, terminal=False, now=0.0)
    ((error, _),) = sink.confirmations
    assert type(error) is ConnectionFailedError
    assert str(error) == "the watch stream ended before etcd confirmed it"


def test_traffic_on_a_reopened_stream_resets_the_backoff() -> None:
    core, _, _ = confirmed_core()
    core.receive(events(1, 11))
    for now in (1.0, 2.0, 3.0, 4.0):
        core.stream_failed(GONE, terminal=False, now=now)
        core.stream_opened()
        drain(core)
    core.receive(created(2))
    core.receive(events(2, 12))
    assert core.stream_failed(GONE, terminal=False, now=5.0) <= core.backoff.base


def test_a_creation_after_a_confirmed_watch_still_counts_its_attempts() -> None:
    core: WatchCore[Sink] = WatchCore(policy=RetryPolicy(max_attempts=1))
    core.stream_opened()
    core.add(WatchSpec(b"a"), Sink())
    drain(core)
    core.receive(created(1))
    waiting = Sink()
    core.add(WatchSpec(b"b"), waiting)
    core.stream_failed(GONE, terminal=False, now=0.0)
    assert waiting.confirmations == [(GONE, 0)]
    assert core.live == 1


def test_the_creation_due_soonest_sets_the_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each wait is drawn with jitter: the stream's own backoff first (unused while creations
    # wait), then one per creation. The first creation draws the shortest wait.
    draws = iter([0.0, 1.0, 0.0])
    monkeypatch.setattr(random, "random", lambda: next(draws))
    policy = RetryPolicy(initial_backoff=10.0, max_backoff=10.0, jitter=0.5)
    core: WatchCore[Sink] = WatchCore(policy=policy)
    core.stream_opened()
    core.add(WatchSpec(b"a"), Sink())
    core.add(WatchSpec(b"b"), Sink())
    drain(core)
    assert core.stream_failed(GONE, terminal=False, now=0.0, endpoint="x", next_endpoint="x") == 5.0


def test_an_outage_after_every_creation_gave_up_warns_afresh() -> None:
    core: WatchCore[Sink] = WatchCore(policy=RetryPolicy(max_attempts=2), warn_after=1.0)
    core.stream_opened()
    core.add(WatchSpec(b"a"), Sink())
    drain(core)
    core.stream_failed(GONE, terminal=False, now=0.0)
    assert core.outage_warning(1.0) == 1.0
    core.stream_opened()
    drain(core)
    core.stream_failed(GONE, terminal=False, now=2.0)  # its last attempt: it gives up
    assert core.idle
    core.stream_opened()
    core.add(WatchSpec(b"b"), Sink())
    drain(core)
    core.receive(created(1))
    core.stream_failed(GONE, terminal=False, now=10.0)
    assert core.outage_warning(11.0) == 1.0


def test_a_batch_after_a_whole_one_resumes_after_its_last_event() -> None:
    core, _, sink = confirmed_core()
    core.receive(events(1, 11))
    core.receive(events(1, 12, 13))
    core.stream_failed(GONE, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 14)]
    assert sink.revisions() == [[11], [12, 13]]


def test_a_fragment_after_a_whole_batch_still_counts_its_partial_revision() -> None:
    sink = Sink()
    core, _ = fragmenting(sink)
    core.receive(events(0, 5))
    core.receive(events(0, 6, 7, 7, fragment=True))  # revision 7 may go on
    core.stream_failed(GONE, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 7)]
    core.receive(created(1))
    core.receive(events(1, 7, 7, 7, 8))
    assert sink.revisions() == [[5], [6, 7, 7], [7, 8]]


@pytest.mark.parametrize("delivered", [1, 2])
def test_the_last_fragment_ends_a_partial_revision(delivered: int) -> None:
    sink = Sink()
    core, _ = fragmenting(sink)
    core.receive(events(0, 5, *[6] * delivered, fragment=True))
    core.receive(events(0, 6, 7))  # the last fragment (etcd does not flag it)
    core.receive(events(0, 8))
    core.stream_failed(GONE, terminal=False, now=0.0)
    core.stream_opened()
    assert creates(drain(core)) == [(b"k", 9)]
    core.receive(created(1))
    core.receive(events(1, 9, 9, 10))  # nothing of revision 9 was delivered: all of it is new
    assert sink.revisions()[-1] == [9, 9, 10]


def test_a_consumer_lagging_behind_progress_notifications_is_paused_too() -> None:
    core = open_core(max_queued=2)
    reg = core.add(WatchSpec(b"k", progress_notify=True), Sink())
    drain(core)
    core.receive(created(1, revision=10))
    core.receive(RawResponse(header=ResponseHeader(revision=11), watch_id=1))
    assert drain(core) == []  # one queued: not yet
    assert core.receive(RawResponse(header=ResponseHeader(revision=12), watch_id=1))
    assert reg.phase is Phase.PAUSED
    assert cancels(drain(core)) == [1]
