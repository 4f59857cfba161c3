"""Leases without I/O: the lease base, the keep-alive schedule, what keep-alive answers mean."""

from __future__ import annotations

import pickle

import grpc
import pytest

from etcd3._lease_core import (
    KeepAliveSchedule,
    LeaseBase,
    checked_keep_alive,
    lease_lost_error,
    name_lease,
)
from etcd3.errors import EtcdError, LeaseLostError, LeaseNotFoundError
from etcd3.rpc import etcdserverpb


def test_lease_base() -> None:
    lease = LeaseBase(0x2A, 10)
    assert (lease.id, lease.ttl) == (42, 10)
    assert repr(lease) == "<LeaseBase id=0x2a ttl=10>"


def test_keep_alive_of_a_lost_lease_raises() -> None:
    alive = etcdserverpb.LeaseKeepAliveResponse(ID=5, TTL=10)
    assert checked_keep_alive(alive) is alive
    with pytest.raises(LeaseNotFoundError) as info:
        checked_keep_alive(etcdserverpb.LeaseKeepAliveResponse(ID=5, TTL=0))
    assert info.value.code is grpc.StatusCode.NOT_FOUND
    assert str(info.value) == (
        "lease 0x5 not found: it expired, was revoked or was never granted "
        "(etcdserver: requested lease not found)"
    )
    assert info.value.details == "etcdserver: requested lease not found"
    assert info.value.lease_id == 5
    assert info.value.method == "/etcdserverpb.Lease/LeaseKeepAlive"


def test_a_lease_is_named_once_and_a_lost_lease_keeps_its_own_words() -> None:
    missing = LeaseNotFoundError("etcdserver: requested lease not found")
    name_lease(missing, 0x10)
    name_lease(missing, 0x20)  # named already: the first name stands
    assert missing.lease_id == 0x10
    assert str(missing).startswith("lease 0x10 not found: ")
    lost = LeaseLostError("lease 0x5 expired unrenewed")  # says which lease its own way
    name_lease(lost, 0x5)
    assert str(lost) == "lease 0x5 expired unrenewed"


def test_renews_every_third_of_the_ttl() -> None:
    schedule = KeepAliveSchedule()
    assert schedule.next_wakeup(0.0) is None
    schedule.add(1, 30, now=100.0)
    schedule.add(2, 3, now=100.0)
    assert (len(schedule), 1 in schedule, 3 in schedule) == (2, True, False)
    assert schedule.next_wakeup(100.0) == pytest.approx(1.0)
    assert schedule.due(100.5) == []
    assert schedule.due(101.0) == [2]
    assert schedule.due(101.5) == []  # sent: due again a third of the TTL later
    assert schedule.due(102.0) == [2]
    assert schedule.renewed(99, 5, now=102.0) is True  # not scheduled: ignored


def test_an_answer_extends_the_lease_from_when_its_renewal_was_sent() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(1, 3, now=0.0)
    assert schedule.due(1.0) == [1]
    assert schedule.due(2.0) == [1]
    # The first answer belongs to the renewal sent at 1.0, however late it arrives.
    assert schedule.renewed(1, 3, now=2.5) is True
    assert schedule.expired(3.9) == []
    assert schedule.expired(4.0) == [1]  # 1.0 + 3, not 2.5 + 3
    assert 1 not in schedule


def test_a_late_answer_of_a_dropped_stream_does_not_extend_the_lease() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(1, 3, now=10.0)
    assert schedule.due(11.0) == [1]
    schedule.stream_lost(11.5)  # the renewal in flight is forgotten
    assert schedule.renewed(1, 3, now=11.6) is True  # a late answer without a send: no timing
    assert schedule.expired(12.9) == []
    assert schedule.expired(13.0) == [1]


def test_a_changed_ttl_moves_the_next_renewal() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(1, 30, now=0.0)
    assert schedule.due(10.0) == [1]
    assert schedule.renewed(1, 6, now=10.1) is True  # the server granted less
    assert schedule.due(11.9) == []
    assert schedule.due(12.0) == [1]  # 10.0 + 6 / 3
    assert schedule.expired(15.9) == []
    assert schedule.expired(16.0) == [1]


def test_leases_are_lost_after_a_ttl_without_answer_or_when_the_server_forgets_them() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(1, 3, now=0.0)
    schedule.add(2, 9, now=0.0)
    assert schedule.expired(2.9) == []
    assert schedule.expired(3.0) == [1]
    assert 1 not in schedule
    assert schedule.due(3.0) == [2]
    assert schedule.renewed(2, 0, now=3.5) is False  # TTL 0: the lease is gone
    assert len(schedule) == 0
    assert schedule.next_wakeup(4.0) is None
    schedule.remove(7)  # unknown: ignored


def test_an_unanswered_renewal_means_a_stalled_stream() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(1, 3, now=0.0)
    schedule.add(2, 60, now=0.0)
    assert schedule.stalled(0.5) is False  # nothing sent
    assert schedule.due(1.0) == [1]
    # Wake up when the answer is overdue (1 s: a third of 3 s, at least 1 s).
    assert schedule.next_wakeup(1.0) == pytest.approx(1.0)
    assert schedule.stalled(1.9) is False
    assert schedule.stalled(2.0) is True
    assert schedule.renewed(1, 3, now=2.1) is True
    assert schedule.stalled(2.1) is False


def test_answer_timeout_is_a_third_of_the_ttl_within_bounds() -> None:
    assert KeepAliveSchedule.answer_timeout(2) == 1.0
    assert KeepAliveSchedule.answer_timeout(9) == 3.0
    assert KeepAliveSchedule.answer_timeout(600) == 5.0


def test_a_lost_stream_makes_every_lease_due_at_once() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(1, 30, now=0.0)
    schedule.add(2, 60, now=0.0)
    assert schedule.due(10.0) == [1]
    schedule.stream_lost(11.0)
    assert schedule.stalled(30.0) is False  # the renewal in flight is forgotten
    assert schedule.next_wakeup(11.0) == 0.0
    assert schedule.due(11.0) == [1, 2]
    assert schedule.due(11.0) == []


def test_lease_lost_error() -> None:
    error = lease_lost_error(0x1F, revoked=True)
    assert isinstance(error, LeaseLostError)
    assert isinstance(error, LeaseNotFoundError)
    assert isinstance(error, EtcdError)
    assert error.lease_id == 0x1F
    assert "0x1f" in str(error)
    assert "revoked" in str(error)
    assert "TTL" in str(lease_lost_error(2, revoked=False))
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.lease_id, str(copy)) == (LeaseLostError, 0x1F, str(error))


def test_a_keep_alive_answer_of_one_second_keeps_the_lease() -> None:
    response = etcdserverpb.LeaseKeepAliveResponse(ID=7, TTL=1)
    assert checked_keep_alive(response) is response
    schedule = KeepAliveSchedule()
    schedule.add(7, 1, 0.0)
    assert schedule.due(1.0) == [7]
    assert schedule.renewed(7, 1, 1.1) is True
    assert 7 in schedule


def test_lost_lease_messages_say_why() -> None:
    revoked = lease_lost_error(0x7, revoked=True)
    assert str(revoked) == "lease 0x7 is lost: the server no longer knows it (revoked or expired)"
    expired = lease_lost_error(0x7, revoked=False)
    assert str(expired) == "lease 0x7 is lost: no renewal succeeded within its TTL"


def test_a_removed_lease_leaves_nothing_behind() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(7, 3, 0.0)
    schedule.add(8, 30, 0.0)
    assert schedule.due(1.0) == [7]  # a renewal of 7 in flight
    schedule.remove(7)
    assert 7 not in schedule
    assert not schedule.stalled(100.0)  # 8 has none in flight; 7's is forgotten
    assert schedule.expired(29.0) == []  # 7 never expires: it is no longer kept
    assert schedule.next_wakeup(9.0) == pytest.approx(1.0)  # 8 is due at 10
    schedule.stream_lost(9.0)
    assert schedule.due(9.0) == [8]


def test_the_next_wakeup_is_an_expiry_that_comes_before_the_next_renewal() -> None:
    schedule = KeepAliveSchedule()
    schedule.add(7, 1, 0.0)  # renewal due at 1/3, expiry at 1
    assert schedule.due(0.9) == [7]  # sent late: the next is due at 1.23, a stall shows at 1.9
    assert schedule.next_wakeup(0.95) == pytest.approx(0.05)  # the expiry at 1 comes first
    assert schedule.expired(1.0) == [7]
