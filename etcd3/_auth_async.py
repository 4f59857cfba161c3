# async-to-sync: source
"""The asyncio client's auth, user and role administration.

Passwords never appear in error messages or reprs: argument errors name the parameter only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etcd3._base_async import AsyncClientBase
from etcd3._validate import (
    KeyLike,
    flag,
    name_arg,
    password_arg,
    perm_type_arg,
    permission_range,
)
from etcd3.rpc.authpb import Permission, PermissionType, UserAddOptions
from etcd3.rpc.etcdserverpb import (
    AuthDisableRequest,
    AuthEnableRequest,
    AuthRoleAddRequest,
    AuthRoleDeleteRequest,
    AuthRoleGetRequest,
    AuthRoleGrantPermissionRequest,
    AuthRoleListRequest,
    AuthRoleRevokePermissionRequest,
    AuthStatusRequest,
    AuthUserAddRequest,
    AuthUserChangePasswordRequest,
    AuthUserDeleteRequest,
    AuthUserGetRequest,
    AuthUserGrantRoleRequest,
    AuthUserListRequest,
    AuthUserRevokeRoleRequest,
)

# The views load with the first call that returns one (as the cluster mixin's do).
if TYPE_CHECKING:
    from etcd3._cluster_views import AuthStatus, RolePermission

__all__ = ["AsyncAuthMixin"]

_AUTH_ENABLE_REQUEST = AuthEnableRequest()
_AUTH_DISABLE_REQUEST = AuthDisableRequest()
_AUTH_STATUS_REQUEST = AuthStatusRequest()
_USER_LIST_REQUEST = AuthUserListRequest()
_ROLE_LIST_REQUEST = AuthRoleListRequest()


class AsyncAuthMixin(AsyncClientBase):
    """The client's auth, user and role administration.

    Enabling auth needs user ``root`` holding role ``root`` first:

        client.user_add("root", password)
        client.user_grant_role("root", "root")
        client.auth_enable()

    After that, only clients created with ``user``/``password`` (or a client certificate)
    are let in, and only ``root`` may administer users and roles.
    """

    # --- Auth on/off ------------------------------------------------------------------------

    async def auth_enable(self, timeout_override: float | None = None) -> None:
        """Turn authentication on.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            etcd3.errors.RootUserNotExistError: There is no user ``root``.
            etcd3.errors.RootRoleNotExistError: User ``root`` lacks role ``root``.
            etcd3.EtcdError: The call failed.
        """
        await self._rpc.auth.auth_enable(
            _AUTH_ENABLE_REQUEST, timeout=self._call_timeout(timeout_override)
        )

    async def auth_disable(self, timeout_override: float | None = None) -> None:
        """Turn authentication off (needs a ``root`` client while it is on).

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            etcd3.errors.PermissionDeniedError: This client is not ``root``.
            etcd3.EtcdError: The call failed.
        """
        await self._rpc.auth.auth_disable(
            _AUTH_DISABLE_REQUEST, timeout=self._call_timeout(timeout_override)
        )

    async def auth_status(self, timeout_override: float | None = None) -> AuthStatus:
        """Whether authentication is on.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The [`AuthStatus`][etcd3.AuthStatus].

        Raises:
            etcd3.UnimplementedError: The server predates AuthStatus (etcd 3.4).
            etcd3.EtcdError: The call failed.
        """
        from etcd3._cluster_views import AuthStatus

        response = await self._rpc.auth.auth_status(
            _AUTH_STATUS_REQUEST, timeout=self._call_timeout(timeout_override)
        )
        return AuthStatus(response.enabled, response.authRevision)

    # --- Users ------------------------------------------------------------------------------

    async def user_add(
        self,
        name: str,
        password: str | None = None,
        no_password: bool = False,
        timeout_override: float | None = None,
    ) -> None:
        """Create a user.

        Args:
            name: The user name.
            password: Its password (may be omitted with ``no_password``).
            no_password: Create a user that cannot log in with a password (only with a client
                certificate whose CN is its name).
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``name`` or ``password`` is not a str.
            ValueError: ``name`` is empty, or ``password`` is without ``no_password``.
            etcd3.errors.UserAlreadyExistsError: The user exists.
            etcd3.EtcdError: The call failed.
        """
        request = AuthUserAddRequest(
            name=name_arg(name, "name"),
            password=password_arg(password, optional=flag(no_password, "no_password")),
            options=UserAddOptions(no_password=no_password),
        )
        await self._rpc.auth.user_add(request, timeout=self._call_timeout(timeout_override))

    async def user_get(self, name: str, timeout_override: float | None = None) -> tuple[str, ...]:
        """The roles granted to a user.

        Args:
            name: The user name.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The user's role names.

        Raises:
            TypeError: ``name`` is not a str.
            ValueError: ``name`` is empty.
            etcd3.errors.UserNotFoundError: No such user.
            etcd3.EtcdError: The call failed.
        """
        request = AuthUserGetRequest(name=name_arg(name, "name"))
        response = await self._rpc.auth.user_get(
            request, timeout=self._call_timeout(timeout_override)
        )
        return tuple(response.roles)

    async def user_list(self, timeout_override: float | None = None) -> tuple[str, ...]:
        """Every user's name.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The user names, sorted.

        Raises:
            etcd3.EtcdError: The call failed.
        """
        response = await self._rpc.auth.user_list(
            _USER_LIST_REQUEST, timeout=self._call_timeout(timeout_override)
        )
        return tuple(response.users)

    async def user_delete(self, name: str, timeout_override: float | None = None) -> None:
        """Delete a user.

        Args:
            name: The user name.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``name`` is not a str.
            ValueError: ``name`` is empty.
            etcd3.errors.UserNotFoundError: No such user.
            etcd3.EtcdError: The call failed.
        """
        request = AuthUserDeleteRequest(name=name_arg(name, "name"))
        await self._rpc.auth.user_delete(request, timeout=self._call_timeout(timeout_override))

    async def user_change_password(
        self, name: str, password: str, timeout_override: float | None = None
    ) -> None:
        """Set a user's password.

        Args:
            name: The user name.
            password: The new password.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``name`` or ``password`` is not a str.
            ValueError: ``name`` or ``password`` is empty.
            etcd3.errors.UserNotFoundError: No such user.
            etcd3.EtcdError: The call failed.
        """
        request = AuthUserChangePasswordRequest(
            name=name_arg(name, "name"), password=password_arg(password)
        )
        await self._rpc.auth.user_change_password(
            request, timeout=self._call_timeout(timeout_override)
        )

    async def user_grant_role(
        self, name: str, role: str, timeout_override: float | None = None
    ) -> None:
        """Grant a role to a user.

        Args:
            name: The user name.
            role: The role name.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``name`` or ``role`` is not a str.
            ValueError: ``name`` or ``role`` is empty.
            etcd3.errors.UserNotFoundError: No such user.
            etcd3.errors.RoleNotFoundError: No such role.
            etcd3.EtcdError: The call failed.
        """
        request = AuthUserGrantRoleRequest(user=name_arg(name, "name"), role=name_arg(role, "role"))
        await self._rpc.auth.user_grant_role(request, timeout=self._call_timeout(timeout_override))

    async def user_revoke_role(
        self, name: str, role: str, timeout_override: float | None = None
    ) -> None:
        """Take a role away from a user.

        Args:
            name: The user name.
            role: The role name.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``name`` or ``role`` is not a str.
            ValueError: ``name`` or ``role`` is empty.
            etcd3.errors.UserNotFoundError: No such user.
            etcd3.errors.RoleNotGrantedError: The user does not have the role.
            etcd3.EtcdError: The call failed.
        """
        request = AuthUserRevokeRoleRequest(
            name=name_arg(name, "name"), role=name_arg(role, "role")
        )
        await self._rpc.auth.user_revoke_role(request, timeout=self._call_timeout(timeout_override))

    # --- Roles ------------------------------------------------------------------------------

    async def role_add(self, name: str, timeout_override: float | None = None) -> None:
        """Create a role (with no permissions).

        Args:
            name: The role name.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``name`` is not a str.
            ValueError: ``name`` is empty.
            etcd3.errors.RoleAlreadyExistsError: The role exists.
            etcd3.EtcdError: The call failed.
        """
        request = AuthRoleAddRequest(name=name_arg(name, "name"))
        await self._rpc.auth.role_add(request, timeout=self._call_timeout(timeout_override))

    async def role_get(
        self, name: str, timeout_override: float | None = None
    ) -> tuple[RolePermission, ...]:
        """The permissions granted to a role.

        Args:
            name: The role name.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The role's [`RolePermission`][etcd3.RolePermission] entries.

        Raises:
            TypeError: ``name`` is not a str.
            ValueError: ``name`` is empty.
            etcd3.errors.RoleNotFoundError: No such role.
            etcd3.EtcdError: The call failed.
        """
        from etcd3._cluster_views import RolePermission

        request = AuthRoleGetRequest(role=name_arg(name, "name"))
        response = await self._rpc.auth.role_get(
            request, timeout=self._call_timeout(timeout_override)
        )
        return tuple(map(RolePermission.from_message, response.perm))

    async def role_list(self, timeout_override: float | None = None) -> tuple[str, ...]:
        """Every role's name.

        Args:
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Returns:
            The role names, sorted.

        Raises:
            etcd3.EtcdError: The call failed.
        """
        response = await self._rpc.auth.role_list(
            _ROLE_LIST_REQUEST, timeout=self._call_timeout(timeout_override)
        )
        return tuple(response.roles)

    async def role_delete(self, name: str, timeout_override: float | None = None) -> None:
        """Delete a role (users holding it lose it).

        Args:
            name: The role name.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: ``name`` is not a str.
            ValueError: ``name`` is empty.
            etcd3.errors.RoleNotFoundError: No such role.
            etcd3.EtcdError: The call failed.
        """
        request = AuthRoleDeleteRequest(role=name_arg(name, "name"))
        await self._rpc.auth.role_delete(request, timeout=self._call_timeout(timeout_override))

    async def role_grant_permission(
        self,
        name: str,
        key: KeyLike,
        range_end: KeyLike | None = None,
        perm_type: str | PermissionType = "readwrite",
        timeout_override: float | None = None,
    ) -> None:
        """Let a role read and/or write a key or a key range.

        Args:
            name: The role name.
            key: The key, or the start of the range.
            range_end: The end of the range (exclusive); ``None`` for the single ``key``. For
                every key with prefix ``p``, pass ``key=p, range_end=range_end_for_key(p)``.
            perm_type: ``"read"``, ``"write"``, ``"readwrite"`` or a ``PermissionType``.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: A bad argument type.
            ValueError: ``name`` or ``key`` is empty, or an unknown ``perm_type``.
            etcd3.errors.RoleNotFoundError: No such role.
            etcd3.EtcdError: The call failed.
        """
        start, end = permission_range(key, range_end)
        request = AuthRoleGrantPermissionRequest(
            name=name_arg(name, "name"),
            perm=Permission(permType=perm_type_arg(perm_type), key=start, range_end=end),
        )
        await self._rpc.auth.role_grant_permission(
            request, timeout=self._call_timeout(timeout_override)
        )

    async def role_revoke_permission(
        self,
        name: str,
        key: KeyLike,
        range_end: KeyLike | None = None,
        timeout_override: float | None = None,
    ) -> None:
        """Take a permission away from a role (``key``/``range_end`` as granted).

        Args:
            name: The role name.
            key: The key, or the start of the range.
            range_end: The end of the range; ``None`` for the single ``key``.
            timeout_override: This call's timeout in seconds (``None``: the client's).

        Raises:
            TypeError: A bad argument type.
            ValueError: ``name`` or ``key`` is empty.
            etcd3.errors.PermissionNotGrantedError: The role has no such permission.
            etcd3.EtcdError: The call failed.
        """
        start, end = permission_range(key, range_end)
        request = AuthRoleRevokePermissionRequest(
            role=name_arg(name, "name"), key=start, range_end=end
        )
        await self._rpc.auth.role_revoke_permission(
            request, timeout=self._call_timeout(timeout_override)
        )
