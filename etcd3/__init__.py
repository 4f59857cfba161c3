"""etcd3: the typed Python client for etcd v3."""

from etcd3._version import __version__

__all__ = ["__version__"]
