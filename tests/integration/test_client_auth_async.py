# async-to-sync: source
"""Auth administration through the friendly client, end to end on a private server."""

from __future__ import annotations

import secrets

import pytest
from server_features import has

import etcd3
from etcd3._client_async import AsyncEtcd3Client
from etcd3._cluster_views import AuthStatus, PermissionType, RolePermission
from etcd3._validate import range_end_for_key
from etcd3.errors import (
    AuthFailedError,
    EtcdError,
    PermissionDeniedError,
    PermissionNotGrantedError,
    RoleNotFoundError,
    RoleNotGrantedError,
    RootRoleNotExistError,
    UnimplementedError,
    UserAlreadyExistsError,
    UserEmptyError,
    UserNotFoundError,
)
from etcd3.testing import EtcdFactory


async def auth_status(client: AsyncEtcd3Client, server_version: str) -> AuthStatus | None:
    """``client.auth_status()``; ``None`` once checked that the server lacks the RPC (3.4)."""
    if has(server_version, "AuthStatus"):
        return await client.auth_status()
    with pytest.raises(UnimplementedError, match="AuthStatus"):
        await client.auth_status()
    return None


async def test_users_roles_and_auth(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    root_password = secrets.token_hex(8)
    alice_password = secrets.token_hex(8)
    prefix = b"/app/"
    async with etcd3.async_client(server.host, server.port, timeout=10) as anonymous:
        status = await auth_status(anonymous, server.version)
        assert status is None or status == AuthStatus(enabled=False, auth_revision=1)

        await anonymous.user_add("root", root_password)
        with pytest.raises(RootRoleNotExistError):
            await anonymous.auth_enable()  # root lacks the root role
        await anonymous.user_grant_role("root", "root")
        await anonymous.role_add("reader")
        await anonymous.role_grant_permission("reader", prefix, range_end_for_key(prefix), "read")
        await anonymous.role_grant_permission("reader", "/one", perm_type=PermissionType.WRITE)
        assert await anonymous.role_get("reader") == (  # sorted by key
            RolePermission(PermissionType.READ, prefix, range_end_for_key(prefix)),
            RolePermission(PermissionType.WRITE, b"/one"),
        )
        await anonymous.user_add("alice", alice_password)
        await anonymous.user_grant_role("alice", "reader")
        await anonymous.user_add("nopass", no_password=True)
        assert await anonymous.user_get("alice") == ("reader",)
        assert await anonymous.user_get("nopass") == ()
        assert await anonymous.user_list() == ("alice", "nopass", "root")
        assert await anonymous.role_list() == ("reader",)  # the built-in root role is implicit
        with pytest.raises(UserAlreadyExistsError):
            await anonymous.user_add("alice", "other")
        with pytest.raises(UserNotFoundError):
            await anonymous.user_get("bob")
        with pytest.raises(RoleNotFoundError):
            await anonymous.role_get("writer")
        await anonymous.put(prefix + b"k", b"v")

        await anonymous.auth_enable()
        # Without credentials every call is refused, with a typed error.
        with pytest.raises(UserEmptyError):
            await anonymous.get(prefix + b"k")

    async with etcd3.async_client(
        server.host, server.port, timeout=10, user="root", password=root_password
    ) as root:
        status = await auth_status(root, server.version)
        assert status is None or (status.enabled is True and status.auth_revision > 1)

        async with etcd3.async_client(
            server.host, server.port, timeout=10, user="alice", password=alice_password
        ) as alice:
            value, _ = await alice.get(prefix + b"k")
            assert value == b"v"
            with pytest.raises(PermissionDeniedError) as refused:
                await alice.put(prefix + b"k", b"w")  # read-only there
            # etcd's text names neither the user nor the request: the error does.
            assert str(refused.value) == (
                "etcdserver: permission denied (user 'alice' has no role that permits "
                "/etcdserverpb.KV/Put on these keys)"
            )
            assert refused.value.details == "etcdserver: permission denied"
            with pytest.raises(PermissionDeniedError) as admin:
                await alice.user_list()  # only root administers
            assert "user 'alice' lacks the root role" in str(admin.value)
            # A watch needs read permission on its range: refused at creation, after one
            # check that tells an expired token from a missing permission.
            with pytest.raises(PermissionDeniedError):
                await alice.watch(b"/other/k")
            events, cancel = await alice.watch(prefix + b"w")
            await root.put(prefix + b"w", b"seen")
            assert (await anext(events)).value == b"seen"
            await cancel()

        new_password = secrets.token_hex(8)
        await root.user_change_password("alice", new_password)
        with pytest.raises(AuthFailedError) as failed:
            async with etcd3.async_client(
                server.host, server.port, timeout=10, user="alice", password=alice_password
            ) as stale:
                await stale.get(prefix + b"k")
        assert alice_password not in str(failed.value)
        async with etcd3.async_client(
            server.host, server.port, timeout=10, user="alice", password=new_password
        ) as alice:
            assert (await alice.get(prefix + b"k"))[0] == b"v"

        await root.role_revoke_permission("reader", "/one")
        with pytest.raises(PermissionNotGrantedError):
            await root.role_revoke_permission("reader", "/one")
        await root.user_revoke_role("alice", "reader")
        with pytest.raises(RoleNotGrantedError):
            await root.user_revoke_role("alice", "reader")
        await root.role_delete("reader")
        await root.user_delete("alice")
        await root.user_delete("nopass")
        assert await root.role_list() == ()
        assert await root.user_list() == ("root",)
        await root.auth_disable()

    async with etcd3.async_client(server.host, server.port, timeout=10) as anonymous:
        status = await auth_status(anonymous, server.version)
        assert status is None or status.enabled is False
        assert (await anonymous.get(prefix + b"k"))[0] == b"v"


async def test_bad_arguments_never_show_the_password(async_client: AsyncEtcd3Client) -> None:
    secret = "s3cret-value"
    with pytest.raises(ValueError, match="name") as empty_name:
        await async_client.user_add("", secret)
    assert secret not in str(empty_name.value)
    with pytest.raises(TypeError, match="password") as wrong_type:
        await async_client.user_add("bob", secret.encode())  # type: ignore[arg-type]
    assert secret not in str(wrong_type.value)
    with pytest.raises(ValueError, match="password"):
        await async_client.user_add("bob")
    with pytest.raises(ValueError, match="password"):
        await async_client.user_change_password("bob", "")
    with pytest.raises(TypeError, match="no_password"):
        await async_client.user_add("bob", secret, no_password=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="perm_type"):
        await async_client.role_grant_permission("r", b"k", perm_type="all")
    with pytest.raises(ValueError, match="key"):
        await async_client.role_grant_permission("r", b"")
    with pytest.raises(TypeError, match="role"):
        await async_client.user_grant_role("bob", None)  # type: ignore[arg-type]
    # Typed server errors are still EtcdErrors.
    with pytest.raises(EtcdError):
        await async_client.user_delete("no-such-user-" + secrets.token_hex(4))
