"""Transactions, sans-IO: three ways to build a ``TxnRequest`` and read its answer.

All three are built on the generated facades of [`etcd3.rpc.txn`][etcd3.rpc.txn] (``op_*``,
``compare_*``, ``TxnResults``), one module each:

- ``etcd3._transactions.operators``: compare objects finished with Python operators
  (``client.transactions.value(key) == b"v"``) and operation objects
  (``client.transactions.put(key, value)``), run by ``client.transaction(compare, success,
  failure)``, which returns a ``TxResult`` (python-etcd3's API);
- ``etcd3._transactions.builder``: ``TransactionBuilder.new()`` or ``.immutable()``, then
  ``.compare(key).value.eq(b"v")``, ``.success.put(key, value)``..., run by ``client.txn(tx)``,
  which returns a ``TransactionResponse`` (etcd3-client's API);
- ``etcd3._transactions.recipes``: the one-compare transactions behind
  ``put_if_not_exists()`` and ``replace()``.

What they share (argument checks, checked operation messages, reading a range result) is in
``etcd3._transactions.messages``. Every object validates its arguments when it is made
(``TypeError`` for a wrong type, ``ValueError`` for a bad value; a compare's operand of the
wrong type is a ``ValueError``, as it was in the predecessors), so a malformed transaction
never reaches the server.

etcd refuses a transaction with more operations in one branch (or more compares) than its
``--max-txn-ops`` (128 by default) with
[`etcd3.errors.TooManyOpsError`][etcd3.errors.TooManyOpsError]; the client cannot know the server's
limit, so it does not check it.
"""
