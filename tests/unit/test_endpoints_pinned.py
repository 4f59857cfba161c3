"""What the endpoint core promises beyond its main tests: forms, quarantine, order, Endpoint."""

from __future__ import annotations

import dataclasses
import math
import random

import grpc
import pytest

from etcd3._endpoints import Endpoint, EndpointSet, EndpointSpec, parse_endpoint, parse_endpoints


@pytest.mark.parametrize(
    "target",
    [
        "unix-abstract:etcd",
        "dns:etcd:2379",
        "ipv4:10.0.0.1:2379",
        "ipv6:[::1]:2379",
        "vsock:3:2379",
    ],
)
def test_grpc_targets_pass_through(target: str) -> None:
    assert parse_endpoint(target) == EndpointSpec(target)
    assert parse_endpoint(target.upper()).target == target.upper()


def test_a_spec_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_endpoint("a:1").target = "b:2"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[::1]:2379]", "endpoint '[::1]:2379]': the port must be a number in 1..65535"),
        ("a:65536", "endpoint 'a:65536': the port must be a number in 1..65535"),
        ("a:1X", "endpoint 'a:1X': the port must be a number in 1..65535"),
    ],
)
def test_ports_out_of_range_or_with_trailing_text_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:  # noqa: PT011 - the message is checked whole
        parse_endpoint(text)
    assert str(info.value) == message
    assert parse_endpoint("a:65535/") == EndpointSpec("a:65535")


def test_refusals_say_what_is_wrong() -> None:
    with pytest.raises(TypeError, match=r"^an endpoint must be a str, got int$"):
        parse_endpoint(1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^endpoints must name at least one endpoint$"):
        parse_endpoints([])
    with pytest.raises(ValueError, match=r"^at least one endpoint is needed$"):
        EndpointSet([])


def test_quarantine_defaults_and_bounds() -> None:
    endpoints = EndpointSet(["a"])
    assert (endpoints.quarantine(1), endpoints.quarantine(100)) == (0.5, 10.0)
    unbounded = EndpointSet(["a"], base_quarantine=1.0, max_quarantine=math.inf)
    assert unbounded.quarantine(31) == unbounded.quarantine(32) == 2.0**30
    assert endpoints.failures("unknown") == 0


class _CountingRandom(random.Random):
    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.draws = 0

    def random(self) -> float:
        self.draws += 1
        return super().random()


def test_a_quarantine_is_jittered_by_the_random_source_given() -> None:
    endpoints = EndpointSet(["a", "b"], rng=random.Random(5))
    endpoints.mark_failed("a", 10.0)
    spread = random.Random(5).uniform(-0.2, 0.2)
    assert not endpoints.is_healthy("a", 10.0 + 0.5 * (1 + spread) - 1e-9)
    assert endpoints.is_healthy("a", 10.0 + 0.5 * (1 + spread))
    unseeded = EndpointSet(["a", "b"])
    unseeded.mark_failed("a", 0.0)
    assert not unseeded.is_healthy("a", 0.39)
    assert unseeded.is_healthy("a", 0.6)
    rng = _CountingRandom(1)
    EndpointSet(["a"], jitter=0, rng=rng).mark_failed("a", 0.0)
    assert rng.draws == 0


def test_an_endpoint_is_healthy_again_at_the_end_of_its_quarantine_exactly() -> None:
    endpoints = EndpointSet(["p", "x", "y"], base_quarantine=1.0, jitter=0)
    endpoints.mark_failed("y", 0.0)
    endpoints.mark_failed("y", 0.1)  # second failure: quarantined until 2.1
    endpoints.mark_failed("x", 0.2)  # until 1.2
    assert endpoints.order(1.0) == ["p", "y", "x"]  # in quarantine: least recently failed first
    assert endpoints.order(1.2) == ["p", "x", "y"]  # x is back, in list order


def test_endpoint_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match=r"^a secure endpoint needs creds \(grpc\.ssl_channel"):
        Endpoint("h", 2379)
    with pytest.raises(ValueError, match=r"^time_retry must be >= 0 seconds, got -1$"):
        Endpoint("h", 2379, secure=False, time_retry=-1)
    for port in (0, 65536):
        with pytest.raises(ValueError, match=rf"^port must be an int in 1\.\.65535, got {port}$"):
            Endpoint("h", port, secure=False)
    for wrong, name in ((True, "bool"), (b"1", "bytes"), (2379.0, "float")):
        with pytest.raises(TypeError, match=rf"^port must be an int in 1\.\.65535, not {name}$"):
            Endpoint("h", wrong, secure=False)  # type: ignore[arg-type]
    assert Endpoint("h", 1, secure=False, time_retry=0).time_retry == 0.0
    assert Endpoint("h", 65535, secure=False).port == 65535
    # A str of digits, as the predecessor formatted into its address: kept as the int.
    assert Endpoint("h", "2380", secure=False).port == 2380


def test_endpoint_keeps_its_settings_and_names_its_address() -> None:
    plain = Endpoint("::1", 2379, secure=False)
    assert (plain.host, plain.port, plain.secure, plain.creds) == ("::1", 2379, False, None)
    assert (plain.time_retry, plain.opts, plain.netloc) == (300.0, None, "[::1]:2379")
    assert repr(plain) == "Endpoint(http://[::1]:2379, time_retry=300)"
    assert Endpoint("[::1]", 2379, secure=False).netloc == "[::1]:2379"
    assert Endpoint("etcd", 2380, secure=False).netloc == "etcd:2380"
    creds = grpc.ssl_channel_credentials()
    options = (("grpc.max_send_message_length", 1),)
    secure = Endpoint("etcd", 2379, creds=creds, time_retry=1.5, opts=options)
    assert (secure.secure, secure.creds, secure.opts) == (True, creds, list(options))
    assert repr(secure) == "Endpoint(https://etcd:2379, time_retry=1.5)"
