"""What servers and clusters share: binaries, PKI, ports, start-up order, auth, teardown."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TypedDict

from typing_extensions import Self

from etcd3.testing._binary import etcd_version, find_etcd_binary, find_etcdctl_binary
from etcd3.testing._member import (
    EtcdHealthTimeout,
    EtcdMember,
    EtcdStartError,
    MemberPorts,
    PortConflict,
    child_env,
    free_ports,
)
from etcd3.testing._network import FaultNetwork
from etcd3.testing._pki import TLSFiles, make_pki

__all__ = ["ClientOptions", "Deployment"]

_START_ATTEMPTS = 5
ROOT_USER = "root"


def _release(members: list[EtcdMember], paths: list[Path], networks: list[FaultNetwork]) -> None:
    for member in members:
        member.kill()
    members.clear()
    for network in networks:
        network.close()
    networks.clear()
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
    paths.clear()


def _advertised(chunk: list[int]) -> MemberPorts:
    """The ports others reach a member at: ``chunk`` is its own client, peer and metrics ports,
    then its client proxy's and (in a cluster) its peer proxy's."""
    client, peer, metrics, *proxies = chunk
    if proxies:
        client = proxies[0]
    if len(proxies) > 1:
        peer = proxies[1]
    return MemberPorts(client, peer, metrics)


class ClientOptions(TypedDict):
    """The arguments of ``etcd3.client()`` and ``etcd3.async_client()`` that reach a deployment:
    its members' endpoints, and the PKI's files and root's credentials when it has them
    (``None`` otherwise, which is what those parameters default to). Pass them on with
    ``etcd3.client(**server.client_options(), timeout=5)``.
    """

    endpoints: list[str]
    ca_cert: Path | None
    cert_key: Path | None
    cert_cert: Path | None
    user: str | None
    password: str | None


class Deployment:
    """Base of [`EtcdServer`][etcd3.testing.EtcdServer] and
    [`EtcdCluster`][etcd3.testing.EtcdCluster]: launches ``size`` members.

    Members are started one after another, each once the previous one answers on its peer port,
    then all are waited on for health. A member that exits because a port was taken makes the
    whole start retry with fresh ports.
    """

    def __init__(
        self,
        *,
        size: int,
        names: Sequence[str],
        tls: bool,
        auth: bool,
        auth_token_ttl: int | None,
        binary: str | os.PathLike[str] | None,
        version: str | None,
        data_dir: Path | None,
        extra_args: Sequence[str],
        start_timeout: float,
        fault_proxy: bool = False,
    ) -> None:
        if size < 1:
            raise ValueError(f"an etcd deployment needs at least one member, not {size}")
        if len(names) != size or len(set(names)) != size:
            raise ValueError("every member needs a distinct name")
        self.binary: Path = find_etcd_binary(binary, version=version)
        """The etcd executable in use."""
        self.etcdctl_binary: Path = find_etcdctl_binary(self.binary)
        """The etcdctl executable matching ``binary``."""
        self.version: str = etcd_version(self.binary)
        """The server version reported by ``etcd --version``, e.g. ``"3.5.1"``."""
        self.user: str | None = ROOT_USER if auth else None
        """``"root"`` when auth is enabled, else ``None``."""
        self.password: str | None = secrets.token_urlsafe(18) if auth else None
        """The root password (random per instance) when auth is enabled, else ``None``."""
        self.tls: TLSFiles | None = None
        """The generated PKI when TLS is on (set by [`start`][etcd3.testing.EtcdServer.start]), else
        ``None``."""
        self._size = size
        self._names = list(names)
        self._want_tls = tls
        self._auth_token_ttl = auth_token_ttl
        self._explicit_data_dir = data_dir
        self._extra_args = tuple(extra_args)
        self._start_timeout = start_timeout
        self._fault_proxy = fault_proxy
        self._workdir: Path | None = None
        # Mutated in place, never rebound: the finalizer below holds this very list.
        self._members: list[EtcdMember] = []
        self._lock = threading.Lock()
        self._finalizer: (
            weakref.finalize[[list[EtcdMember], list[Path], list[FaultNetwork]], Deployment] | None
        ) = None
        self._cleanup_paths: list[Path] = []
        # At most one; a list so that the finalizer can close it without holding self.
        self._networks: list[FaultNetwork] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Launch all members and wait until each is healthy (and auth is set up if asked).

        Returns:
            ``self``, so that ``server = EtcdServer().start()`` works.

        Raises:
            EtcdStartError: A member exited or did not become healthy; the message has the tail
                of its log.
        """
        with self._lock:
            if self._members:
                raise RuntimeError("already started")
            try:
                self._start_locked()
            except BaseException:
                self._teardown_locked()
                raise
        return self

    def _start_locked(self) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix="etcd3-test-"))
        self._cleanup_paths[:] = [self._workdir]
        # Runs on stop(), on garbage collection, or at interpreter exit (an interrupted run),
        # whichever comes first, so neither processes nor temp dirs outlive us.
        self._finalizer = weakref.finalize(
            self, _release, self._members, self._cleanup_paths, self._networks
        )
        if self._want_tls:
            self.tls = make_pki(self._workdir / "pki")
        for attempt in range(1, _START_ATTEMPTS + 1):
            self._members[:] = self._plan_members()
            try:
                self._launch_members()
                break
            except PortConflict:
                self._kill_members()
                self._close_network()
                self._wipe_member_data()
                if attempt == _START_ATTEMPTS:
                    raise
        if self.password is not None:
            self._enable_auth(self.password)

    def _plan_members(self) -> list[EtcdMember]:
        assert self._workdir is not None
        # A client proxy per member, and a peer proxy per member of a cluster.
        per_member = 3 + (min(self._size, 2) if self._fault_proxy else 0)
        numbers = free_ports(per_member * self._size)
        chunks = [numbers[i : i + per_member] for i in range(0, len(numbers), per_member)]
        listen = [MemberPorts(*chunk[:3]) for chunk in chunks]
        ports = [_advertised(chunk) for chunk in chunks]
        initial_cluster = ",".join(
            f"{name}=http://127.0.0.1:{mp.peer}"
            for name, mp in zip(self._names, ports, strict=True)
        )
        token = f"etcd3-test-{secrets.token_hex(8)}"
        members = []
        for name, member_ports, listen_ports in zip(self._names, ports, listen, strict=True):
            data_dir = self._explicit_data_dir or self._workdir / name
            members.append(
                EtcdMember(
                    name=name,
                    binary=self.binary,
                    version=self.version,
                    data_dir=data_dir,
                    ports=member_ports,
                    initial_cluster=initial_cluster,
                    cluster_token=token,
                    tls=self.tls,
                    auth_token_ttl=self._auth_token_ttl,
                    extra_args=self._extra_args,
                    listen_ports=listen_ports,
                )
            )
        return members

    def _start_network(self) -> None:
        network = FaultNetwork(self._member_pids)
        self._networks.append(network)
        try:
            for member in self._members:
                network.add_member(
                    member.name,
                    client_port=member.ports.client,
                    client_target=member.listen_ports.client,
                    peer_port=member.ports.peer if self._size > 1 else None,
                    peer_target=member.listen_ports.peer,
                )
        except OSError as exc:
            raise PortConflict(f"a fault proxy could not listen: {exc}") from exc

    def _member_pids(self) -> dict[int, str]:
        return {m.pid: m.name for m in list(self._members) if m.pid is not None}

    def _close_network(self) -> None:
        while self._networks:
            self._networks.pop().close()

    def _launch_members(self) -> None:
        if self._fault_proxy:
            self._start_network()
        # Staggered start: a member launched while its peers are not yet listening waits a
        # fixed 1 s per probe round; one after another, a 3-member cluster forms in ~0.15 s.
        for member in self._members:
            member.spawn()
            member.wait_listening(self._start_timeout)
        self.wait_healthy(self._start_timeout)

    def _kill_members(self) -> None:
        for member in self._members:
            member.kill()

    def _wipe_member_data(self) -> None:
        # Only our own temporary directories; a caller's data_dir is never deleted.
        if self._explicit_data_dir is None:
            for member in self._members:
                shutil.rmtree(member.data_dir, ignore_errors=True)

    def stop(self) -> None:
        """Kill every member (SIGKILL), reap it, and delete the temporary files we created.

        Safe to call more than once. A ``data_dir`` passed by the caller is kept.
        """
        with self._lock:
            self._teardown_locked()

    def _teardown_locked(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._workdir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def _started_members(self) -> list[EtcdMember]:
        if not self._members:
            raise RuntimeError("the etcd deployment is not started; call start() or use `with`")
        return self._members

    @property
    def endpoints(self) -> list[str]:
        """``"127.0.0.1:PORT"`` of every member's client port."""
        return [member.endpoint for member in self._started_members]

    def client_options(self) -> ClientOptions:
        """The arguments that connect a client to this deployment, TLS and auth included.

        Returns:
            ``endpoints`` (every member's), ``ca_cert``, ``cert_key`` and ``cert_cert`` (the
            generated PKI's CA and ``CN=root`` client certificate, ``None`` without TLS),
            ``user`` and ``password`` (root's, ``None`` without auth).

        Raises:
            RuntimeError: The deployment is not started.
        """
        tls = self.tls
        return ClientOptions(
            endpoints=self.endpoints,
            ca_cert=None if tls is None else tls.ca,
            cert_key=None if tls is None else tls.client_key,
            cert_cert=None if tls is None else tls.client_cert,
            user=self.user,
            password=self.password,
        )

    @property
    def client_urls(self) -> list[str]:
        """``http(s)://127.0.0.1:PORT`` of every member's client port."""
        return [member.client_url for member in self._started_members]

    @property
    def network(self) -> FaultNetwork:
        """The fault proxies in front of every member (see
        [`FaultNetwork`][etcd3.testing.FaultNetwork]).

        Raises:
            RuntimeError: The deployment is not started, or not with ``fault_proxy=True``.
        """
        if not self._networks:
            raise RuntimeError(
                "no fault proxies: the deployment is not started, or not with fault_proxy=True"
            )
        return self._networks[0]

    @property
    def workdir(self) -> Path | None:
        """Temporary directory holding the PKI and member data, removed by
        [`stop`][etcd3.testing.EtcdServer.stop]."""
        return self._workdir

    # -- health ------------------------------------------------------------------------------

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Wait until every running, unpaused member reports ``{"health": "true"}``.

        Raises:
            EtcdHealthTimeout: A member was not healthy in time.
        """
        deadline = time.monotonic() + timeout
        for member in self._started_members:
            if member.is_running and not member.is_paused:
                member.wait_healthy(max(0.1, deadline - time.monotonic()))

    def wait_cluster_version(self, timeout: float = 10.0) -> None:
        """Wait until every running, unpaused member applies the cluster version of its binary
        (e.g. ``"3.5"``), not the ``"3.0"`` a new multi-member cluster may run at for its first
        seconds. Cluster-version-gated features, such as the Downgrade RPC, need this.

        Raises:
            EtcdHealthTimeout: A member did not reach it in time.
        """
        wanted = ".".join(self.version.split(".")[:2])
        deadline = time.monotonic() + timeout
        for member in self._started_members:
            while member.is_running and not member.is_paused:
                seen = member.cluster_version()
                if seen == wanted:
                    break
                if time.monotonic() >= deadline:
                    raise EtcdHealthTimeout(
                        f"etcd member {member.name!r} runs at cluster version {seen}, not "
                        f"{wanted}, after {timeout} s"
                    )
                time.sleep(0.05)

    # -- etcdctl -----------------------------------------------------------------------------

    def etcdctl_command(
        self, *, credentials: bool = True, endpoints: Sequence[str] | None = None
    ) -> list[str]:
        """Build the etcdctl argv prefix that reaches this deployment.

        Args:
            credentials: Add ``--user root:PASSWORD`` when auth is enabled.
            endpoints: Client URLs to use instead of every member's.

        Returns:
            etcdctl with endpoints, TLS files and credentials; append a command such as
                ``["put", "k", "v"]``.
        """
        argv = [
            os.fspath(self.etcdctl_binary),
            f"--endpoints={','.join(self.client_urls if endpoints is None else endpoints)}",
            "--dial-timeout=2s",
            "--command-timeout=5s",
        ]
        if self.tls is not None:
            argv += [
                f"--cacert={self.tls.ca}",
                f"--cert={self.tls.client_cert}",
                f"--key={self.tls.client_key}",
            ]
        if credentials and self.user is not None and self.password is not None:
            argv.append(f"--user={self.user}:{self.password}")
        return argv

    def etcdctl(
        self,
        *args: str,
        credentials: bool = True,
        check: bool = True,
        timeout: float = 30.0,
        endpoints: Sequence[str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run etcdctl against this deployment and capture its output.

        Args:
            *args: The etcdctl command, e.g. ``"put", "key", "value"``.
            credentials: Pass root's credentials when auth is enabled.
            check: Raise ``subprocess.CalledProcessError`` on a non-zero exit.
            timeout: Seconds before the command is killed.
            endpoints: Client URLs to use instead of every member's.

        Returns:
            The finished process with text ``stdout`` and ``stderr``.
        """
        env = child_env(keep=())
        env["ETCDCTL_API"] = "3"
        return subprocess.run(
            [*self.etcdctl_command(credentials=credentials, endpoints=endpoints), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
            env=env,
        )

    def _enable_auth(self, password: str) -> None:
        # Order matters: AuthEnable refuses to run before root holds the root role.
        try:
            self.etcdctl(
                "user", "add", f"{ROOT_USER}:{password}", "--interactive=false", credentials=False
            )
            self.etcdctl("user", "grant-role", ROOT_USER, "root", credentials=False)
            self.etcdctl("auth", "enable", credentials=False)
        except subprocess.CalledProcessError as exc:
            raise EtcdStartError(
                f"enabling auth with {exc.cmd[0]} failed (exit {exc.returncode}): "
                f"{exc.stderr.strip() or exc.stdout.strip()}"
            ) from exc
