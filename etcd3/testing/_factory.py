"""A callable that starts servers and clusters on demand and stops them all at once."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from etcd3.testing._cluster import EtcdCluster
from etcd3.testing._deployment import Deployment
from etcd3.testing._server import EtcdServer

__all__ = ["EtcdFactory"]


class EtcdFactory:
    """Start [`EtcdServer`][etcd3.testing.EtcdServer] (by calling it) or
    [`EtcdCluster`][etcd3.testing.EtcdCluster] ([`cluster`][etcd3.testing.EtcdFactory.cluster])
    objects that are already running, and stop every one of them with
    [`close`][etcd3.testing.EtcdFactory.close].

    Args:
        binary: Default etcd executable for everything this factory starts.
        version: Default etcd server version instead (see
            [`find_etcd_binary`][etcd3.testing.find_etcd_binary]); a call that names its own
            ``binary`` or ``version`` overrides both defaults.
    """

    def __init__(
        self, binary: str | os.PathLike[str] | None = None, *, version: str | None = None
    ) -> None:
        if binary is not None and version is not None:
            raise ValueError("pass an etcd binary or a server version, not both")
        self._binary = binary
        self._version = version
        self._started: list[Deployment] = []

    def _choice(
        self, binary: str | os.PathLike[str] | None, version: str | None
    ) -> tuple[str | os.PathLike[str] | None, str | None]:
        if binary is None and version is None:
            return self._binary, self._version
        return binary, version

    def __call__(
        self,
        *,
        tls: bool = False,
        auth: bool = False,
        auth_token_ttl: int | None = None,
        binary: str | os.PathLike[str] | None = None,
        version: str | None = None,
        data_dir: Path | None = None,
        extra_args: Sequence[str] = (),
        name: str = "etcd3-test",
        start_timeout: float = 30.0,
        fault_proxy: bool = False,
    ) -> EtcdServer:
        """Start and return an [`EtcdServer`][etcd3.testing.EtcdServer]; the arguments are the
        same."""
        binary, version = self._choice(binary, version)
        server = EtcdServer(
            tls=tls,
            auth=auth,
            auth_token_ttl=auth_token_ttl,
            binary=binary,
            version=version,
            data_dir=data_dir,
            extra_args=extra_args,
            name=name,
            start_timeout=start_timeout,
            fault_proxy=fault_proxy,
        )
        self._started.append(server)
        return server.start()

    def cluster(
        self,
        size: int = 3,
        *,
        tls: bool = False,
        auth: bool = False,
        auth_token_ttl: int | None = None,
        binary: str | os.PathLike[str] | None = None,
        version: str | None = None,
        extra_args: Sequence[str] = (),
        start_timeout: float = 30.0,
        fault_proxy: bool = False,
    ) -> EtcdCluster:
        """Start and return an [`EtcdCluster`][etcd3.testing.EtcdCluster]; the arguments are the
        same."""
        binary, version = self._choice(binary, version)
        cluster = EtcdCluster(
            size,
            tls=tls,
            auth=auth,
            auth_token_ttl=auth_token_ttl,
            binary=binary,
            version=version,
            extra_args=extra_args,
            start_timeout=start_timeout,
            fault_proxy=fault_proxy,
        )
        self._started.append(cluster)
        return cluster.start()

    def close(self) -> None:
        """Stop everything this factory started (idempotent)."""
        while self._started:
            self._started.pop().stop()
