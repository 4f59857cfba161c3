"""Every Auth RPC through the generated stubs, sync and async, on a private etcd.

Auth is switched on and off, so each run gets a server of its own. The scenario sets up a
read-only role and a user, enables auth, checks what callers with and without a token may do,
then takes everything down again as root.
"""

from __future__ import annotations

import grpc
import pytest
from rpc_recording import MODES, Mode, Recording, Rpc, connect, resolve
from server_features import has

from etcd3.errors import (
    AuthFailedError,
    PermissionDeniedError,
    RoleNotFoundError,
    RootUserNotExistError,
    UnimplementedError,
    UserEmptyError,
    UserNotFoundError,
)
from etcd3.rpc.authpb import Permission, PermissionType
from etcd3.rpc.etcdserverpb import AuthStatusResponse
from etcd3.rpc.txn import op_range
from etcd3.testing import EtcdFactory

pytestmark = pytest.mark.parametrize("mode", MODES)

PREFIX = b"/readable/"
PREFIX_END = b"/readable0"
ROOT_PASSWORD = "root-secret"


async def auth_status(rpc: Rpc, server_version: str) -> AuthStatusResponse | None:
    """The AuthStatus RPC; ``None`` once checked that the server lacks it (etcd 3.4)."""
    if has(server_version, "AuthStatus"):
        return await resolve(rpc.auth.auth_status())
    with pytest.raises(UnimplementedError, match="AuthStatus"):
        await resolve(rpc.auth.auth_status())
    return None


async def test_auth_rpcs(mode: Mode, etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    endpoint = server.endpoint
    recording = Recording()
    async with connect(mode, endpoint, recording) as anonymous:
        status = await auth_status(anonymous, server.version)
        assert status is None or not status.enabled
        await resolve(anonymous.kv.put(key=PREFIX + b"k", value=b"v"))

        # A role that may read one prefix.
        await resolve(anonymous.auth.role_add(name="reader"))
        assert list((await resolve(anonymous.auth.role_get(role="reader"))).perm) == []
        await resolve(
            anonymous.auth.role_grant_permission(
                name="reader",
                perm=Permission(permType=PermissionType.READ, key=PREFIX, range_end=PREFIX_END),
            )
        )
        perms = (await resolve(anonymous.auth.role_get(role="reader"))).perm
        assert [(p.permType, p.key, p.range_end) for p in perms] == [
            (PermissionType.READ, PREFIX, PREFIX_END)
        ]
        assert "reader" in (await resolve(anonymous.auth.role_list())).roles

        # A user holding it, whose password changes before first use.
        await resolve(anonymous.auth.user_add(name="alice", password="old"))
        assert list((await resolve(anonymous.auth.user_get(name="alice"))).roles) == []
        await resolve(anonymous.auth.user_grant_role(user="alice", role="reader"))
        assert list((await resolve(anonymous.auth.user_get(name="alice"))).roles) == ["reader"]
        await resolve(anonymous.auth.user_change_password(name="alice", password="new"))

        # Enabling auth needs a root user holding the root role.
        with pytest.raises(RootUserNotExistError):
            await resolve(anonymous.auth.auth_enable())
        await resolve(anonymous.auth.user_add(name="root", password=ROOT_PASSWORD))
        await resolve(anonymous.auth.user_grant_role(user="root", role="root"))
        assert sorted((await resolve(anonymous.auth.user_list())).users) == ["alice", "root"]
        await resolve(anonymous.auth.auth_enable())

        # From now on a call without a token is refused with a typed error...
        with pytest.raises(UserEmptyError) as no_token:
            await resolve(anonymous.kv.range(key=PREFIX + b"k"))
        assert no_token.value.code is grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(AuthFailedError):
            await resolve(anonymous.auth.authenticate(name="alice", password="old"))
        # ...and one carrying a token from Authenticate is served.
        token = (await resolve(anonymous.auth.authenticate(name="alice", password="new"))).token
        assert token
        got = await resolve(anonymous.kv.range(key=PREFIX + b"k", metadata=[("token", token)]))
        assert [kv.value for kv in got.kvs] == [b"v"]

    async with connect(mode, endpoint, recording, user="alice", password="new") as alice:
        got = await resolve(alice.kv.range(key=PREFIX, range_end=PREFIX_END))
        assert [kv.key for kv in got.kvs] == [PREFIX + b"k"]
        with pytest.raises(PermissionDeniedError) as denied:
            await resolve(alice.kv.put(key=PREFIX + b"k", value=b"mine"))
        assert denied.value.code is grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(PermissionDeniedError):
            await resolve(alice.kv.txn(success=[op_range(key=b"/elsewhere")]))
        with pytest.raises(PermissionDeniedError):  # user management is root's
            await resolve(alice.auth.user_list())

        async with connect(mode, endpoint, recording, user="root", password=ROOT_PASSWORD) as root:
            status = await auth_status(root, server.version)
            assert status is None or (status.enabled and status.authRevision > 0)

            await resolve(
                root.auth.role_revoke_permission(role="reader", key=PREFIX, range_end=PREFIX_END)
            )
            assert list((await resolve(root.auth.role_get(role="reader"))).perm) == []
            with pytest.raises(PermissionDeniedError):  # alice's token now reads nothing
                await resolve(alice.kv.range(key=PREFIX + b"k"))

            await resolve(root.auth.user_revoke_role(name="alice", role="reader"))
            assert list((await resolve(root.auth.user_get(name="alice"))).roles) == []
            await resolve(root.auth.user_delete(name="alice"))
            with pytest.raises(UserNotFoundError) as no_user:
                await resolve(root.auth.user_get(name="alice"))
            assert no_user.value.code is grpc.StatusCode.FAILED_PRECONDITION
            await resolve(root.auth.role_delete(role="reader"))
            with pytest.raises(RoleNotFoundError):
                await resolve(root.auth.role_get(role="reader"))

            await resolve(root.auth.auth_disable())

    async with connect(mode, endpoint, recording) as anonymous:
        status = await auth_status(anonymous, server.version)
        assert status is None or not status.enabled
        got = await resolve(anonymous.kv.range(key=PREFIX + b"k"))  # no token needed again
        assert [kv.value for kv in got.kvs] == [b"v"]

    recording.assert_covers("etcdserverpb.Auth")
