"""Every program in ``examples/`` runs standalone (it starts its own etcd, or uses the one it
is given) and prints what the server answered. (The blocks of README.md and docs/ are checked and
run by ``tests/docs``.)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import etcd3
from etcd3.testing import EtcdFactory

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"


def _run_example(name: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def test_demo_walks_through_the_main_features() -> None:
    start = time.monotonic()
    out = _run_example("demo.py")
    assert time.monotonic() - start < 15
    assert "\033[" not in out  # plain titles when not printing to a terminal
    lines = out.splitlines()
    sections = [line.removeprefix("== ") for line in lines if line.startswith("== ")]
    assert sections == [
        "put and get",
        "prefix reads and paged reads",
        "transactions",
        "a watch",
        "a lease with keep-alive",
        "a lock",
        "an election",
        "typed errors",
        "the same calls from asyncio",
        "a 3-member cluster: failover",
    ]
    assert "put /services/gamma = 8003   (store revision 4)" in lines
    assert "get /services/alpha -> b'8001' (version 1, revision 2)" in lines
    assert "get /services/none -> (None, None)" in lines
    assert re.search(r"^25 keys read in 3 pages of \[10, 10, 5\], all at revision \d+$", out, re.M)
    assert "count_only says: 25 keys" in lines
    assert "compare-and-swap succeeded=True; alpha is now 9001" in lines
    assert "put_if_not_exists /leader node-1 -> True" in lines
    assert "put_if_not_exists /leader node-2 -> False" in lines
    events = [line.split(" (rev")[0].strip() for line in lines if "  event " in line]
    assert events == [
        "event PUT /config/mode = blue",
        "event PUT /config/mode = green",
        "event DELETE /config/mode",
    ]
    assert re.search(
        r"^lease [0-9a-f]+ \(TTL \d+ s\): key still there after [\d.]+ s: True$", out, re.M
    )
    assert "revoked: /sessions/worker-1 exists: False" in lines
    assert re.search(r"^holding b'/locks/inventory/[0-9a-f]+', fencing token \d+$", out, re.M)
    assert "a second holder tries for 0.2 s: acquired=False" in lines
    assert "released; the second holder now gets it: True" in lines
    assert "node-1 campaigns: elected=True" in lines
    assert "leader value: node-1 at 10.0.0.5" in lines
    assert "node-1 resigned; leader now: node-2" in lines
    assert any(line.startswith("revoke an unknown lease -> LeaseNotFoundError: ") for line in lines)
    assert any(
        line.startswith("read a compacted revision -> RevisionCompactedError") for line in lines
    )
    assert re.search(
        r"^watch from a compacted revision -> RevisionCompactedError \(compacted to [1-9]",
        out,
        re.M,
    )
    assert (
        "an empty key is refused before any request -> ValueError: key must not be empty" in lines
    )
    assert "100 concurrent puts from one task; count = 100" in lines
    assert "  async event on /async/done = yes" in lines
    assert "async lock held: True" in lines
    killed = re.search(r"^killed the member in use \((\S+)\)$", out, re.M)
    moved = re.search(r"^read /jobs/1 -> queued from (\S+)$", out, re.M)
    assert killed is not None
    assert moved is not None
    assert killed[1] != moved[1]


def test_every_example_is_tested() -> None:
    this_file = Path(__file__).read_text(encoding="utf-8")
    programs = [p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")]
    untested = [name for name in programs if f'"{name}"' not in this_file]
    assert untested == []


def test_config_watcher_sees_every_change_once_across_a_restart() -> None:
    out = _run_example("config_watcher.py")
    changes = [line.strip() for line in out.splitlines() if line.startswith("  change: ")]
    assert changes == [
        "change: mode = green",
        "change: replicas = 3",
        "change: replicas = 5",
        "change: mode = None",
    ]
    assert "initial settings: {'mode': 'blue'}" in out
    assert "etcd was killed and restarted" in out
    assert "final settings: {'replicas': '5'}" in out


def test_service_registry_against_a_given_endpoint(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    out = _run_example("service_registry.py", server.endpoint)
    assert "embedded etcd" not in out
    lines = out.splitlines()
    assert lines[0] == "registered: [('a', '10.0.0.1:8080'), ('b', '10.0.0.2:8080'), " + (
        "('c', '10.0.0.3:8080')]"
    )
    assert lines[1].endswith("['a', 'b', 'c']")  # kept alive past the TTL
    assert lines[2] == "a exited: ['b', 'c']"
    assert lines[3].startswith("b crashed; its key expired after ")
    assert lines[3].endswith(": ['c']")
    assert lines[4] == "c exited: []"
    with etcd3.client(server.host, server.port, timeout=5) as client:
        assert client.get_prefix_response("/services/", count_only=True).count == 0


def test_bulk_export_standalone_pages_the_sample_data() -> None:
    out = _run_example("bulk_export.py")
    assert "exported 1051 keys in 11 pages at revision 1052" in out
    assert '"value": {"base64": "/wByYXc="}' in out  # b"\xff\x00raw" is not UTF-8


def test_bulk_export_writes_one_json_line_per_key(
    etcd_factory: EtcdFactory, tmp_path: Path
) -> None:
    server = etcd_factory()
    with etcd3.client(server.host, server.port, timeout=5) as client:
        revisions = [client.put(f"/inv/{i:03}", f"v{i}").header.revision for i in range(25)]
        client.put("/other", "not exported")
    target = tmp_path / "export.jsonl"
    out = _run_example(
        "bulk_export.py",
        server.endpoint,
        "--prefix",
        "/inv/",
        "--page-size",
        "10",
        "--out",
        str(target),
    )
    assert f"exported 25 keys in 3 pages at revision {revisions[-1] + 1}" in out
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["key"] for r in records] == [f"/inv/{i:03}" for i in range(25)]
    assert [r["value"] for r in records] == [f"v{i}" for i in range(25)]
    assert [r["mod_revision"] for r in records] == revisions


def test_distributed_lock_loses_no_increment_and_fences_in_order() -> None:
    out = _run_example("distributed_lock.py", "--workers", "4", "--rounds", "5")
    held = re.findall(
        r"^(worker-\d) held the lock \(fencing token (\d+)\): counter (\d+) -> (\d+)$", out, re.M
    )
    assert len(held) == 20
    assert [(int(b), int(a)) for *_, b, a in held] == [(i, i + 1) for i in range(20)]
    tokens = [int(token) for _, token, *_ in held]
    assert tokens == sorted(set(tokens))  # every new holder has a higher token
    assert {name for name, *_ in held} == {f"worker-{i}" for i in range(1, 5)}
    assert "final counter: 20 (4 workers x 5 increments)" in out
    assert "lost increments: 0" in out


def test_leader_election_hands_over_on_resign_and_on_crash(etcd_factory: EtcdFactory) -> None:
    server = etcd_factory()
    out = _run_example("leader_election.py", server.endpoint)
    lines = out.splitlines()
    elected = [line.split()[0] for line in lines if " is the leader " in line]
    assert elected == ["w1", "w2", "w3"]
    ends = [line.split(" ", 1)[1] for line in lines if " resigns " in line or " crashes " in line]
    assert [e.split()[0] for e in ends] == ["resigns", "crashes", "resigns"]
    # After its crash, w2 still leads until its lease expires: w3 waits for the TTL.
    assert lines.index(next(x for x in lines if x.startswith("w2 crashes"))) < lines.index(
        next(x for x in lines if x.startswith("w3 is the leader"))
    )
    observed = [line.removeprefix("  observed: ") for line in lines if "observed: " in line]
    proclaimed = [f"w{n}: job {j} done" for n in (1, 2, 3) for j in (1, 2)]
    assert [value for value in observed if "job" in value] == proclaimed
    assert observed[0] == "w1"
    assert "leaders in order: ['w1', 'w2', 'w3']" in lines
    assert "fencing tokens strictly increase: True" in lines
    assert "nobody leads at the end: True" in lines
    with etcd3.client(server.host, server.port, timeout=5) as client:
        assert client.get_prefix_response("/election/jobs/", count_only=True).count == 0
