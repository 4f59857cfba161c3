"""``etcd3.members`` of python-etcd3: the cluster ``Member``."""

from etcd3._cluster_views import Member

__all__ = ["Member"]
