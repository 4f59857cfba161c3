"""The policy tables (retry safety, RPC releases) against the pinned descriptor set."""

from __future__ import annotations

import pytest
from gen_support import etcd_schema, fragment_schema

from codegen import policy

SAFE = {
    "KV.Range",
    "Lease.LeaseTimeToLive",
    "Lease.LeaseLeases",
    "Cluster.MemberList",
    "Maintenance.Status",
    "Maintenance.Hash",
    "Maintenance.HashKV",
    "Maintenance.Snapshot",
    "Auth.AuthStatus",
    "Auth.UserGet",
    "Auth.UserList",
    "Auth.RoleGet",
    "Auth.RoleList",
    "Election.Leader",
    "Election.Observe",
    "Watch.Watch",
    "Lease.LeaseKeepAlive",
    "Auth.Authenticate",
}


def test_table_covers_exactly_the_rpcs_of_the_descriptor_set() -> None:
    rpcs = [(m.service_full_name, m.name) for m in etcd_schema().methods]
    assert len(rpcs) == 48
    assert sorted(rpcs) == sorted(policy.RETRY_SAFETY)


def test_only_reads_and_resumable_streams_are_safe() -> None:
    safe = {
        f"{svc.rsplit('.', 1)[1]}.{rpc}" for (svc, rpc), ok in policy.RETRY_SAFETY.items() if ok
    }
    assert safe == SAFE
    for write in ("Put", "DeleteRange", "Txn", "Compact"):
        assert policy.RETRY_SAFETY[("etcdserverpb.KV", write)] is False
    # Alarm mixes GET with ACTIVATE/DEACTIVATE: classified by its worst case.
    assert policy.RETRY_SAFETY[("etcdserverpb.Maintenance", "Alarm")] is False


def test_generated_methods_follow_the_table() -> None:
    for method in etcd_schema().methods:
        assert method.retry_safe is policy.RETRY_SAFETY[(method.service_full_name, method.name)]


def test_unknown_rpc_is_unsafe_and_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    s = fragment_schema("bidi")
    assert [m.retry_safe for m in s.methods] == [False, False]
    err = capsys.readouterr().err
    assert "warning: frag.bidi.Echo/Chat is not in codegen/policy.py RETRY_SAFETY" in err


def test_release_table_names_only_rpcs_of_the_descriptor_set() -> None:
    rpcs = {(m.service_full_name, m.name) for m in etcd_schema().methods}
    assert set(policy.RPC_SINCE) <= rpcs
    assert all(since > policy.FIRST_V3_RELEASE for since in policy.RPC_SINCE.values())
    # The services etcd 3.2 added date every one of their RPCs.
    concurrency = {key for key in rpcs if key[0].startswith(("v3lockpb.", "v3electionpb."))}
    assert {key: policy.RPC_SINCE[key] for key in concurrency} == dict.fromkeys(concurrency, (3, 2))
