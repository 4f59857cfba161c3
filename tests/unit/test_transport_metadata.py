"""The metadata every call carries: token, ``hasleader``, extra pairs; the login's metadata."""

from __future__ import annotations

import grpc.aio

from etcd3._transport import REQUIRE_LEADER_METADATA, TOKEN_METADATA_KEY
from etcd3._transport._grpc_async import prebuilt_metadata
from etcd3._transport._metadata import CallMetadata
from etcd3.rpc.methods import KV_RANGE, LEASE_LEASE_KEEP_ALIVE, MAINTENANCE_STATUS, WATCH_WATCH

UNARY = KV_RANGE


def test_token_is_sent_as_metadata() -> None:
    md = CallMetadata(None, require_leader=False)
    assert md.for_call(UNARY, None) is None
    md.set_token("abc")
    assert md.token == "abc"
    assert md.for_call(UNARY, None) == ((TOKEN_METADATA_KEY, "abc"),)
    assert md.for_call(UNARY, [("x-extra", "1")]) == (
        (TOKEN_METADATA_KEY, "abc"),
        ("x-extra", "1"),
    )
    md.set_token(None)
    assert md.for_call(UNARY, None) is None


def test_base_metadata_is_kept_with_the_token() -> None:
    md = CallMetadata([("x-app", "me")], require_leader=False)
    assert md.for_call(UNARY, None) == (("x-app", "me"),)
    md.set_token("t")
    assert md.for_call(UNARY, None) == (("x-app", "me"), (TOKEN_METADATA_KEY, "t"))


def test_require_leader_metadata_except_on_maintenance() -> None:
    md = CallMetadata(None, require_leader=True)
    assert md.for_call(KV_RANGE, None) == (REQUIRE_LEADER_METADATA,)
    assert md.for_call(WATCH_WATCH, None) == (REQUIRE_LEADER_METADATA,)
    assert md.for_call(LEASE_LEASE_KEEP_ALIVE, None) == (REQUIRE_LEADER_METADATA,)
    assert md.for_call(MAINTENANCE_STATUS, None) is None
    md.set_token("t")
    assert md.for_call(KV_RANGE, None) == (
        (TOKEN_METADATA_KEY, "t"),
        REQUIRE_LEADER_METADATA,
    )
    # Authenticate never carries the (possibly stale) token.
    assert md.anonymous(KV_RANGE) == (REQUIRE_LEADER_METADATA,)
    assert md.anonymous(MAINTENANCE_STATUS) is None


def test_a_refused_token_is_stale_until_the_next_login() -> None:
    md = CallMetadata(None, require_leader=False)
    md.set_token("old")
    assert not md.stale
    md.mark_stale()
    assert md.stale
    md.set_token("still old")  # set by hand: not a login
    assert md.stale
    md.logged_in("new")
    assert not md.stale
    assert md.token == "new"


def test_credentials_are_kept_only_as_a_pair() -> None:
    md = CallMetadata(None, require_leader=False)
    md.set_credentials("root", "pw")
    assert md.credentials == ("root", "pw")
    md.set_credentials(None, None)
    assert md.credentials is None


def test_prebuilt_metadata_is_built_once_per_token_and_shared_by_calls() -> None:
    built: list[tuple[tuple[str, str | bytes], ...]] = []

    def freeze(pairs: tuple[tuple[str, str | bytes], ...]) -> list[tuple[str, str | bytes]]:
        built.append(pairs)
        return list(pairs)

    md = CallMetadata(None, require_leader=True, freeze=freeze)
    first = md.for_call(KV_RANGE, None)
    assert first == [REQUIRE_LEADER_METADATA]
    assert md.for_call(KV_RANGE, None) is first  # no work per call
    assert md.for_call(MAINTENANCE_STATUS, None) is None  # nothing to send
    md.set_token("t")
    assert md.for_call(KV_RANGE, None) == [(TOKEN_METADATA_KEY, "t"), REQUIRE_LEADER_METADATA]
    assert md.for_call(MAINTENANCE_STATUS, None) == [(TOKEN_METADATA_KEY, "t")]
    assert len(built) == 3  # leader pairs at start; both kinds after the token changed
    # Extra pairs make a call's own tuple from the pairs, never from the prebuilt object.
    assert md.for_call(KV_RANGE, [("x", "1")]) == (
        (TOKEN_METADATA_KEY, "t"),
        REQUIRE_LEADER_METADATA,
        ("x", "1"),
    )


def test_the_prebuilt_asyncio_object_reads_as_grpcs_own_for_the_same_pairs() -> None:
    pairs = ((TOKEN_METADATA_KEY, "t"), REQUIRE_LEADER_METADATA, ("x-bin", b"\x00"))
    prebuilt = prebuilt_metadata(pairs)
    plain = grpc.aio.Metadata(*pairs)
    # What grpc.aio asks of it on every call: its truth, its length, its pairs in order.
    assert isinstance(prebuilt, grpc.aio.Metadata)
    assert len(prebuilt) == len(plain) == 3
    assert tuple(prebuilt) == tuple(plain) == pairs
    assert prebuilt == plain
    assert prebuilt["hasleader"] == "true"
    assert not prebuilt_metadata(())
    assert tuple(prebuilt_metadata(())) == ()
