"""``etcd3.utils`` of python-etcd3 and etcd3-client.

Both predecessors: ``to_bytes``. etcd3-client: ``range_end_for_key``, ``get_secure_creds``.
python-etcd3: ``increment_last_byte``, ``lease_to_id``, ``response_to_event_iterator``.
"""

from etcd3._legacy.utils import (
    get_secure_creds,
    increment_last_byte,
    lease_to_id,
    response_to_event_iterator,
)
from etcd3._validate import range_end_for_key, to_bytes

__all__ = [
    "get_secure_creds",
    "increment_last_byte",
    "lease_to_id",
    "range_end_for_key",
    "response_to_event_iterator",
    "to_bytes",
]
