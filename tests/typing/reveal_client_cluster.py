"""A consumer of the client's leases, members, status, alarms and auth admin (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

import io

from typing_extensions import reveal_type

import etcd3


def sync_consumer(client: etcd3.Etcd3Client) -> None:
    lease = client.lease(10)
    reveal_type(lease)  # R: etcd3._lease.Lease
    reveal_type(lease.id)  # R: int
    reveal_type(lease.ttl)  # R: int
    reveal_type(lease.remaining_ttl)  # R: int
    reveal_type(lease.granted_ttl)  # R: int
    reveal_type(lease.keys)  # R: tuple[bytes, ...]
    reveal_type(lease.refresh())  # R: etcd3.rpc.etcdserverpb.LeaseKeepAliveResponse
    reveal_type(lease.revoke())  # R: None
    kept = client.lease(10, keep_alive=True)
    reveal_type(kept.lost)  # R: bool
    reveal_type(kept.wait_lost(timeout=1.0))  # R: bool
    reveal_type(kept.stop_keep_alive())  # R: None
    with client.lease(5) as scoped:
        reveal_type(scoped)  # R: etcd3._lease.Lease
    reveal_type(client.refresh_lease(lease.id))  # R: typing.Generator[etcd3.rpc.etcdserverpb.LeaseKeepAliveResponse, None, None]
    reveal_type(client.get_lease_info(lease.id))  # R: etcd3.rpc.etcdserverpb.LeaseTimeToLiveResponse
    reveal_type(client.leases())  # R: etcd3.rpc.etcdserverpb.LeaseLeasesResponse

    reveal_type(client.members)  # R: typing.Generator[etcd3._cluster_views.Member, None, None]
    reveal_type(client.get_members(timeout_override=1))  # R: typing.Generator[etcd3._cluster_views.Member, None, None]
    member = client.add_member(["http://127.0.0.1:2380"], is_learner=True)
    reveal_type(member)  # R: etcd3._cluster_views.Member
    reveal_type(member.peer_urls)  # R: tuple[str, ...]
    reveal_type(member.is_learner)  # R: bool
    status = client.status()
    reveal_type(status)  # R: etcd3._cluster_views.Status
    reveal_type(status.leader)  # R: etcd3._cluster_views.Member | None
    reveal_type(status.errors)  # R: tuple[str, ...]
    reveal_type(client.hash())  # R: int
    reveal_type(client.hash_kv(revision=3).compact_revision)  # R: int
    reveal_type(client.defragment())  # R: etcd3.rpc.etcdserverpb.DefragmentResponse
    reveal_type(client.snapshot(io.BytesIO()))  # R: None
    reveal_type(client.create_alarm())  # R: list[etcd3._cluster_views.Alarm]
    reveal_type(client.disarm_alarm(1, "no space"))  # R: list[etcd3._cluster_views.Alarm]
    alarms = client.list_alarms(alarm_type=etcd3.rpc.etcdserverpb.AlarmType.CORRUPT)
    reveal_type(alarms)  # R: typing.Generator[etcd3._cluster_views.Alarm, None, None]
    reveal_type(next(alarms).alarm_type)  # R: etcd3.rpc.etcdserverpb.AlarmType

    reveal_type(client.auth_status())  # R: etcd3._cluster_views.AuthStatus
    reveal_type(client.user_get("alice"))  # R: tuple[str, ...]
    reveal_type(client.user_list())  # R: tuple[str, ...]
    reveal_type(client.role_list())  # R: tuple[str, ...]
    permissions = client.role_get("reader")
    reveal_type(permissions)  # R: tuple[etcd3._cluster_views.RolePermission, ...]
    reveal_type(permissions[0].range_end)  # R: bytes | None
    reveal_type(client.role_grant_permission("reader", "/a", perm_type="read"))  # R: None


async def async_consumer(client: etcd3.AsyncEtcd3Client) -> None:
    lease = await client.lease(10)
    reveal_type(lease)  # R: etcd3._lease_async.AsyncLease
    reveal_type(await lease.remaining_ttl)  # R: int
    reveal_type(await lease.granted_ttl)  # R: int
    reveal_type(await lease.keys)  # R: tuple[bytes, ...]
    reveal_type(await lease.refresh())  # R: etcd3.rpc.etcdserverpb.LeaseKeepAliveResponse
    lease.start_keep_alive()
    reveal_type(await lease.wait_lost())  # R: bool
    async with await client.lease(5) as scoped:
        reveal_type(scoped)  # R: etcd3._lease_async.AsyncLease
    reveal_type(client.refresh_lease(lease.id))  # R: typing.AsyncGenerator[etcd3.rpc.etcdserverpb.LeaseKeepAliveResponse, None]
    reveal_type(await client.get_lease_info(lease.id, keys=False))  # R: etcd3.rpc.etcdserverpb.LeaseTimeToLiveResponse

    reveal_type(client.members)  # R: typing.AsyncGenerator[etcd3._cluster_views.Member, None]
    reveal_type(client.get_members(timeout_override=1))  # R: typing.AsyncGenerator[etcd3._cluster_views.Member, None]
    async for member in client.get_members():
        reveal_type(member)  # R: etcd3._cluster_views.Member
    reveal_type(await client.status())  # R: etcd3._cluster_views.Status
    reveal_type(await client.hash())  # R: int
    reveal_type(await client.snapshot(io.BytesIO()))  # R: None
    reveal_type(await client.create_alarm(0, "corrupt"))  # R: list[etcd3._cluster_views.Alarm]
    reveal_type(client.list_alarms())  # R: typing.AsyncGenerator[etcd3._cluster_views.Alarm, None]
    reveal_type(await client.move_leader(2))  # R: None
    reveal_type(await client.auth_status())  # R: etcd3._cluster_views.AuthStatus
    reveal_type(await client.role_get("reader"))  # R: tuple[etcd3._cluster_views.RolePermission, ...]
