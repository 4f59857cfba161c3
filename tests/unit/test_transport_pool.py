"""The endpoint pool without a server: lazy channels, cached multicallables, endpoint choice,
syncing from a member list, closing and forking."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import pytest

from etcd3._endpoints import EndpointSpec
from etcd3._transport._pool import EndpointPool
from etcd3.errors import ClientForkedError, ConnectionClosedError, ConnectionFailedError
from etcd3.rpc.methods import KV_PUT, KV_RANGE


class Channel:
    """Stands for a grpc channel: counts the multicallables made on it."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.made: list[str] = []

    def unary_unary(self, path: str, **kwargs: object) -> Callable[..., object]:
        self.made.append(path)
        return lambda *args, **kw: (self.target, path)


def pool(*targets: str) -> tuple[EndpointPool[Channel], list[Channel]]:
    opened: list[Channel] = []

    def open_channel(spec: EndpointSpec) -> Channel:
        opened.append(Channel(spec.target))
        return opened[-1]

    return EndpointPool([EndpointSpec(t) for t in targets], open_channel), opened


def test_channels_open_on_first_use_and_multicallables_are_cached() -> None:
    endpoints, opened = pool("a:1", "b:1")
    assert opened == []
    first = endpoints.current
    call = endpoints.multicallable(first, KV_RANGE)
    assert call() == ("a:1", KV_RANGE.path)
    assert first.calls[KV_RANGE.path] is call
    endpoints.multicallable(first, KV_PUT)
    assert [c.target for c in opened] == ["a:1"]  # one channel for both methods
    assert opened[0].made == [KV_RANGE.path, KV_PUT.path]


def test_a_failed_endpoint_hands_over_unless_failover_is_off() -> None:
    endpoints, _ = pool("a:1", "b:1")
    endpoints.mark_failed("a:1", 0.0, ConnectionFailedError())
    assert endpoints.current.target == "b:1"
    assert endpoints.next_after_failure(0.0, {"b:1"}) == "a:1"  # all tried: least recent
    stuck, _ = pool("a:1", "b:1")
    stuck.configure(failover=False)
    stuck.mark_failed("a:1", 0.0, ConnectionFailedError())
    assert stuck.current.target == "a:1"
    assert not stuck.failover


def test_member_urls_replace_the_endpoints_keeping_those_that_stay() -> None:
    endpoints, opened = pool("a:1", "b:1")
    endpoints.multicallable(endpoints.current, KV_RANGE)
    endpoints.multicallable(endpoints.get("b:1"), KV_RANGE)
    kept = endpoints.current
    dropped = endpoints.use_members(["http://a:1", "https://c:1", "http://d:1"], tls=False)
    assert endpoints.targets == ("a:1", "d:1")  # https is not for a plaintext client
    assert endpoints.current is kept  # its channel and cache stay
    assert dropped == [opened[1]]  # b's channel, for the caller to close
    assert endpoints.use_members(["https://e:1"], tls=False) == []  # nothing usable: no change
    assert endpoints.targets == ("a:1", "d:1")


def test_a_closed_pool_refuses_calls_and_returns_its_channels_once() -> None:
    endpoints, opened = pool("a:1", "b:1")
    first = endpoints.current
    endpoints.multicallable(first, KV_RANGE)
    assert endpoints.close() == opened
    assert endpoints.close() == []
    assert endpoints.unusable
    assert first.calls == {}  # the hot path finds nothing cached and asks the pool
    with pytest.raises(ConnectionClosedError) as info:
        endpoints.multicallable(first, KV_RANGE)
    assert info.value.method == KV_RANGE.path
    with pytest.raises(ConnectionClosedError):
        endpoints.channel_of(endpoints.get("b:1"))  # never opened: not opened now


@pytest.mark.usefixtures("no_gc")
def test_a_closed_pool_lets_go_of_its_channels_at_once() -> None:
    endpoints = EndpointPool([EndpointSpec("a:1")], lambda spec: Channel(spec.target))
    endpoints.multicallable(endpoints.current, KV_RANGE)
    channel = weakref.ref(endpoints.close()[0])
    assert channel() is None  # the caller closed it: nothing of the pool keeps it
    with pytest.raises(ConnectionClosedError):
        endpoints.channel_of(endpoints.current)  # and no channel opens again


def test_a_pool_closed_while_a_multicallable_is_made_keeps_nothing() -> None:
    class ClosedMeanwhile(Channel):
        """Another thread closes the pool while a multicallable is made on this channel."""

        def unary_unary(self, path: str, **kwargs: object) -> Callable[..., object]:
            endpoints.close()
            return super().unary_unary(path, **kwargs)

    endpoints = EndpointPool[Channel]([EndpointSpec("a:1")], lambda s: ClosedMeanwhile(s.target))
    with pytest.raises(ConnectionClosedError):
        endpoints.multicallable(endpoints.current, KV_RANGE)
    assert endpoints.current.calls == {}  # nothing made on the closed channel stays cached


def test_a_forked_child_never_touches_the_parents_channels() -> None:
    endpoints, opened = pool("a:1")
    endpoints.multicallable(endpoints.current, KV_RANGE)
    endpoints.forked_away()
    with pytest.raises(ClientForkedError):
        endpoints.multicallable(endpoints.current, KV_RANGE)
    assert endpoints.close() == []  # the parent's channels are left alone
    assert len(opened) == 1
    # Not freed either, even once nothing of the client is left.
    channel = weakref.ref(opened.pop())
    del endpoints
    gc.collect()
    assert channel() is not None


def test_closed_errors_say_whether_a_write_was_in_flight() -> None:
    endpoints, _ = pool("a:1")
    endpoints.close()
    assert endpoints.closed_error(KV_PUT, in_flight=True).outcome_unknown
    assert not endpoints.closed_error(KV_PUT).outcome_unknown
    assert not endpoints.closed_error(KV_RANGE, in_flight=True).outcome_unknown


def test_each_channel_records_the_loop_it_was_opened_in() -> None:
    loops = iter(["loop 1", "loop 2"])
    endpoints = EndpointPool(
        [EndpointSpec("a:1"), EndpointSpec("b:1")],
        lambda spec: Channel(spec.target),
        current_loop=lambda: next(loops),
    )
    assert endpoints.loop_at("a:1") is None  # not opened yet
    endpoints.multicallable(endpoints.current, KV_RANGE)
    assert endpoints.loop_at("a:1") == "loop 1"
    endpoints.multicallable(endpoints.current, KV_PUT)  # the same channel: no new loop asked
    assert endpoints.loop_at("a:1") == "loop 1"
    assert endpoints.loop_at("b:1") is None
    assert endpoints.loop_at(None) is None
    assert endpoints.loop_at("unknown:1") is None


def test_a_channel_given_open_has_no_known_loop() -> None:
    given = Channel("given")
    endpoints = EndpointPool([EndpointSpec("a:1")], lambda spec: given, given)
    endpoints.multicallable(endpoints.current, KV_RANGE)
    assert endpoints.loop_at("a:1") is None
