"""The sans-IO transaction layer: compares, operations, builders and result views (no server)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from etcd3._transactions import (
    BaseCompare,
    Create,
    Delete,
    Get,
    LeaseCompare,
    Mod,
    Put,
    TransactionBuilder,
    TransactionResponse,
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
    cas_result,
    put_if_not_exists_request,
    replace_request,
    tx_result,
)
from etcd3._views import KVMetadata
from etcd3.rpc import txn
from etcd3.rpc.etcdserverpb import (
    Compare,
    CompareResult,
    CompareTarget,
    DeleteRangeResponse,
    PutResponse,
    RangeResponse,
    ResponseHeader,
    ResponseOp,
    SortOrder,
    SortTarget,
    TxnRequest,
    TxnResponse,
)
from etcd3.rpc.mvccpb import KeyValue


@dataclass(frozen=True)
class FakeLease:
    id: int


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
    ],
    ids=["put-value", "put-key", "put-lease", "get-range-end", "delete-key"],
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

HEADER = ResponseHeader(revision=42, raft_term=3)
KV = KeyValue(key=b"k", value=b"v", create_revision=40, mod_revision=41, version=2, lease=0)


def _response(succeeded: bool = True) -> TxnResponse:
    return TxnResponse(
        header=HEADER,
        succeeded=succeeded,
        responses=[
            ResponseOp(response_put=PutResponse(prev_kv=KV)),
            ResponseOp(response_range=RangeResponse(kvs=[KV], count=1)),
            ResponseOp(response_delete_range=DeleteRangeResponse(deleted=4)),
            ResponseOp(
                response_txn=TxnResponse(
                    succeeded=True,
                    responses=[ResponseOp(response_range=RangeResponse(kvs=[KV, KV]))],
                )
            ),
        ],
    )


def test_tx_result_converts_gets_only() -> None:
    ok, results = tx_result(_response(False))
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
    _, results = tx_result(_response())
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


# --- TransactionBuilder ------------------------------------------------------------------------


def test_mutable_builder_returns_itself() -> None:
    tx = TransactionBuilder.new()
    assert tx.is_immutable is False
    assert tx.compare(b"k").value.eq(b"v") is tx
    assert tx.success.put(b"k", b"w") is tx
    assert tx.failure.get(b"k") is tx
    compare, success, failure = tx.tx
    assert compare == [txn.compare_value(b"k", CompareResult.EQUAL, b"v")]
    assert success == [txn.op_put(key=b"k", value=b"w")]
    assert failure == [txn.op_range(key=b"k")]


def test_immutable_builder_never_changes() -> None:
    empty = TransactionBuilder.immutable()
    assert empty.is_immutable is True
    one = empty.compare(b"k").version.eq(0)
    assert one is not empty
    assert empty.request == TxnRequest()
    two = one.success.put(b"k", b"v")
    three = one.success.put(b"k", b"other")  # a sibling of two, from the same base
    four = two.failure.delete(b"k")
    assert [len(p) for p in one.tx] == [1, 0, 0]
    assert [len(p) for p in two.tx] == [1, 1, 0]
    assert [len(p) for p in four.tx] == [1, 1, 1]
    assert two.tx[1][0].request_put.value == b"v"
    assert three.tx[1][0].request_put.value == b"other"
    # Builders made from an immutable one are immutable too.
    assert four.is_immutable is True
    assert four.success.get(b"k") is not four


def test_tx_returns_copies() -> None:
    tx = TransactionBuilder.new().compare(b"k").create.eq(0).success.put(b"k", b"v")
    compare, success, failure = tx.tx
    compare.clear()
    success.append(txn.op_range(key=b"x"))
    failure.append(txn.op_range(key=b"x"))
    assert [len(p) for p in tx.tx] == [1, 1, 0]


def test_copy_is_independent() -> None:
    original = TransactionBuilder.new().compare(b"k").create.eq(0)
    copy = original.copy()
    assert copy is not original
    assert copy.is_immutable is False
    copy.success.put(b"k", b"v")
    original.failure.get(b"k")
    assert [len(p) for p in original.tx] == [1, 0, 1]
    assert [len(p) for p in copy.tx] == [1, 1, 0]
    assert TransactionBuilder.immutable().copy().is_immutable is True


def test_request_is_a_new_message() -> None:
    tx = TransactionBuilder.new().success.put(b"k", b"v")
    request = tx.request
    request.success[0].request_put.value = b"changed"
    assert tx.request.success[0].request_put.value == b"v"
    assert tx.request == TxnRequest(success=[txn.op_put(key=b"k", value=b"v")])


@pytest.mark.parametrize(
    ("method", "result"),
    [
        ("eq", CompareResult.EQUAL),
        ("ne", CompareResult.NOT_EQUAL),
        ("gt", CompareResult.GREATER),
        ("lt", CompareResult.LESS),
        ("le", CompareResult.LESS),  # the predecessor's name for strict less
    ],
)
def test_compare_builder_operators(method: str, result: CompareResult) -> None:
    tx = TransactionBuilder.new()
    getattr(tx.compare(b"k", b"l").mod, method)(5)
    [compare] = tx.tx[0]
    assert compare == Compare(
        key=b"k", range_end=b"l", target=CompareTarget.MOD, result=result, mod_revision=5
    )


def test_compare_builder_targets() -> None:
    tx = TransactionBuilder.new()
    tx.compare("k").value.eq("v").compare(b"k").version.eq(0).compare(b"k").create.gt(1)
    tx.compare(b"k").mod.ne(2).compare(b"k").lease.eq(0)
    assert [(c.target, c.WhichOneof("target_union")) for c in tx.tx[0]] == [
        (CompareTarget.VALUE, "value"),
        (CompareTarget.VERSION, "version"),
        (CompareTarget.CREATE, "create_revision"),
        (CompareTarget.MOD, "mod_revision"),
        (CompareTarget.LEASE, "lease"),
    ]
    assert tx.tx[0][0].value == b"v"


def test_compare_builder_can_be_reused() -> None:
    tx = TransactionBuilder.new()
    field = tx.compare(b"k").value
    field.eq(b"a")
    field.ne(b"b")
    first, second = tx.tx[0]
    # Each completion is a new message: the first is not rewritten by the second.
    assert (first.result, first.value) == (CompareResult.EQUAL, b"a")
    assert (second.result, second.value) == (CompareResult.NOT_EQUAL, b"b")


def test_compare_builder_operand_errors() -> None:
    tx = TransactionBuilder.new()
    with pytest.raises(ValueError, match="str or bytes"):
        tx.compare(b"k").value.eq(1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="int"):
        tx.compare(b"k").version.eq("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="int"):
        tx.compare(b"k").mod.gt(True)
    with pytest.raises(ValueError, match="int"):
        tx.compare(b"k").lease.eq(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        tx.compare(b"")
    with pytest.raises(TypeError):
        tx.compare(b"k", 1)  # type: ignore[arg-type]
    assert tx.tx == ([], [], [])


def test_operation_builder_put_and_delete() -> None:
    tx = TransactionBuilder.new()
    tx.success.put("k", "v", lease=FakeLease(3), prev_kv=True)
    tx.success.put(b"k2", b"v", 4)
    tx.failure.delete(b"a", b"b", prev_kv=True)
    _, success, failure = tx.tx
    assert success == [
        txn.op_put(key=b"k", value=b"v", lease=3, prev_kv=True),
        txn.op_put(key=b"k2", value=b"v", lease=4),
    ]
    assert failure == [txn.op_delete_range(key=b"a", range_end=b"b", prev_kv=True)]


def test_operation_builder_get_options() -> None:
    tx = TransactionBuilder.new()
    tx.success.get(b"a", b"z", "desc", "mod", True, 10, 7)
    tx.success.get(b"a", sort_order="ascend", sort_target="create", limit=-1, revision=-5)
    tx.success.get(b"a", sort_order="asc", sort_target="value")
    tx.success.get(b"a", sort_order="descend", sort_target="version")
    tx.success.get(b"a", sort_target="key")
    tx.success.get(b"a", sort_order=SortOrder.DESCEND, sort_target=SortTarget.VALUE)
    first, second, third, fourth, fifth, sixth = (op.request_range for op in tx.tx[1])
    assert (first.key, first.range_end, first.keys_only, first.limit, first.revision) == (
        b"a",
        b"z",
        True,
        10,
        7,
    )
    assert (first.sort_order, first.sort_target) == (SortOrder.DESCEND, SortTarget.MOD)
    # <= 0 means "no limit" and "the latest revision".
    assert (second.limit, second.revision) == (0, 0)
    assert (second.sort_order, second.sort_target) == (SortOrder.ASCEND, SortTarget.CREATE)
    assert (third.sort_order, third.sort_target) == (SortOrder.ASCEND, SortTarget.VALUE)
    assert (fourth.sort_order, fourth.sort_target) == (SortOrder.DESCEND, SortTarget.VERSION)
    assert (fifth.sort_order, fifth.sort_target) == (SortOrder.NONE, SortTarget.KEY)
    assert (sixth.sort_order, sixth.sort_target) == (SortOrder.DESCEND, SortTarget.VALUE)


def test_operation_builder_errors() -> None:
    tx = TransactionBuilder.new()
    with pytest.raises(ValueError, match="sort_order"):
        tx.success.get(b"a", sort_order="up")
    with pytest.raises(ValueError, match="sort_target"):
        tx.success.get(b"a", sort_target="size")
    with pytest.raises(TypeError, match="keys_only"):
        tx.success.get(b"a", keys_only=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2\\*\\*63"):
        tx.success.get(b"a", limit=1 << 63)
    with pytest.raises(TypeError, match="prev_kv"):
        tx.success.put(b"a", b"v", prev_kv="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit"):
        tx.success.get(b"a", limit="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="revision"):
        tx.success.get(b"a", revision=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        tx.success.put(b"", b"v")
    with pytest.raises(TypeError):
        tx.failure.put(b"k", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tx.failure.put(b"k", b"v", lease="5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        tx.failure.delete("")
    with pytest.raises(TypeError, match="TransactionBuilder"):
        tx.success.txn(tx.request)  # type: ignore[arg-type]
    assert tx.tx == ([], [], [])


def test_nested_builder_is_a_snapshot() -> None:
    inner = TransactionBuilder.new().compare(b"k").create.eq(0).success.put(b"k", b"v")
    outer = TransactionBuilder.immutable().success.txn(inner)
    inner.success.put(b"k2", b"v")  # later changes to inner do not reach outer
    [op] = outer.tx[1]
    assert op.WhichOneof("request") == "request_txn"
    assert op.request_txn == TxnRequest(
        compare=[txn.compare_create_revision(b"k", CompareResult.EQUAL, 0)],
        success=[txn.op_put(key=b"k", value=b"v")],
    )


def test_builder_repr() -> None:
    tx = TransactionBuilder.immutable().compare(b"k").create.eq(0).success.put(b"k", b"v")
    assert repr(tx) == (
        "<TransactionBuilder.immutable(): 1 compares, 1 success ops, 0 failure ops>"
    )


# --- TransactionResponse -----------------------------------------------------------------------


def test_transaction_response_typed_access() -> None:
    response = TransactionResponse(_response())
    assert response.success is True
    assert response.header == HEADER
    assert len(response) == 4
    assert [response.kind(i) for i in range(4)] == ["put", "range", "delete_range", "txn"]
    assert response.as_put(0).prev_kv == KV
    assert response.as_get(1) == [(b"v", KVMetadata(KV, HEADER))]
    assert response.as_del(2).deleted == 4
    assert response.raw.succeeded is True
    assert response[-1].WhichOneof("response") == "response_txn"
    assert [op.WhichOneof("response") for op in response] == [
        "response_put",
        "response_range",
        "response_delete_range",
        "response_txn",
    ]
    assert len(response.results) == 4
    assert "put, range, delete_range, txn" in repr(response)


def test_nested_transaction_response_reports_outer_header() -> None:
    nested = TransactionResponse(_response()).as_txn(3)
    assert nested.header == HEADER
    assert nested.raw.header == ResponseHeader()  # the server leaves a nested header empty
    got = nested.as_get(0)
    assert [meta.response_header for _, meta in got] == [HEADER, HEADER]


@pytest.mark.parametrize("index", [-1, -4, 4, 100])
def test_transaction_response_index_out_of_range_is_key_error(index: int) -> None:
    response = TransactionResponse(_response())
    for accessor in (response.as_get, response.as_put, response.as_del, response.as_txn):
        with pytest.raises(KeyError, match="out of range"):
            accessor(index)
    with pytest.raises(KeyError):
        response.kind(index)


def test_transaction_response_wrong_kind_is_key_error() -> None:
    response = TransactionResponse(_response())
    with pytest.raises(KeyError, match="not range"):
        response.as_get(0)
    with pytest.raises(KeyError, match="not put"):
        response.as_put(1)
    with pytest.raises(KeyError, match="not delete_range"):
        response.as_del(3)
    with pytest.raises(KeyError, match="not txn"):
        response.as_txn(2)
    with pytest.raises(KeyError, match="must be an int"):
        response.as_put("0")  # type: ignore[arg-type]


def test_transaction_response_empty_op_is_key_error() -> None:
    response = TransactionResponse(TxnResponse(responses=[ResponseOp()]))
    with pytest.raises(KeyError, match="no operation"):
        response.kind(0)
    with pytest.raises(KeyError):
        response.as_put(0)


# --- put_if_not_exists / replace ---------------------------------------------------------------


def test_put_if_not_exists_request() -> None:
    assert put_if_not_exists_request("k", "v", FakeLease(8)) == TxnRequest(
        compare=[txn.compare_create_revision(b"k", CompareResult.EQUAL, 0)],
        success=[txn.op_put(key=b"k", value=b"v", lease=8)],
    )


def test_replace_request() -> None:
    assert replace_request(b"k", "a", b"b", None) == TxnRequest(
        compare=[txn.compare_value(b"k", CompareResult.EQUAL, b"a")],
        success=[txn.op_put(key=b"k", value=b"b")],
    )
    with pytest.raises(TypeError, match="initial_value"):
        replace_request(b"k", 1, b"b", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="new_value"):
        replace_request(b"k", b"a", None, None)  # type: ignore[arg-type]


def test_cas_result() -> None:
    put = PutResponse(header=HEADER)
    ok = TxnResponse(succeeded=True, responses=[ResponseOp(response_put=put)])
    assert cas_result(ok) == (True, put)
    assert cas_result(TxnResponse(succeeded=False)) == (False, None)


def test_base_compare_has_no_target() -> None:
    compare = BaseCompare(b"k") == 1
    assert compare.op is CompareResult.EQUAL
    with pytest.raises(TypeError, match="compares nothing"):
        compare.build_message()
