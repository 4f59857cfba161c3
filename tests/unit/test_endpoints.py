"""Endpoints (sans-IO): parsing, quarantine, the sticky preferred endpoint, auto-sync merging."""

from __future__ import annotations

import random

import pytest

from etcd3._endpoints import (
    EndpointSet,
    EndpointSpec,
    endpoints_from_member_urls,
    parse_endpoint,
    parse_endpoints,
)

# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("127.0.0.1:2379", EndpointSpec("127.0.0.1:2379", None)),
        ("http://127.0.0.1:2379", EndpointSpec("127.0.0.1:2379", False)),
        ("https://etcd.example:2379/", EndpointSpec("etcd.example:2379", True)),
        ("HTTPS://Etcd:23", EndpointSpec("Etcd:23", True)),
        ("[::1]:2379", EndpointSpec("[::1]:2379", None)),
        ("http://[::1]:2379", EndpointSpec("[::1]:2379", False)),
        (" localhost:02379 ", EndpointSpec("localhost:2379", None)),
        ("unix:/run/etcd.sock", EndpointSpec("unix:/run/etcd.sock", None)),
    ],
)
def test_accepted_forms(text: str, spec: EndpointSpec) -> None:
    assert parse_endpoint(text) == spec


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("localhost", "host:port"),
        (":2379", "host:port"),
        ("localhost:http", "port"),
        ("localhost:0", "port"),
        ("localhost:70000", "port"),
        ("grpc://localhost:2379", "scheme"),
        ("http://localhost:2379/v3", "path"),
        ("::1:2379", "brackets"),
        ("[::1:2379", "unclosed"),
        ("[::1]2379", "host:port"),
    ],
)
def test_malformed_endpoints_name_the_problem(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        parse_endpoint(text)
    assert repr(text) in str(info.value)


def test_an_endpoint_must_be_a_str() -> None:
    with pytest.raises(TypeError, match="str"):
        parse_endpoint(2379)  # type: ignore[arg-type]


def test_parse_endpoints_dedups_and_keeps_order() -> None:
    specs = parse_endpoints(["b:1", "http://a:1", "b:1", "https://c:1"])
    assert [s.target for s in specs] == ["b:1", "a:1", "c:1"]
    assert parse_endpoints("a:1") == (EndpointSpec("a:1"),)
    with pytest.raises(ValueError, match="at least one"):
        parse_endpoints([])


def test_member_urls_matching_the_clients_tls_setting() -> None:
    urls = ["http://a:1", "https://b:2", "http://a:1", "not a url", "c:3"]
    assert [s.target for s in endpoints_from_member_urls(urls, secure=False)] == ["a:1", "c:3"]
    assert [s.target for s in endpoints_from_member_urls(urls, secure=True)] == ["b:2", "c:3"]


# --- health and selection ------------------------------------------------------------------


def make(*targets: str, jitter: float = 0.0) -> EndpointSet:
    return EndpointSet(
        list(targets), base_quarantine=1.0, max_quarantine=8.0, jitter=jitter, rng=random.Random(3)
    )


def test_first_endpoint_is_preferred_and_all_start_healthy() -> None:
    endpoints = make("a", "b", "c")
    assert endpoints.preferred == "a"
    assert endpoints.order(0.0) == ["a", "b", "c"]
    assert all(endpoints.is_healthy(t, 0.0) for t in "abc")


def test_a_failed_preferred_endpoint_hands_over_to_the_next_healthy_one() -> None:
    endpoints = make("a", "b", "c")
    assert endpoints.mark_failed("a", 10.0) == "b"
    assert endpoints.preferred == "b"
    assert not endpoints.is_healthy("a", 10.5)
    assert endpoints.order(10.5) == ["b", "c", "a"]
    # Sticky: a recovered "a" does not take calls back from a working "b".
    assert endpoints.order(11.5) == ["b", "c", "a"]
    assert endpoints.preferred == "b"


def test_failing_a_non_preferred_endpoint_keeps_the_preference() -> None:
    endpoints = make("a", "b", "c")
    assert endpoints.mark_failed("c", 0.0) == "a"
    assert endpoints.order(0.1) == ["a", "b", "c"]


def test_quarantine_grows_per_failure_up_to_the_cap() -> None:
    endpoints = make("a", "b")
    assert [endpoints.quarantine(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    endpoints.mark_failed("a", 0.0)
    endpoints.mark_failed("a", 0.0)
    assert endpoints.failures("a") == 2
    assert not endpoints.is_healthy("a", 1.9)
    assert endpoints.is_healthy("a", 2.0)


def test_quarantine_is_jittered() -> None:
    ends = []
    for seed in range(20):
        endpoints = EndpointSet(
            ["a", "b"], base_quarantine=1.0, jitter=0.2, rng=random.Random(seed)
        )
        endpoints.mark_failed("a", 0.0)
        ends.append(next(t for t in (x / 100 for x in range(200)) if endpoints.is_healthy("a", t)))
    assert all(0.8 <= end <= 1.21 for end in ends)
    assert len(set(ends)) > 5


def test_when_all_failed_the_least_recently_failed_comes_first() -> None:
    endpoints = make("a", "b", "c")
    endpoints.mark_failed("a", 1.0)
    endpoints.mark_failed("b", 2.0)
    endpoints.mark_failed("c", 3.0)
    assert endpoints.order(3.1) == ["a", "b", "c"]
    # Never "no endpoint": the preferred one is the least recently failed.
    assert endpoints.preferred == "a"


def test_a_lone_endpoint_is_never_stuck_failed() -> None:
    endpoints = make("solo")
    for n in range(10):
        assert endpoints.mark_failed("solo", float(n)) == "solo"
    assert endpoints.order(9.0) == ["solo"]
    assert endpoints.next_after_failure(9.0, exclude=["solo"]) == "solo"
    endpoints.mark_ok("solo")
    assert endpoints.failures("solo") == 0
    assert endpoints.is_healthy("solo", 9.0)


def test_next_after_failure_skips_endpoints_tried_in_this_call() -> None:
    endpoints = make("a", "b", "c")
    endpoints.mark_failed("a", 0.0)
    assert endpoints.next_after_failure(0.0, exclude=["a"]) == "b"
    assert endpoints.next_after_failure(0.0, exclude=["a", "b"]) == "c"
    assert endpoints.next_after_failure(0.0, exclude=["a", "b", "c"]) == "b"


def test_success_elsewhere_moves_the_preference_only_from_a_failing_endpoint() -> None:
    endpoints = make("a", "b", "c")
    endpoints.mark_ok("c")
    assert endpoints.preferred == "a"  # "a" is fine: stay
    endpoints.mark_failed("a", 0.0)
    endpoints.mark_failed("b", 0.0)  # preferred was b; now c
    endpoints.prefer("a")
    endpoints.mark_ok("c")  # a call that moved on from failing "a" worked on "c"
    assert endpoints.preferred == "c"


def test_prefer_rejects_unknown_endpoints() -> None:
    with pytest.raises(ValueError, match="not one of"):
        make("a").prefer("z")


def test_replace_keeps_the_health_of_endpoints_that_stay() -> None:
    endpoints = make("a", "b", "c")
    endpoints.mark_failed("b", 0.0)
    assert endpoints.replace(["b", "c", "d"]) is True
    assert endpoints.targets == ("b", "c", "d")
    assert endpoints.failures("b") == 1
    assert endpoints.failures("d") == 0
    # "a" (preferred) left: the first new one is preferred.
    assert endpoints.preferred == "b"
    assert endpoints.replace(["b", "c", "d"]) is False
    assert endpoints.replace([]) is False
    endpoints.prefer("c")
    endpoints.replace(["d", "c"])
    assert endpoints.preferred == "c"


def test_marking_an_endpoint_that_was_replaced_is_harmless() -> None:
    endpoints = make("a", "b")
    endpoints.replace(["b"])
    assert endpoints.mark_failed("a", 0.0) == "b"
    assert endpoints.mark_ok("a") == "b"


def test_no_targets_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        EndpointSet([])
