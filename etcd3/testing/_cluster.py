"""A throwaway multi-member etcd cluster with fault controls."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Sequence

from etcd3.testing._deployment import Deployment
from etcd3.testing._member import EtcdMember

__all__ = ["EtcdCluster"]


class EtcdCluster(Deployment):
    """A real etcd cluster of ``size`` members on loopback ports, with test-speed settings.

    Members start one after another (each once the previous one listens on its peer port), then
    the cluster is waited on until every member is healthy:

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
        auth: Enable authentication with user ``root`` and a random ``password``.
        auth_token_ttl: Seconds before an idle simple auth token expires.
        binary: etcd executable; see [`find_etcd_binary`][etcd3.testing.find_etcd_binary] for the
            default.
        version: etcd server version to run instead (one of
            [`ETCD_VERSIONS`][etcd3.testing.ETCD_VERSIONS], fetched on first use); give ``binary``
            or ``version``, not both.
        extra_args: More etcd flags for every member, appended last.
        start_timeout: Seconds to wait for the cluster to become healthy.
        fault_proxy: Put a client proxy and a peer proxy in front of every member
            ([`network`][etcd3.testing.EtcdCluster.network]): members reach each other, and clients
            reach members, only through them, so [`partition`][etcd3.testing.EtcdCluster.partition],
            [`isolate`][etcd3.testing.EtcdCluster.isolate] and the proxies' own controls cut, slow
            and break real traffic. [`endpoints`][etcd3.testing.EtcdCluster.endpoints] are then the
            proxies'.
    """

    def __init__(
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
    ) -> None:
        super().__init__(
            size=size,
            names=[f"etcd3-member-{index}" for index in range(size)],
            tls=tls,
            auth=auth,
            auth_token_ttl=auth_token_ttl,
            binary=binary,
            version=version,
            data_dir=None,
            extra_args=extra_args,
            start_timeout=start_timeout,
            fault_proxy=fault_proxy,
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
        """Return the running members other than the current
        [`leader`][etcd3.testing.EtcdCluster.leader]."""
        leader = self.leader(timeout)
        return [m for m in self._started_members if m is not leader and m.is_running]

    def kill(self, member: EtcdMember | int) -> EtcdMember:
        """SIGKILL a member (data kept); returns it for a later
        [`restart`][etcd3.testing.EtcdCluster.restart]."""
        target = self.member(member)
        target.kill()
        return target

    def restart(self, member: EtcdMember | int, timeout: float = 30.0) -> EtcdMember:
        """Start a member again on its data directory, ports and flags; wait until healthy."""
        target = self.member(member)
        target.restart(timeout)
        return target

    def pause(self, member: EtcdMember | int) -> EtcdMember:
        """SIGSTOP a member: it keeps its sockets but answers nothing until
        [`resume`][etcd3.testing.EtcdCluster.resume]."""
        target = self.member(member)
        target.pause()
        return target

    def resume(self, member: EtcdMember | int) -> EtcdMember:
        """SIGCONT a paused member."""
        target = self.member(member)
        target.resume()
        return target

    # -- membership --------------------------------------------------------------------------

    def remove(self, member: EtcdMember | int, timeout: float = 30.0) -> EtcdMember:
        """Remove a member from the cluster (etcd's ``MemberRemove``), stop it, delete its data.

        The member stays in [`members`][etcd3.testing.EtcdCluster.members], stopped, for
        [`rejoin`][etcd3.testing.EtcdCluster.rejoin]. etcd refuses membership changes for a while
        after a disturbance (its members must have been connected to the leader for 5 s; an election
        must be over): this retries until ``timeout``.

        Raises:
            RuntimeError: etcd still refused after ``timeout`` seconds; the message has its
                answer.
        """
        target = self.member(member)
        member_id = target.member_id
        self._reconfigure(
            target, timeout, ("member", "remove", f"{member_id:x}"), done_if="member not found"
        )
        target.prepare_rejoin()
        return target

    def rejoin(self, member: EtcdMember | int, timeout: float = 30.0) -> EtcdMember:
        """Add a [`remove`][etcd3.testing.EtcdCluster.remove]-d member back (``MemberAdd`` with its
        peer URL) and start it on an empty data directory, as a new member with a new id; wait until
        it is healthy.

        Raises:
            RuntimeError: etcd still refused the addition after ``timeout`` seconds.
            EtcdStartError: The member did not start or did not become healthy.
        """
        target = self.member(member)
        deadline = time.monotonic() + timeout
        self._reconfigure(
            target,
            timeout,
            ("member", "add", target.name, f"--peer-urls={target.peer_url}"),
            done_if="Peer URLs already exists",
        )
        target.spawn()
        target.wait_healthy(max(0.1, deadline - time.monotonic()))
        return target

    def _reconfigure(
        self, target: EtcdMember, timeout: float, command: tuple[str, ...], *, done_if: str
    ) -> None:
        """Run an etcdctl membership command through the members other than ``target`` until
        it succeeds. A retry that fails with ``done_if`` finds the change made by an earlier
        attempt whose answer was lost."""
        deadline = time.monotonic() + timeout
        attempted = False
        while True:
            others = [
                m.client_url for m in self._started_members if m is not target and m.is_running
            ]
            try:
                self.etcdctl(*command, endpoints=others)
                return
            except subprocess.CalledProcessError as exc:
                answer = (exc.stderr or exc.stdout or "").strip()
                if attempted and done_if in answer:
                    return
                if time.monotonic() >= deadline:
                    raise RuntimeError(
                        f"etcd refused `{' '.join(command)}` for {timeout} s: {answer}"
                    ) from exc
            attempted = True
            time.sleep(0.2)

    # -- network faults (clusters started with fault_proxy=True) ----------------------------

    def partition(self, *groups: Iterable[EtcdMember | int]) -> None:
        """Cut the peer links between groups of members, e.g. ``partition([m0], [m1, m2])``.

        Every member must be in one group. Links are cut as a blackhole (bytes held, nothing
        reset); clients still reach every member. [`heal`][etcd3.testing.EtcdCluster.heal] restores
        the network.

        Raises:
            RuntimeError: The cluster was not started with ``fault_proxy=True``.
            ValueError: A member in two groups or in none.
        """
        self.network.partition(*([self.member(m).name for m in group] for group in groups))

    def isolate(
        self, member: EtcdMember | int, *, clients: bool = True, peers: bool = True
    ) -> EtcdMember:
        """Cut a member off from its clients, from its peers, or from both (blackholes).

        ``peers=False`` leaves the cluster whole while clients of the member hear nothing;
        ``clients=False`` makes the member a minority that its clients still reach.

        Raises:
            RuntimeError: The cluster was not started with ``fault_proxy=True``.
        """
        target = self.member(member)
        self.network.isolate(target.name, clients=clients, peers=peers)
        return target

    def heal(self) -> None:
        """Remove every network fault: partitions, isolation, and each proxy's latency,
        bandwidth limit, blackholes, resets and refusals.

        Raises:
            RuntimeError: The cluster was not started with ``fault_proxy=True``.
        """
        self.network.heal()
