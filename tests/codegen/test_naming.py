"""Every identifier rule of ``codegen.naming``."""

from __future__ import annotations

import pytest

from codegen import naming


@pytest.mark.parametrize(
    ("rpc", "expected"),
    [
        ("Range", "range"),
        ("DeleteRange", "delete_range"),
        ("HashKV", "hash_kv"),
        ("LeaseTimeToLive", "lease_time_to_live"),
        ("MemberAddAsLearner", "member_add_as_learner"),
        ("HTTPGateway", "http_gateway"),
        ("Import", "import_"),
        ("V3Status", "v3_status"),
    ],
)
def test_method_names_are_snake_case_with_keywords_escaped(rpc: str, expected: str) -> None:
    assert naming.method_name(rpc) == expected


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("key", "key"),
        ("ID", "ID"),
        ("TTL", "TTL"),
        ("memberID", "memberID"),
        ("from", "from_"),
        ("type", "type_"),
        ("hash", "hash_"),
        ("request", "request_"),
        ("timeout", "timeout_"),
        ("metadata", "metadata_"),
        ("match", "match"),
    ],
)
def test_kwargs_keep_proto_names_unless_they_collide(field: str, expected: str) -> None:
    assert naming.kwarg_name(field) == expected


def test_service_names() -> None:
    assert naming.service_attribute("KV") == "kv"
    assert naming.service_attribute("Maintenance") == "maintenance"
    assert naming.async_class_name("KV") == "AsyncKV"
    assert naming.method_constant("KV", "Range") == "KV_RANGE"
    assert naming.method_constant("Maintenance", "HashKV") == "MAINTENANCE_HASH_KV"


def test_nested_enum_keeps_its_name_unless_vague_or_taken() -> None:
    assert naming.enum_class_name([], "AlarmType") == "AlarmType"
    assert naming.enum_class_name(["RangeRequest"], "SortOrder") == "SortOrder"
    assert naming.enum_class_name(["Permission"], "Type") == "PermissionType"
    assert naming.enum_class_name(["A"], "SortOrder", taken={"SortOrder"}) == "ASortOrder"
    assert naming.nested_message_name(["Outer", "Mid"], "Inner") == "OuterMidInner"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["TYPE_INT", "TYPE_BOOL"], ("INT", "BOOL")),
        (["KIND_A_X", "KIND_A_Y"], ("X", "Y")),
        (["NONE", "NOSPACE", "CORRUPT"], ("NONE", "NOSPACE", "CORRUPT")),
        (["EDITION_2023", "EDITION_2024"], ("EDITION_2023", "EDITION_2024")),
        (["ONLY_ONE"], ("ONLY_ONE",)),
        (["X_NONE", "X_None"], ("NONE", "None_")),
        (["READ", "READWRITE"], ("READ", "READWRITE")),
    ],
)
def test_enum_values_lose_a_prefix_shared_by_all(values: list[str], expected: tuple[str]) -> None:
    assert naming.enum_value_names(values) == expected


def test_txn_builder_names() -> None:
    suffixes = naming.oneof_member_suffix(["request_range", "request_put", "request_txn"])
    assert suffixes == ("range", "put", "txn")
    assert naming.op_builder_name("delete_range") == "op_delete_range"
    assert naming.compare_builder_name("mod_revision") == "compare_mod_revision"
    assert naming.module_name("etcdserverpb") == "etcdserverpb"
    assert naming.module_name("frag.oneof") == "frag_oneof"
