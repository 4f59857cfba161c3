"""The generated transaction facades: builders, comparisons and the typed result view."""

from __future__ import annotations

import dataclasses

import pytest

from etcd3._runtime import ResultKindError
from etcd3._txn_results import ResultKinds
from etcd3.rpc import etcdserverpb as pb
from etcd3.rpc import txn


def test_op_builders_wrap_the_flattened_request() -> None:
    op = txn.op_range(key=b"a", range_end=b"b", limit=2)
    assert op.WhichOneof("request") == "request_range"
    assert op.request_range == pb.RangeRequest(key=b"a", range_end=b"b", limit=2)
    assert txn.op_put(key=b"k", value=b"v", lease=7) == pb.RequestOp(
        request_put=pb.PutRequest(key=b"k", value=b"v", lease=7)
    )
    delete = txn.op_delete_range(key=b"k", prev_kv=True)
    assert delete.WhichOneof("request") == "request_delete_range"
    assert delete.request_delete_range.prev_kv
    # Defaults still select the oneof member: an empty put is a put.
    assert txn.op_put().WhichOneof("request") == "request_put"


def test_nested_txn_op() -> None:
    inner = txn.op_txn(
        compare=[txn.compare_version(b"k", pb.CompareResult.EQUAL, 0)],
        success=[txn.op_put(key=b"k", value=b"1")],
        failure=[txn.op_range(key=b"k")],
    )
    assert inner.WhichOneof("request") == "request_txn"
    assert len(inner.request_txn.compare) == 1
    assert inner.request_txn.success[0].request_put.value == b"1"
    assert inner.request_txn.failure[0].WhichOneof("request") == "request_range"


@pytest.mark.parametrize(
    ("compare", "target", "member", "value"),
    [
        (txn.compare_version(b"k", pb.CompareResult.GREATER, 3), "VERSION", "version", 3),
        (
            txn.compare_create_revision(b"k", pb.CompareResult.EQUAL, 0),
            "CREATE",
            "create_revision",
            0,
        ),
        (txn.compare_mod_revision(b"k", pb.CompareResult.LESS, 9), "MOD", "mod_revision", 9),
        (txn.compare_value(b"k", pb.CompareResult.NOT_EQUAL, b""), "VALUE", "value", b""),
        (txn.compare_lease(b"k", pb.CompareResult.EQUAL, 5), "LEASE", "lease", 5),
    ],
)
def test_compare_builders_set_target_and_member(
    compare: pb.Compare, target: str, member: str, value: object
) -> None:
    assert compare.key == b"k"
    assert compare.target == pb.CompareTarget[target]
    # Even a zero value selects the member, so the server compares against it.
    assert compare.WhichOneof("target_union") == member
    assert getattr(compare, member) == value
    assert compare.range_end == b""


def test_compare_range_end_is_keyword_only() -> None:
    compare = txn.compare_value(b"a", pb.CompareResult.EQUAL, b"v", range_end=b"b")
    assert compare.range_end == b"b"
    assert compare.result == pb.CompareResult.EQUAL


def _response() -> pb.TxnResponse:
    return pb.TxnResponse(
        succeeded=True,
        responses=[
            pb.ResponseOp(response_range=pb.RangeResponse(count=3)),
            pb.ResponseOp(response_put=pb.PutResponse()),
            pb.ResponseOp(response_delete_range=pb.DeleteRangeResponse(deleted=2)),
            pb.ResponseOp(response_txn=pb.TxnResponse(succeeded=True)),
        ],
    )


def test_results_are_a_sequence_of_response_ops() -> None:
    results = txn.TxnResults(_response())
    assert len(results) == 4
    assert isinstance(results[0], pb.ResponseOp)
    assert list(results) == list(_response().responses)
    assert list(results[1:3]) == list(_response().responses[1:3])
    assert repr(results) == "TxnResults([range, put, delete_range, txn])"


def test_results_kinds_and_typed_access() -> None:
    results = txn.TxnResults(_response())
    assert [results.kind(i) for i in range(4)] == ["range", "put", "delete_range", "txn"]
    assert results.range(0).count == 3
    assert isinstance(results.put(1), pb.PutResponse)
    assert results.delete_range(2).deleted == 2
    assert results.txn(3).succeeded
    assert results.txn(-1).succeeded  # negative indexes count from the end


def test_kind_mismatch_raises_result_kind_error() -> None:
    results = txn.TxnResults(_response())
    with pytest.raises(ResultKindError, match=r"result 1 is a 'put' result, not range"):
        results.range(1)
    with pytest.raises(ResultKindError, match="not txn"):
        results.txn(0)
    assert issubclass(ResultKindError, TypeError)


def test_index_errors_and_empty_results() -> None:
    results = txn.TxnResults(_response())
    with pytest.raises(IndexError):
        results.put(4)
    with pytest.raises(IndexError):
        results.kind(-5)
    empty = txn.TxnResults(pb.TxnResponse(responses=[pb.ResponseOp()]))
    with pytest.raises(ResultKindError, match="carries no operation"):
        empty.kind(0)
    with pytest.raises(ResultKindError):
        empty.range(0)


def test_results_name_an_unknown_kind_with_a_question_mark() -> None:
    response = pb.TxnResponse(
        responses=[pb.ResponseOp(response_put=pb.PutResponse()), pb.ResponseOp()]
    )
    assert repr(txn.TxnResults(response)) == "TxnResults([put, ?])"


def test_result_kinds_are_frozen_and_slotted() -> None:
    kinds = ResultKinds("response", {"response_put": "put"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        kinds.oneof = "other"  # type: ignore[misc]
    assert not hasattr(kinds, "__dict__")
