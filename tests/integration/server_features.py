"""What the etcd server version under test has, for tests that assert version-dependent behaviour.

``make test-servers`` runs the integration and fault suites against every version
``etcd3.testing`` offers. A test that exercises something an older server lacks does not
skip there: it asserts the behaviour ``docs/guide/compatibility.md`` documents for that version (an
RPC the server does not know fails with ``etcd3.UnimplementedError``). Each entry here is
a row of that page, which a test checks.
"""

from __future__ import annotations

from etcd3.testing._binary import version_tuple

__all__ = ["SINCE", "has"]

SINCE: dict[str, str] = {
    "AuthStatus": "3.5",
    "Downgrade": "3.5",
}
"""The etcd version that introduced each RPC or field the client uses and older servers lack."""


def has(server_version: str, feature: str) -> bool:
    """Whether a server reporting ``server_version`` has ``feature`` (a key of ``SINCE``)."""
    return version_tuple(server_version) >= version_tuple(SINCE[feature])
