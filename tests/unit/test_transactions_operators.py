"""python-etcd3's transaction API, sans-IO: operator compares, operation objects, results."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pytest
from txn_samples import HEADER, KV, FakeLease, sample_response

from etcd3._transactions.operators import (
    BaseCompare,
    Create,
    Delete,
    Get,
    LeaseCompare,
    Mod,
    Put,
    Transactions,
    Txn,
    TxResponse,
    Value,
    Version,
    as_del_op_result,
    as_get_op_result,
    as_put_op_result,
    as_txn_op_result,
    build_txn_request,
    tx_result,
)
from etcd3._views import KVMetadata
from etcd3.rpc import txn
from etcd3.rpc.etcdserverpb import CompareResult, CompareTarget, ResponseOp, TxnRequest

# --- legacy compares ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda c: c == 3, CompareResult.EQUAL),
        (lambda c: c != 3, CompareResult.NOT_EQUAL),
        (lambda c: c < 3, CompareResult.LESS),
        (lambda c: c > 3, CompareResult.GREATER),
    ],
    ids=["eq", "ne", "lt", "gt"],
)
def test_compare_operators_return_the_compare_and_set_op(make: object, op: CompareResult) -> None:
    compare = Version(b"k")
    assert compare.op is None
    assert callable(make)
    assert make(compare) is compare
    assert compare.op is op
    assert compare.value == 3
    message = compare.build_message()
    assert message.result == op
    assert message.version == 3


@pytest.mark.parametrize(
    ("cls", "target", "member", "operand", "expected"),
    [
        (Value, CompareTarget.VALUE, "value", "v", b"v"),
        (Value, CompareTarget.VALUE, "value", b"", b""),
        (Version, CompareTarget.VERSION, "version", "0", 0),
        (Create, CompareTarget.CREATE, "create_revision", 0, 0),
        (Mod, CompareTarget.MOD, "mod_revision", 12, 12),
        (LeaseCompare, CompareTarget.LEASE, "lease", 7, 7),
        (LeaseCompare, CompareTarget.LEASE, "lease", FakeLease(9), 9),
    ],
)
def test_compare_messages(
    cls: type[BaseCompare], target: CompareTarget, member: str, operand: object, expected: object
) -> None:
    message = (cls("key", "kez") == operand).build_message()
    assert message.key == b"key"
    assert message.range_end == b"kez"
    assert message.target == target
    assert message.result == CompareResult.EQUAL
    # A zero operand still selects the oneof member, so the server compares against it.
    assert message.WhichOneof("target_union") == member
    assert getattr(message, member) == expected


def test_compare_keeps_arguments_as_given() -> None:
    compare = Value("k", "l") != b"v"
    assert compare.key == "k"
    assert compare.range_end == "l"
    assert compare.value == b"v"
    assert Mod(b"k").range_end is None
    assert (Mod(b"k") == 1).build_message().range_end == b""


def test_compare_operand_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="str or bytes"):
        _ = Value(b"k") == 1
    with pytest.raises(ValueError, match="int"):
        _ = Version(b"k") == "one"
    with pytest.raises(ValueError, match="int"):
        _ = Create(b"k") > None
    with pytest.raises(ValueError, match="int"):
        _ = Mod(b"k") < b"x1"
    with pytest.raises(ValueError, match="int"):
        _ = LeaseCompare(b"k") == object()


def test_compare_key_errors() -> None:
    with pytest.raises(ValueError, match="empty"):
        Value(b"")
    with pytest.raises(TypeError):
        Value(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Version(b"k", 2)  # type: ignore[arg-type]


def test_compare_without_operator_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="operator"):
        Value(b"k").build_message()
    with pytest.raises(ValueError, match="operator"):
        build_txn_request([Create(b"k")])


def test_compare_reapplying_an_operator_replaces_it() -> None:
    compare = Version(b"k") == 1
    assert (compare > 2) is compare
    assert compare.op is CompareResult.GREATER
    assert compare.build_message().version == 2


def test_compare_repr() -> None:
    assert repr(Value(b"k")) == "Value(b'k')"
    assert repr(Value(b"k") == b"v") == "Value(b'k') == b'v'"
    assert repr(Mod("a", "b") < 5) == "Mod('a', 'b') < 5"
    assert repr(Create(b"k") != "0") == "Create(b'k') != '0'"


def test_compares_are_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(Value(b"k"))


# --- legacy operations -------------------------------------------------------------------------


def test_put_op() -> None:
    op = Put("k", "v", lease=FakeLease(5), prev_kv=True)
    assert op.build_message() == txn.op_put(key=b"k", value=b"v", lease=5, prev_kv=True)
    assert (op.key, op.value, op.prev_kv) == ("k", "v", True)
    assert Put(b"k", b"").build_message().request_put == txn.op_put(key=b"k").request_put
    assert Put(b"k", b"v", 7).build_message().request_put.lease == 7


def test_get_and_delete_ops() -> None:
    assert Get(b"a", "b").build_message() == txn.op_range(key=b"a", range_end=b"b")
    assert Get("a").build_message() == txn.op_range(key=b"a")
    assert Delete(b"a", b"b", prev_kv=True).build_message() == txn.op_delete_range(
        key=b"a", range_end=b"b", prev_kv=True
    )
    assert Delete(b"a").build_message().request_delete_range.range_end == b""


@pytest.mark.parametrize(
    "make",
    [
        lambda: Put(b"", b"v"),
        lambda: Get(b""),
        lambda: Delete(""),
        lambda: Put(b"k", b"v", lease=-1),
    ],
    ids=["put-empty", "get-empty", "delete-empty", "negative-lease"],
)
def test_op_value_errors(make: object) -> None:
    assert callable(make)
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Put(b"k", 1),  # type: ignore[arg-type]
        lambda: Put(1, b"v"),  # type: ignore[arg-type]
        lambda: Put(b"k", b"v", lease="7"),  # type: ignore[arg-type]
        lambda: Get(b"k", 3),  # type: ignore[arg-type]
        lambda: Delete(None),  # type: ignore[arg-type]
        lambda: Put(b"k", b"v", prev_kv="yes"),  # type: ignore[arg-type]
        lambda: Delete(b"k", 3),  # type: ignore[arg-type]
        lambda: Delete(b"k", prev_kv="yes"),  # type: ignore[arg-type]
        lambda: Txn(["Value(k) == v"]),  # type: ignore[list-item]
        lambda: Txn([], ["put k v"]),  # type: ignore[list-item]
        lambda: Txn([], None, ["put k v"]),  # type: ignore[list-item]
    ],
    ids=[
        "put-value",
        "put-key",
        "put-lease",
        "get-range-end",
        "delete-key",
        "put-prev-kv",
        "delete-range-end",
        "delete-prev-kv",
        "txn-compare",
        "txn-success",
        "txn-failure",
    ],
)
def test_op_type_errors(make: object) -> None:
    assert callable(make)
    with pytest.raises(TypeError):
        make()


def test_nested_txn_op() -> None:
    inner = Txn([Version(b"k") == 0], [Put(b"k", b"v")], [Get(b"k")])
    message = inner.build_message()
    assert message.WhichOneof("request") == "request_txn"
    assert message.request_txn == TxnRequest(
        compare=[txn.compare_version(b"k", CompareResult.EQUAL, 0)],
        success=[txn.op_put(key=b"k", value=b"v")],
        failure=[txn.op_range(key=b"k")],
    )
    assert len(inner.compare) == 1
    assert Txn([]).build_message().request_txn == TxnRequest()
    # A Txn nests in a Txn.
    outer = Txn([], [inner])
    assert outer.build_message().request_txn.success[0] == message


def test_build_txn_request() -> None:
    request = build_txn_request(
        (c for c in [Value(b"k") == b"v", Version(b"k") > 0]),
        [Put(b"k", b"w"), Delete(b"j")],
        None,
    )
    assert [c.target for c in request.compare] == [CompareTarget.VALUE, CompareTarget.VERSION]
    assert [op.WhichOneof("request") for op in request.success] == [
        "request_put",
        "request_delete_range",
    ]
    assert list(request.failure) == []
    assert build_txn_request([]) == TxnRequest()


def test_build_txn_request_type_errors() -> None:
    with pytest.raises(TypeError, match="compare"):
        build_txn_request([txn.compare_value(b"k", CompareResult.EQUAL, b"v")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="success"):
        build_txn_request([], [txn.op_put(key=b"k")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="failure"):
        build_txn_request([], None, [Value(b"k") == b"v"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="compare"):
        build_txn_request(Value(b"k") == b"v")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="success"):
        build_txn_request([], "put")  # type: ignore[arg-type]


def test_transactions_factory() -> None:
    tx = Transactions()
    assert isinstance(tx.value(b"k"), Value)
    assert isinstance(tx.version(b"k"), Version)
    assert isinstance(tx.create(b"k"), Create)
    assert isinstance(tx.mod(b"k"), Mod)
    assert isinstance(tx.lease(b"k"), LeaseCompare)
    assert isinstance(tx.put(b"k", b"v"), Put)
    assert isinstance(tx.get(b"k"), Get)
    assert isinstance(tx.delete(b"k"), Delete)
    assert isinstance(tx.txn([]), Txn)


# --- legacy results ----------------------------------------------------------------------------


def test_tx_result_converts_gets_only() -> None:
    ok, results = tx_result(sample_response(False))
    assert ok is False
    assert len(results) == 4
    assert as_put_op_result(results[0]).prev_kv == KV
    [(value, meta)] = as_get_op_result(results[1])
    assert value == b"v"
    assert meta == KVMetadata(KV, HEADER)
    assert meta.response_header.revision == 42
    assert as_del_op_result(results[2]).deleted == 4
    assert len(as_txn_op_result(results[3]).responses) == 1


@pytest.mark.parametrize(
    ("index", "helpers_ok"),
    [(0, "put"), (1, "get"), (2, "del"), (3, "txn")],
)
def test_as_op_result_mismatch_is_type_error(index: int, helpers_ok: str) -> None:
    _, results = tx_result(sample_response())
    result: TxResponse = results[index]
    helpers = {
        "put": as_put_op_result,
        "get": as_get_op_result,
        "del": as_del_op_result,
        "txn": as_txn_op_result,
    }
    for name, helper in helpers.items():
        if name == helpers_ok:
            helper(result)
        else:
            with pytest.raises(TypeError, match="transaction result is a"):
                helper(result)


def test_as_op_result_rejects_an_empty_response_op() -> None:
    with pytest.raises(TypeError, match="empty"):
        as_put_op_result(ResponseOp())


def test_base_compare_has_no_target() -> None:
    compare = BaseCompare(b"k") == 1
    assert compare.op is CompareResult.EQUAL
    with pytest.raises(TypeError, match="compares nothing"):
        compare.build_message()


# --- what users read ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Value(b"k") == 1, "value compare operand must be str or bytes, got 1"),
        (
            lambda: Version(b"k") == "one",
            "version compare operand must be an int (or a str of one), got 'one'",
        ),
        (
            lambda: Create(b"k") > None,
            "create revision compare operand must be an int (or a str of one), got None",
        ),
        (
            lambda: Mod(b"k") < b"x1",
            "mod revision compare operand must be an int (or a str of one), got b'x1'",
        ),
        (
            lambda: LeaseCompare(b"k") != "x",
            "lease compare operand must be an int (or a str of one), got 'x'",
        ),
        (
            lambda: BaseCompare(b"k") == "x",
            "compare operand must be an int (or a str of one), got 'x'",
        ),
    ],
)
def test_compare_operand_errors_name_the_compare(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError) as info:  # noqa: PT011 - the message is checked whole
        make()
    assert str(info.value) == message


def test_compare_range_end_errors_name_it() -> None:
    with pytest.raises(TypeError, match=r"^range_end must be str or bytes, not int$"):
        Value(b"k", 2)  # type: ignore[arg-type]


def test_compare_without_operator_has_no_value_and_says_so() -> None:
    compare = Value(b"k")
    assert compare.value is None
    assert compare.op is None
    with pytest.raises(ValueError, match=r"^Value\(b'k'\) has no operator: use ==, !=, < or >$"):
        compare.build_message()
    assert repr(Version(b"k") > 1) == "Version(b'k') > 1"
    with pytest.raises(
        TypeError,
        match=r"^BaseCompare compares nothing: use Value, Version, Create, Mod, LeaseCompare$",
    ):
        (BaseCompare(b"k") == 1).build_message()


def test_compares_are_not_hashable_objects() -> None:
    assert BaseCompare.__hash__ is None
    assert not isinstance(Value(b"k"), Hashable)


def test_operations_keep_their_arguments_as_given() -> None:
    lease = FakeLease(5)
    put = Put("k", "v", lease)
    assert (put.key, put.value, put.lease, put.prev_kv) == ("k", "v", lease, False)
    get = Get("a", "b")
    assert (get.key, get.range_end) == ("a", "b")
    delete = Delete("a", "b")
    assert (delete.key, delete.range_end, delete.prev_kv) == ("a", "b", False)
    assert Delete("a").build_message() == txn.op_delete_range(key=b"a")
    assert Delete("a", prev_kv=True).prev_kv is True
    success, failure = [Put("k", "v")], [Get("k")]
    nested = Txn([], success, failure)
    assert (nested.success, nested.failure) == (success, failure)


def test_operations_send_what_their_attributes_say_when_sent() -> None:
    put = Put("k", "first")
    put.key, put.value, put.lease, put.prev_kv = "k2", "second", 7, True
    assert put.build_message() == txn.op_put(key=b"k2", value=b"second", lease=7, prev_kv=True)
    get = Get("a")
    get.key, get.range_end = "b", "c"
    assert get.build_message() == txn.op_range(key=b"b", range_end=b"c")
    delete = Delete("a")
    delete.range_end, delete.prev_kv = "z", True
    assert delete.build_message() == txn.op_delete_range(key=b"a", range_end=b"z", prev_kv=True)
    nested = Txn([])
    nested.compare.append(Version("k") == 0)
    nested.success.append(put)
    nested.failure = [get]
    assert nested.build_message().request_txn == TxnRequest(
        compare=[txn.compare_version(b"k", CompareResult.EQUAL, 0)],
        success=[put.build_message()],
        failure=[get.build_message()],
    )
    # A bad change is refused when the message is built, before anything is sent.
    put.key = ""
    with pytest.raises(ValueError, match="key"):
        put.build_message()
    with pytest.raises(ValueError, match="key"):
        nested.build_message()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Txn("compares"),  # type: ignore[arg-type]
            "compare must be a list (or other iterable), not str",
        ),
        (lambda: Txn([], b"ops"), "success must be a list (or other iterable), not bytes"),  # type: ignore[arg-type]
        (lambda: Txn([], None, 3), "failure must be a list (or other iterable), not int"),  # type: ignore[arg-type]
        (
            lambda: build_txn_request(Value(b"k") == b"v"),  # type: ignore[arg-type]
            "compare must be a list (or other iterable), not Value",
        ),
        (
            lambda: build_txn_request([txn.compare_value(b"k", CompareResult.EQUAL, b"v")]),  # type: ignore[list-item]
            "compare must hold compares (Value, Version, Create, Mod, LeaseCompare), not Compare",
        ),
        (
            lambda: build_txn_request([], [txn.op_put(key=b"k")]),  # type: ignore[list-item]
            "success must hold operations (Put, Get, Delete, Txn), not RequestOp",
        ),
        (
            lambda: build_txn_request([], None, [Value(b"k") == b"v"]),  # type: ignore[list-item]
            "failure must hold operations (Put, Get, Delete, Txn), not Value",
        ),
        (
            lambda: build_txn_request([], "put"),  # type: ignore[arg-type]
            "success must be a list (or other iterable), not str",
        ),
        (
            lambda: build_txn_request([], None, 1),  # type: ignore[arg-type]
            "failure must be a list (or other iterable), not int",
        ),
    ],
)
def test_transaction_type_errors_name_the_argument(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(TypeError) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("index", "kind"), [(0, "put"), (1, "get"), (2, "delete_range"), (3, "txn")]
)
def test_result_kind_errors_say_what_the_result_is_and_what_was_wanted(
    index: int, kind: str
) -> None:
    _, results = tx_result(sample_response())
    result = results[index]
    helpers: dict[str, Callable[[TxResponse], object]] = {
        "get": as_get_op_result,
        "put": as_put_op_result,
        "delete": as_del_op_result,
        "txn": as_txn_op_result,
    }
    for wanted, helper in helpers.items():
        if kind.startswith(wanted):
            continue
        with pytest.raises(TypeError) as info:
            helper(result)
        assert str(info.value) == f"transaction result is a {kind} result, not {wanted}"


def test_result_kind_errors_name_an_empty_or_foreign_result() -> None:
    with pytest.raises(TypeError, match=r"^transaction result is a empty result, not put$"):
        as_put_op_result(ResponseOp())
    with pytest.raises(TypeError, match=r"^transaction result is a int result, not get$"):
        as_get_op_result(3)  # type: ignore[arg-type]
