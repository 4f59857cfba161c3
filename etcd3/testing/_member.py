"""One etcd process: its flags, ports, lifecycle, health and fault controls.

Everything about running a single etcd lives here once; [`EtcdServer`][etcd3.testing.EtcdServer] (a
one-member deployment) and [`EtcdCluster`][etcd3.testing.EtcdCluster] only decide how many members
to launch and in which order.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from etcd3.testing._binary import version_tuple
from etcd3.testing._pki import TLSFiles

__all__ = [
    "LOCALHOST",
    "EtcdHealthTimeout",
    "EtcdMember",
    "EtcdStartError",
    "MemberPorts",
    "PortConflict",
    "child_env",
    "free_ports",
    "http_get",
]

LOCALHOST = "127.0.0.1"

# Test-speed raft timing: a single member elects itself within ~0.1 s.
_FAST_FLAGS = ("--heartbeat-interval=10", "--election-timeout=100", "--log-level=warn")
_POLL_INTERVAL = 0.02
_LOG_TAIL_LINES = 25
_PORT_IN_USE = re.compile(r"address already in use|bind: .*in use", re.IGNORECASE)

# Never route loopback probes through an HTTP proxy taken from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EtcdStartError(RuntimeError):
    """An etcd process exited during start-up or did not become healthy.

    The message includes the tail of the member's log file.
    """


class EtcdHealthTimeout(EtcdStartError, TimeoutError):
    """An etcd member did not report ``{"health": "true"}`` in time."""


class PortConflict(EtcdStartError):
    """The process could not bind one of its ports; retry with fresh ones."""


def http_get(url: str, timeout: float) -> bytes | None:
    """GET ``url`` and return the body, or ``None`` on any connection error or non-200 answer."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as error:
        # A non-200 answer (503 while the member is not ready): the error holds the open
        # response, which Python 3.14 reports as a ResourceWarning if it is left to the GC.
        error.close()
        return None
    except (OSError, http.client.HTTPException, ValueError):
        # URLError, HTTPError, timeouts, resets: all mean "not answering properly right now".
        return None


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct loopback ports that were free a moment ago.

    All sockets stay bound until every port is chosen so the kernel cannot hand one out twice; a
    port may still be taken before etcd binds it, which the start-up retry handles.
    """
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOCALHOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclasses.dataclass(frozen=True)
class MemberPorts:
    """The three loopback ports of one member."""

    client: int
    peer: int
    metrics: int


# Processes that must not outlive the interpreter, even when a test run is interrupted.
_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


def _kill_and_reap(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        # SIGKILL: a graceful stop of several members can take seconds, and this data is
        # throwaway (or kept intact by the WAL for restart()).
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with _LIVE_LOCK:
        _LIVE.discard(process)


@atexit.register
def _kill_leftovers() -> None:
    with _LIVE_LOCK:
        leftovers = list(_LIVE)
    for process in leftovers:
        _kill_and_reap(process)


def child_env(keep: Sequence[str]) -> dict[str, str]:
    # etcd reads every ETCD_* variable as a flag; a stray one in the user's shell would clash
    # with ours. ETCD_UNSUPPORTED_ARCH is kept because some platforms need it to run at all.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ETCD_", "ETCDCTL_")) or key in keep
    }
    return env


class EtcdMember:
    """One etcd process with fixed ports, flags and data directory.

    Members are created by [`EtcdServer`][etcd3.testing.EtcdServer] and
    [`EtcdCluster`][etcd3.testing.EtcdCluster]; use those to launch etcd.

    Attributes:
        name: The member name (``--name``).
        host: Always ``"127.0.0.1"``.
        ports: Client, peer and metrics ports, as clients and peers reach the member (the fault
            proxies' ports when the deployment has them).
        listen_ports: The ports the process itself listens on (``ports`` without proxies).
        data_dir: The member's data directory; the log file ``etcd.log`` lives there too.
        tls: The PKI used on the client port, or ``None`` for plain HTTP.
    """

    host: str = LOCALHOST

    def __init__(
        self,
        *,
        name: str,
        binary: Path,
        version: str,
        data_dir: Path,
        ports: MemberPorts,
        initial_cluster: str,
        cluster_token: str,
        tls: TLSFiles | None,
        auth_token_ttl: int | None,
        extra_args: Sequence[str],
        listen_ports: MemberPorts | None = None,
    ) -> None:
        self.name = name
        self.ports = ports
        self.listen_ports: MemberPorts = listen_ports or ports
        self.data_dir = data_dir
        self.tls = tls
        self._binary = binary
        self._argv = self._build_argv(
            binary=binary,
            version=version,
            initial_cluster=initial_cluster,
            cluster_token=cluster_token,
            auth_token_ttl=auth_token_ttl,
            extra_args=extra_args,
        )
        self._process: subprocess.Popen[bytes] | None = None
        self._paused = False
        self._member_id: int | None = None

    def _build_argv(
        self,
        *,
        binary: Path,
        version: str,
        initial_cluster: str,
        cluster_token: str,
        auth_token_ttl: int | None,
        extra_args: Sequence[str],
    ) -> list[str]:
        argv = [
            os.fspath(binary),
            f"--name={self.name}",
            f"--data-dir={self.data_dir}",
            f"--listen-client-urls={self._listen_client_url}",
            f"--advertise-client-urls={self.client_url}",
            f"--listen-peer-urls={self._listen_peer_url}",
            f"--initial-advertise-peer-urls={self.peer_url}",
            # A separate plain port keeps /health and /metrics reachable with TLS + client certs.
            f"--listen-metrics-urls={self.metrics_url}",
            f"--initial-cluster={initial_cluster}",
            f"--initial-cluster-token={cluster_token}",
            "--initial-cluster-state=new",
            *_FAST_FLAGS,
        ]
        if version_tuple(version) >= (3, 5):
            argv.append("--unsafe-no-fsync")  # 3.4 rejects the flag
        else:
            # 3.4 logs through capnslog by default, which ignores --log-level.
            argv.append("--logger=zap")
        if self.tls is not None:
            argv += [
                f"--cert-file={self.tls.server_cert}",
                f"--key-file={self.tls.server_key}",
                f"--trusted-ca-file={self.tls.ca}",
                "--client-cert-auth",
            ]
        if auth_token_ttl is not None:
            argv.append(f"--auth-token-ttl={auth_token_ttl}")
        argv += list(extra_args)
        return argv

    def __repr__(self) -> str:
        state = "paused" if self._paused else "running" if self.is_running else "stopped"
        return f"<EtcdMember {self.name} {self.client_url} {state}>"

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The client port."""
        return self.ports.client

    @property
    def endpoint(self) -> str:
        """``"127.0.0.1:PORT"`` of the client port, the form gRPC targets use."""
        return f"{self.host}:{self.ports.client}"

    @property
    def client_url(self) -> str:
        """``http://`` or ``https://`` URL of the client port."""
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.endpoint}"

    @property
    def peer_url(self) -> str:
        """Plain ``http://`` URL of the peer (raft) port."""
        return f"http://{self.host}:{self.ports.peer}"

    @property
    def metrics_url(self) -> str:
        """Plain ``http://`` URL serving ``/health`` and ``/metrics`` even when TLS is on."""
        return f"http://{self.host}:{self.ports.metrics}"

    @property
    def _listen_client_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.listen_ports.client}"

    @property
    def _listen_peer_url(self) -> str:
        return f"http://{self.host}:{self.listen_ports.peer}"

    @property
    def log_path(self) -> Path:
        """File collecting etcd's stdout and stderr."""
        return self.data_dir / "etcd.log"

    @property
    def argv(self) -> list[str]:
        """The full command line used to start (and restart) this member."""
        return list(self._argv)

    # -- process state -----------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """Process id, or ``None`` when the process is not running."""
        return self._process.pid if self.is_running and self._process is not None else None

    @property
    def is_running(self) -> bool:
        """Whether the process is alive (a paused process is alive)."""
        return self._process is not None and self._process.poll() is None

    @property
    def is_paused(self) -> bool:
        """Whether [`pause`][etcd3.testing.EtcdMember.pause] stopped the process and
        [`resume`][etcd3.testing.EtcdMember.resume] has not continued it."""
        return self._paused and self.is_running

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """Return the last ``lines`` lines of the member's log file (empty if there is none)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _describe_failure(self, what: str) -> str:
        tail = self.log_tail()
        return (
            f"etcd member {self.name!r} ({self.client_url}) {what}.\n"
            f"command: {' '.join(self._argv)}\n"
            f"last lines of {self.log_path}:\n{tail or '(log is empty)'}"
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def spawn(self) -> None:
        """Start the process without waiting for it; see
        [`wait_listening`][etcd3.testing.EtcdMember.wait_listening]."""
        if self.is_running:
            raise RuntimeError(f"etcd member {self.name!r} is already running")
        # 0700 is what etcd expects for its data directory (it warns otherwise).
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            process = subprocess.Popen(
                self._argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env(keep=("ETCD_UNSUPPORTED_ARCH",)),
            )
        with _LIVE_LOCK:
            _LIVE.add(process)
        self._process = process
        self._paused = False

    def _check_alive(self) -> None:
        if self._process is None:
            raise EtcdStartError(self._describe_failure("was never started"))
        code = self._process.poll()
        if code is None:
            return
        with _LIVE_LOCK:
            _LIVE.discard(self._process)
        message = self._describe_failure(f"exited with code {code}")
        if _PORT_IN_USE.search(self.log_tail()):
            raise PortConflict(message)
        raise EtcdStartError(message)

    def wait_listening(self, timeout: float = 10.0) -> None:
        """Wait until the peer port answers ``GET /members``.

        A member that answers there has loaded its configuration, so the next member of a new
        cluster can start without waiting out etcd's 1 s peer probe.

        Raises:
            EtcdStartError: The process exited first.
            EtcdHealthTimeout: No answer within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            # Straight to the process: a fault proxy may be holding the advertised URL's bytes.
            if http_get(f"{self._listen_peer_url}/members", timeout=0.5) is not None:
                return
            if time.monotonic() >= deadline:
                raise EtcdHealthTimeout(
                    self._describe_failure(f"did not answer on its peer port within {timeout} s")
                )
            time.sleep(_POLL_INTERVAL)

    def is_healthy(self, timeout: float = 1.0) -> bool:
        """Return whether ``GET /health`` answers ``{"health": "true"}`` within ``timeout``."""
        body = http_get(f"{self.metrics_url}/health", timeout=timeout)
        if body is None:
            return False
        try:
            answer = json.loads(body)
        except ValueError:
            return False
        return isinstance(answer, dict) and answer.get("health") == "true"

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Wait until ``GET /health`` answers ``{"health": "true"}``.

        Raises:
            EtcdStartError: The process is not running.
            EtcdHealthTimeout: Not healthy within ``timeout`` seconds; the message has the log tail.
        """
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            remaining = deadline - time.monotonic()
            if self.is_healthy(timeout=max(0.05, min(1.0, remaining))):
                # Rule out a foreign server answering on a port our process failed to bind.
                self._check_alive()
                return
            if time.monotonic() >= deadline:
                raise EtcdHealthTimeout(
                    self._describe_failure(f"was not healthy within {timeout} s")
                )
            time.sleep(_POLL_INTERVAL)

    def kill(self) -> None:
        """Kill the process with SIGKILL and reap it; the data directory is kept."""
        if self._process is not None:
            _kill_and_reap(self._process)
        self._paused = False

    def restart(self, timeout: float = 30.0, *, wait: bool = True) -> None:
        """Start the member again on the same data directory, ports and flags.

        A running member is killed first.

        Args:
            timeout: Seconds to wait for health.
            wait: Whether to wait for health; pass ``False`` when the member cannot become
                healthy alone (e.g. the rest of its cluster is down).

        Raises:
            EtcdStartError: The process exited (e.g. a port was taken meanwhile).
            EtcdHealthTimeout: Not healthy within ``timeout`` seconds.
        """
        self.kill()
        self.spawn()
        if wait:
            self.wait_healthy(timeout)
        else:
            self.wait_listening(timeout)

    def prepare_rejoin(self) -> None:
        """Kill the process and delete its data (the log is kept), so that the next start joins
        the running cluster as the new member that etcd's ``MemberAdd`` announced, instead of
        forming a cluster of its own."""
        self.kill()
        shutil.rmtree(self.data_dir / "member", ignore_errors=True)
        self._argv = [
            "--initial-cluster-state=existing" if arg == "--initial-cluster-state=new" else arg
            for arg in self._argv
        ]
        self._member_id = None

    def pause(self) -> None:
        """Freeze the process with SIGSTOP: it keeps its sockets but answers nothing.

        Returns once the kernel reports the process stopped (on Linux), so a request sent right
        after this call cannot be answered by a process that has not stopped yet.
        """
        self._signal(_sigstop())
        self._paused = True
        self._wait_for_state(stopped=True)

    def resume(self) -> None:
        """Continue a paused process with SIGCONT."""
        self._signal(_sigcont())
        self._paused = False
        self._wait_for_state(stopped=False)

    def _wait_for_state(self, *, stopped: bool, timeout: float = 5.0) -> None:
        # Signals reach a busy multi-threaded process asynchronously; /proc tells when all
        # threads have actually stopped. Elsewhere there is no cheap way to ask, so do not wait.
        if self._process is None or not sys.platform.startswith("linux"):
            return
        tasks = Path(f"/proc/{self._process.pid}/task")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.is_running:
            try:
                states = [
                    (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
                    for task in tasks.iterdir()
                ]
            except (OSError, IndexError):
                continue  # a thread exited while we looked, or the process is gone
            if all((state in ("T", "t")) == stopped for state in states):
                return
            time.sleep(0.002)

    def _signal(self, signum: int) -> None:
        if self._process is None or not self.is_running:
            raise RuntimeError(f"etcd member {self.name!r} is not running")
        self._process.send_signal(signum)

    # -- introspection -----------------------------------------------------------------------

    def metrics(self, timeout: float = 2.0) -> str:
        """Return the Prometheus text from ``GET /metrics``.

        Raises:
            TimeoutError: The member did not answer (e.g. it is paused or killed).
        """
        body = http_get(f"{self.metrics_url}/metrics", timeout=timeout)
        if body is None:
            raise TimeoutError(f"etcd member {self.name!r} did not serve /metrics")
        return body.decode("utf-8", errors="replace")

    def is_leader(self, timeout: float = 1.0) -> bool:
        """Return whether this member currently reports itself as raft leader."""
        body = http_get(f"{self.metrics_url}/metrics", timeout=timeout)
        if body is None:
            return False
        match = re.search(rb"^etcd_server_is_leader\s+(\S+)\s*$", body, re.MULTILINE)
        return match is not None and float(match.group(1)) == 1.0

    def cluster_version(self, timeout: float = 1.0) -> str | None:
        """Return the cluster version this member applies, e.g. ``"3.5"``.

        The leader decides it from every member's server version once all of them have
        published theirs; until then a new cluster runs at ``"3.0"`` for up to ~4 s (etcd
        checks again on a fixed interval). Read from the ``etcd_cluster_version`` metric.

        Returns:
            The version, or ``None`` when the member does not answer or has none yet.
        """
        body = http_get(f"{self.metrics_url}/metrics", timeout=timeout)
        if body is None:
            return None
        match = re.search(rb'^etcd_cluster_version\{cluster_version="([^"]+)"\} 1', body, re.M)
        return match.group(1).decode() if match is not None else None

    @property
    def member_id(self) -> int:
        """The raft member id (as etcd's ``MemberList`` and response headers report it).

        Read from the ``etcd_server_id`` metric, or from the peer port's ``/members`` list on
        servers that lack that metric; cached once known.

        Raises:
            RuntimeError: The member is not answering.
        """
        if self._member_id is None:
            self._member_id = self._read_member_id()
        return self._member_id

    def _read_member_id(self) -> int:
        body = http_get(f"{self.metrics_url}/metrics", timeout=2.0)
        if body is not None:
            match = re.search(rb'^etcd_server_id\{server_id="([0-9a-fA-F]+)"\}', body, re.MULTILINE)
            if match is not None:
                return int(match.group(1), 16)
        members_body = http_get(f"{self._listen_peer_url}/members", timeout=2.0)
        if members_body is not None:
            for entry in json.loads(members_body):
                if entry.get("name") == self.name or self.peer_url in entry.get("peerURLs", ()):
                    return int(entry["id"])
        raise RuntimeError(f"cannot read the member id of etcd member {self.name!r}")


def _sigstop() -> int:
    if sys.platform == "win32":
        raise NotImplementedError("pause() needs POSIX signals")
    return signal.SIGSTOP


def _sigcont() -> int:
    if sys.platform == "win32":
        raise NotImplementedError("resume() needs POSIX signals")
    return signal.SIGCONT
