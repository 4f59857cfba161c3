"""The one-compare transactions of ``put_if_not_exists()`` and ``replace()``."""

from __future__ import annotations

from typing import Literal, TypeAlias

from etcd3._transactions.messages import put_op
from etcd3._validate import KeyLike, SupportsLeaseId, key_bytes, to_bytes
from etcd3.rpc.etcdserverpb import CompareResult, PutResponse, TxnRequest, TxnResponse
from etcd3.rpc.txn import compare_create_revision, compare_value

__all__ = ["CasResult", "cas_result", "put_if_not_exists_request", "replace_request"]

CasResult: TypeAlias = tuple[Literal[True], PutResponse] | tuple[Literal[False], None]
"""What ``put_if_not_exists`` and ``replace`` return: ``(True, PutResponse)`` when they put,
else ``(False, None)``."""


def put_if_not_exists_request(
    key: KeyLike, value: KeyLike, lease: int | SupportsLeaseId | None
) -> TxnRequest:
    """The transaction of ``put_if_not_exists``: put when ``create_revision(key) == 0``."""
    return TxnRequest(
        compare=[compare_create_revision(key_bytes(key), CompareResult.EQUAL, 0)],
        success=[put_op(key, value, lease)],
    )


def replace_request(
    key: KeyLike,
    initial_value: KeyLike,
    new_value: KeyLike,
    lease: int | SupportsLeaseId | None,
) -> TxnRequest:
    """The transaction of ``replace``: put ``new_value`` when the value is ``initial_value``."""
    initial = to_bytes(initial_value, "initial_value")
    return TxnRequest(
        compare=[compare_value(key_bytes(key), CompareResult.EQUAL, initial)],
        success=[put_op(key, new_value, lease, what="new_value")],
    )


def cas_result(response: TxnResponse) -> CasResult:
    """``(True, PutResponse)`` if the single-put transaction ran its put, else ``(False, None)``."""
    if response.succeeded:
        return True, response.responses[0].response_put
    return False, None
