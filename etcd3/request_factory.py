"""``etcd3.request_factory`` of etcd3-client: request builders and the literal types they take.

``AlarmType``, ``RangeSortOrder`` and ``RangeSortTarget`` are here the ``Literal`` types of the
names these builders take, as they were; the package's ``etcd3.AlarmType``,
``etcd3.RangeSortOrder`` and ``etcd3.RangeSortTarget`` are the enums (which the client's
methods take too, besides the names).
"""

from etcd3._events import WatchFilterType
from etcd3._legacy.request_factory import (
    AlarmType,
    RangeSortOrder,
    RangeSortTarget,
    build_alarm_request,
    build_create_watch_request,
    build_delete_request,
    build_get_range_request,
    build_put_request,
    build_tx_request,
)

__all__ = [
    "AlarmType",
    "RangeSortOrder",
    "RangeSortTarget",
    "WatchFilterType",
    "build_alarm_request",
    "build_create_watch_request",
    "build_delete_request",
    "build_get_range_request",
    "build_put_request",
    "build_tx_request",
]
