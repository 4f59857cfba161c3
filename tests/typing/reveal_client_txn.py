"""A consumer of the transaction API, type-checked with mypy --strict (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3
from etcd3._transactions.builder import TransactionBuilder
from etcd3._transactions.operators import (
    as_del_op_result,
    as_get_op_result,
    as_put_op_result,
    as_txn_op_result,
)


def sync_consumer(client: etcd3.Etcd3Client) -> None:
    tx = client.transactions
    reveal_type(client.tx)  # R: etcd3._transactions.operators.Transactions
    compare = tx.value(b"k") == b"v"
    reveal_type(compare)  # R: etcd3._transactions.operators.Value
    reveal_type(tx.version(b"k") > 1)  # R: etcd3._transactions.operators.Version
    reveal_type(tx.create(b"k") != "0")  # R: etcd3._transactions.operators.Create
    reveal_type(tx.mod(b"k") < 3)  # R: etcd3._transactions.operators.Mod
    reveal_type(tx.lease(b"k") == 0)  # R: etcd3._transactions.operators.LeaseCompare
    reveal_type(compare.op)  # R: etcd3.rpc.etcdserverpb.CompareResult | None
    reveal_type(compare.build_message())  # R: etcd3.rpc.etcdserverpb.Compare
    reveal_type(tx.put(b"k", b"v"))  # R: etcd3._transactions.operators.Put
    reveal_type(tx.get(b"k").build_message())  # R: etcd3.rpc.etcdserverpb.RequestOp
    result = client.transaction([compare], [tx.put(b"k", b"v"), tx.get(b"k")], [tx.delete(b"k")])
    reveal_type(result)  # R: tuple[bool, list[etcd3.rpc.etcdserverpb.ResponseOp | list[tuple[bytes, etcd3._views.KVMetadata]]]]
    ok, results = result
    reveal_type(ok)  # R: bool
    reveal_type(results[0])  # R: etcd3.rpc.etcdserverpb.ResponseOp | list[tuple[bytes, etcd3._views.KVMetadata]]
    reveal_type(as_get_op_result(results[1]))  # R: list[tuple[bytes, etcd3._views.KVMetadata]]
    reveal_type(as_get_op_result(results[1])[0][1].mod_revision)  # R: int
    reveal_type(as_put_op_result(results[0]))  # R: etcd3.rpc.etcdserverpb.PutResponse
    reveal_type(as_del_op_result(results[0]))  # R: etcd3.rpc.etcdserverpb.DeleteRangeResponse
    reveal_type(as_txn_op_result(results[0]))  # R: etcd3.rpc.etcdserverpb.TxnResponse

    builder = TransactionBuilder.new().compare(b"k").version.eq(0)
    reveal_type(builder)  # R: etcd3._transactions.builder.TransactionBuilder
    reveal_type(builder.compare(b"k"))  # R: etcd3._transactions.builder.CompareBuilder
    reveal_type(builder.compare(b"k").value)  # R: etcd3._transactions.builder.CompareBuilderStep1[str | bytes]
    reveal_type(builder.compare(b"k").mod)  # R: etcd3._transactions.builder.CompareBuilderStep1[int]
    reveal_type(builder.success)  # R: etcd3._transactions.builder.OperationBuilder
    reveal_type(builder.success.get(b"k", sort_order="desc"))  # R: etcd3._transactions.builder.TransactionBuilder
    reveal_type(builder.tx)  # R: tuple[list[etcd3.rpc.etcdserverpb.Compare], list[etcd3.rpc.etcdserverpb.RequestOp], list[etcd3.rpc.etcdserverpb.RequestOp]]
    reveal_type(builder.request)  # R: etcd3.rpc.etcdserverpb.TxnRequest
    response = client.txn(builder)
    reveal_type(response)  # R: etcd3._transactions.builder.TransactionResponse
    reveal_type(response.success)  # R: bool
    reveal_type(response.header)  # R: etcd3.rpc.etcdserverpb.ResponseHeader
    reveal_type(response.as_get(0))  # R: list[tuple[bytes, etcd3._views.KVMetadata]]
    reveal_type(response.as_put(0))  # R: etcd3.rpc.etcdserverpb.PutResponse
    reveal_type(response.as_del(0))  # R: etcd3.rpc.etcdserverpb.DeleteRangeResponse
    reveal_type(response.as_txn(0))  # R: etcd3._transactions.builder.TransactionResponse
    reveal_type(response.kind(0))  # R: Literal['range'] | Literal['put'] | Literal['delete_range'] | Literal['txn']
    reveal_type(len(response))  # R: int
    for op in response:
        reveal_type(op)  # R: etcd3.rpc.etcdserverpb.ResponseOp
    created = client.put_if_not_exists(b"k", b"v")
    reveal_type(created)  # R: tuple[Literal[True], etcd3.rpc.etcdserverpb.PutResponse] | tuple[Literal[False], None]
    reveal_type(client.replace(b"k", b"v", b"w", lease=7))  # R: tuple[Literal[True], etcd3.rpc.etcdserverpb.PutResponse] | tuple[Literal[False], None]


async def async_consumer(client: etcd3.AsyncEtcd3Client) -> None:
    tx = client.transactions
    result = await client.transaction([tx.value(b"k") == b"v"], [tx.put(b"k", b"w")])
    reveal_type(result)  # R: tuple[bool, list[etcd3.rpc.etcdserverpb.ResponseOp | list[tuple[bytes, etcd3._views.KVMetadata]]]]
    response = await client.txn(TransactionBuilder.immutable().success.get(b"k"))
    reveal_type(response)  # R: etcd3._transactions.builder.TransactionResponse
    reveal_type(response.as_get(0))  # R: list[tuple[bytes, etcd3._views.KVMetadata]]
    reveal_type(await client.put_if_not_exists(b"k", b"v"))  # R: tuple[Literal[True], etcd3.rpc.etcdserverpb.PutResponse] | tuple[Literal[False], None]
    reveal_type(await client.replace(b"k", b"v", b"w"))  # R: tuple[Literal[True], etcd3.rpc.etcdserverpb.PutResponse] | tuple[Literal[False], None]
