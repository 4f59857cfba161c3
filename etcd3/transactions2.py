"""``etcd3.transactions2`` of etcd3-client: the transaction builder and its response."""

from etcd3._transactions.builder import (
    CompareBuilder,
    CompareBuilderStep1,
    OperationBuilder,
    TransactionBuilder,
    TransactionResponse,
)

__all__ = [
    "CompareBuilder",
    "CompareBuilderStep1",
    "OperationBuilder",
    "TransactionBuilder",
    "TransactionResponse",
]
