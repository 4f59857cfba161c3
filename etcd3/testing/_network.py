"""The network between a deployment's members and its clients: fault proxies and partitions.

A deployment started with ``fault_proxy=True`` puts two [`FaultProxy`][etcd3.testing.FaultProxy]
objects in front of each member: one on the client URL (the URL members advertise to clients) and
one on the peer URL (the URL the other members dial for raft, lease forwarding and version checks).
Every byte between a client and a member, and between two members, crosses exactly one proxy, so one
switch here changes what the cluster sees.

A peer proxy knows which member opened each connection (on Linux, by finding the process that owns
the connection's source port), so a partition can cut ``m0 ↔ m1`` and keep ``m1 ↔ m2``. Where the
owner cannot be found, a connection into a member that is cut from anyone is held: when in doubt,
cut.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping

from etcd3.testing._proxy import FaultProxy, ProxyLoop

__all__ = ["FaultNetwork"]


class FaultNetwork:
    """The fault proxies of one deployment, and partitions between its members.

    Get it as ``cluster.network`` (or ``server.network``) from a deployment started with
    ``fault_proxy=True``; [`EtcdCluster`][etcd3.testing.EtcdCluster] also offers the common
    operations directly ([`partition`][etcd3.testing.EtcdCluster.partition], ``isolate``, ``heal``).
    Members are named by their ``--name`` here. Every method is thread-safe and returns once the
    change is in effect.

    Args:
        member_pids: Returns the running members' process ids, mapped to their names; used to
            tell which member opened a peer connection.
        thread_name: Name of the thread running the proxies.
    """

    def __init__(
        self,
        member_pids: Callable[[], Mapping[int, str]] = dict,
        *,
        thread_name: str = "etcd3-fault-network",
    ) -> None:
        self._member_pids = member_pids
        self._loop = ProxyLoop(thread_name)
        self._client: dict[str, FaultProxy] = {}
        self._peer: dict[str, FaultProxy] = {}
        self._blocked: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        return f"<FaultNetwork members={self.members!r} blocked={sorted(self._blocked)!r}>"

    # -- proxies -----------------------------------------------------------------------------

    def add_member(
        self,
        name: str,
        *,
        client_port: int,
        client_target: int,
        peer_port: int | None = None,
        peer_target: int | None = None,
    ) -> None:
        """Start the proxies of a member (done by the deployment that owns this network).

        Args:
            name: The member's name.
            client_port: Port clients connect to.
            client_target: The member's own client port.
            peer_port: Port the other members dial, or ``None`` for a single server.
            peer_target: The member's own peer port.

        Raises:
            OSError: A listening port cannot be bound.
        """
        client = FaultProxy(
            self._loop, listen_port=client_port, target_port=client_target, name=f"{name}/client"
        )
        client.start()
        self._client[name] = client
        if peer_port is not None and peer_target is not None:
            peer = FaultProxy(
                self._loop,
                listen_port=peer_port,
                target_port=peer_target,
                name=f"{name}/peer",
                resolve_source=self._peer_of,
            )
            peer.start()
            self._peer[name] = peer

    @property
    def members(self) -> list[str]:
        """Names of the members behind this network."""
        return list(self._client)

    @property
    def proxies(self) -> list[FaultProxy]:
        """Every proxy: each member's client proxy, then each member's peer proxy."""
        return [*self._client.values(), *self._peer.values()]

    def client_proxy(self, member: str) -> FaultProxy:
        """The proxy in front of ``member``'s client port.

        Raises:
            KeyError: No such member.
        """
        return self._client[self._known(member)]

    def peer_proxy(self, member: str) -> FaultProxy:
        """The proxy in front of ``member``'s peer port.

        Raises:
            KeyError: No such member, or it has no peers (a single server).
        """
        return self._peer[self._known(member)]

    def _known(self, member: str) -> str:
        if member not in self._client:
            raise KeyError(f"{member!r} is not behind this network (members: {self.members})")
        return member

    # -- partitions --------------------------------------------------------------------------

    def partition(self, *groups: Iterable[str]) -> None:
        """Cut every peer link between members of different groups (both ways).

        ``partition({"m0"}, {"m1", "m2"})`` leaves ``m0`` alone. Every member must be in exactly
        one group. Links are cut as a blackhole: bytes are held, nothing is reset. Earlier
        partitions and blocks are replaced; client links are not touched.

        Raises:
            ValueError: A member in two groups, an unknown member, or one left out.
        """
        sets = [{self._known(member) for member in group} for group in groups]
        named = [member for group in sets for member in group]
        if len(named) != len(set(named)):
            raise ValueError("a member is in more than one group")
        if sorted(named) != sorted(self._peer):
            missing = sorted(set(self._peer) - set(named))
            raise ValueError(f"every member must be in a group; missing: {missing}")
        blocked = {
            (a, b)
            for i, group in enumerate(sets)
            for j, other in enumerate(sets)
            if i != j
            for a in group
            for b in other
        }
        self._set_blocked(blocked)

    def block(self, source: str, target: str) -> None:
        """Cut the peer link from ``source`` to ``target`` one way: ``target`` stops hearing
        ``source``, while ``source`` still hears ``target``. Adds to the blocks in place."""
        pair = (self._known(source), self._known(target))
        if pair[0] == pair[1]:
            raise ValueError("a member cannot be cut from itself")
        self._set_blocked({*self._blocked, pair})

    def isolate(self, member: str, *, clients: bool = True, peers: bool = True) -> None:
        """Cut ``member`` off: from its clients, its peers, or both (a blackhole either way).

        Args:
            member: The member's name.
            clients: Hold every byte between clients and the member (the cluster stays whole).
            peers: Cut the member from every other member (clients still reach it: a minority
                member that keeps serving what it can).
        """
        name = self._known(member)
        if clients:
            self._client[name].blackhole()
        if peers:
            others = [other for other in self._peer if other != name]
            cut = {(name, other) for other in others} | {(other, name) for other in others}
            self._set_blocked(self._blocked | cut)

    def set_latency(
        self, seconds: float, jitter: float = 0.0, *, clients: bool = True, peers: bool = True
    ) -> None:
        """Delay every chunk on every link by ``seconds ± jitter``, each way.

        Args:
            seconds: One-way delay of each link (a round trip takes twice as long).
            jitter: Uniform spread around ``seconds``.
            clients: Apply to the links between clients and members.
            peers: Apply to the links between members.
        """
        targets = [
            *(self._client.values() if clients else ()),
            *(self._peer.values() if peers else ()),
        ]
        for proxy in targets:
            proxy.set_latency(seconds, jitter)

    def heal(self) -> None:
        """Remove every fault: partitions, blocks, isolation and every proxy's own faults.

        What the blackholes held is delivered now, in order.
        """
        self._set_blocked(set())
        for proxy in self.proxies:
            proxy.clear()

    @property
    def blocked(self) -> frozenset[tuple[str, str]]:
        """The cut peer links, as ``(source, target)`` pairs."""
        return frozenset(self._blocked)

    def _set_blocked(self, blocked: set[tuple[str, str]]) -> None:
        self._blocked = blocked
        for name, proxy in self._peer.items():
            proxy.block_sources(
                inbound=frozenset(a for a, b in blocked if b == name),
                outbound=frozenset(b for a, b in blocked if a == name),
            )

    # -- lifecycle and figures ---------------------------------------------------------------

    def cpu_time(self) -> float:
        """CPU seconds the proxies' thread has used: subtract it from the process's CPU time
        to measure your own code alone."""
        return self._loop.cpu_time()

    def close(self) -> None:
        """Close every proxy and stop the thread (idempotent)."""
        for proxy in self.proxies:
            proxy.close()
        self._loop.close()

    def _peer_of(self, source_port: int, listen_port: int) -> str | None:
        return connection_owner(source_port, listen_port, self._member_pids())


def connection_owner(source_port: int, listen_port: int, pids: Mapping[int, str]) -> str | None:
    """Which of ``pids`` owns the loopback connection from ``source_port`` to ``listen_port``.

    Linux only (``/proc``); elsewhere, or when the connection is gone, ``None``.
    """
    if not sys.platform.startswith("linux"):
        return None
    inode = _socket_inode(source_port, listen_port)
    if inode is None:
        return None
    wanted = f"socket:[{inode}]"
    for pid, name in pids.items():
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{fd_dir}/{fd}") == wanted:
                    return name
            except OSError:
                continue
    return None


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    # Columns of /proc/net/tcp: sl, local "ADDR:PORT", remote "ADDR:PORT", st, ..., inode (#9).
    local = f":{local_port:04X}"
    remote = f":{remote_port:04X}"
    try:
        with open("/proc/net/tcp", encoding="ascii") as table:
            for line in table:
                fields = line.split()
                if len(fields) > 9 and fields[1].endswith(local) and fields[2].endswith(remote):
                    return fields[9]
    except OSError:
        return None
    return None
