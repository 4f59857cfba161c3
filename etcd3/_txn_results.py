"""The base of the generated ``etcd3.rpc.txn.TxnResults``: transaction results read by kind.

A transaction answers one ``ResponseOp`` per operation; which kind of response each holds is
a oneof. ``TxnResultsBase`` is the sequence of those results with the kind of each one
(``kind``) and a checked read of a result as one kind
(``_checked``). The generated subclass supplies the data (the oneof's name,
its members and their kinds, as ``ResultKinds``) and one typed accessor per kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar, overload

from google.protobuf.message import Message

from etcd3._record import record
from etcd3._runtime import ResultKindError

__all__ = ["ResultKinds", "TxnResultsBase"]

OpT = TypeVar("OpT", bound=Message)
KindT = TypeVar("KindT", bound=str)


@record
class ResultKinds(Generic[KindT]):
    """The kinds a oneof's members stand for.

    Attributes:
        oneof: The oneof's name (``"response"``).
        by_member: Each member's name → its kind (``"response_put"`` → ``"put"``).
    """

    oneof: str
    by_member: Mapping[str, KindT]


class TxnResultsBase(Sequence[OpT], Generic[OpT, KindT]):
    """Transaction results, one per operation of the branch that ran, readable by kind.

    Indexing gives the raw result message; ``kind`` tells which operation a result
    belongs to.

    Args:
        ops: The results, in operation order.
        kinds: What each member of the results' oneof stands for.
    """

    __slots__ = ("_kinds", "_ops")

    def __init__(self, ops: Sequence[OpT], kinds: ResultKinds[KindT]) -> None:
        self._ops = ops
        self._kinds = kinds

    @overload
    def __getitem__(self, index: int) -> OpT: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[OpT]: ...
    def __getitem__(self, index: int | slice) -> OpT | Sequence[OpT]:
        """The raw result at ``index`` (or a list of them for a slice)."""
        return self._ops[index]

    def __len__(self) -> int:
        """The number of results."""
        return len(self._ops)

    def __repr__(self) -> str:
        oneof, by_member = self._kinds.oneof, self._kinds.by_member
        kinds = ", ".join(by_member.get(op.WhichOneof(oneof) or "", "?") for op in self._ops)
        return f"{type(self).__name__}([{kinds}])"

    def kind(self, index: int) -> KindT:
        """The kind of operation result ``index`` belongs to.

        Args:
            index: Position of the result (negative values count from the end).

        Returns:
            The operation's kind, e.g. ``"put"``.

        Raises:
            IndexError: There is no result at ``index``.
            etcd3.ResultKindError: The result carries no operation (sent by a newer server).
        """
        member = self._ops[index].WhichOneof(self._kinds.oneof)
        if member is None:
            raise ResultKindError(f"transaction result {index} carries no operation result")
        return self._kinds.by_member[member]

    def _checked(self, index: int, member: str) -> OpT:
        """Result ``index``, checked to hold oneof member ``member``.

        Raises:
            IndexError: There is no result at ``index``.
            etcd3.ResultKindError: Result ``index`` is of another kind.
        """
        op = self._ops[index]
        if op.WhichOneof(self._kinds.oneof) != member:
            raise ResultKindError(
                f"transaction result {index} is a {self.kind(index)!r} result, "
                f"not {self._kinds.by_member[member]}"
            )
        return op
