"""A worker process: one subject, driven by the benchmark driver over stdin/stdout (stdlib only).

Every subject (raw grpc, our client, each peer) runs in a process of its own, so its CPU and
memory are measured alone and a peer can live in its own venv: the peers all install a
package named ``etcd3``. Run as a script with ``python -P``, which keeps the project root off
the front of ``sys.path``; the root goes to the end, so a venv's own ``etcd3`` wins there.

Protocol: one JSON object per line. The worker answers its start with
``{"version": ...}``; then each ``{"op": "run", "scenario": ..., "params": {...}, "run_id": ...}``
gets ``{"metrics": {...}}``, ``{"unsupported": reason}`` or ``{"error": text}``; ``{"op":
"quit"}`` ends it. The library's own prints go to stderr, never into the protocol.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TextIO


def _serve(subject_name: str, setup_json: str, protocol: TextIO) -> None:
    from bench import harness
    from bench.subjects import SUBJECTS

    def send(message: dict[str, object]) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    module_name, class_name = SUBJECTS[subject_name].split(":")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    setup = harness.Setup(**json.loads(setup_json))
    try:
        subject_class = getattr(importlib.import_module(module_name), class_name)
        subject: harness.Subject = subject_class(setup, loop)
    except Exception:
        send({"error": traceback.format_exc()})
        return
    send({"version": subject.version()})
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        scenario = harness.SCENARIOS[request["scenario"]]
        params = harness.Params(**request["params"])
        try:
            send({"metrics": scenario(subject, params, request["run_id"])})
        except harness.Unsupported as exc:
            send({"unsupported": str(exc)})
        except Exception:
            send({"error": traceback.format_exc()})
    subject.close()
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def main() -> None:
    subject_name, setup_json = sys.argv[1], sys.argv[2]
    sys.path.append(str(Path(__file__).resolve().parent.parent))
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _serve(subject_name, setup_json, protocol)


if __name__ == "__main__":
    main()
