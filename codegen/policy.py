"""Decisions and facts about etcd's API that the descriptors cannot express, kept as data.

``RETRY_SAFETY`` names every RPC of the pinned etcd API. ``True`` means re-sending the request
after an unknown outcome (deadline, connection lost mid-call) cannot change the cluster's state
or the caller's result beyond what a first successful call would: reads, status queries, and the
two bidirectional streams whose resumption the handwritten layer owns (it re-creates watches
from the last seen revision and keep-alives are idempotent). ``False`` covers every write.

An RPC missing from the table (say etcd 3.7's ``KV.RangeStream`` after a bump) is generated as
unsafe and the generator warns, so a bump can never make a write retryable by accident;
``tests/codegen/test_policy.py`` checks the table against the pinned descriptor set.

``RPC_SINCE`` names the etcd release that introduced each RPC newer than etcd 3.0, the first
release of the v3 API. etcd 3.6 and later state it in their protos (the ``versionpb``
annotations of the request and response messages); the pinned 3.5 protos do not, so the fact
is kept here and checked against the annotations whenever the protos carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

#: ``(proto package + "." + service, rpc)`` → retry-safe? Keep in proto declaration order.
RETRY_SAFETY = MappingProxyType(
    {
        ("etcdserverpb.KV", "Range"): True,
        ("etcdserverpb.KV", "Put"): False,
        ("etcdserverpb.KV", "DeleteRange"): False,
        ("etcdserverpb.KV", "Txn"): False,
        ("etcdserverpb.KV", "Compact"): False,
        # Resumed by the handwritten watch layer from the last delivered revision.
        ("etcdserverpb.Watch", "Watch"): True,
        ("etcdserverpb.Lease", "LeaseGrant"): False,
        ("etcdserverpb.Lease", "LeaseRevoke"): False,
        # A keep-alive only refreshes a TTL: sending it twice is the same as once.
        ("etcdserverpb.Lease", "LeaseKeepAlive"): True,
        ("etcdserverpb.Lease", "LeaseTimeToLive"): True,
        ("etcdserverpb.Lease", "LeaseLeases"): True,
        ("etcdserverpb.Cluster", "MemberAdd"): False,
        ("etcdserverpb.Cluster", "MemberRemove"): False,
        ("etcdserverpb.Cluster", "MemberUpdate"): False,
        ("etcdserverpb.Cluster", "MemberList"): True,
        ("etcdserverpb.Cluster", "MemberPromote"): False,
        # GET is a read, but ACTIVATE/DEACTIVATE change the alarm list and share the RPC; the
        # RPC is classified by its worst case. A caller that knows it sends GET may retry.
        ("etcdserverpb.Maintenance", "Alarm"): False,
        ("etcdserverpb.Maintenance", "Status"): True,
        ("etcdserverpb.Maintenance", "Defragment"): False,
        ("etcdserverpb.Maintenance", "Hash"): True,
        ("etcdserverpb.Maintenance", "HashKV"): True,
        ("etcdserverpb.Maintenance", "Snapshot"): True,
        ("etcdserverpb.Maintenance", "MoveLeader"): False,
        ("etcdserverpb.Maintenance", "Downgrade"): False,
        ("etcdserverpb.Auth", "AuthEnable"): False,
        ("etcdserverpb.Auth", "AuthDisable"): False,
        ("etcdserverpb.Auth", "AuthStatus"): True,
        # Issues a fresh token; no cluster state changes.
        ("etcdserverpb.Auth", "Authenticate"): True,
        ("etcdserverpb.Auth", "UserAdd"): False,
        ("etcdserverpb.Auth", "UserGet"): True,
        ("etcdserverpb.Auth", "UserList"): True,
        ("etcdserverpb.Auth", "UserDelete"): False,
        ("etcdserverpb.Auth", "UserChangePassword"): False,
        ("etcdserverpb.Auth", "UserGrantRole"): False,
        ("etcdserverpb.Auth", "UserRevokeRole"): False,
        ("etcdserverpb.Auth", "RoleAdd"): False,
        ("etcdserverpb.Auth", "RoleGet"): True,
        ("etcdserverpb.Auth", "RoleList"): True,
        ("etcdserverpb.Auth", "RoleDelete"): False,
        ("etcdserverpb.Auth", "RoleGrantPermission"): False,
        ("etcdserverpb.Auth", "RoleRevokePermission"): False,
        ("v3lockpb.Lock", "Lock"): False,
        ("v3lockpb.Lock", "Unlock"): False,
        ("v3electionpb.Election", "Campaign"): False,
        ("v3electionpb.Election", "Proclaim"): False,
        ("v3electionpb.Election", "Leader"): True,
        # Read-only stream; the handwritten layer re-opens it.
        ("v3electionpb.Election", "Observe"): True,
        ("v3electionpb.Election", "Resign"): False,
    }
)


#: The first etcd release with the v3 API: every RPC, message and field is at least this old,
#: so docstrings only mention newer releases.
FIRST_V3_RELEASE = (3, 0)

#: ``(service, rpc)`` → the etcd release that introduced it, for RPCs newer than
#: ``FIRST_V3_RELEASE``. Keep in proto declaration order.
RPC_SINCE = MappingProxyType(
    {
        ("etcdserverpb.Lease", "LeaseTimeToLive"): (3, 1),
        ("etcdserverpb.Lease", "LeaseLeases"): (3, 3),
        ("etcdserverpb.Cluster", "MemberPromote"): (3, 4),
        ("etcdserverpb.Maintenance", "HashKV"): (3, 3),
        ("etcdserverpb.Maintenance", "MoveLeader"): (3, 3),
        ("etcdserverpb.Maintenance", "Downgrade"): (3, 5),
        ("etcdserverpb.Auth", "AuthStatus"): (3, 5),
        # The concurrency services carry no annotations in any release; etcd 3.2 added them.
        ("v3lockpb.Lock", "Lock"): (3, 2),
        ("v3lockpb.Lock", "Unlock"): (3, 2),
        ("v3electionpb.Election", "Campaign"): (3, 2),
        ("v3electionpb.Election", "Proclaim"): (3, 2),
        ("v3electionpb.Election", "Leader"): (3, 2),
        ("v3electionpb.Election", "Observe"): (3, 2),
        ("v3electionpb.Election", "Resign"): (3, 2),
    }
)

#: Proto packages whose messages, enums and top-level enum values ``etcd3.rpc`` (and
#: ``etcd3.etcdrpc``) also export at the top level, the namespace both predecessors offered.
FLAT_PACKAGES = ("etcdserverpb", "mvccpb", "authpb")


@dataclass(frozen=True)
class TxnFacadeSpec:
    """Where the typed transaction facades come from.

    Attributes:
        request_op: Full name of the message whose oneof lists the operation kinds.
        response_op: Full name of the message whose oneof lists the matching results.
        response: Full name of the response holding the repeated results.
        compare: Full name of the comparison message (a target enum plus a oneof of values).
        compare_positional: Comparison fields taken positionally, before the compared value.
    """

    request_op: str
    response_op: str
    response: str
    compare: str
    compare_positional: tuple[str, ...]


#: etcd's transaction messages. The facade is skipped when these messages are absent.
TXN_FACADE = TxnFacadeSpec(
    request_op="etcdserverpb.RequestOp",
    response_op="etcdserverpb.ResponseOp",
    response="etcdserverpb.TxnResponse",
    compare="etcdserverpb.Compare",
    compare_positional=("key", "result"),
)
