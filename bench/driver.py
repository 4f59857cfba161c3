"""Runs scenarios on worker processes in interleaved rounds and collects every observation.

Round ``r`` runs each scenario on every subject, the subjects' order rotated by ``r``, so no
subject always goes first (or always runs right after the busiest one). Ratios are taken
within a round and their median over rounds is reported (``bench.report``).
"""

from __future__ import annotations

import dataclasses
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import Params, Setup

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "bench" / "worker.py"


class WorkerError(RuntimeError):
    """A worker died, timed out, or answered out of protocol."""


@dataclass(frozen=True)
class Observation:
    """One subject's answer for one scenario in one round."""

    metrics: dict[str, float] | None = None
    unsupported: str | None = None
    error: str | None = None


@dataclass
class Observations:
    """Everything measured in one run: ``by_scenario[scenario][subject]`` is one per round."""

    versions: dict[str, str] = field(default_factory=dict)
    by_scenario: dict[str, dict[str, list[Observation]]] = field(default_factory=dict)

    def add(self, scenario: str, subject: str, observation: Observation) -> None:
        self.by_scenario.setdefault(scenario, {}).setdefault(subject, []).append(observation)


class Worker:
    """A worker process (``bench/worker.py``) serving one subject from one interpreter."""

    def __init__(self, name: str, python: str, setup: Setup, *, timeout: float = 600) -> None:
        self.name = name
        self._timeout = timeout
        self._proc = subprocess.Popen(
            [python, "-P", str(WORKER), name, json.dumps(dataclasses.asdict(setup))],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True, name=f"worker-{name}").start()
        hello = self._receive()
        if "version" not in hello:
            self.stop()
            raise WorkerError(f"worker {name} did not start:\n{hello.get('error', hello)}")
        self.version = str(hello["version"])

    def _pump(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put("")

    def _receive(self) -> dict[str, object]:
        try:
            line = self._lines.get(timeout=self._timeout)
        except queue.Empty:
            self.stop()
            raise WorkerError(f"worker {self.name}: no answer in {self._timeout} s") from None
        if not line:
            raise WorkerError(f"worker {self.name} exited with {self._proc.wait()}")
        answer: dict[str, object] = json.loads(line)
        return answer

    def run(self, scenario: str, params: Params, run_id: str) -> Observation:
        request = {
            "op": "run",
            "scenario": scenario,
            "params": dataclasses.asdict(params),
            "run_id": run_id,
        }
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        answer = self._receive()
        if "metrics" in answer:
            metrics = answer["metrics"]
            assert isinstance(metrics, dict)
            return Observation(metrics={str(k): float(v) for k, v in metrics.items()})
        if "unsupported" in answer:
            return Observation(unsupported=str(answer["unsupported"]))
        return Observation(error=str(answer.get("error", answer)))

    def stop(self) -> None:
        if self._proc.poll() is None and self._proc.stdin is not None:
            try:
                self._proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self._proc.stdin.flush()
                self._proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()


def run_rounds(
    workers: Sequence[Worker],
    scenarios: Sequence[str],
    params: Params,
    rounds: int,
    *,
    warmup: Params | None = None,
    between_rounds: Callable[[], None] = lambda: None,
    log: bool = True,
) -> Observations:
    """Run ``scenarios`` on every worker: an unrecorded warm-up, then ``rounds`` rounds."""
    observed = Observations(versions={w.name: w.version for w in workers})
    stamp = f"{int(time.time())}"
    if warmup is not None:
        for scenario in scenarios:
            for worker in workers:
                worker.run(scenario, warmup, f"{stamp}-warm-{worker.name}")
    broken: set[tuple[str, str]] = set()
    for r in range(rounds):
        between_rounds()
        order = list(workers[r % len(workers) :]) + list(workers[: r % len(workers)])
        for scenario in scenarios:
            for worker in order:
                if (scenario, worker.name) in broken:
                    continue
                t0 = time.perf_counter()
                obs = worker.run(scenario, params, f"{stamp}-{r}-{worker.name}")
                observed.add(scenario, worker.name, obs)
                if obs.unsupported is not None or obs.error is not None:
                    broken.add((scenario, worker.name))  # ask once: the answer will not change
                if log:
                    state = "ok" if obs.metrics else "unsupported" if obs.unsupported else "ERROR"
                    print(
                        f"  round {r + 1}/{rounds} {scenario:<13} {worker.name:<15} {state} "
                        f"({time.perf_counter() - t0:.1f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
                    if obs.error:
                        print(obs.error, file=sys.stderr)
    return observed
