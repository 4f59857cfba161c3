"""Leader election: one worker leads at a time; when it ends or dies, the next takes over.

Three workers campaign in the election ``jobs``. The leader does the work and proclaims its
progress as the election's value; the others wait. ``w1`` finishes and resigns: ``w2`` is
elected at once. ``w2`` then "crashes" — its session's lease is no longer renewed, as when a
process is killed — and ``w3`` is elected once the lease's TTL has run out: nobody has to
clean up after a dead leader. An observer follows the leadership with ``observe()`` and
prints each change of leader or value.

Each leader has a fencing token (the create revision of its key, ``Election.revision``),
growing with every new leader: resources the leader writes can refuse stale leaders.

Run: ``python examples/leader_election.py [host:port]`` (no argument: embedded etcd).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Sequence

from _embedded import connect, endpoint_argument

import etcd3

ELECTION = "jobs"
JOBS = 2  # jobs each leader does before it ends (or crashes)
TTL = 1  # seconds a dead leader keeps the leadership (the server may raise it to its minimum)
_printing = threading.Lock()


def log(line: str) -> None:
    """Print one whole line (``print`` from several threads could interleave two lines)."""
    with _printing:
        print(line, flush=True)


def worker(client: etcd3.Etcd3Client, name: str, crash: bool, tokens: list[int]) -> None:
    """Campaign, lead (do the jobs, proclaiming progress), then resign — or crash."""
    session = client.session(ttl=TTL)
    election = etcd3.Election(session, ELECTION)
    started = time.monotonic()
    if not election.campaign(name, timeout=30):
        log(f"{name} gave up campaigning")
        session.close()
        return
    elected_at = time.monotonic()
    tokens.append(election.revision)
    waited = elected_at - started
    log(f"{name} is the leader (fencing token {election.revision}) after {waited:.1f} s")
    for job in range(1, JOBS + 1):
        time.sleep(0.2)  # the work
        election.proclaim(f"{name}: job {job} done")
    if crash:
        lease = session.lease
        lease.stop_keep_alive()  # like a killed process: nothing renews the lease any more
        log(f"{name} crashes (its lease of {lease.ttl} s is no longer renewed)")
        return
    election.resign()
    session.close()
    log(f"{name} resigns after leading {time.monotonic() - elected_at:.1f} s")


def observer(client: etcd3.Etcd3Client, until: bytes, seen: list[str]) -> None:
    """Print every change of leader or value, until the value ``until`` is proclaimed."""
    for leader in client.election(ELECTION).observe():
        value = leader.value.decode()
        seen.append(value)
        log(f"  observed: {value}")
        if leader.value == until:
            break


def main(argv: Sequence[str] | None = None) -> None:
    """Start the observer and three workers; report the leaders in order."""
    parser = argparse.ArgumentParser(description=__doc__)
    endpoint_argument(parser)
    args = parser.parse_args(argv)
    with connect(args.endpoint) as (client, _):
        prefix = f"/election/{ELECTION}/".encode()
        client.delete_prefix(prefix)  # leftovers of an earlier (crashed) run
        seen: list[str] = []
        tokens: list[int] = []
        watching = threading.Thread(
            target=observer, args=(client, f"w3: job {JOBS} done".encode(), seen)
        )
        watching.start()
        workers: list[threading.Thread] = []
        for number, name in enumerate(("w1", "w2", "w3"), start=1):
            log(f"{name} campaigns")
            thread = threading.Thread(target=worker, args=(client, name, name == "w2", tokens))
            thread.start()
            workers.append(thread)
            # Start the next candidate once this one's key is in the queue: campaign order.
            while client.get_prefix_response(prefix, count_only=True).count < number:
                time.sleep(0.01)
        for thread in workers:
            thread.join(30)
        watching.join(30)
        leaders = list(dict.fromkeys(value.split(":")[0] for value in seen))
        log(f"leaders in order: {leaders}")
        log(f"fencing tokens strictly increase: {tokens == sorted(set(tokens))}")
        log(f"nobody leads at the end: {client.election(ELECTION).leader() is None}")


if __name__ == "__main__":
    main()
