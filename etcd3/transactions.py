"""Transaction compares and operations under the predecessor's module name.

``from etcd3.transactions import Value, Put`` keeps working; the same objects are reachable as
``client.transactions.value(...)`` and through :class:`etcd3.TransactionBuilder`.
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
    Txn,
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
    "Txn",
    "Value",
    "Version",
]
