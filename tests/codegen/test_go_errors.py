"""The reader of etcd's Go error declarations (``codegen.go_errors``)."""

from __future__ import annotations

import pytest
from gen_support import etcd_error_table

from codegen import go_errors
from codegen.model import ServerError

# Every form etcd has used, plus the traps a reader must not fall into.
FRAGMENT = r"""
// Copyright "quoted" text with status.Error(codes.Internal, "not a declaration")
package rpctypes

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

/* A block comment: ErrGRPCFake = status.Error(codes.Internal, "fake") */

// server-side error
var (
	ErrGRPCEmptyKey   = status.Error(codes.InvalidArgument, "etcdserver: key is not provided")
	ErrGRPCOld        = status.New(codes.Unavailable, "etcdserver: old // style").Err()
	ErrGRPCSplit      = status.Error(
		codes.FailedPrecondition,
		"etcdserver: split over lines",
	)
	ErrGRPCEscapes    = status.Error(codes.Canceled, "say \"hi\"\t\\ \x41\u00e9") // trailing
	ErrGRPCRaw        = status.Error(codes.DataLoss, `raw \n string`)
	//revive:disable:var-naming
	// Deprecated: an alias is the same error, not a new one.
	ErrGRPCEmpty = ErrGRPCEmptyKey

	errStringToError = map[string]error{
		ErrorDesc(ErrGRPCEmptyKey): ErrGRPCEmptyKey,
		ErrorDesc(ErrGRPCOld):      ErrGRPCOld,
	}
)

var ErrGRPCSingle = status.Error(codes.OutOfRange, "etcdserver: single")

// client-side error
var (
	ErrEmptyKey = Error(ErrGRPCEmptyKey)
)

func ErrorDesc(err error) string {
	var desc string
	if s, ok := status.FromError(err); ok {
		desc = s.Message()
	}
	return desc
}
"""


def test_reads_every_declaration_form() -> None:
    table = go_errors.parse(FRAGMENT, name="error.go")
    assert table.source == "error.go"
    assert table.errors == (
        ServerError("ErrGRPCEmptyKey", "INVALID_ARGUMENT", "etcdserver: key is not provided"),
        ServerError("ErrGRPCOld", "UNAVAILABLE", "etcdserver: old // style"),
        ServerError("ErrGRPCSplit", "FAILED_PRECONDITION", "etcdserver: split over lines"),
        ServerError("ErrGRPCEscapes", "CANCELLED", 'say "hi"\t\\ A\u00e9'),
        ServerError("ErrGRPCRaw", "DATA_LOSS", "raw \\n string"),
        ServerError("ErrGRPCSingle", "OUT_OF_RANGE", "etcdserver: single"),
    )


def test_every_grpc_go_code_has_a_python_name() -> None:
    import grpc

    assert set(go_errors.GO_CODES.values()) == {c.name for c in grpc.StatusCode}


_X = 'ErrGRPCX = status.Error(codes.Internal, "x")'


@pytest.mark.parametrize(
    ("declaration", "problem"),
    [
        ('ErrGRPCX = status.Errorf(codes.Internal, "x %d", 1)', "form not understood"),
        ('ErrGRPCX = status.Error(codes.Bogus, "x")', "unknown gRPC code codes.Bogus"),
        (f'{_X}\nErrGRPCY = status.Error(codes.Internal, "x")', "more than once: INTERNAL 'x'"),
        (f'{_X}\nErrGRPCX = status.Error(codes.Internal, "y")', "more than once: ErrGRPCX"),
        (
            f"{_X}\nm = map[string]error{{ErrorDesc(ErrGRPCZ): ErrGRPCZ}}",
            r"names undeclared errors \['ErrGRPCZ'\]",
        ),
        ("ErrEmptyKey = Error(ErrGRPCEmptyKey)", "no error declarations found"),
    ],
)
def test_refuses_what_it_cannot_read(declaration: str, problem: str) -> None:
    with pytest.raises(go_errors.GoParseError, match=problem):
        go_errors.parse(f"package rpctypes\nvar (\n{declaration}\n)\n", name="error.go")


def test_refuses_a_status_built_outside_a_declaration() -> None:
    source = (
        'package rpctypes\nvar (\nErrGRPCX = status.Error(codes.Internal, "x")\n)\n'
        'func f() error { return status.Error(codes.Internal, "y") }\n'
    )
    with pytest.raises(go_errors.GoParseError, match="2 status constructions, but 1"):
        go_errors.parse(source, name="error.go")


def test_refuses_unterminated_text() -> None:
    with pytest.raises(go_errors.GoParseError, match="unterminated"):
        go_errors.parse('var (\nErrGRPCX = status.Error(codes.Internal, "x)\n)', name="e.go")
    with pytest.raises(go_errors.GoParseError, match="unterminated var block"):
        go_errors.parse('var (\nErrGRPCX = status.Error(codes.Internal, "x")', name="e.go")


def test_the_pinned_declarations() -> None:
    errors = {e.go_name: e for e in etcd_error_table().errors}
    assert len(errors) == 61
    assert errors["ErrGRPCNoLeader"] == ServerError(
        "ErrGRPCNoLeader", "UNAVAILABLE", "etcdserver: no leader"
    )
    # Declared but not in etcd's message map: still errors the server sends.
    assert errors["ErrGRPCWatchCanceled"].code == "CANCELLED"
    assert errors["ErrGRPCDeadlineExceeded"].code == "DEADLINE_EXCEEDED"
