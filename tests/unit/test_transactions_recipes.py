"""The transactions of put_if_not_exists() and replace(), sans-IO."""

from __future__ import annotations

import pytest
from txn_samples import HEADER, FakeLease

from etcd3._transactions.recipes import cas_result, put_if_not_exists_request, replace_request
from etcd3.rpc import txn
from etcd3.rpc.etcdserverpb import CompareResult, PutResponse, ResponseOp, TxnRequest, TxnResponse

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
    assert replace_request(b"k", b"a", b"b", FakeLease(9)).success == [
        txn.op_put(key=b"k", value=b"b", lease=9)
    ]
    with pytest.raises(TypeError, match=r"^initial_value must be str or bytes, not int$"):
        replace_request(b"k", 1, b"b", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^new_value must be str or bytes, not NoneType$"):
        replace_request(b"k", b"a", None, None)  # type: ignore[arg-type]


def test_cas_result() -> None:
    put = PutResponse(header=HEADER)
    ok = TxnResponse(succeeded=True, responses=[ResponseOp(response_put=put)])
    assert cas_result(ok) == (True, put)
    assert cas_result(TxnResponse(succeeded=False)) == (False, None)
