"""The transaction facade ``codegen.txn_facade`` pairs from etcd's oneofs."""

from __future__ import annotations

from gen_support import etcd_schema, fragment_schema


def test_txn_facade_pairs_oneofs() -> None:
    txn = etcd_schema().txn
    assert txn is not None
    assert [(op.suffix, op.request.py_name, op.response.py_name) for op in txn.ops] == [
        ("range", "RangeRequest", "RangeResponse"),
        ("put", "PutRequest", "PutResponse"),
        ("delete_range", "DeleteRangeRequest", "DeleteRangeResponse"),
        ("txn", "TxnRequest", "TxnResponse"),
    ]
    assert txn.kinds == ("range", "put", "delete_range", "txn")
    assert [op.builder for op in txn.ops][:2] == ["op_range", "op_put"]
    assert txn.target_field.name == "target"
    assert [(t.member.name, t.value.name, t.builder) for t in txn.targets] == [
        ("version", "VERSION", "compare_version"),
        ("create_revision", "CREATE", "compare_create_revision"),
        ("mod_revision", "MOD", "compare_mod_revision"),
        ("value", "VALUE", "compare_value"),
        ("lease", "LEASE", "compare_lease"),
    ]
    for target in txn.targets:
        assert [f.name for f in target.positional] == ["key", "result"]
        assert [f.name for f in target.keywords] == ["range_end"]
    assert txn.response_field.name == "responses"
    assert txn.response_oneof.name == "response"


def test_fragment_without_txn_messages_has_no_facade() -> None:
    assert fragment_schema("oneof").txn is None
