"""What the etcd server version under test has, for tests that assert version-dependent behaviour.

``make test-servers`` runs the integration and fault suites against every version
``etcd3.testing`` offers. A test that exercises something an older server lacks does not
skip there: it asserts the behaviour ``docs/guide/compatibility.md`` documents for that version (an
RPC the server does not know fails with ``etcd3.UnimplementedError``). Each entry here is
a row of that page, which a test checks.
"""

from __future__ import annotations

from etcd3.testing._binary import version_tuple

__all__ = ["SINCE", "has", "loses_writes_when_killed"]

SINCE: dict[str, str] = {
    "AuthStatus": "3.5",
    "Downgrade": "3.5",
}
"""The etcd version that introduced each RPC or field the client uses and older servers lack."""


def has(server_version: str, feature: str) -> bool:
    """Whether a server reporting ``server_version`` has ``feature`` (a key of ``SINCE``)."""
    return version_tuple(server_version) >= version_tuple(SINCE[feature])


def loses_writes_when_killed(server_version: str) -> bool:
    """Whether a member of ``server_version`` can lose writes it acknowledged when it is killed
    soon after them: a server defect of etcd 3.5.0 to 3.5.2, fixed in 3.5.3.

    Such a member may persist the index of an applied entry before the entry's changes, which
    reach the disk with its backend's next commit (every 100 ms by default). Killed in between,
    it restarts without the write and gives its revision to the next one: a watch that had
    delivered the lost write resumes after it and never sees the one that reused its revision.
    A test that kills a member after writing lets the member idle a while first on these
    versions.
    """
    return (3, 5, 0) <= version_tuple(server_version) < (3, 5, 3)
