"""Config watcher with resume: follow a prefix of settings, never miss or repeat a change.

The pattern for any consumer that must see every change of a prefix:

1. read the current settings and the revision they were read at;
2. watch the prefix from that revision + 1 (nothing between the read and the watch is lost);
3. if the history needed to continue was compacted (``RevisionCompactedError``), start over at 1.

Connection loss and server restarts need no code: the client re-creates the watch from the last
delivered revision + 1. The standalone run restarts its embedded etcd to show it.

Run: ``python examples/config_watcher.py [host:port]`` (no argument: embedded etcd).
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Sequence

from _embedded import connect, endpoint_argument

import etcd3

PREFIX = b"/config/app/"
STOP = PREFIX + b"_stop"  # writing this key ends the demo's watcher


class ConfigWatcher:
    """Keeps ``settings`` equal to the keys under ``prefix``, calling ``on_change`` per change.

    Args:
        client: The client to read and watch with.
        prefix: The key prefix of the settings.
        on_change: Called with ``(name, value)`` for each change (``value`` ``None``: deleted).
    """

    def __init__(
        self,
        client: etcd3.Etcd3Client,
        prefix: bytes,
        on_change: Callable[[str, str | None], None],
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.on_change = on_change
        self.settings: dict[str, str] = {}
        self.ready = threading.Event()

    def _name(self, key: bytes) -> str:
        return key[len(self.prefix) :].decode()

    def run(self) -> None:
        """Follow the prefix until the stop key is written."""
        while True:
            snapshot = self.client.get_prefix_response(self.prefix)
            self.settings = {self._name(kv.key): kv.value.decode() for kv in snapshot.kvs}
            events, cancel = self.client.watch_prefix(
                self.prefix, start_revision=snapshot.header.revision + 1
            )
            self.ready.set()
            try:
                for event in events:
                    if event.key == STOP:
                        cancel()
                        return
                    self._apply(event)
            except etcd3.RevisionCompactedError as err:
                print(f"history compacted ({err}); reading the settings again")

    def _apply(self, event: etcd3.Event) -> None:
        name = self._name(event.key)
        if isinstance(event, etcd3.DeleteEvent):
            self.settings.pop(name, None)
            self.on_change(name, None)
        else:
            self.settings[name] = event.value.decode()
            self.on_change(name, self.settings[name])


def main(argv: Sequence[str] | None = None) -> None:
    """Change settings while a watcher follows them, across a restart of the embedded etcd."""
    parser = argparse.ArgumentParser(description=__doc__)
    endpoint_argument(parser)
    args = parser.parse_args(argv)
    with connect(args.endpoint) as (client, server):
        client.delete_prefix(PREFIX)
        client.put(PREFIX + b"mode", "blue")
        changes: list[tuple[str, str | None]] = []

        def on_change(name: str, value: str | None) -> None:
            changes.append((name, value))
            print(f"  change: {name} = {value}")

        watcher = ConfigWatcher(client, PREFIX, on_change)
        thread = threading.Thread(target=watcher.run)
        thread.start()
        watcher.ready.wait(10)
        print(f"initial settings: {watcher.settings}")

        client.put(PREFIX + b"mode", "green")
        client.put(PREFIX + b"replicas", "3")
        if server is not None:
            server.kill()
            server.restart()
            print("etcd was killed and restarted (same data)")
        client.put(PREFIX + b"replicas", "5")
        client.delete(PREFIX + b"mode")
        client.put(STOP, "1")
        thread.join(30)
        print(f"final settings: {watcher.settings}")
        print(f"{len(changes)} changes, each seen once, in order")


if __name__ == "__main__":
    main()
