# Generated from tests/integration/test_client_auth_async.py by tools/async_to_sync.py. DO NOT EDIT: change the asyncio
# source and run `make regen`.
"""Auth administration through the friendly client, end to end on a private server."""

from __future__ import annotations

import secrets

import pytest

import etcd3
from etcd3._client import Etcd3Client
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
    UserAlreadyExistsError,
    UserEmptyError,
    UserNotFoundError,
)
from etcd3.testing import EtcdFactory


def test_users_roles_and_auth(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    root_password = secrets.token_hex(8)
    alice_password = secrets.token_hex(8)
    prefix = b"/app/"
    with etcd3.client(server.host, server.port, timeout=10) as anonymous:
        assert anonymous.auth_status() == AuthStatus(enabled=False, auth_revision=1)

        anonymous.user_add("root", root_password)
        with pytest.raises(RootRoleNotExistError):
            anonymous.auth_enable()  # root lacks the root role
        anonymous.user_grant_role("root", "root")
        anonymous.role_add("reader")
        anonymous.role_grant_permission("reader", prefix, range_end_for_key(prefix), "read")
        anonymous.role_grant_permission("reader", "/one", perm_type=PermissionType.WRITE)
        assert anonymous.role_get("reader") == (  # sorted by key
            RolePermission(PermissionType.READ, prefix, range_end_for_key(prefix)),
            RolePermission(PermissionType.WRITE, b"/one"),
        )
        anonymous.user_add("alice", alice_password)
        anonymous.user_grant_role("alice", "reader")
        anonymous.user_add("nopass", no_password=True)
        assert anonymous.user_get("alice") == ("reader",)
        assert anonymous.user_get("nopass") == ()
        assert anonymous.user_list() == ("alice", "nopass", "root")
        assert anonymous.role_list() == ("reader",)  # the built-in root role is implicit
        with pytest.raises(UserAlreadyExistsError):
            anonymous.user_add("alice", "other")
        with pytest.raises(UserNotFoundError):
            anonymous.user_get("bob")
        with pytest.raises(RoleNotFoundError):
            anonymous.role_get("writer")
        anonymous.put(prefix + b"k", b"v")

        anonymous.auth_enable()
        # Without credentials every call is refused, with a typed error.
        with pytest.raises(UserEmptyError):
            anonymous.get(prefix + b"k")

    with etcd3.client(
        server.host, server.port, timeout=10, user="root", password=root_password
    ) as root:
        status = root.auth_status()
        assert status.enabled is True
        assert status.auth_revision > 1

        with etcd3.client(
            server.host, server.port, timeout=10, user="alice", password=alice_password
        ) as alice:
            value, _ = alice.get(prefix + b"k")
            assert value == b"v"
            with pytest.raises(PermissionDeniedError):
                alice.put(prefix + b"k", b"w")  # read-only there
            with pytest.raises(PermissionDeniedError):
                alice.user_list()  # only root administers

        new_password = secrets.token_hex(8)
        root.user_change_password("alice", new_password)
        with (
            pytest.raises(AuthFailedError) as failed,
            etcd3.client(
                server.host, server.port, timeout=10, user="alice", password=alice_password
            ) as stale,
        ):
            stale.get(prefix + b"k")
        assert alice_password not in str(failed.value)
        with etcd3.client(
            server.host, server.port, timeout=10, user="alice", password=new_password
        ) as alice:
            assert (alice.get(prefix + b"k"))[0] == b"v"

        root.role_revoke_permission("reader", "/one")
        with pytest.raises(PermissionNotGrantedError):
            root.role_revoke_permission("reader", "/one")
        root.user_revoke_role("alice", "reader")
        with pytest.raises(RoleNotGrantedError):
            root.user_revoke_role("alice", "reader")
        root.role_delete("reader")
        root.user_delete("alice")
        root.user_delete("nopass")
        assert root.role_list() == ()
        assert root.user_list() == ("root",)
        root.auth_disable()

    with etcd3.client(server.host, server.port, timeout=10) as anonymous:
        assert (anonymous.auth_status()).enabled is False
        assert (anonymous.get(prefix + b"k"))[0] == b"v"


def test_bad_arguments_never_show_the_password(client: Etcd3Client) -> None:
    secret = "s3cret-value"
    with pytest.raises(ValueError, match="name") as empty_name:
        client.user_add("", secret)
    assert secret not in str(empty_name.value)
    with pytest.raises(TypeError, match="password") as wrong_type:
        client.user_add("bob", secret.encode())  # type: ignore[arg-type]
    assert secret not in str(wrong_type.value)
    with pytest.raises(ValueError, match="password"):
        client.user_add("bob")
    with pytest.raises(ValueError, match="password"):
        client.user_change_password("bob", "")
    with pytest.raises(TypeError, match="no_password"):
        client.user_add("bob", secret, no_password=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="perm_type"):
        client.role_grant_permission("r", b"k", perm_type="all")
    with pytest.raises(ValueError, match="key"):
        client.role_grant_permission("r", b"")
    with pytest.raises(TypeError, match="role"):
        client.user_grant_role("bob", None)  # type: ignore[arg-type]
    # Typed server errors are still EtcdErrors.
    with pytest.raises(EtcdError):
        client.user_delete("no-such-user-" + secrets.token_hex(4))
