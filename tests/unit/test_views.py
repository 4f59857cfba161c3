"""KVMetadata, KV, RangeResult and the result helpers over RangeResponse messages."""

from __future__ import annotations

import pytest

from etcd3._views import (
    KV,
    KVMetadata,
    RangeResult,
    detached_results,
    first_kv,
    first_result,
    kv_view,
    metadata_view,
)
from etcd3.rpc.etcdserverpb import RangeResponse, ResponseHeader
from etcd3.rpc.mvccpb import KeyValue


def _kv(key: bytes = b"k", **fields: int) -> KeyValue:
    values = {"create_revision": 3, "mod_revision": 5, "version": 2, "lease": 7, **fields}
    return KeyValue(key=key, value=b"val:" + key, **values)


def _header(revision: int = 9) -> ResponseHeader:
    return ResponseHeader(cluster_id=1, member_id=2, revision=revision, raft_term=4)


def _response(*keys: bytes, revision: int = 9) -> RangeResponse:
    return RangeResponse(header=_header(revision), kvs=[_kv(k) for k in keys], count=len(keys))


def test_fields_come_from_the_message() -> None:
    meta = KVMetadata.create(_kv(b"\xffk"), _header())
    assert meta.key == b"\xffk"
    assert meta.create_revision == 3
    assert meta.mod_revision == 5
    assert meta.version == 2
    assert meta.lease_id == 7
    assert meta.response_header == _header()
    assert meta.response_header.revision == 9


def test_constructor_and_factory_agree() -> None:
    assert KVMetadata(_kv(), _header()) == KVMetadata.create(_kv(), _header())
    assert type(KVMetadata.create(_kv(), _header())) is KVMetadata


@pytest.mark.parametrize("view", [KVMetadata, KV])
def test_the_key_value_message_is_keyvalue_or_kv(view: type[KVMetadata]) -> None:
    kv, header = _kv(), _header()
    made = [view(kv, header), view(keyvalue=kv, header=header), view(kv=kv, header=header)]
    assert all(type(each) is view for each in made)
    assert made[0] == made[1] == made[2]
    assert made[2].response_header is header
    assert made[2].mod_revision == 5


@pytest.mark.parametrize("view", [KVMetadata, KV])
def test_the_key_value_message_comes_once_with_a_header(view: type[KVMetadata]) -> None:
    kv, header = _kv(), _header()
    name = view.__name__
    with pytest.raises(TypeError, match=rf"^{name}\(\) takes .* as keyvalue or as kv, not both"):
        view(kv, header, kv=kv)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=rf"^{name}\(\) takes .* not both"):
        view(keyvalue=kv, kv=kv, header=header)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=rf"^{name}\(\) needs the key-value message"):
        view(header=header)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=rf"^{name}\(\) needs the header"):
        view(kv=kv)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=rf"^{name}\(\) needs the header"):
        view(kv)  # type: ignore[call-overload]


def test_view_is_lazy_over_the_message() -> None:
    kv = _kv()
    meta = KVMetadata(kv, _header())
    kv.mod_revision = 50
    assert meta.mod_revision == 50


def test_view_is_read_only() -> None:
    meta = KVMetadata(_kv(), _header())
    with pytest.raises(AttributeError):
        meta.key = b"other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        meta.extra = 1  # type: ignore[attr-defined]


def test_equality_by_content() -> None:
    meta = KVMetadata(_kv(), _header())
    assert meta == KVMetadata(_kv(), _header())
    assert hash(meta) == hash(KVMetadata(_kv(), _header()))
    assert meta != KVMetadata(_kv(mod_revision=6), _header())
    assert meta != KVMetadata(_kv(b"j"), _header())
    assert meta != KVMetadata(_kv(lease=0), _header())
    assert meta != KVMetadata(_kv(), _header(revision=10))
    assert meta != (b"k", 3, 5, 2, 7)
    # Views of different keys spread over a set's buckets.
    assert len({hash(KVMetadata(_kv(bytes([i])), _header())) for i in range(16)}) == 16
    # The value is not metadata.
    other_value = _kv()
    other_value.value = b"different"
    assert meta == KVMetadata(other_value, _header())


def test_repr_names_the_fields() -> None:
    text = repr(KVMetadata(_kv(b"a\xff"), _header()))
    assert text == (
        "KVMetadata(key=b'a\\xff', create_revision=3, mod_revision=5, version=2, "
        "lease_id=7, response_header.revision=9)"
    )


def test_first_result() -> None:
    value, meta = first_result(_response(b"a", b"b")) or (None, None)
    assert value == b"val:a"
    assert meta is not None
    assert meta.key == b"a"
    assert meta.response_header == _header()
    assert first_result(_response()) is None


def test_detached_results_are_in_order_with_the_response_header() -> None:
    out = list(detached_results(_response(b"a", b"b", b"c", revision=11)))
    assert [value for value, _ in out] == [b"val:a", b"val:b", b"val:c"]
    assert [meta.key for _, meta in out] == [b"a", b"b", b"c"]
    assert {meta.response_header.revision for _, meta in out} == {11}
    assert all(type(value) is bytes for value, _ in out)


def test_detached_results_equal_lazy_ones() -> None:
    response = _response(b"a", b"b\0", b"c\xff")
    lazy = [(kv.value, KVMetadata(kv, response.header)) for kv in response.kvs]
    assert list(detached_results(response)) == lazy


def test_detached_results_do_not_reference_the_response() -> None:
    response = _response(b"a", b"b")
    kept = list(detached_results(response))
    # Changing the response changes no kept result: they hold copies, not views of it.
    response.header.revision = 100
    response.kvs[0].mod_revision = 100
    assert kept[0][1].response_header.revision == 9
    assert kept[0][1].mod_revision == 5
    # While lazy views see the change.
    assert RangeResult(response)[0].mod_revision == 100
    assert repr(kept[1][1]).startswith("KVMetadata(key=b'b', create_revision=3")


def test_detached_results_share_one_header_copy_per_page() -> None:
    kept = list(detached_results(_response(b"a", b"b")))
    assert kept[0][1].response_header is kept[1][1].response_header


def test_a_kv_is_its_metadata_and_its_value() -> None:
    kv = KV(_kv(), _header())
    assert (kv.key, kv.value, kv.mod_revision, kv.response_header) == (
        b"k",
        b"val:k",
        5,
        _header(),
    )
    assert kv.raw == _kv()
    assert repr(kv) == "KV(key=b'k', value=b'val:k', mod_revision=5, version=2, lease_id=7)"


def test_a_kv_reads_its_value_when_made_and_the_rest_on_access() -> None:
    response = _response(b"a", b"b")
    made = [KV(response.kvs[0], response.header), RangeResult(response)[0]]
    iterated = list(RangeResult(response))
    response.kvs[0].value = b"changed"
    response.kvs[0].mod_revision = 100
    for kv in [*made, iterated[0]]:
        assert (kv.value, kv.raw.value, kv.mod_revision) == (b"val:a", b"changed", 100)
    assert iterated[1].value == b"val:b"


def test_kv_equality_needs_equal_metadata_and_value() -> None:
    kv = KV(_kv(), _header())
    assert kv == KV(_kv(), _header())
    assert hash(kv) == hash(KV(_kv(), _header()))
    other_value = _kv()
    other_value.value = b"different"
    assert kv != KV(other_value, _header())
    assert kv != KV(_kv(mod_revision=6), _header())  # the same value, other metadata
    assert kv != KV(_kv(), _header(revision=10))
    assert kv.__eq__((b"k", b"val:k")) is NotImplemented
    assert kv != (b"k", b"val:k")


def test_a_range_result_is_a_sequence_of_kvs_with_the_response_header() -> None:
    response = _response(b"a", b"b", b"c", revision=11)
    response.count = 7
    response.more = True
    result = RangeResult(response)
    assert result.raw is response
    assert (len(result), result.total, result.more, result.header) == (3, 7, True, _header(11))
    assert result[0] == KV(_kv(b"a"), _header(11))
    assert result[-1] == KV(_kv(b"c"), _header(11))
    assert result[1:] == [KV(_kv(b"b"), _header(11)), KV(_kv(b"c"), _header(11))]
    assert list(result) == [KV(_kv(k), _header(11)) for k in (b"a", b"b", b"c")]
    assert [kv.response_header.revision for kv in result] == [11, 11, 11]
    assert [kv.response_header.revision for kv in result[:2]] == [11, 11]
    assert repr(result) == "RangeResult(3 keys of 7, revision=11, more=True)"
    with pytest.raises(AttributeError):
        result.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(IndexError):
        result[3]


def test_first_kv() -> None:
    assert first_kv(_response(b"a", b"b", revision=11)) == KV(_kv(b"a"), _header(11))
    assert first_kv(_response()) is None


def test_the_views_a_client_makes_are_the_public_views() -> None:
    # Made without an __init__ call: each must hold what the public constructor sets.
    response = _response(b"a", revision=11)
    kvs = [kv_view(response.kvs[0], response.header), first_kv(response), *RangeResult(response)]
    for kv in kvs:
        assert isinstance(kv, KV)
        assert kv == KV(_kv(b"a"), _header(11))
        assert repr(kv) == repr(KV(_kv(b"a"), _header(11)))
        assert (kv.value, kv.raw.key, kv.response_header.revision) == (b"val:a", b"a", 11)
        assert not hasattr(kv, "__dict__")
        made_again = kv.create(_kv(b"b"), _header(12))
        assert type(made_again) is KV
        assert made_again == KV(_kv(b"b"), _header(12))
    _, meta = first_result(response) or (None, None)
    for made in (metadata_view(response.kvs[0], response.header), meta):
        assert isinstance(made, KVMetadata)
        assert not isinstance(made, KV)
        assert made == KVMetadata(_kv(b"a"), _header(11))
        assert repr(made) == repr(KVMetadata(_kv(b"a"), _header(11)))
        assert not hasattr(made, "__dict__")
        made_again = made.create(_kv(b"b"), _header(12))
        assert type(made_again) is KVMetadata
        assert made_again == KVMetadata(_kv(b"b"), _header(12))
