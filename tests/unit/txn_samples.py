"""Sample transaction answers and a lease stand-in, shared by the transaction unit tests."""

from __future__ import annotations

from dataclasses import dataclass

from etcd3.rpc.etcdserverpb import (
    DeleteRangeResponse,
    PutResponse,
    RangeResponse,
    ResponseHeader,
    ResponseOp,
    TxnResponse,
)
from etcd3.rpc.mvccpb import KeyValue


@dataclass(frozen=True)
class FakeLease:
    id: int


HEADER = ResponseHeader(revision=42, raft_term=3)
KV = KeyValue(key=b"k", value=b"v", create_revision=40, mod_revision=41, version=2, lease=0)


def sample_response(succeeded: bool = True) -> TxnResponse:
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
