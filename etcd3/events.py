"""``etcd3.events`` of python-etcd3 and etcd3-client: the views of watch events.

Both predecessors: ``Event``, ``PutEvent``, ``DeleteEvent``. python-etcd3 only: ``new_event``.
"""

from etcd3._events import DeleteEvent, Event, PutEvent
from etcd3._legacy.events import new_event

__all__ = ["DeleteEvent", "Event", "PutEvent", "new_event"]
