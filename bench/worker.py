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

import argparse
import asyncio
import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bench.harness import Subject


def _open(subject_name: str, setup_json: str) -> Subject:
    """Import the subject's module (only now: a venv has only its own) and create it."""
    from bench.harness import Setup
    from bench.subjects import SUBJECTS

    module_name, class_name = SUBJECTS[subject_name].split(":")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    subject_class = getattr(importlib.import_module(module_name), class_name)
    subject: Subject = subject_class(Setup(**json.loads(setup_json)), loop)
    return subject


def _close(subject: Subject) -> None:
    subject.close()
    subject.loop.run_until_complete(subject.loop.shutdown_asyncgens())
    subject.loop.close()


def _serve(subject_name: str, setup_json: str, protocol: TextIO) -> None:
    from bench.harness import SCENARIOS, Params, Unsupported

    def send(message: dict[str, object]) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    try:
        subject = _open(subject_name, setup_json)
    except Exception:
        send({"error": traceback.format_exc()})
        return
    send({"version": subject.version()})
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        scenario = SCENARIOS[request["scenario"]]
        params = Params(**request["params"])
        try:
            send({"metrics": scenario(subject, params, request["run_id"])})
        except Unsupported as exc:
            send({"unsupported": str(exc)})
        except Exception:
            send({"error": traceback.format_exc()})
    _close(subject)


def _once(subject_name: str, setup_json: str, scenario_name: str, params: str, repeat: int) -> None:
    """Run one scenario ``repeat`` times after one warm-up pass, print the last metrics."""
    from bench.harness import SCENARIOS, Params

    subject = _open(subject_name, setup_json)
    scenario = SCENARIOS[scenario_name]
    run_params = Params(**json.loads(params))
    metrics = scenario(subject, run_params, "once-warm")
    for i in range(repeat):
        metrics = scenario(subject, run_params, f"once-{i}")
    _close(subject)
    print(json.dumps(metrics))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("subject")
    parser.add_argument("setup", help="the Setup as JSON")
    parser.add_argument("--once", metavar="SCENARIO", help="run one scenario, print, exit")
    parser.add_argument("--params", default="{}", help="Params as JSON (with --once)")
    parser.add_argument("--repeat", type=int, default=1, help="measured runs (with --once)")
    args = parser.parse_args()
    sys.path.append(str(Path(__file__).resolve().parent.parent))
    if args.once:
        _once(args.subject, args.setup, args.once, args.params, args.repeat)
        return
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _serve(args.subject, args.setup, protocol)


if __name__ == "__main__":
    main()
