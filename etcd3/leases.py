"""``etcd3.leases`` of python-etcd3 and etcd3-client: the client's ``Lease``."""

from etcd3._lease import Lease

__all__ = ["Lease"]
