"""python-etcd3 0.12 and etcd3-client 0.104: the sync clients our API is compatible with.

Both install the package ``etcd3``; in their venvs that name is theirs, so it is imported
by name at run time (a static import would resolve to our own package).
"""

from __future__ import annotations

import asyncio
import importlib
from importlib import metadata
from typing import Any

from bench.harness import Setup
from bench.subjects.dropin import DropInSync


class _Compat(DropInSync[Any]):
    distribution = ""

    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop) -> None:
        module = importlib.import_module("etcd3")
        super().__init__(setup, loop, module.client(setup.host, setup.port))

    def version(self) -> str:
        return f"{self.distribution} {metadata.version(self.distribution)}"


class PythonEtcd3(_Compat):
    distribution = "etcd3"


class Etcd3Client(_Compat):
    distribution = "etcd3-client"
