"""Command-line options shared by ``python -m bench`` and ``python -m bench.peers``."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.harness import SCENARIOS, Params

QUICK = Params(
    ops=300,
    aio_ops=600,
    range_keys=2000,
    paged_keys=8000,
    watch_events=500,
    fan_out_watches=100,
    fan_out_events=1000,
)
"""``--quick``: sizes for development; the figures are not for comparison."""

WARMUP = Params(ops=100, aio_ops=200, watch_events=100, fan_out_watches=50, fan_out_events=200)
"""One unrecorded pass before the rounds (connections, caches, lazy imports)."""


def make_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer rounds")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5; quick 3)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS),
        help="run only these table scenarios (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="where to write the results (JSON)")
    parser.add_argument("--markdown", type=Path, help="where to write the report (Markdown)")
    return parser


def sizes(args: argparse.Namespace) -> tuple[Params, int]:
    """The run's sizes and number of rounds."""
    params = QUICK if args.quick else Params()
    return params, args.rounds or (3 if args.quick else 5)
