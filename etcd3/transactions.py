"""``etcd3.transactions`` of python-etcd3 and etcd3-client: operator compares and operations.

Both predecessors: ``BaseCompare``, ``Value``, ``Version``, ``Create``, ``Mod``, ``Put``,
``Get``, ``Delete``, ``Txn``. etcd3-client also ``Transactions``, ``TxCondition``, ``TxOp``.
``LeaseCompare`` is new. The same classes are reachable as ``client.transactions.value(...)``.
"""

from etcd3._transactions.operators import (
    BaseCompare,
    Create,
    Delete,
    Get,
    LeaseCompare,
    Mod,
    Put,
    Transactions,
    TxCondition,
    Txn,
    TxOp,
    Value,
    Version,
)

__all__ = [
    "BaseCompare",
    "Create",
    "Delete",
    "Get",
    "LeaseCompare",
    "Mod",
    "Put",
    "Transactions",
    "TxCondition",
    "TxOp",
    "Txn",
    "Value",
    "Version",
]
