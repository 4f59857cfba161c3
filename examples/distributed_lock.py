"""Distributed lock: workers increment a shared counter, none of their increments is lost.

The counter is a key in etcd, incremented by a plain read-modify-write (read the value, add
one, write it back) — correct only while one worker at a time does it. Each worker takes
``client.lock("counter")`` around its increment: the lock is fair (waiters are served in the
order they arrived, each waiting for its predecessor's key to be deleted, no polling) and
uses the key layout of etcd's Go ``concurrency.Mutex``.

Each acquisition has a **fencing token**: the create revision of the holder's key, growing
with every new holder. Hand it to the resource you protect, so that a holder that lost the
lock (a long pause, an expired lease) is refused there.

Run: ``python examples/distributed_lock.py [host:port] [--workers N] [--rounds N]``
(no endpoint: embedded etcd).
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence

from _embedded import connect, endpoint_argument

import etcd3

COUNTER = "/demo/counter"


class Worker(threading.Thread):
    """Increments the counter ``rounds`` times, each time under the lock.

    Args:
        client: The client the worker uses (each worker could as well be its own process).
        name: The worker's name, for the log.
        rounds: How many increments to make.
        log: Where to append ``(fencing token, name, before, after)`` per increment.
        guard: Local check that the lock excludes: fails if two workers are ever inside.
    """

    def __init__(
        self,
        client: etcd3.Etcd3Client,
        name: str,
        rounds: int,
        log: list[tuple[int, str, int, int]],
        guard: threading.Lock,
    ) -> None:
        super().__init__(name=name)
        self.client = client
        self.rounds = rounds
        self.log = log
        self.guard = guard
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for _ in range(self.rounds):
                self.increment()
        except BaseException as exc:  # reported by main()
            self.error = exc

    def increment(self) -> None:
        """One read-modify-write of the counter while holding the lock."""
        lock = self.client.lock("counter", ttl=5)
        with lock:  # raises LockNotAcquiredError if not acquired within 10 s
            token = lock.revision
            assert token is not None  # set while the lock is held
            if not self.guard.acquire(blocking=False):
                raise RuntimeError(f"{self.name} entered while another worker was inside")
            try:
                value, _ = self.client.get(COUNTER)
                before = int(value or b"0")
                self.client.put(COUNTER, str(before + 1))
                self.log.append((token, self.name, before, before + 1))
            finally:
                self.guard.release()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the workers, then print every increment in lock order and the final count."""
    parser = argparse.ArgumentParser(description=__doc__)
    endpoint_argument(parser)
    parser.add_argument("--workers", type=int, default=4, help="concurrent workers (4)")
    parser.add_argument("--rounds", type=int, default=5, help="increments per worker (5)")
    args = parser.parse_args(argv)
    with connect(args.endpoint) as (client, _):
        client.put(COUNTER, "0")
        log: list[tuple[int, str, int, int]] = []
        guard = threading.Lock()
        workers = [
            Worker(client, f"worker-{i}", args.rounds, log, guard)
            for i in range(1, args.workers + 1)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        failed = [w for w in workers if w.error is not None]
        if failed:
            raise SystemExit(f"{failed[0].name} failed: {failed[0].error!r}")

        for token, name, before, after in log:
            print(f"{name} held the lock (fencing token {token}): counter {before} -> {after}")
        value, _ = client.get(COUNTER)
        final = int(value or b"0")
        expected = args.workers * args.rounds
        tokens = [token for token, *_ in log]
        print(f"final counter: {final} ({args.workers} workers x {args.rounds} increments)")
        print(f"lost increments: {expected - final}")
        print(f"fencing tokens strictly increase: {tokens == sorted(set(tokens))}")


if __name__ == "__main__":
    main()
