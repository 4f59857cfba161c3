"""Every argument check of the client (sans-IO, shared by the sync and asyncio clients).

Each function takes what a caller passed and returns it in the form a request needs, or raises
at the call site, before any request is built or sent: ``TypeError`` for a wrong type,
``ValueError`` for a bad value. Bad input never reaches the server and never hangs. Timeouts
follow their own rule, in ``etcd3._timeouts``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from typing import Final, Literal, Protocol, TypeAlias, TypeVar

from etcd3.rpc.authpb import PermissionType
from etcd3.rpc.etcdserverpb import AlarmType, PutRequest, RangeRequest, SortOrder, SortTarget

__all__ = [
    "DEFAULT_PORT",
    "KeyLike",
    "RangeSortOrder",
    "RangeSortTarget",
    "SortOrderLike",
    "SortTargetLike",
    "SupportsLeaseId",
    "alarm_type_arg",
    "client_targets",
    "credentials",
    "flag",
    "host_endpoint",
    "key_bytes",
    "lease_id",
    "lease_id_arg",
    "limit_arg",
    "member_id_arg",
    "name_arg",
    "password_arg",
    "perm_type_arg",
    "permission_range",
    "port_arg",
    "positive_int",
    "put_request",
    "range_bound",
    "range_end_for_key",
    "range_request",
    "recipe_name_arg",
    "recipe_prefix_arg",
    "revision_arg",
    "single_key_request",
    "sort_order_arg",
    "sort_target_arg",
    "to_bytes",
    "ttl_arg",
    "urls_arg",
]

RangeSortOrder: TypeAlias = SortOrder
"""The order of a range's results (``etcdserverpb.RangeRequest.SortOrder``)."""

RangeSortTarget: TypeAlias = SortTarget
"""What a range's results are sorted by (``etcdserverpb.RangeRequest.SortTarget``)."""

SortOrderLike: TypeAlias = Literal["asc", "ascend", "desc", "descend"] | SortOrder | None
"""``None`` (no sorting), ``"asc"``/``"ascend"``, ``"desc"``/``"descend"`` or a ``SortOrder``."""

SortTargetLike: TypeAlias = Literal["key", "value", "version", "create", "mod"] | SortTarget | None
"""``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"`` or a ``SortTarget``."""

_SORT_ORDERS: dict[str, SortOrder] = {
    "asc": SortOrder.ASCEND,
    "ascend": SortOrder.ASCEND,
    "desc": SortOrder.DESCEND,
    "descend": SortOrder.DESCEND,
}
_SORT_TARGETS: dict[str, SortTarget] = {
    "key": SortTarget.KEY,
    "value": SortTarget.VALUE,
    "version": SortTarget.VERSION,
    "create": SortTarget.CREATE,
    "mod": SortTarget.MOD,
}

_INT64_MAX = (1 << 63) - 1

KeyLike = str | bytes
"""A key or value: ``str`` is UTF-8 encoded, ``bytes`` is sent as is."""


def to_bytes(value: object, what: str = "value") -> bytes:
    """``value`` as bytes (``str`` UTF-8 encoded); ``TypeError`` for anything else, and
    ``ValueError`` for a ``str`` UTF-8 cannot encode (a lone surrogate)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"{what} must be text UTF-8 can encode: {exc.reason} at index {exc.start}"
            ) from exc
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def key_bytes(key: object, what: str = "key") -> bytes:
    """A single key as bytes; an empty key is a ``ValueError`` (etcd would reject it)."""
    data = to_bytes(key, what)
    if not data:
        raise ValueError(f"{what} must not be empty")
    return data


def range_end_for_key(key: KeyLike) -> bytes:
    """The range end that selects every key with prefix ``key``.

    Trailing ``0xFF`` bytes are dropped, then the last byte is incremented (``a`` -> ``b``,
    ``a\\xff`` -> ``b``). An empty or all-``0xFF`` prefix has no upper bound: ``b"\\0"``, which
    etcd reads as "to the end of the keyspace".
    """
    data = to_bytes(key, "key prefix").rstrip(b"\xff")
    if not data:
        return b"\0"
    return data[:-1] + bytes([data[-1] + 1])


class SupportsLeaseId(Protocol):
    """Anything with a lease ``id`` (the client's ``Lease``), accepted where a lease is."""

    @property
    def id(self) -> int:
        """The lease id."""
        ...


def lease_id(lease: int | SupportsLeaseId | None) -> int:
    """The lease id to send: ``0`` (no lease) for ``None``, an ``int`` as is, else ``lease.id``.

    Raises:
        TypeError: Neither ``None``, an ``int`` nor an object with an ``int`` ``id``.
        ValueError: A negative id, or one beyond int64.
    """
    if lease is None:
        return 0
    value = lease if isinstance(lease, int) else getattr(lease, "id", None)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"lease must be an int lease id, a Lease or None, not {type(lease).__name__}"
        )
    if not 0 <= value <= _INT64_MAX:
        raise ValueError(f"lease id must be in 0..2**63-1, got {value}")
    return value


def callback_arg(value: object, what: str, *, coroutines: bool) -> None:
    """Check that a callback argument can be called (``coroutines``: by a client that awaits
    what a coroutine function returns, which the asyncio client does and the sync one cannot).

    Raises:
        TypeError: ``value`` is not callable, or is a coroutine function (or an object whose
            ``__call__`` is one) and ``coroutines`` is false: its coroutine would never run.
    """
    if not callable(value):
        raise TypeError(f"{what} must be callable, not {type(value).__name__}")
    if not coroutines and (
        inspect.iscoroutinefunction(value) or inspect.iscoroutinefunction(type(value).__call__)
    ):
        raise TypeError(
            f"{what} is a coroutine function, which the sync client cannot run (it has no "
            "event loop to await it in): pass a plain function, or use the asyncio client"
        )


def flag(value: object, what: str) -> bool:
    """A boolean option; anything but ``True``/``False`` is a ``TypeError``."""
    if value is True or value is False:
        return value
    raise TypeError(f"{what} must be a bool, not {type(value).__name__}")


def _int(value: object, what: str) -> int:
    if type(value) is int:
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = int(value)
    else:
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if number > _INT64_MAX:
        raise ValueError(f"{what} must be at most 2**63-1, got {number}")
    return number


def positive_int(value: object, what: str) -> int:
    """An ``int`` > 0 (``TypeError`` for another type, ``ValueError`` if <= 0)."""
    number = _int(value, what)
    if number <= 0:
        raise ValueError(f"{what} must be > 0, got {number}")
    return number


def revision_arg(revision: object, what: str = "revision") -> int:
    """A read revision: ``<= 0`` means the latest (sent as ``0``)."""
    number = _int(revision, what)
    return number if number > 0 else 0


def limit_arg(limit: object) -> int:
    """A range limit: ``<= 0`` means no limit (sent as ``0``)."""
    number = _int(limit, "limit")
    return number if number > 0 else 0


def _filter_revision(value: object, what: str) -> int:
    number = _int(value, what)
    if number < 0:
        raise ValueError(f"{what} must be >= 0 (0: no filter), got {number}")
    return number


E = TypeVar("E", SortOrder, SortTarget, AlarmType, PermissionType)


def _named_enum(
    value: object,
    what: str,
    kind: type[E],
    names: dict[str, E],
    *,
    default: E | None = None,
    fold_case: bool = False,
) -> E:
    """An enum value given as a member or by name; ``None`` is ``default`` where there is one."""
    if value is None and default is not None:
        return default
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        found = names.get(value.lower() if fold_case else value)
        if found is not None:
            return found
        choices = ", ".join(repr(name) for name in names)
        none = "None or " if default is not None else ""
        raise ValueError(f"{what} must be {none}one of {choices}, got {value!r}")
    kinds = (
        f"a str, {kind.__name__} or None" if default is not None else f"a str or {kind.__name__}"
    )
    raise TypeError(f"{what} must be {kinds}, not {type(value).__name__}")


def sort_order_arg(sort_order: object) -> SortOrder:
    """``None`` or a sort order name (``"asc"``, ``"ascend"``, ``"desc"``, ``"descend"``)."""
    return _named_enum(sort_order, "sort_order", SortOrder, _SORT_ORDERS, default=SortOrder.NONE)


def sort_target_arg(sort_target: object) -> SortTarget:
    """``None`` (by key) or a sort target name (``"key"``, ``"value"``, ``"version"``, ...)."""
    return _named_enum(
        sort_target, "sort_target", SortTarget, _SORT_TARGETS, default=SortTarget.KEY
    )


def range_bound(range_end: object, what: str = "range_end") -> bytes:
    """An explicit range end; empty is refused (``b"\\0"`` means "no upper bound")."""
    data = to_bytes(range_end, what)
    if not data:
        raise ValueError(f'{what} must not be empty (b"\\0" means no upper bound)')
    return data


def single_key_request(key: object, serializable: object, revision: object) -> RangeRequest:
    """The ``RangeRequest`` that reads one key (the hot path: defaults skip the checks)."""
    if serializable is False and revision == 0 and type(revision) is int:
        # A non-empty bytes key needs no conversion: no call to key_bytes on the hot path.
        if type(key) is bytes and key:
            return RangeRequest(key=key)
        return RangeRequest(key=key_bytes(key))
    data = key_bytes(key)
    return RangeRequest(
        key=data,
        serializable=flag(serializable, "serializable"),
        revision=revision_arg(revision),
    )


def put_request(
    key: object, value: object, lease: int | SupportsLeaseId | None, prev_kv: object
) -> PutRequest:
    """The ``PutRequest`` that sets ``key`` (the hot path: bytes and defaults skip the checks)."""
    if lease is None and prev_kv is False:
        if type(key) is bytes and key and type(value) is bytes:
            return PutRequest(key=key, value=value)
        return PutRequest(key=key_bytes(key), value=to_bytes(value))
    return PutRequest(
        key=key_bytes(key),
        value=to_bytes(value),
        lease=lease_id(lease),
        prev_kv=flag(prev_kv, "prev_kv"),
    )


# --- Clients ----------------------------------------------------------------------------------


DEFAULT_PORT: Final = 2379
"""etcd's client port, the default of ``port``."""

_URL_SCHEMES: Final = ("http", "https")


def port_arg(port: object, what: str = "port") -> int:
    """A TCP port: an ``int`` in 1..65535, or its decimal digits as a ``str`` (the predecessors
    formatted the port into ``host:port``, so code passes one read from the environment).

    Raises:
        TypeError: Neither an ``int`` nor a ``str`` (``bool`` is refused).
        ValueError: Out of range, or a ``str`` that is not decimal digits.
    """
    if isinstance(port, str):
        if not (port.isascii() and port.isdigit() and len(port) <= 5):
            raise ValueError(f"{what} must be an int in 1..65535 or its digits, got {port!r}")
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int):
        raise TypeError(f"{what} must be an int in 1..65535, not {type(port).__name__}")
    if not 0 < port < 65536:
        raise ValueError(f"{what} must be an int in 1..65535, got {port!r}")
    return int(port)


def host_endpoint(host: object, port: object) -> str:
    """The endpoint ``host`` and ``port`` name, as ``host:port`` or a ``http(s)://`` URL.

    ``host`` is a name or address (``"10.0.0.1"``, ``"::1"``, ``"[::1]"``), or names the port
    as well: ``"host:port"``, ``"http://host:port"``, ``"https://host:port"`` (the scheme then
    decides TLS). A port named in ``host`` wins over ``port`` left at its default; a different
    explicit ``port`` is refused rather than one of the two silently ignored.

    Raises:
        TypeError: ``host`` is not a ``str``, or ``port`` neither an ``int`` nor a ``str``.
        ValueError: An empty host, a scheme other than ``http``/``https``, a path, a malformed
            port (in ``host``, or a ``port`` string that is not its digits), or a port named
            twice with two values.
    """
    number = port_arg(port)
    if not isinstance(host, str):
        raise TypeError(f"host must be a str, not {type(host).__name__}")
    scheme, sep, address = host.strip().partition("://")
    if not sep:
        scheme, address = "", scheme
    elif scheme.lower() not in _URL_SCHEMES:
        raise ValueError(f"host {host!r}: the scheme must be http:// or https://")
    address = address.rstrip("/")
    if not address:
        raise ValueError(f"host must name a host, got {host!r}")
    if "/" in address:
        raise ValueError(f"host {host!r}: expected a host name, an address or a URL without a path")
    name, named = _split_port(address, host)
    if named is not None:
        if number not in (DEFAULT_PORT, named):
            raise ValueError(
                f"host {host!r} names port {named} and port={number} another: give the port once"
            )
        number = named
    target = f"{name}:{number}"
    return f"{scheme.lower()}://{target}" if sep else target


def _split_port(address: str, host: str) -> tuple[str, int | None]:
    """``(host, port)`` of ``address``, the port ``None`` when not named; an IPv6 address
    comes back in brackets."""
    if address.startswith("["):
        end = address.find("]")
        if end < 0:
            raise ValueError(f"host {host!r}: unclosed '[' in an IPv6 address")
        name, rest = address[: end + 1], address[end + 1 :]
        if not rest:
            return name, None
        if not rest.startswith(":"):
            raise ValueError(f"host {host!r}: expected [address]:port")
        port_text = rest[1:]
    elif address.count(":") > 1:
        return f"[{address}]", None  # a bare IPv6 address
    elif ":" in address:
        name, _, port_text = address.partition(":")
        if not name:
            raise ValueError(f"host must name a host, got {host!r}")
    else:
        return address, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"host {host!r}: the port must be a number in 1..65535")
    return name, int(port_text)


def client_targets(
    host: object, port: object, endpoints: Sequence[str] | None
) -> str | Sequence[str]:
    """What a client connects to: the one endpoint of ``host``/``port``, or ``endpoints``.

    Raises:
        TypeError: ``endpoints`` is not a sequence of ``str`` (a lone ``str`` included), or
            ``port`` is neither an ``int`` nor its digits.
        ValueError: ``endpoints`` is empty or given with a non-default ``host``/``port``, or
            ``host``/``port`` are refused by ``host_endpoint``.
    """
    if endpoints is None:
        return host_endpoint(host, port)
    if isinstance(endpoints, (str, bytes)) or not isinstance(endpoints, Sequence):
        raise TypeError("endpoints must be a sequence of str, e.g. ['host1:2379', 'host2:2379']")
    if host != "localhost" or port_arg(port) != DEFAULT_PORT:
        raise ValueError("pass either host/port or endpoints, not both")
    if not endpoints:
        raise ValueError("endpoints must name at least one endpoint")
    return endpoints


# --- Leases -----------------------------------------------------------------------------------


def ttl_arg(ttl: object) -> int:
    """A TTL in seconds (of a lease, a session, a lock's sessions): a positive int."""
    return positive_int(ttl, "ttl")


def lease_id_arg(lease_id: object, what: str = "lease_id") -> int:
    """A lease ID: a positive int64 (the IDs etcd grants)."""
    return positive_int(lease_id, what)


# --- Members and alarms -----------------------------------------------------------------------


_UINT64_MAX: Final = 2**64 - 1

_ALARM_TYPES: Final[dict[str, AlarmType]] = {
    "none": AlarmType.NONE,
    "no space": AlarmType.NOSPACE,
    "corrupt": AlarmType.CORRUPT,
}


def watch_id_arg(watch_id: object) -> int:
    """A watch id as ``add_watch*_callback`` returned it: an ``int`` (any other is unknown)."""
    return _int(watch_id, "watch_id")


def member_id_arg(member_id: object, what: str = "member_id", *, zero_ok: bool = False) -> int:
    """A member ID: an uint64, ``0`` only where it means "every member"."""
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise TypeError(f"{what} must be an int, not {type(member_id).__name__}")
    value = int(member_id)
    if not (0 if zero_ok else 1) <= value <= _UINT64_MAX:
        raise ValueError(f"{what} must be a{'n' if zero_ok else ' non-zero'} uint64, got {value}")
    return value


def urls_arg(urls: object, what: str = "urls") -> list[str]:
    """Peer URLs: a ``str`` (one URL) or an iterable of ``str``, not empty."""
    if isinstance(urls, str):
        items: list[object] = [urls]
    elif isinstance(urls, Iterable) and not isinstance(urls, (bytes, bytearray)):
        items = list(urls)
    else:
        raise TypeError(f"{what} must be a str or an iterable of str, not {type(urls).__name__}")
    checked: list[str] = []
    for url in items:
        if not isinstance(url, str):
            raise TypeError(f"{what} must hold str, not {type(url).__name__}")
        if not url:
            raise ValueError(f"{what} must not hold an empty URL")
        checked.append(url)
    if not checked:
        raise ValueError(f"{what} must name at least one URL")
    return checked


def alarm_type_arg(alarm_type: object) -> AlarmType:
    """An alarm type: ``"none"``, ``"no space"``, ``"corrupt"`` or an ``AlarmType``."""
    return _named_enum(alarm_type, "alarm_type", AlarmType, _ALARM_TYPES)


# --- Auth -------------------------------------------------------------------------------------


_PERM_TYPES: Final[dict[str, PermissionType]] = {
    "read": PermissionType.READ,
    "write": PermissionType.WRITE,
    "readwrite": PermissionType.READWRITE,
}


def perm_type_arg(perm_type: object) -> PermissionType:
    """A permission type: ``"read"``, ``"write"``, ``"readwrite"`` (any case) or a
    ``PermissionType``."""
    return _named_enum(perm_type, "perm_type", PermissionType, _PERM_TYPES, fold_case=True)


def name_arg(name: object, what: str) -> str:
    """A user or role name: a non-empty ``str``."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError(f"{what} must not be empty")
    return name


def password_arg(password: object, *, optional: bool = False) -> str:
    """A password: a non-empty ``str`` (or ``None``/empty when ``optional``).

    The messages never show the value.
    """
    if password is None:
        if optional:
            return ""
        raise ValueError("a password is required (or no_password=True)")
    if not isinstance(password, str):
        raise TypeError(f"password must be a str, not {type(password).__name__}")
    if not password and not optional:
        raise ValueError("password must not be empty (use no_password=True for none)")
    return password


def permission_range(key: object, range_end: object) -> tuple[bytes, bytes]:
    """The (key, range_end) bytes of a permission; ``range_end=None`` is the single key."""
    start = key_bytes(key)
    end = b"" if range_end is None else to_bytes(range_end, "range_end")
    return start, end


# --- Locks and elections ----------------------------------------------------------------------


def recipe_name_arg(name: object) -> bytes:
    """A lock or election name as bytes: a non-empty ``str`` or ``bytes``."""
    data = to_bytes(name, "name")
    if not data:
        raise ValueError("name must not be empty")
    return data


def recipe_prefix_arg(prefix: object, default_root: bytes, name: bytes) -> bytes:
    """The key prefix of a lock or election: ``prefix`` as given, else ``<root><name>/``."""
    if prefix is None:
        return default_root + name + b"/"
    data = to_bytes(prefix, "prefix")
    if not data:
        raise ValueError("prefix must not be empty")
    return data


# --- Ranges and credentials -----------------------------------------------------------------------


def range_request(
    key: bytes,
    range_end: bytes,
    keys_only: object = False,
    sort_order: object = None,
    sort_target: object = None,
    limit: object = 0,
    serializable: object = False,
    revision: object = 0,
    *,
    count_only: object = False,
    min_mod_revision: object = 0,
    max_mod_revision: object = 0,
    min_create_revision: object = 0,
    max_create_revision: object = 0,
) -> RangeRequest:
    """A checked ``RangeRequest`` over ``[key, range_end)`` from the friendly read options.

    ``key`` and ``range_end`` are already bytes; every other option is checked here
    (``TypeError`` for a wrong type, ``ValueError`` for a bad value or a negative filter).
    """
    return RangeRequest(
        key=key,
        range_end=range_end,
        limit=limit_arg(limit),
        revision=revision_arg(revision),
        sort_order=sort_order_arg(sort_order),
        sort_target=sort_target_arg(sort_target),
        serializable=flag(serializable, "serializable"),
        keys_only=flag(keys_only, "keys_only"),
        count_only=flag(count_only, "count_only"),
        min_mod_revision=_filter_revision(min_mod_revision, "min_mod_revision"),
        max_mod_revision=_filter_revision(max_mod_revision, "max_mod_revision"),
        min_create_revision=_filter_revision(min_create_revision, "min_create_revision"),
        max_create_revision=_filter_revision(max_create_revision, "max_create_revision"),
    )


def credentials(user: object, password: object) -> tuple[str, str] | None:
    """``(user, password)``, or ``None`` when neither is given.

    Raises:
        ValueError: Only one of them is given.
        TypeError: A value that is not a ``str``.
    """
    if user is None and password is None:
        return None
    if user is None or password is None:
        raise ValueError("user and password go together: pass both or neither")
    if not isinstance(user, str) or not isinstance(password, str):
        raise TypeError("user and password must be str")
    return user, password
