"""The coverage proof itself: every generated service has a test, and the check has teeth.

Each ``test_rpc_*`` module ends with ``Recording.assert_covers(<service>)``; this module checks
that ``rpc_recording.SERVICE_TESTS`` names a module for every service of
``etcd3.rpc.methods.ALL_METHODS`` and that the module makes that check, so a new service (not
just a new RPC of a known one) fails until it is tested. No server needed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rpc_recording import SERVICE_TESTS, Recording, service_paths

from etcd3._runtime import MethodInfo
from etcd3.rpc.methods import ALL_METHODS, KV_PUT, KV_RANGE, MAINTENANCE_STATUS

HERE = Path(__file__).parent


def test_every_service_has_a_covering_test_module() -> None:
    assert set(SERVICE_TESTS) == {method.service for method in ALL_METHODS}
    for service, module in SERVICE_TESTS.items():
        source = (HERE / module).read_text()
        checks = re.findall(r"assert_covers\(([^)]*)\)", source)
        assert any(f'"{service}"' in check for check in checks), (
            f"{module} never asserts that it covers {service}"
        )


def test_services_partition_all_methods() -> None:
    covered = [path for service in SERVICE_TESTS for path in service_paths(service)]
    assert sorted(covered) == sorted(method.path for method in ALL_METHODS)
    assert len(set(covered)) == len(covered)


def test_assert_covers_names_missing_and_unknown_rpcs() -> None:
    kv_methods = [method for method in ALL_METHODS if method.service == "etcdserverpb.KV"]
    recording = Recording()
    recording.record(KV_RANGE, "ok")
    recording.record(KV_PUT, "InvalidArgumentError")
    recording.record(MAINTENANCE_STATUS, "ok")  # another service: ignored for KV
    with pytest.raises(AssertionError, match=r"never called: .*/etcdserverpb\.KV/Txn"):
        recording.assert_covers("etcdserverpb.KV")
    assert recording.outcomes(KV_PUT.path) == ["InvalidArgumentError"]

    for method in kv_methods:
        recording.record(method, "ok")
    recording.assert_covers("etcdserverpb.KV")  # complete now
    bogus = MethodInfo(
        KV_RANGE.service,
        "Bogus",
        "/etcdserverpb.KV/Bogus",
        KV_RANGE.kind,
        KV_RANGE.request_type,
        KV_RANGE.response_type,
        KV_RANGE.retry_safe,
    )
    recording.record(bogus, "ok")
    with pytest.raises(AssertionError, match=r"called but not generated: .*KV/Bogus"):
        recording.assert_covers("etcdserverpb.KV")

    with pytest.raises(ValueError, match="no generated service"):
        service_paths("etcdserverpb.Nope")
