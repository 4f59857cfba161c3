"""A throwaway multi-member etcd cluster with fault controls."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from etcd3.testing._deployment import Deployment
from etcd3.testing._member import EtcdMember

__all__ = ["EtcdCluster"]


class EtcdCluster(Deployment):
    """A real etcd cluster of ``size`` members on loopback ports, with test-speed settings.

    Members start one after another (each once the previous one listens on its peer port), then
    the cluster is waited on until every member is healthy::

        import etcd3
        from etcd3.testing import EtcdCluster

        with EtcdCluster(3) as cluster:
            with etcd3.client(endpoints=cluster.endpoints, timeout=10) as client:
                cluster.kill(cluster.leader())
                cluster.leader()  # waits until the survivors have elected a new leader
                client.put("/still", "writable")  # on a surviving member

    Args:
        size: Number of members.
        tls: Serve clients over HTTPS with a generated PKI and require client certificates.
        auth: Enable authentication with user ``root`` and a random :attr:`password`.
        auth_token_ttl: Seconds before an idle simple auth token expires.
        binary: etcd executable; see :func:`find_etcd_binary` for the default.
        extra_args: More etcd flags for every member, appended last.
        start_timeout: Seconds to wait for the cluster to become healthy.
    """

    def __init__(
        self,
        size: int = 3,
        *,
        tls: bool = False,
        auth: bool = False,
        auth_token_ttl: int | None = None,
        binary: str | os.PathLike[str] | None = None,
        extra_args: Sequence[str] = (),
        start_timeout: float = 30.0,
    ) -> None:
        super().__init__(
            size=size,
            names=[f"etcd3-member-{index}" for index in range(size)],
            tls=tls,
            auth=auth,
            auth_token_ttl=auth_token_ttl,
            binary=binary,
            data_dir=None,
            extra_args=extra_args,
            start_timeout=start_timeout,
        )

    def __repr__(self) -> str:
        return f"<EtcdCluster members={self._members!r}>"

    @property
    def members(self) -> list[EtcdMember]:
        """The members, in start order (a copy; the members themselves are live)."""
        return list(self._started_members)

    def member(self, which: EtcdMember | int) -> EtcdMember:
        """Return the member given by index or by itself (checking that it belongs here)."""
        members = self._started_members
        if isinstance(which, int):
            return members[which]
        if which not in members:
            raise ValueError(f"{which!r} is not a member of this cluster")
        return which

    def leader(self, timeout: float = 10.0) -> EtcdMember:
        """Return the member that reports itself as raft leader, waiting for an election.

        Killed and paused members are skipped.

        Raises:
            TimeoutError: No single leader emerged within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            candidates = [
                member
                for member in self._started_members
                if member.is_running and not member.is_paused and member.is_leader(timeout=1.0)
            ]
            # Two claimants can coexist briefly after a partition; wait for them to settle.
            if len(candidates) == 1:
                return candidates[0]
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"no single etcd leader within {timeout} s "
                    f"(claimants: {[member.name for member in candidates]})"
                )
            time.sleep(0.02)

    def followers(self, timeout: float = 10.0) -> list[EtcdMember]:
        """Return the running members other than the current :meth:`leader`."""
        leader = self.leader(timeout)
        return [m for m in self._started_members if m is not leader and m.is_running]

    def kill(self, member: EtcdMember | int) -> EtcdMember:
        """SIGKILL a member (data kept); returns it for a later :meth:`restart`."""
        target = self.member(member)
        target.kill()
        return target

    def restart(self, member: EtcdMember | int, timeout: float = 30.0) -> EtcdMember:
        """Start a member again on its data directory, ports and flags; wait until healthy."""
        target = self.member(member)
        target.restart(timeout)
        return target

    def pause(self, member: EtcdMember | int) -> EtcdMember:
        """SIGSTOP a member: it keeps its sockets but answers nothing until :meth:`resume`."""
        target = self.member(member)
        target.pause()
        return target

    def resume(self, member: EtcdMember | int) -> EtcdMember:
        """SIGCONT a paused member."""
        target = self.member(member)
        target.resume()
        return target
