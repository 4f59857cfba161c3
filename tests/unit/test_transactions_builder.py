"""etcd3-client's transaction API, sans-IO: the builder and its typed response."""

from __future__ import annotations

import pytest
from txn_samples import HEADER, KV, FakeLease, sample_response

from etcd3._transactions.builder import TransactionBuilder, TransactionResponse
from etcd3._views import KVMetadata
from etcd3.rpc import txn
from etcd3.rpc.etcdserverpb import (
    Compare,
    CompareResult,
    CompareTarget,
    ResponseHeader,
    ResponseOp,
    SortOrder,
    SortTarget,
    TxnRequest,
    TxnResponse,
)

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
        tx.success.get(b"a", sort_order="up")  # type: ignore[arg-type]  # a typo: also a type error
    with pytest.raises(ValueError, match="sort_target"):
        tx.success.get(b"a", sort_target="size")  # type: ignore[arg-type]
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
    response = TransactionResponse(sample_response())
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
    nested = TransactionResponse(sample_response()).as_txn(3)
    assert nested.header == HEADER
    assert nested.raw.header == ResponseHeader()  # the server leaves a nested header empty
    got = nested.as_get(0)
    assert [meta.response_header for _, meta in got] == [HEADER, HEADER]


@pytest.mark.parametrize("index", [-1, -4, 4, 100])
def test_transaction_response_index_out_of_range_is_key_error(index: int) -> None:
    response = TransactionResponse(sample_response())
    for accessor in (response.as_get, response.as_put, response.as_del, response.as_txn):
        with pytest.raises(KeyError, match="out of range"):
            accessor(index)
    with pytest.raises(KeyError):
        response.kind(index)


def test_transaction_response_wrong_kind_is_key_error() -> None:
    response = TransactionResponse(sample_response())
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


# --- what the builder sends, whole ---------------------------------------------------------------


def test_a_builder_is_mutable_unless_asked_and_says_which() -> None:
    assert TransactionBuilder().is_immutable is False
    assert repr(TransactionBuilder()) == (
        "<TransactionBuilder.new(): 0 compares, 0 success ops, 0 failure ops>"
    )


def test_every_compare_field_keeps_the_key_and_the_range() -> None:
    tx = TransactionBuilder.new()
    for field in ("value", "version", "create", "mod", "lease"):
        step = getattr(tx.compare(b"a", b"b"), field)
        step.eq(b"v" if field == "value" else 1)
    assert [(c.key, c.range_end) for c in tx.tx[0]] == [(b"a", b"b")] * 5


def test_the_request_carries_every_branch_and_a_nested_failure() -> None:
    inner = TransactionBuilder.new().compare(b"k").version.eq(0).failure.get(b"k")
    tx = TransactionBuilder.new().compare(b"k").mod.lt(9).success.delete(b"k")
    tx.failure.txn(inner)
    assert tx.request == TxnRequest(
        compare=[txn.compare_mod_revision(b"k", CompareResult.LESS, 9)],
        success=[txn.op_delete_range(key=b"k")],
        failure=[
            txn.op_txn(
                compare=[txn.compare_version(b"k", CompareResult.EQUAL, 0)],
                failure=[txn.op_range(key=b"k")],
            )
        ],
    )


def test_builder_refusals_name_the_argument() -> None:
    tx = TransactionBuilder.new()
    with pytest.raises(TypeError, match=r"^range_end must be str or bytes, not int$"):
        tx.compare(b"k", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^compare operand must be an int, got 'x'$"):
        tx.compare(b"k").version.eq("x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^compare operand must be str or bytes, got 1$"):
        tx.compare(b"k").value.eq(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^txn\(\) takes a TransactionBuilder, not TxnRequest$"):
        tx.success.txn(tx.request)  # type: ignore[arg-type]
