"""A throwaway PKI for TLS tests: one CA, a server certificate and a client certificate."""

from __future__ import annotations

import dataclasses
from pathlib import Path

__all__ = ["TLSFiles", "make_pki"]

_HOW_TO_GET_IT = (
    "TLS test servers need the cryptography package: `pip install 'etcd3-typed[testing]'`"
)


@dataclasses.dataclass(frozen=True)
class TLSFiles:
    """PEM files of a test PKI.

    Attributes:
        ca: The CA certificate; trust it on both sides.
        server_cert: Certificate for 127.0.0.1, ::1 and localhost (server and client auth).
        server_key: Private key of ``server_cert``.
        client_cert: Client certificate with ``CN=root``; with auth enabled and client-cert auth,
            etcd takes the CN as the user name.
        client_key: Private key of ``client_cert``.
    """

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def make_pki(directory: Path) -> TLSFiles:
    """Generate a fresh CA, server certificate and client certificate (CN=root) in ``directory``.

    All keys are EC P-256 and valid for two days. The server certificate covers ``127.0.0.1``,
    ``::1`` and ``localhost``.

    Args:
        directory: Where to write the PEM files; created if missing.

    Returns:
        The paths of the generated files.

    Raises:
        ModuleNotFoundError: ``cryptography`` is not installed; the message says how to get it.
    """
    try:
        from etcd3.testing._certificates import write_pki
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != "cryptography":
            raise
        raise ModuleNotFoundError(_HOW_TO_GET_IT, name=exc.name) from exc
    directory.mkdir(parents=True, exist_ok=True)
    files = TLSFiles(
        ca=directory / "ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server-key.pem",
        client_cert=directory / "client.pem",
        client_key=directory / "client-key.pem",
    )
    write_pki(files)
    return files
