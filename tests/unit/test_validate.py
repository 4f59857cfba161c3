"""The sans-IO argument checks: conversions, refusals, and the requests they build."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable

import pytest

from etcd3._concurrency_core import ELECTION_PREFIX, LOCK_PREFIX
from etcd3._validate import (
    RangeSortOrder,
    RangeSortTarget,
    alarm_type_arg,
    callback_arg,
    client_targets,
    credentials,
    flag,
    host_endpoint,
    key_bytes,
    lease_id,
    lease_id_arg,
    limit_arg,
    member_id_arg,
    name_arg,
    password_arg,
    perm_type_arg,
    permission_range,
    port_arg,
    positive_int,
    put_request,
    range_bound,
    range_end_for_key,
    range_request,
    recipe_name_arg,
    recipe_prefix_arg,
    revision_arg,
    single_key_request,
    sort_order_arg,
    sort_target_arg,
    to_bytes,
    ttl_arg,
    urls_arg,
    watch_id_arg,
)
from etcd3.rpc.authpb import PermissionType
from etcd3.rpc.etcdserverpb import AlarmType, PutRequest, RangeRequest, SortOrder, SortTarget

INT64_MAX = 2**63 - 1


class _Lease:
    def __init__(self, id: int) -> None:
        self.id = id


class _PropertyLease:
    @property
    def id(self) -> int:
        return 77


# -- bytes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", b"abc"),
        ("é", b"\xc3\xa9"),
        (b"\xff\x00", b"\xff\x00"),
        (bytearray(b"x"), b"x"),
        (memoryview(b"y"), b"y"),
        ("", b""),
    ],
)
def test_to_bytes(value: object, expected: bytes) -> None:
    assert to_bytes(value) == expected
    assert type(to_bytes(value)) is bytes


@pytest.mark.parametrize("value", [1, None, 1.5, ["a"], object()])
def test_to_bytes_refuses_other_types(value: object) -> None:
    with pytest.raises(TypeError, match="thing must be str or bytes"):
        to_bytes(value, "thing")


def test_to_bytes_names_the_argument_utf8_cannot_encode() -> None:
    with pytest.raises(ValueError, match=r"^key must be text UTF-8 can encode") as raised:
        to_bytes("ab\udc80", "key")
    assert (
        str(raised.value) == "key must be text UTF-8 can encode: surrogates not allowed at index 2"
    )
    assert isinstance(raised.value.__cause__, UnicodeEncodeError)


def test_key_bytes_refuses_an_empty_key() -> None:
    assert key_bytes("k") == b"k"
    for empty in ("", b""):
        with pytest.raises(ValueError, match="key must not be empty"):
            key_bytes(empty)


@pytest.mark.parametrize(
    ("prefix", "end"),
    [
        (b"a", b"b"),
        ("a", b"b"),
        (b"/foo/", b"/foo0"),
        (b"a\xff", b"b"),
        (b"a\xff\xff", b"b"),
        (b"ab\xfe", b"ab\xff"),
        (b"\x00", b"\x01"),
        (b"\xff", b"\0"),
        (b"\xff\xff\xff", b"\0"),
        (b"", b"\0"),
        ("", b"\0"),
    ],
)
def test_range_end_for_key(prefix: str | bytes, end: bytes) -> None:
    assert range_end_for_key(prefix) == end


def test_range_bound_refuses_empty() -> None:
    assert range_bound(b"\0") == b"\0"
    assert range_bound("z") == b"z"
    with pytest.raises(ValueError, match="range_end must not be empty"):
        range_bound(b"")
    with pytest.raises(TypeError):
        range_bound(None)


# -- leases ------------------------------------------------------------------------------------


def test_lease_id_accepts_none_ints_and_lease_objects() -> None:
    assert lease_id(None) == 0
    assert lease_id(0) == 0
    assert lease_id(12345) == 12345
    assert lease_id(INT64_MAX) == INT64_MAX
    assert lease_id(_Lease(99)) == 99
    assert lease_id(_PropertyLease()) == 77


@pytest.mark.parametrize("lease", ["5", 5.0, True, object(), _Lease("5")])  # type: ignore[arg-type]
def test_lease_id_refuses_other_types(lease: object) -> None:
    with pytest.raises(TypeError, match="lease"):
        lease_id(lease)  # type: ignore[arg-type]


@pytest.mark.parametrize("lease", [-1, INT64_MAX + 1, _Lease(-3)])
def test_lease_id_refuses_out_of_range_ids(lease: int | _Lease) -> None:
    with pytest.raises(ValueError, match="lease id"):
        lease_id(lease)


# -- numbers and flags -------------------------------------------------------------------------


class _Number(enum.IntEnum):
    SEVEN = 7


def test_revision_and_limit_treat_non_positive_as_none() -> None:
    assert revision_arg(5) == 5
    assert revision_arg(0) == 0
    assert revision_arg(-3) == 0
    assert limit_arg(10) == 10
    assert limit_arg(-1) == 0
    assert revision_arg(_Number.SEVEN) == 7
    assert type(revision_arg(_Number.SEVEN)) is int


@pytest.mark.parametrize("value", ["1", 1.0, True, None])
def test_revision_and_limit_refuse_non_ints(value: object) -> None:
    with pytest.raises(TypeError, match="revision"):
        revision_arg(value)
    with pytest.raises(TypeError, match="limit"):
        limit_arg(value)


def test_ints_beyond_int64_are_refused() -> None:
    with pytest.raises(ValueError, match="revision"):
        revision_arg(INT64_MAX + 1)
    assert revision_arg(INT64_MAX) == INT64_MAX


def test_positive_int() -> None:
    assert positive_int(1, "n") == 1
    for bad in (0, -1):
        with pytest.raises(ValueError, match="n must be > 0"):
            positive_int(bad, "n")
    with pytest.raises(TypeError, match="n must be an int"):
        positive_int(2.0, "n")


def test_flag() -> None:
    assert flag(True, "f") is True
    assert flag(False, "f") is False
    for wrong in (1, 0, None, "yes"):
        with pytest.raises(TypeError, match="f must be a bool"):
            flag(wrong, "f")


# -- sorting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, SortOrder.NONE),
        ("asc", SortOrder.ASCEND),
        ("ascend", SortOrder.ASCEND),
        ("desc", SortOrder.DESCEND),
        ("descend", SortOrder.DESCEND),
        (SortOrder.DESCEND, SortOrder.DESCEND),
        (RangeSortOrder.ASCEND, SortOrder.ASCEND),
    ],
)
def test_sort_order(given: object, expected: SortOrder) -> None:
    assert sort_order_arg(given) is expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, SortTarget.KEY),
        ("key", SortTarget.KEY),
        ("value", SortTarget.VALUE),
        ("version", SortTarget.VERSION),
        ("create", SortTarget.CREATE),
        ("mod", SortTarget.MOD),
        (SortTarget.MOD, SortTarget.MOD),
        (RangeSortTarget.VALUE, SortTarget.VALUE),
    ],
)
def test_sort_target(given: object, expected: SortTarget) -> None:
    assert sort_target_arg(given) is expected


@pytest.mark.parametrize("given", ["", "ASC", "ascending", "none", "key"])
def test_unknown_sort_order_is_a_value_error(given: str) -> None:
    with pytest.raises(ValueError, match="sort_order"):
        sort_order_arg(given)


@pytest.mark.parametrize("given", ["", "KEY", "create_revision", "asc"])
def test_unknown_sort_target_is_a_value_error(given: str) -> None:
    with pytest.raises(ValueError, match="sort_target"):
        sort_target_arg(given)


@pytest.mark.parametrize("given", [1, b"asc", SortTarget.KEY])
def test_sort_order_of_wrong_type_is_a_type_error(given: object) -> None:
    with pytest.raises(TypeError, match="sort_order"):
        sort_order_arg(given)


@pytest.mark.parametrize("given", [0, b"key", SortOrder.ASCEND])
def test_sort_target_of_wrong_type_is_a_type_error(given: object) -> None:
    with pytest.raises(TypeError, match="sort_target"):
        sort_target_arg(given)


# -- requests ----------------------------------------------------------------------------------


def test_single_key_request_defaults() -> None:
    assert single_key_request("k", False, 0) == RangeRequest(key=b"k")


def test_single_key_request_options() -> None:
    request = single_key_request(b"k", True, 9)
    assert request == RangeRequest(key=b"k", serializable=True, revision=9)
    assert single_key_request(b"k", False, -4) == RangeRequest(key=b"k")


def test_single_key_request_refusals() -> None:
    with pytest.raises(ValueError, match="key"):
        single_key_request(b"", False, 0)
    with pytest.raises(TypeError, match="serializable"):
        single_key_request(b"k", 1, 0)
    with pytest.raises(TypeError, match="revision"):
        single_key_request(b"k", False, "3")
    with pytest.raises(TypeError, match="revision"):
        single_key_request(b"k", False, 0.0)


def test_single_key_request_converts_a_str_key_with_defaults() -> None:
    request = single_key_request("k", False, 0)
    assert request.key == b"k"
    assert type(request.key) is bytes


def test_put_request_defaults() -> None:
    assert put_request(b"k", b"v", None, False) == PutRequest(key=b"k", value=b"v")
    assert put_request("k", "v", None, False) == PutRequest(key=b"k", value=b"v")
    assert put_request(b"k", "v", None, False) == PutRequest(key=b"k", value=b"v")
    assert put_request(b"k", b"", None, False) == PutRequest(key=b"k")


def test_put_request_options() -> None:
    assert put_request(b"k", b"v", 7, False) == PutRequest(key=b"k", value=b"v", lease=7)
    assert put_request(b"k", b"v", _Lease(8), True) == PutRequest(
        key=b"k", value=b"v", lease=8, prev_kv=True
    )
    assert put_request("k", "v", None, True) == PutRequest(key=b"k", value=b"v", prev_kv=True)


def test_put_request_refusals() -> None:
    with pytest.raises(ValueError, match="key"):
        put_request(b"", b"v", None, False)
    with pytest.raises(ValueError, match="key"):
        put_request("", b"v", None, False)
    with pytest.raises(TypeError):
        put_request(b"k", 3, None, False)
    with pytest.raises(TypeError):
        put_request(3, b"v", None, False)
    with pytest.raises(TypeError, match="prev_kv"):
        put_request(b"k", b"v", None, 1)
    with pytest.raises(TypeError):
        put_request(b"k", b"v", "lease", False)  # type: ignore[arg-type]


def test_range_request_fields() -> None:
    request = range_request(
        b"a",
        b"b",
        True,
        "desc",
        "mod",
        -5,
        True,
        12,
        count_only=True,
        min_mod_revision=1,
        max_mod_revision=2,
        min_create_revision=3,
        max_create_revision=4,
    )
    assert request == RangeRequest(
        key=b"a",
        range_end=b"b",
        keys_only=True,
        sort_order=SortOrder.DESCEND,
        sort_target=SortTarget.MOD,
        limit=0,
        serializable=True,
        revision=12,
        count_only=True,
        min_mod_revision=1,
        max_mod_revision=2,
        min_create_revision=3,
        max_create_revision=4,
    )


@pytest.mark.parametrize(
    "name",
    ["min_mod_revision", "max_mod_revision", "min_create_revision", "max_create_revision"],
)
def test_range_request_refuses_negative_filters(name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name} must be >= 0 \(0: no filter\), got -1$"):
        range_request(b"a", b"b", **{name: -1})
    with pytest.raises(TypeError, match=rf"^{name} must be an int, not str$"):
        range_request(b"a", b"b", **{name: "1"})


def test_watch_id_argument() -> None:
    assert watch_id_arg(7) == 7
    assert watch_id_arg(-1) == -1  # never handed out: an unknown id, not a wrong one
    for bad_type in (True, 1.0, "1", None):
        with pytest.raises(TypeError, match=r"^watch_id must be an int, not "):
            watch_id_arg(bad_type)


# -- leases, members, alarms -------------------------------------------------------------------


def test_lease_arguments() -> None:
    assert ttl_arg(30) == 30
    assert lease_id_arg(2**63 - 1) == 2**63 - 1
    for bad_value in (0, -1):
        with pytest.raises(ValueError, match="ttl"):
            ttl_arg(bad_value)
        with pytest.raises(ValueError, match="lease_id"):
            lease_id_arg(bad_value)
    with pytest.raises(ValueError, match="lease_id"):
        lease_id_arg(2**63)
    for bad_type in (True, 1.5, "3", None):
        with pytest.raises(TypeError, match="ttl"):
            ttl_arg(bad_type)


def test_member_arguments() -> None:
    assert member_id_arg(2**64 - 1) == 2**64 - 1
    assert member_id_arg(0, zero_ok=True) == 0
    with pytest.raises(ValueError, match="non-zero"):
        member_id_arg(0)
    with pytest.raises(ValueError, match="target_id"):
        member_id_arg(2**64, "target_id")
    with pytest.raises(ValueError, match="member_id"):
        member_id_arg(-1, zero_ok=True)
    with pytest.raises(TypeError, match="member_id"):
        member_id_arg(False)

    assert urls_arg("http://a:1") == ["http://a:1"]
    assert urls_arg(("http://a:1", "http://b:2")) == ["http://a:1", "http://b:2"]
    assert urls_arg(url for url in ["http://a:1"]) == ["http://a:1"]
    with pytest.raises(ValueError, match="at least one"):
        urls_arg([])
    with pytest.raises(ValueError, match="empty URL"):
        urls_arg(["http://a:1", ""])
    with pytest.raises(TypeError, match="peer_urls"):
        urls_arg(b"http://a:1", "peer_urls")
    with pytest.raises(TypeError, match="hold str"):
        urls_arg([1])
    with pytest.raises(TypeError, match="urls"):
        urls_arg(None)


def test_alarm_type_arg() -> None:
    assert alarm_type_arg("none") is AlarmType.NONE
    assert alarm_type_arg("no space") is AlarmType.NOSPACE
    assert alarm_type_arg("corrupt") is AlarmType.CORRUPT
    assert alarm_type_arg(AlarmType.CORRUPT) is AlarmType.CORRUPT
    for bad in ("nospace", "NO SPACE", ""):
        with pytest.raises(ValueError, match="alarm_type"):
            alarm_type_arg(bad)
    with pytest.raises(TypeError, match="alarm_type"):
        alarm_type_arg(1)


# -- auth --------------------------------------------------------------------------------------


def test_auth_arguments() -> None:
    assert perm_type_arg("read") is PermissionType.READ
    assert perm_type_arg("Write") is PermissionType.WRITE
    assert perm_type_arg("readwrite") is PermissionType.READWRITE
    assert perm_type_arg(PermissionType.READ) is PermissionType.READ
    with pytest.raises(ValueError, match="perm_type"):
        perm_type_arg("rw")
    with pytest.raises(TypeError, match="perm_type"):
        perm_type_arg(2)

    assert name_arg("alice", "name") == "alice"
    with pytest.raises(ValueError, match="role must not be empty"):
        name_arg("", "role")
    with pytest.raises(TypeError, match="name"):
        name_arg(b"alice", "name")

    assert password_arg("pw") == "pw"
    assert password_arg(None, optional=True) == ""
    assert password_arg("", optional=True) == ""
    secret = "hunter2-secret"
    for bad, error in ((secret.encode(), TypeError), ("", ValueError), (None, ValueError)):
        with pytest.raises(error, match="password") as info:
            password_arg(bad)
        assert secret not in str(info.value)
        assert "hunter2" not in repr(info.value)

    assert permission_range("/a", None) == (b"/a", b"")
    assert permission_range(b"/a", "/b") == (b"/a", b"/b")
    with pytest.raises(ValueError, match="key"):
        permission_range("", None)


def test_credentials_go_together() -> None:
    assert credentials(None, None) is None
    assert credentials("root", "pw") == ("root", "pw")
    for user, password in (("root", None), (None, "pw")):
        with pytest.raises(ValueError, match="user and password go together"):
            credentials(user, password)
    with pytest.raises(TypeError, match="user and password must be str"):
        credentials(b"root", "pw")
    with pytest.raises(TypeError, match="user and password must be str"):
        credentials("root", 1234)


# -- locks and elections -----------------------------------------------------------------------


def test_recipe_arguments() -> None:
    assert recipe_name_arg("n\u00e9") == "n\u00e9".encode()
    assert recipe_name_arg(b"x") == b"x"
    with pytest.raises(ValueError, match="name"):
        recipe_name_arg("")
    with pytest.raises(TypeError, match="name"):
        recipe_name_arg(3)
    with pytest.raises(ValueError, match="prefix"):
        recipe_prefix_arg(b"", LOCK_PREFIX, b"x")
    assert recipe_prefix_arg(None, ELECTION_PREFIX, b"boss") == b"/election/boss/"
    assert ttl_arg(5) == 5
    with pytest.raises(ValueError, match="ttl"):
        ttl_arg(0)
    with pytest.raises(TypeError, match="ttl"):
        ttl_arg(1.5)


# -- where a client connects -------------------------------------------------------------------


def test_port_arg() -> None:
    assert port_arg(1) == 1
    assert port_arg(65535) == 65535
    for bad in (0, -1, 65536, "0", "65536"):
        with pytest.raises(ValueError, match=r"port must be an int in 1\.\.65535"):
            port_arg(bad)
    for wrong in (True, 2379.0, None, b"2379"):
        with pytest.raises(TypeError, match="port must be an int"):
            port_arg(wrong)


def test_port_arg_takes_the_digits_predecessor_code_formatted_into_its_address() -> None:
    # Both predecessors built "host:port" with str.format: a port read from the environment
    # (a str) worked, and must go on working.
    assert port_arg("2379") == 2379
    assert port_arg("65535") == 65535
    assert port_arg("00080") == 80
    assert type(port_arg("2379")) is int
    fullwidth = "\uff12\uff13\uff17\uff19"  # digits to str.isdigit(), not to an address
    too_long = "0" * 2 + "2379"  # at most five digits: no str of thousands reaches int()
    for bad in ("", " 2379", "2379 ", "+2379", "-1", "23.79", fullwidth, "0x95b", too_long):
        with pytest.raises(ValueError, match=r"^port must be an int") as refused:
            port_arg(bad)
        assert str(refused.value) == f"port must be an int in 1..65535 or its digits, got {bad!r}"


@pytest.mark.parametrize(
    ("host", "port", "endpoint"),
    [
        ("localhost", 2379, "localhost:2379"),
        ("10.0.0.1", 2380, "10.0.0.1:2380"),
        ("::1", 2379, "[::1]:2379"),
        ("[::1]", 2380, "[::1]:2380"),
        # A host that names the port: it wins over the default port.
        ("127.0.0.1:2380", 2379, "127.0.0.1:2380"),
        ("[::1]:2380", 2379, "[::1]:2380"),
        (" etcd.local:2380/ ", 2379, "etcd.local:2380"),
        # The same port twice is no conflict.
        ("127.0.0.1:2380", 2380, "127.0.0.1:2380"),
        # A URL: its scheme says whether TLS is used; without a port, ``port`` fills in.
        ("http://127.0.0.1:2380", 2379, "http://127.0.0.1:2380"),
        ("HTTPS://etcd.local:2380", 2379, "https://etcd.local:2380"),
        ("https://etcd.local", 2381, "https://etcd.local:2381"),
        ("http://[::1]:2380/", 2379, "http://[::1]:2380"),
    ],
)
def test_host_names_the_endpoint(host: str, port: int, endpoint: str) -> None:
    assert host_endpoint(host, port) == endpoint


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [
        ("http://127.0.0.1:2380", 2381, "names port 2380 and port=2381 another"),
        ("127.0.0.1:2380", 1234, "names port 2380 and port=1234 another"),
        ("ftp://127.0.0.1:2379", 2379, "the scheme must be http:// or https://"),
        ("unix:///tmp/etcd.sock", 2379, "the scheme must be http:// or https://"),
        ("http://127.0.0.1:2379/v3", 2379, "without a path"),
        ("127.0.0.1:http", 2379, "the port must be a number in 1..65535"),
        ("127.0.0.1:0", 2379, "the port must be a number in 1..65535"),
        ("127.0.0.1:70000", 2379, "the port must be a number in 1..65535"),
        ("[::1", 2379, "unclosed"),
        ("[::1]2380", 2379, r"expected \[address\]:port"),
        ("", 2379, "must name a host"),
        ("http://", 2379, "must name a host"),
        (":2379", 2379, "must name a host"),
    ],
)
def test_host_that_cannot_be_an_endpoint_is_refused(host: str, port: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        host_endpoint(host, port)


def test_host_and_port_types() -> None:
    with pytest.raises(TypeError, match="host must be a str"):
        host_endpoint(b"localhost", 2379)
    with pytest.raises(TypeError, match="port"):
        host_endpoint("localhost", 2379.0)
    assert host_endpoint("localhost", "2379") == "localhost:2379"


def test_client_targets() -> None:
    assert client_targets("localhost", 2379, None) == "localhost:2379"
    assert client_targets("localhost", 2379, ["a:1", "b:2"]) == ["a:1", "b:2"]
    assert client_targets("localhost", "2379", ["a:1"]) == ["a:1"]
    with pytest.raises(ValueError, match="not both"):
        client_targets("otherhost", 2379, ["a:1"])
    with pytest.raises(ValueError, match="not both"):
        client_targets("localhost", 1234, ["a:1"])
    with pytest.raises(ValueError, match="not both"):
        client_targets("localhost", "1234", ["a:1"])
    with pytest.raises(TypeError, match="sequence"):
        client_targets("localhost", 2379, "a:1")
    with pytest.raises(ValueError, match="at least one"):
        client_targets("localhost", 2379, [])


# -- the messages users read -------------------------------------------------------------------

_NOT_EMPTY_END = 'range_end must not be empty (b"\\0" means no upper bound)'
_SORT_ORDERS = "'asc', 'ascend', 'desc', 'descend'"
_SORT_TARGETS = "'key', 'value', 'version', 'create', 'mod'"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: to_bytes(1), TypeError, "value must be str or bytes, not int"),
        (lambda: key_bytes(None), TypeError, "key must be str or bytes, not NoneType"),
        (lambda: key_bytes(b""), ValueError, "key must not be empty"),
        (lambda: key_bytes("", "prefix"), ValueError, "prefix must not be empty"),
        (lambda: range_end_for_key(1), TypeError, "key prefix must be str or bytes, not int"),  # type: ignore[arg-type]
        (lambda: range_bound(b""), ValueError, _NOT_EMPTY_END),
        (lambda: range_bound(1), TypeError, "range_end must be str or bytes, not int"),
        (
            lambda: lease_id("5"),  # type: ignore[arg-type]
            TypeError,
            "lease must be an int lease id, a Lease or None, not str",
        ),
        (lambda: lease_id(-1), ValueError, "lease id must be in 0..2**63-1, got -1"),
        (lambda: flag(1, "keys_only"), TypeError, "keys_only must be a bool, not int"),
        (lambda: revision_arg("1"), TypeError, "revision must be an int, not str"),
        (
            lambda: revision_arg(INT64_MAX + 1),
            ValueError,
            f"revision must be at most 2**63-1, got {INT64_MAX + 1}",
        ),
        (lambda: limit_arg(1.0), TypeError, "limit must be an int, not float"),
        (lambda: positive_int(0, "n"), ValueError, "n must be > 0, got 0"),
        (
            lambda: sort_order_arg("up"),
            ValueError,
            f"sort_order must be None or one of {_SORT_ORDERS}, got 'up'",
        ),
        (
            lambda: sort_order_arg(1),
            TypeError,
            "sort_order must be a str, SortOrder or None, not int",
        ),
        (
            lambda: sort_target_arg("size"),
            ValueError,
            f"sort_target must be None or one of {_SORT_TARGETS}, got 'size'",
        ),
        (
            lambda: alarm_type_arg("x"),
            ValueError,
            "alarm_type must be one of 'none', 'no space', 'corrupt', got 'x'",
        ),
        (
            lambda: alarm_type_arg(None),
            TypeError,
            "alarm_type must be a str or AlarmType, not NoneType",
        ),
        (
            lambda: perm_type_arg("rw"),
            ValueError,
            "perm_type must be one of 'read', 'write', 'readwrite', got 'rw'",
        ),
        (lambda: perm_type_arg(2), TypeError, "perm_type must be a str or PermissionType, not int"),
        (
            lambda: range_request(b"a", b"b", min_mod_revision=-1),
            ValueError,
            "min_mod_revision must be >= 0 (0: no filter), got -1",
        ),
        (lambda: port_arg(True), TypeError, "port must be an int in 1..65535, not bool"),
        (
            lambda: port_arg(0, "peer port"),
            ValueError,
            "peer port must be an int in 1..65535, got 0",
        ),
        (lambda: host_endpoint(1, 2379), TypeError, "host must be a str, not int"),
        (
            lambda: host_endpoint("ftp://a", 2379),
            ValueError,
            "host 'ftp://a': the scheme must be http:// or https://",
        ),
        (lambda: host_endpoint(" ", 2379), ValueError, "host must name a host, got ' '"),
        (
            lambda: host_endpoint("a/b", 2379),
            ValueError,
            "host 'a/b': expected a host name, an address or a URL without a path",
        ),
        (
            lambda: host_endpoint("a:1", 5),
            ValueError,
            "host 'a:1' names port 1 and port=5 another: give the port once",
        ),
        (
            lambda: host_endpoint("[::1", 2379),
            ValueError,
            "host '[::1': unclosed '[' in an IPv6 address",
        ),
        (
            lambda: host_endpoint("[::1]x", 2379),
            ValueError,
            "host '[::1]x': expected [address]:port",
        ),
        (lambda: host_endpoint(":1", 2379), ValueError, "host must name a host, got ':1'"),
        (
            lambda: host_endpoint("a:b", 2379),
            ValueError,
            "host 'a:b': the port must be a number in 1..65535",
        ),
        (
            lambda: client_targets("localhost", 2379, "a:1"),
            TypeError,
            "endpoints must be a sequence of str, e.g. ['host1:2379', 'host2:2379']",
        ),
        (
            lambda: client_targets("b", 2379, ["a:1"]),
            ValueError,
            "pass either host/port or endpoints, not both",
        ),
        (
            lambda: client_targets("localhost", 2379, []),
            ValueError,
            "endpoints must name at least one endpoint",
        ),
        (lambda: ttl_arg(0), ValueError, "ttl must be > 0, got 0"),
        (lambda: lease_id_arg(-2), ValueError, "lease_id must be > 0, got -2"),
        (lambda: member_id_arg("1"), TypeError, "member_id must be an int, not str"),
        (lambda: member_id_arg(0), ValueError, "member_id must be a non-zero uint64, got 0"),
        (
            lambda: member_id_arg(-1, zero_ok=True),
            ValueError,
            "member_id must be an uint64, got -1",
        ),
        (lambda: urls_arg(1), TypeError, "urls must be a str or an iterable of str, not int"),
        (lambda: urls_arg([1]), TypeError, "urls must hold str, not int"),
        (lambda: urls_arg([""]), ValueError, "urls must not hold an empty URL"),
        (lambda: urls_arg([]), ValueError, "urls must name at least one URL"),
        (lambda: name_arg(1, "user"), TypeError, "user must be a str, not int"),
        (lambda: name_arg("", "user"), ValueError, "user must not be empty"),
        (lambda: password_arg(None), ValueError, "a password is required (or no_password=True)"),
        (lambda: password_arg(1), TypeError, "password must be a str, not int"),
        (
            lambda: password_arg(""),
            ValueError,
            "password must not be empty (use no_password=True for none)",
        ),
        (lambda: permission_range("", None), ValueError, "key must not be empty"),
        (lambda: permission_range("a", 1), TypeError, "range_end must be str or bytes, not int"),
        (lambda: recipe_name_arg(""), ValueError, "name must not be empty"),
        (lambda: recipe_name_arg(1), TypeError, "name must be str or bytes, not int"),
        (lambda: recipe_prefix_arg("", b"/r/", b"n"), ValueError, "prefix must not be empty"),
        (
            lambda: recipe_prefix_arg(1, b"/r/", b"n"),
            TypeError,
            "prefix must be str or bytes, not int",
        ),
        (
            lambda: credentials("root", None),
            ValueError,
            "user and password go together: pass both or neither",
        ),
        (lambda: credentials(1, "pw"), TypeError, "user and password must be str"),
    ],
)
def test_every_refusal_says_what_was_wrong(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=rf"\A{re.escape(message)}\Z"):
        call()


@pytest.mark.parametrize("revision", [1, 5])
def test_single_key_request_keeps_a_revision_without_serializable(revision: int) -> None:
    # The fast path for the defaults must not swallow a revision (1 included: the oldest).
    assert single_key_request(b"k", False, revision) == RangeRequest(key=b"k", revision=revision)


def test_single_key_request_keeps_serializable_at_the_latest_revision() -> None:
    assert single_key_request(b"k", True, 0) == RangeRequest(key=b"k", serializable=True)


def test_a_limit_of_one_is_a_limit() -> None:
    assert limit_arg(1) == 1
    assert limit_arg(0) == 0
    assert revision_arg(1) == 1


@pytest.mark.parametrize(("limit", "sent"), [(1, 1), (7, 7), (0, 0), (-1, 0)])
def test_range_request_sends_the_limit(limit: int, sent: int) -> None:
    assert range_request(b"a", b"b", limit=limit) == RangeRequest(
        key=b"a", range_end=b"b", limit=sent
    )


def test_range_request_defaults_are_an_unsorted_linearizable_latest_read() -> None:
    assert range_request(b"a", b"b") == RangeRequest(key=b"a", range_end=b"b")
    with pytest.raises(TypeError, match=r"^count_only must be a bool"):
        range_request(b"a", b"b", count_only=1)
    with pytest.raises(TypeError, match=r"^keys_only must be a bool"):
        range_request(b"a", b"b", keys_only=1)
    with pytest.raises(TypeError, match=r"^serializable must be a bool"):
        range_request(b"a", b"b", serializable=1)


def test_prefix_and_host_trimming_touch_only_their_own_characters() -> None:
    assert range_end_for_key(b"aX") == b"aY"
    assert range_end_for_key(b"aX\xff") == b"aY"
    assert host_endpoint("etcdX", 2379) == "etcdX:2379"
    assert host_endpoint("http://etcdX/", 2379) == "http://etcdX:2379"


@pytest.mark.parametrize("host", ["[::1]:2380]", "a:65536", "[::1]:65536"])
def test_a_port_out_of_range_or_trailing_text_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match=r"the port must be a number in 1\.\.65535$"):
        host_endpoint(host, 2379)
    assert host_endpoint("a:65535", 2379) == "a:65535"


def test_the_smallest_member_id_is_one() -> None:
    assert member_id_arg(1) == 1
    assert member_id_arg(0, zero_ok=True) == 0


def test_single_key_request_names_a_wrong_serializable() -> None:
    with pytest.raises(TypeError, match=r"^serializable must be a bool, not int$"):
        single_key_request(b"k", 1, 0)


def test_callback_arg_refuses_what_cannot_be_called() -> None:
    callback_arg(print, "callback", coroutines=False)  # callable: accepted
    with pytest.raises(TypeError, match=r"^on_lost must be callable, not int$"):
        callback_arg(3, "on_lost", coroutines=True)


async def _coroutine_function(response: object) -> None:
    del response


class _AsyncCall:
    async def __call__(self, response: object) -> None:
        del response


def test_callback_arg_refuses_a_coroutine_function_where_nothing_would_await_it() -> None:
    # The asyncio client awaits what a coroutine function returns: accepted there.
    callback_arg(_coroutine_function, "callback", coroutines=True)
    callback_arg(functools.partial(_coroutine_function), "callback", coroutines=True)
    # The sync client would call it and drop the coroutine unrun.
    for function in (_coroutine_function, functools.partial(_coroutine_function), _AsyncCall()):
        with pytest.raises(TypeError) as refused:
            callback_arg(function, "callback", coroutines=False)
        assert str(refused.value) == (
            "callback is a coroutine function, which the sync client cannot run (it has no "
            "event loop to await it in): pass a plain function, or use the asyncio client"
        )
    callback_arg(print, "callback", coroutines=False)
