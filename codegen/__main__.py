"""Generate ``generated/etcd3`` (``etcd3.rpc``) from a FileDescriptorSet.

Usage::

    python -m codegen.protos --out /tmp/etcd.fds --errors-out /tmp/error.go
    python -m codegen --descriptor-set /tmp/etcd.fds --errors /tmp/error.go \
        [--etcd-version 3.5.16] [--check]

``--errors`` is etcd's ``api/v3rpc/rpctypes/error.go``; without it no error table
(``server_errors.py``) is generated.

``--check`` writes nothing: it renders into memory, compares with the output directory, prints
every changed, missing or orphan file and exits with status 1 if there is any.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from codegen import build, emit, go_errors, load, protos, versions
from codegen.model import ErrorTable, SchemaError

DEFAULT_OUT = emit.ROOT / "generated" / "etcd3"
PIN_FILE = emit.ROOT / "protos" / "pin.json"


def _pinned_version() -> str:
    version = json.loads(PIN_FILE.read_text())["etcd_version"]
    if not isinstance(version, str):
        raise SystemExit(f"{PIN_FILE}: etcd_version must be a string")
    return version


def _error_table(path: Path) -> ErrorTable:
    name = f"{protos.IMPORT_PREFIX}/{protos.ERRORS_GO}"
    return go_errors.parse(path.read_text(encoding="utf-8"), name=name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codegen", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--descriptor-set", type=Path, required=True, help="FileDescriptorSet")
    parser.add_argument("--errors", type=Path, help="etcd's api/v3rpc/rpctypes/error.go")
    parser.add_argument("--etcd-version", help="etcd version for headers (default: the pin)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    files = load.load(args.descriptor_set.read_bytes())
    try:
        errors = _error_table(args.errors) if args.errors else None
        s = build.build(files, args.etcd_version or _pinned_version(), errors)
    except (SchemaError, versions.AnnotationError, go_errors.GoParseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    output = emit.generate(s)
    if args.check:
        problems = emit.check(args.out, output)
        for problem in problems:
            print(problem)
        if problems:
            print(f"{len(problems)} difference(s): run `make regen`", file=sys.stderr)
            return 1
        print(f"{args.out}: {len(output)} files up to date")
        return 0
    removed = emit.write(args.out, output)
    for name in removed:
        print(f"removed orphan {name}")
    elapsed = time.perf_counter() - started
    print(f"wrote {len(output)} files to {args.out} in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
