"""A single throwaway etcd server."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from etcd3.testing._deployment import Deployment
from etcd3.testing._member import LOCALHOST, EtcdMember

__all__ = ["EtcdServer"]


class EtcdServer(Deployment):
    """A real single-member etcd on free loopback ports, with test-speed settings.

    Use it as a context manager, or call [`start`][etcd3.testing.EtcdServer.start] and
    [`stop`][etcd3.testing.EtcdServer.stop]:

        import etcd3
        from etcd3.testing import EtcdServer

        with EtcdServer() as server, etcd3.client(server.endpoint, timeout=5) as client:
            client.put("/greeting", "hello")

    Args:
        tls: Serve clients over HTTPS with a freshly generated PKI (``tls``) and require a
            client certificate (``--client-cert-auth``).
        auth: Enable authentication with user ``root`` and a random ``password``.
        auth_token_ttl: Seconds before an idle simple auth token expires (``--auth-token-ttl``).
        binary: etcd executable; see [`find_etcd_binary`][etcd3.testing.find_etcd_binary] for the
            default.
        version: etcd server version to run instead (one of
            [`ETCD_VERSIONS`][etcd3.testing.ETCD_VERSIONS], fetched on first use); give ``binary``
            or ``version``, not both.
        data_dir: Data directory to use and keep; by default a temporary one removed on stop.
        extra_args: More etcd flags, appended last.
        name: The member name (``--name``).
        start_timeout: Seconds to wait for the server to become healthy.
        fault_proxy: Put a [`FaultProxy`][etcd3.testing.FaultProxy] in front of the client port
            ([`network`][etcd3.testing.EtcdServer.network]);
            [`endpoint`][etcd3.testing.EtcdServer.endpoint] is then the proxy's.
    """

    def __init__(
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
    ) -> None:
        super().__init__(
            size=1,
            names=[name],
            tls=tls,
            auth=auth,
            auth_token_ttl=auth_token_ttl,
            binary=binary,
            version=version,
            data_dir=data_dir,
            extra_args=extra_args,
            start_timeout=start_timeout,
            fault_proxy=fault_proxy,
        )
        self.name = name

    def __repr__(self) -> str:
        if not self._members:
            return f"<EtcdServer {self.name} not started>"
        return f"<EtcdServer {self.name} {self.client_url} pid={self.pid}>"

    @property
    def member(self) -> EtcdMember:
        """The server's only member (the same controls, as used by
        [`EtcdCluster`][etcd3.testing.EtcdCluster])."""
        return self._started_members[0]

    @property
    def host(self) -> str:
        """Always ``"127.0.0.1"``."""
        return LOCALHOST

    @property
    def port(self) -> int:
        """The client port."""
        return self.member.port

    @property
    def endpoint(self) -> str:
        """``"127.0.0.1:PORT"``, the form gRPC targets use."""
        return self.member.endpoint

    @property
    def client_url(self) -> str:
        """``http://127.0.0.1:PORT``, or ``https://`` with TLS."""
        return self.member.client_url

    @property
    def peer_url(self) -> str:
        """Plain ``http://`` URL of the peer port."""
        return self.member.peer_url

    @property
    def metrics_url(self) -> str:
        """Plain ``http://`` URL serving ``/health`` and ``/metrics`` even with TLS."""
        return self.member.metrics_url

    @property
    def data_dir(self) -> Path:
        """The data directory (also holding ``etcd.log``)."""
        return self.member.data_dir

    @property
    def pid(self) -> int | None:
        """Process id, or ``None`` while killed."""
        return self.member.pid

    @property
    def is_running(self) -> bool:
        """Whether the process is alive (also while paused)."""
        return bool(self._members) and self.member.is_running

    @property
    def member_id(self) -> int:
        """The raft member id."""
        return self.member.member_id

    def is_healthy(self, timeout: float = 1.0) -> bool:
        """Return whether ``GET /health`` answers ``{"health": "true"}`` within ``timeout``."""
        return self.member.is_healthy(timeout)

    def log_tail(self, lines: int = 25) -> str:
        """Return the last lines of etcd's log."""
        return self.member.log_tail(lines)

    def kill(self) -> None:
        """SIGKILL the process; data is kept for [`restart`][etcd3.testing.EtcdServer.restart]."""
        self.member.kill()

    def restart(self, timeout: float = 30.0) -> None:
        """Start again on the same data directory, ports and flags, and wait for health."""
        self.member.restart(timeout)

    def pause(self) -> None:
        """SIGSTOP the process: connections hang until
        [`resume`][etcd3.testing.EtcdServer.resume]."""
        self.member.pause()

    def resume(self) -> None:
        """SIGCONT a paused process."""
        self.member.resume()
