"""The sync API our client shares with the clients it replaces (python-etcd3, etcd3-client).

The same calls measure all three, so a difference between them is the library's alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Generic, Protocol, TypeVar

from bench.harness import VALUE, Setup, Subject, WatchRun


class _Event(Protocol):
    @property
    def value(self) -> bytes: ...


class SyncClient(Protocol):
    """What the scenarios call: ``etcd3.client()``'s methods since python-etcd3."""

    def put(self, key: bytes, value: bytes, /) -> object: ...

    def get(self, key: bytes, /) -> object: ...

    def get_prefix(self, key_prefix: bytes, /) -> Iterable[tuple[bytes, object]]: ...

    def watch_prefix(self, key_prefix: bytes, /) -> tuple[Iterable[_Event], Callable[[], None]]: ...

    def close(self) -> None: ...


C = TypeVar("C", bound=SyncClient)


class DropInSync(Subject, Generic[C]):
    """A subject whose sync scenarios use the drop-in API of ``client``."""

    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop, client: C) -> None:
        super().__init__(setup, loop)
        self.client = client

    def close(self) -> None:
        self.client.close()

    def put(self, key: bytes) -> None:
        self.client.put(key, VALUE)

    def get(self, key: bytes) -> object:
        return self.client.get(key)

    def range_values(self, prefix: bytes) -> int:
        return self.range_dropin_values(prefix)

    def range_dropin_values(self, prefix: bytes) -> int:
        count = size = 0
        for value, _meta in self.client.get_prefix(prefix):
            size += len(value)
            count += 1
        return count

    def watch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        events, cancel = self.client.watch_prefix(prefix)
        run.go()
        try:
            for event in events:
                if run.add(event.value):
                    return
        finally:
            cancel()
