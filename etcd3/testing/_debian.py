"""Download pinned Debian packages with a private apt state and verify them by sha256.

The machine's apt configuration is only read (for the mirror and proxy settings); its package
lists, caches, locks and dpkg status are never touched, and nothing is installed: a package is
downloaded into a directory of ours and unpacked there with ``dpkg-deb -x``.

The sha256 of each ``.deb`` is the trust anchor. The archive's signature is checked as well when
Debian's keyring is present.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import platform
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "MIRROR_ENV",
    "DebianDownloadError",
    "DebianPackage",
    "debian_architecture",
    "debian_mirror",
    "download",
    "extract",
    "sha256_of",
]

MIRROR_ENV = "ETCD3_DEBIAN_MIRROR"
"""Environment variable naming a Debian archive URI to use instead of the one apt is set up with."""

_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")

# platform.machine() → Debian architecture name.
_ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class DebianDownloadError(RuntimeError):
    """A pinned Debian package could not be downloaded, verified or unpacked."""


@dataclasses.dataclass(frozen=True)
class DebianPackage:
    """One pinned ``.deb``.

    Attributes:
        name: The package name, e.g. ``"etcd-server"``.
        version: The exact Debian version, e.g. ``"3.4.23-4+b4"``.
        sha256: The sha256 of the ``.deb`` file, hex.
        architecture: ``"all"`` for architecture-independent packages, else a Debian
            architecture name such as ``"amd64"``.
    """

    name: str
    version: str
    sha256: str
    architecture: str = "all"


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def debian_architecture() -> str:
    """The Debian name of this machine's architecture (``"amd64"``, ``"arm64"``).

    Raises:
        DebianDownloadError: Debian packages are not available for this machine.
    """
    machine = platform.machine().lower()
    architecture = _ARCHITECTURES.get(machine)
    if architecture is None or not platform.system() == "Linux":
        raise DebianDownloadError(
            f"Debian packages run on Linux amd64 or arm64, not {platform.system()} {machine}"
        )
    return architecture


def debian_mirror() -> str:
    """The Debian archive to download from: ``$ETCD3_DEBIAN_MIRROR``, else the first archive
    URI ending in ``/debian`` that apt is configured with on this machine.

    Raises:
        DebianDownloadError: Neither is set.
    """
    from_env = os.environ.get(MIRROR_ENV)
    if from_env:
        return from_env
    candidates: list[str] = []
    for sources in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for line in sources.read_text().splitlines():
            if line.startswith("URIs:"):
                candidates.extend(line.split()[1:])
    sources_list = Path("/etc/apt/sources.list")
    if sources_list.exists():
        for line in sources_list.read_text().splitlines():
            parts = line.split()
            if parts and parts[0] == "deb":
                candidates.extend(part for part in parts[1:] if "://" in part)
    for uri in candidates:
        if uri.rstrip("/").endswith("/debian"):
            return uri
    raise DebianDownloadError(
        f"no Debian archive is configured in /etc/apt; set {MIRROR_ENV} "
        "(e.g. http://deb.debian.org/debian)"
    )


def _apt_options(workdir: Path, suite: str, architecture: str | None) -> list[str]:
    for sub in ("lists/partial", "cache/archives/partial"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    trust = f"signed-by={_KEYRING}" if _KEYRING.exists() else "trusted=yes"
    sources = workdir / "sources.list"
    sources.write_text(f"deb [{trust}] {debian_mirror()} {suite} main\n")
    options = [
        f"-oDir::Etc::sourcelist={sources}",
        "-oDir::Etc::sourceparts=/nonexistent",
        f"-oDir::State::Lists={workdir / 'lists'}",
        f"-oDir::Cache={workdir / 'cache'}",
        "-oDir::State::status=/dev/null",
        "-oDebug::NoLocking=1",
        "-qq",
    ]
    if architecture is not None:
        options += [f"-oAPT::Architecture={architecture}", f"-oAPT::Architectures={architecture}"]
    if os.geteuid() == 0:
        # apt drops to the _apt user for downloads, which cannot write into our directory.
        options.append("-oAPT::Sandbox::User=root")
    return options


def _apt_name(package: DebianPackage) -> str:
    if package.architecture == "all":
        return f"{package.name}={package.version}"
    return f"{package.name}:{package.architecture}={package.version}"


def download(suite: str, packages: Sequence[DebianPackage], workdir: Path) -> list[Path]:
    """Download ``packages`` from ``suite`` into ``workdir`` and verify each one's sha256.

    Args:
        suite: The Debian suite that carries these exact versions, e.g. ``"bookworm"``.
        packages: The pinned packages.
        workdir: An empty directory of the caller's; it receives the apt state and the files.

    Returns:
        The verified ``.deb`` files, in the order of ``packages``.

    Raises:
        DebianDownloadError: apt-get is missing or failed, or a file does not match its pin.
    """
    if shutil.which("apt-get") is None:
        raise DebianDownloadError("apt-get is not available on this machine")
    architectures = {p.architecture for p in packages} - {"all"}
    if len(architectures) > 1:
        raise ValueError(f"one download serves one architecture, not {sorted(architectures)}")
    options = _apt_options(workdir, suite, architectures.pop() if architectures else None)
    wanted = [_apt_name(p) for p in packages]
    for command in (["update"], ["download", *wanted]):
        process = subprocess.run(
            ["apt-get", *options, *command],
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
        )
        if process.returncode != 0:
            raise DebianDownloadError(
                f"apt-get {command[0]} failed for {' '.join(wanted)} from Debian {suite}:\n"
                f"{process.stderr.strip()}"
            )
    debs: list[Path] = []
    for package in packages:
        # apt names the file NAME_VERSION_ARCH.deb with the epoch's colon encoded as %3a.
        version = package.version.replace(":", "%3a")
        found = sorted(workdir.glob(f"{package.name}_{version}_*.deb"))
        if len(found) != 1:
            names = [path.name for path in found]
            raise DebianDownloadError(f"expected one {_apt_name(package)} .deb, found {names}")
        got = sha256_of(found[0])
        if got != package.sha256:
            raise DebianDownloadError(
                f"{found[0].name}: sha256 {got} does not match the pin {package.sha256}"
            )
        debs.append(found[0])
    return debs


def extract(deb: Path, destination: Path) -> None:
    """Unpack the files of a ``.deb`` under ``destination`` (``dpkg-deb -x``; no install).

    Raises:
        DebianDownloadError: dpkg-deb is missing or failed.
    """
    if shutil.which("dpkg-deb") is None:
        raise DebianDownloadError("dpkg-deb is not available on this machine")
    process = subprocess.run(
        ["dpkg-deb", "-x", os.fspath(deb), os.fspath(destination)],
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode != 0:
        raise DebianDownloadError(f"dpkg-deb -x {deb.name} failed: {process.stderr.strip()}")
