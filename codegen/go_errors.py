"""Read the errors etcd's server declares in Go (``api/v3rpc/rpctypes/error.go``).

etcd declares each error its server sends as a package variable in a ``var ( ... )`` block::

    ErrGRPCNoLeader = status.Error(codes.Unavailable, "etcdserver: no leader")
    ErrGRPCNoSpace  = status.New(codes.ResourceExhausted, "etcdserver: ...").Err()  // 3.5
    ErrGRPCClusterIdMismatch = ErrGRPCClusterIDMismatch  // an alias: the same error

and maps their messages back to them (``errStringToError``). ``parse`` reads exactly those
forms from the comment-free text of the file and refuses anything else that builds a status
(``status.``/``codes.`` in a declaration it does not understand), so a change of etcd's source
format fails the generator instead of dropping an error.
"""

from __future__ import annotations

import re
from collections import Counter

from codegen.model import ErrorTable, ServerError

#: grpc-go's code names → ``grpc.StatusCode`` member names.
GO_CODES = {
    "OK": "OK",
    "Canceled": "CANCELLED",
    "Unknown": "UNKNOWN",
    "InvalidArgument": "INVALID_ARGUMENT",
    "DeadlineExceeded": "DEADLINE_EXCEEDED",
    "NotFound": "NOT_FOUND",
    "AlreadyExists": "ALREADY_EXISTS",
    "PermissionDenied": "PERMISSION_DENIED",
    "ResourceExhausted": "RESOURCE_EXHAUSTED",
    "FailedPrecondition": "FAILED_PRECONDITION",
    "Aborted": "ABORTED",
    "OutOfRange": "OUT_OF_RANGE",
    "Unimplemented": "UNIMPLEMENTED",
    "Internal": "INTERNAL",
    "Unavailable": "UNAVAILABLE",
    "DataLoss": "DATA_LOSS",
    "Unauthenticated": "UNAUTHENTICATED",
}

_STRING = r'"(?:[^"\\\n]|\\.)*"|`[^`]*`'
_STATUS = re.compile(
    rf"status\.(?:Error\(\s*codes\.(?P<code>\w+)\s*,\s*(?P<message>{_STRING})\s*,?\s*\)"
    rf"|New\(\s*codes\.(?P<new_code>\w+)\s*,\s*(?P<new_message>{_STRING})\s*,?\s*\)"
    r"\s*\.\s*Err\(\s*\))",
    re.DOTALL,
)
_STATUS_CALL = re.compile(r"\bstatus\s*\.\s*(?:Error|New|Errorf|Newf)\s*\(")
_DECLARATION = re.compile(
    r"(?P<name>[A-Za-z_]\w*)(?:\s+[\w.\[\]*]+)?\s*=\s*(?P<value>.*)", re.DOTALL
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_MAP_ENTRY = re.compile(r"ErrorDesc\(\s*(?P<key>\w+)\s*\)\s*:\s*(?P<value>\w+)")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
}


class GoParseError(ValueError):
    """The Go source is not in a form ``parse`` understands (the message says where)."""


def parse(source: str, *, name: str) -> ErrorTable:
    """The errors ``source`` (the text of the Go file ``name``) declares, in order.

    Raises:
        GoParseError: A declaration builds a status in a form not understood, uses an unknown
            gRPC code, an error is declared twice, the message map names an undeclared error,
            or the file declares no error at all.
    """
    code = strip_comments(source)
    errors: list[ServerError] = []
    aliases: dict[str, str] = {}
    mapped: list[str] = []
    for statement in _var_statements(code):
        if "=" not in statement:
            continue  # a declaration without a value (``var desc string``)
        match = _DECLARATION.fullmatch(statement)
        if match is None:
            raise GoParseError(f"{name}: cannot read the declaration {statement!r}")
        var, value = match["name"], match["value"].strip()
        status = _STATUS.fullmatch(value)
        if status is not None:
            go_code = status["code"] or status["new_code"]
            message = status["message"] or status["new_message"]
            if go_code not in GO_CODES:
                raise GoParseError(f"{name}: {var} uses an unknown gRPC code codes.{go_code}")
            errors.append(ServerError(var, GO_CODES[go_code], go_string(message)))
        elif _IDENTIFIER.fullmatch(value):
            aliases[var] = value
        elif "status." in value or "codes." in value:
            raise GoParseError(f"{name}: {var} builds a status in a form not understood: {value}")
        elif value.startswith("map["):
            mapped += [m["key"] for m in _MAP_ENTRY.finditer(value)]
            mapped += [m["value"] for m in _MAP_ENTRY.finditer(value)]
    _check(name, errors, aliases, mapped)
    built = len(_STATUS_CALL.findall(code))
    if built != len(errors):
        raise GoParseError(
            f"{name}: {built} status constructions, but {len(errors)} error declarations read"
        )
    return ErrorTable(source=name, errors=tuple(errors))


def _check(
    name: str, errors: list[ServerError], aliases: dict[str, str], mapped: list[str]
) -> None:
    if not errors:
        raise GoParseError(f"{name}: no error declarations found")
    names = Counter(e.go_name for e in errors)
    keys = Counter((e.code, e.message) for e in errors)
    twice = sorted(n for n, c in names.items() if c > 1)
    twice += sorted(f"{code} {message!r}" for (code, message), c in keys.items() if c > 1)
    if twice:
        raise GoParseError(f"{name}: declared more than once: {', '.join(twice)}")
    declared = set(names) | {a for a, target in aliases.items() if target in names}
    unknown = sorted({m for m in mapped if m not in declared})
    if unknown:
        raise GoParseError(f"{name}: the message map names undeclared errors {unknown}")


def go_string(literal: str) -> str:
    """The value of a Go string literal (interpreted ``"..."`` or raw ```...```)."""
    if literal.startswith("`"):
        return literal[1:-1].replace("\r", "")
    return _ESCAPE.sub(_unescape, literal[1:-1])


def _unescape(match: re.Match[str]) -> str:
    esc = match[1]
    if esc[0] in "xuU":
        return chr(int(esc[1:], 16))
    if esc[0] in "01234567":
        return chr(int(esc, 8))
    if esc in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[esc]
    raise GoParseError(f"unknown escape \\{esc} in a Go string")


def strip_comments(source: str) -> str:
    """``source`` with every comment blanked out (newlines kept), strings untouched."""
    out: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = len(source) if end == -1 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end == -1:
                raise GoParseError("unterminated /* comment")
            out.append("\n" * source.count("\n", i, end) or " ")
            i = end + 2
        elif ch in "\"`'":
            end = _string_end(source, i)
            out.append(source[i:end])
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _string_end(source: str, start: int) -> int:
    """The index just past the string or rune literal starting at ``start``."""
    quote = source[start]
    i = start + 1
    while i < len(source):
        ch = source[i]
        if ch == "\\" and quote != "`":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if ch == "\n" and quote != "`":
            break
        i += 1
    raise GoParseError(f"unterminated string literal at offset {start}")


def _var_statements(code: str) -> list[str]:
    """The statements of every ``var`` declaration (block or single) of comment-free ``code``."""
    statements: list[str] = []
    for var in re.finditer(r"\bvar\b\s*(\()?", code):
        in_block = var[1] is not None
        depth = 0
        current: list[str] = []
        i = var.end()
        while i < len(code):
            ch = code[i]
            if ch in "\"`'":
                end = _string_end(code, i)
                current.append(code[i:end])
                i = end
                continue
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    break
                depth -= 1
            if depth == 0 and ch in "\n;":
                statements.append("".join(current))
                current = []
                if not in_block:
                    break
            else:
                current.append(ch)
            i += 1
        else:
            if in_block:
                raise GoParseError("unterminated var block")
        statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]
