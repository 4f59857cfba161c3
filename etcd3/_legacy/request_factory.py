"""etcd3-client's request builders: friendly arguments in, one etcd request message out.

Each builder checks its arguments as the client's methods do (``TypeError`` for a wrong type,
``ValueError`` for a bad value) and builds the message the client would send.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeAlias

from etcd3._events import WatchFilterType
from etcd3._transactions.messages import delete_op, optional_bytes, put_op
from etcd3._transactions.operators import build_txn_request
from etcd3._validate import (
    KeyLike,
    SupportsLeaseId,
    alarm_type_arg,
    key_bytes,
    member_id_arg,
    range_request,
)
from etcd3._watch_core import watch_spec
from etcd3.rpc.etcdserverpb import (
    AlarmAction,
    AlarmRequest,
    DeleteRangeRequest,
    PutRequest,
    RangeRequest,
    WatchRequest,
)

__all__ = [
    "AlarmType",
    "RangeSortOrder",
    "RangeSortTarget",
    "build_alarm_request",
    "build_create_watch_request",
    "build_delete_request",
    "build_get_range_request",
    "build_put_request",
    "build_tx_request",
]

RangeSortOrder: TypeAlias = Literal["asc", "desc", "ascend", "descend"]
"""The sort orders a read takes by name (``None``: unsorted)."""

RangeSortTarget: TypeAlias = Literal["key", "value", "version", "create", "mod"]
"""The fields a read sorts by, by name."""

AlarmType: TypeAlias = Literal["none", "no space", "corrupt"]
"""The alarm types by name, as ``create_alarm``/``list_alarms``/``disarm_alarm`` take them."""


def build_get_range_request(
    key: KeyLike,
    range_end: KeyLike | None = None,
    sort_order: RangeSortOrder | None = None,
    sort_target: RangeSortTarget | None = None,
    serializable: bool = False,
    keys_only: bool = False,
    limit: int = 0,
    revision: int = 0,
) -> RangeRequest:
    """The ``RangeRequest`` reading ``key``, or every key in ``[key, range_end)``.

    Args:
        key: The key, or the first key of the range.
        range_end: The end of the range (``None``: ``key`` alone).
        sort_order: ``None``, ``"asc"``/``"ascend"`` or ``"desc"``/``"descend"``.
        sort_target: ``None``/``"key"``, ``"value"``, ``"version"``, ``"create"``, ``"mod"``.
        serializable: Let the member answer from its local state.
        keys_only: Return keys without values.
        limit: The most keys to return (``<= 0``: no limit).
        revision: Read at this revision (``<= 0``: the latest).

    Returns:
        The request.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key or an unknown sort option.
    """
    return range_request(
        key_bytes(key),
        optional_bytes(range_end, "range_end"),
        keys_only,
        sort_order,
        sort_target,
        limit,
        serializable,
        revision,
    )


def build_put_request(
    key: KeyLike,
    value: KeyLike,
    lease: int | SupportsLeaseId | None = None,
    prev_kv: bool = False,
) -> PutRequest:
    """The ``PutRequest`` writing ``value`` at ``key``.

    Args:
        key: The key.
        value: The value.
        lease: A lease id or a ``Lease`` to attach to the key (``None``: none).
        prev_kv: Return the key's previous value in the response.

    Returns:
        The request.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key or an out-of-range lease id.
    """
    return put_op(key, value, lease, prev_kv).request_put


def build_delete_request(
    key: KeyLike, range_end: KeyLike | None = None, prev_kv: bool = False
) -> DeleteRangeRequest:
    """The ``DeleteRangeRequest`` deleting ``key``, or every key in ``[key, range_end)``.

    Args:
        key: The key, or the first key of the range.
        range_end: The end of the range (``None``: ``key`` alone).
        prev_kv: Return the deleted keys and values in the response.

    Returns:
        The request.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key.
    """
    return delete_op(key, range_end, prev_kv).request_delete_range


def build_alarm_request(
    alarm_action: AlarmAction, member_id: int, alarm_type: AlarmType
) -> AlarmRequest:
    """The ``AlarmRequest`` that lists, raises or clears alarms.

    Args:
        alarm_action: ``AlarmAction.GET``, ``ACTIVATE`` or ``DEACTIVATE``.
        member_id: The member (``0``: every member).
        alarm_type: ``"none"``, ``"no space"`` or ``"corrupt"``.

    Returns:
        The request.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An unknown alarm type or a member id outside uint64.
    """
    return AlarmRequest(
        action=AlarmAction(alarm_action),
        memberID=member_id_arg(member_id, zero_ok=True),
        alarm=alarm_type_arg(alarm_type),
    )


build_tx_request = build_txn_request
"""The ``TxnRequest`` of compares and operations made with
[`etcd3.transactions`][etcd3.transactions]."""


def build_create_watch_request(
    key: KeyLike,
    range_end: KeyLike | None = None,
    start_revision: int | None = None,
    progress_notify: bool = False,
    filters: Iterable[WatchFilterType] | None = None,
    prev_kv: bool = False,
) -> WatchRequest:
    """The ``WatchRequest`` that creates a watch of ``key``, or of ``[key, range_end)``.

    Args:
        key: The key, or the first key of the range.
        range_end: The end of the range (``None``: ``key`` alone).
        start_revision: The first revision to report (``None``: from now on).
        progress_notify: Ask for periodic empty responses while nothing changes.
        filters: ``"noput"``/``"nodelete"`` or ``FilterType`` values.
        prev_kv: Report the previous key-value of each event.

    Returns:
        The request.

    Raises:
        TypeError: An argument of the wrong type.
        ValueError: An empty key, a start revision below 1 or an unknown filter.
    """
    spec = watch_spec(key, range_end, start_revision, progress_notify, filters, prev_kv)
    return spec.create_request(spec.start_revision)
