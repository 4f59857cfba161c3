"""Obtain etcd's API protos (and its error declarations) from their pinned package; compile.

Stage 0 of the pipeline, run by ``make protos`` / ``make regen``:

1. ``fetch``: download the Debian package named in ``protos/pin.json`` with a private apt state
   (``etcd3.testing._debian``, which also fetches test servers), verify the sha256 of the
   ``.deb`` and of every pinned file (the protos and ``ERRORS_GO``), extract them into
   ``protos/.cache/``.
2. ``strip``: drop the Go/grpc-gateway-only imports and options (``gogoproto``,
   ``google.api.http``, openapiv2). Messages, fields, enums and RPCs are untouched.
3. ``compile``: build a ``FileDescriptorSet`` with source info (the comments) for the generator.

Run ``python -m codegen.protos --help`` for the command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN_FILE = ROOT / "protos" / "pin.json"
CACHE_DIR = ROOT / "protos" / ".cache"

#: Imports that only serve Go code generation or the HTTP gateway.
_DROPPED_IMPORTS = ("gogoproto/", "google/api/", "protoc-gen-openapiv2/")
#: Option names (inside parentheses) that are dropped wherever they appear.
_DROPPED_OPTION = re.compile(r"\(\s*(gogoproto|google\.api|grpc\.gateway\.protoc_gen_openapiv2)\b")
#: The proto import prefix etcd uses for its own files (``import "etcd/api/mvccpb/kv.proto"``).
IMPORT_PREFIX = "etcd"
#: The Go file declaring the errors etcd's server sends (read by ``codegen.go_errors``).
ERRORS_GO = "api/v3rpc/rpctypes/error.go"


class ProtoError(RuntimeError):
    """The protos could not be obtained, verified or compiled."""


@dataclass(frozen=True)
class Pin:
    """The contents of ``protos/pin.json``."""

    etcd_version: str
    package: str
    suite: str
    version: str
    deb_sha256: str
    source_root: str
    files: dict[str, str]

    @classmethod
    def load(cls, path: Path = PIN_FILE) -> Pin:
        data = json.loads(path.read_text())
        data.pop("comment", None)
        return cls(**data)

    @property
    def protos(self) -> list[str]:
        """The pinned ``.proto`` files, in the pin's order."""
        return [rel for rel in self.files if rel.endswith(".proto")]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(pin: Pin, cache_dir: Path = CACHE_DIR) -> Path:
    """Make ``cache_dir`` hold the pinned, verified proto files; return the source root."""
    root = cache_dir / pin.version
    if all(_ok(root / rel, digest) for rel, digest in pin.files.items()):
        return root
    # Imported here, not at the top: only a download needs it, and it imports the etcd3 package,
    # which a run from a given proto tree (or a verified cache) must not depend on.
    from etcd3.testing._debian import DebianDownloadError, DebianPackage, download, extract

    with tempfile.TemporaryDirectory(prefix="etcd3-protos-") as tmp:
        workdir = Path(tmp)
        extracted = workdir / "x"
        try:
            (deb,) = download(
                pin.suite, [DebianPackage(pin.package, pin.version, pin.deb_sha256)], workdir
            )
            extract(deb, extracted)
        except DebianDownloadError as exc:
            raise ProtoError(
                f"{exc}\nIf the suite moved on, bump protos/pin.json; without apt-get, run "
                "`make regen ETCD_PROTO_DIR=<etcd checkout>`."
            ) from exc
        src = extracted / pin.source_root
        if root.exists():
            shutil.rmtree(root)
        for rel, digest in pin.files.items():
            got = _sha256(src / rel)
            if got != digest:
                raise ProtoError(f"{rel}: sha256 {got} does not match the pin {digest}")
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, root / rel)
    return root


def _ok(path: Path, digest: str) -> bool:
    return path.is_file() and _sha256(path) == digest


def _drop_balanced_option(text: str, start: int) -> int:
    """Return the index just past the option statement starting at ``start`` (braces balanced)."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = text.index('"', i + 1)
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ";" and depth == 0:
            return i + 1
        i += 1
    raise ProtoError(f"unterminated option statement at offset {start}")


def _strip_field_options(match: re.Match[str]) -> str:
    items = [item.strip() for item in match.group(1).split(",")]
    kept = [item for item in items if not _DROPPED_OPTION.match(item)]
    return f" [{', '.join(kept)}]" if kept else ""


def strip(text: str) -> str:
    """Remove Go/gateway-only imports and options from one proto file's text."""
    lines = [
        line
        for line in text.splitlines(keepends=True)
        if not (line.lstrip().startswith("import ") and any(d in line for d in _DROPPED_IMPORTS))
    ]
    text = "".join(lines)
    out: list[str] = []
    pos = 0
    for match in re.finditer(r"^[ \t]*option\s*\(", text, flags=re.MULTILINE):
        if match.start() < pos:
            continue
        name_start = match.end() - 1
        if not _DROPPED_OPTION.match(text, name_start):
            continue
        end = _drop_balanced_option(text, match.start())
        out.append(text[pos : match.start()])
        # Also swallow the rest of the line (the newline) so no blank indented line is left.
        newline = text.find("\n", end)
        pos = end if newline == -1 or text[end:newline].strip() else newline + 1
    out.append(text[pos:])
    text = "".join(out)
    return re.sub(r"\s*\[([^\[\]]*\(\s*(?:gogoproto)[^\[\]]*)\]", _strip_field_options, text)


def compile_descriptor_set(source_root: Path, files: list[str], out: Path) -> None:
    """Strip ``files`` (relative to ``source_root``) and compile them into ``out``."""
    import grpc_tools
    from grpc_tools import protoc

    bundled = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory(prefix="etcd3-protos-") as tmp:
        tree = Path(tmp)
        for rel in files:
            dest = tree / IMPORT_PREFIX / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(strip((source_root / rel).read_text()))
        args = [
            "protoc",
            f"-I{tree}",
            f"-I{bundled}",
            "--include_imports",
            "--include_source_info",
            f"--descriptor_set_out={out}",
            *(f"{IMPORT_PREFIX}/{rel}" for rel in files),
        ]
        if protoc.main(args) != 0:
            raise ProtoError(f"protoc failed on {files}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.protos", description=__doc__)
    parser.add_argument("--proto-dir", type=Path, help="an etcd source tree instead of the pin")
    parser.add_argument("--out", type=Path, help="write the FileDescriptorSet here")
    parser.add_argument("--errors-out", type=Path, help=f"copy {ERRORS_GO} here")
    parser.add_argument("--print-pin", action="store_true", help="print fetched sha256s")
    args = parser.parse_args(argv)
    pin = Pin.load()
    try:
        root = args.proto_dir or fetch(pin)
        if args.print_pin:
            print(json.dumps({rel: _sha256(root / rel) for rel in pin.files}, indent=2))
        if args.out:
            compile_descriptor_set(root, pin.protos, args.out)
        if args.errors_out:
            args.errors_out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / ERRORS_GO, args.errors_out)
    except ProtoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
