"""python-etcd3 0.12 and etcd3-client 0.104: the sync clients our API is compatible with.

Both install the package ``etcd3``; in their venvs that name is theirs, so it is imported
by name at run time (a static import would resolve to our own package).
"""

from __future__ import annotations

import asyncio
import importlib
from importlib import metadata

from bench.harness import VALUE, Setup, Subject, WatchRun


class _Compat(Subject):
    distribution = ""

    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(setup, loop)
        self._module = importlib.import_module("etcd3")
        self._client = self._module.client(setup.host, setup.port)

    def version(self) -> str:
        return f"{self.distribution} {metadata.version(self.distribution)}"

    def close(self) -> None:
        self._client.close()

    def put(self, key: bytes) -> None:
        self._client.put(key, VALUE)

    def get(self, key: bytes) -> None:
        self._client.get(key)

    def range_values(self, prefix: bytes) -> int:
        count = size = 0
        for value, _meta in self._client.get_prefix(prefix):
            size += len(value)
            count += 1
        return count

    def watch_prefix(self, prefix: bytes, run: WatchRun) -> None:
        events, cancel = self._client.watch_prefix(prefix)
        run.go()
        try:
            for event in events:
                if run.add(event.value):
                    return
        finally:
            cancel()


class PythonEtcd3(_Compat):
    distribution = "etcd3"


class Etcd3Client(_Compat):
    distribution = "etcd3-client"
