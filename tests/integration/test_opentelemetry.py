"""OpenTelemetry's grpc instrumentation traces the client's calls against a real etcd.

The asyncio client takes OpenTelemetry's ``grpc.aio`` interceptors through ``interceptors=``,
with a tracer provider of the test's own. The sync client is traced by OpenTelemetry's global
channel instrumentation, which reports to the process-wide tracer provider: that part runs in
a child process, so that no global state leaks into other tests.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap

import pytest
from opentelemetry.instrumentation.grpc import (  # pyright: ignore[reportMissingTypeStubs]
    aio_client_interceptors,  # pyright: ignore[reportUnknownVariableType]
    client_interceptor,  # pyright: ignore[reportUnknownVariableType]
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import etcd3
from etcd3.testing import EtcdServer

OK, CANCELLED, NOT_FOUND, UNAVAILABLE = 0, 1, 5, 14  # grpc status codes, as spans record them


def _refused_endpoint() -> str:
    """``127.0.0.1:PORT`` where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def _summary(spans: tuple[ReadableSpan, ...]) -> list[tuple[str, object]]:
    return [(span.name, (span.attributes or {}).get("rpc.grpc.status_code")) for span in spans]


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


async def test_async_calls_make_client_spans(
    etcd_server: EtcdServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    tracing = aio_client_interceptors(tracer_provider=provider)  # type: ignore[no-untyped-call]
    async with etcd3.async_client(
        etcd_server.host, etcd_server.port, timeout=5, interceptors=tracing
    ) as client:
        await client.put("/otel/async/k", "v")
        assert (await client.get("/otel/async/k"))[0] == b"v"
        with pytest.raises(etcd3.LeaseNotFoundError):
            await client.revoke_lease(0xDEAD)
    spans = exporter.get_finished_spans()
    assert _summary(spans) == [
        ("/etcdserverpb.KV/Put", OK),
        ("/etcdserverpb.KV/Range", OK),
        ("/etcdserverpb.Lease/LeaseRevoke", NOT_FOUND),
    ]
    put = spans[0]
    assert put.kind is SpanKind.CLIENT
    assert dict(put.attributes or {}).items() >= {
        ("rpc.system", "grpc"),
        ("rpc.service", "etcdserverpb.KV"),
        ("rpc.method", "Put"),
    }
    assert spans[2].status.status_code is StatusCode.ERROR


async def test_async_failover_is_a_span_per_attempt_and_a_stream_one_span(
    etcd_server: EtcdServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    tracing = aio_client_interceptors(tracer_provider=provider)  # type: ignore[no-untyped-call]
    async with etcd3.async_client(
        endpoints=[_refused_endpoint(), etcd_server.endpoint], timeout=5, interceptors=tracing
    ) as client:
        await client.put("/otel/async/failover", "v")
        events, cancel = await client.watch("/otel/async/watched")
        await client.put("/otel/async/watched", "1")
        async for event in events:
            assert event.value == b"1"
            break
        await cancel()
    assert _summary(exporter.get_finished_spans()) == [
        ("/etcdserverpb.KV/Put", UNAVAILABLE),  # the refused member
        ("/etcdserverpb.KV/Put", OK),  # the next one
        ("/etcdserverpb.KV/Put", OK),
        # The stream, ended by the client: OpenTelemetry's grpc.aio interceptor records it
        # as OK (the sync instrumentation, as CANCELLED).
        ("/etcdserverpb.Watch/Watch", OK),
    ]


def test_the_sync_client_refuses_opentelemetrys_own_interceptor_type(
    etcd_server: EtcdServer, provider: TracerProvider
) -> None:
    own_kind = client_interceptor(tracer_provider=provider)  # type: ignore[no-untyped-call]
    with pytest.raises(TypeError):
        etcd3.client(etcd_server.host, etcd_server.port, interceptors=[own_kind])


_SYNC_PROGRAM = textwrap.dedent(
    """
    import json, sys

    from opentelemetry import trace
    from opentelemetry.instrumentation.grpc import GrpcInstrumentorClient
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    import etcd3

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    instrumentor = GrpcInstrumentorClient()
    instrumentor.instrument()
    try:
        with etcd3.client(endpoints=sys.argv[1:], timeout=5) as client:
            client.put("/otel/sync/k", "v")
            assert client.get("/otel/sync/k")[0] == b"v"
            try:
                client.revoke_lease(0xDEAD)
            except etcd3.LeaseNotFoundError:
                pass
            events, cancel = client.watch("/otel/sync/watched")
            client.put("/otel/sync/watched", "1")
            assert next(iter(events)).value == b"1"
            cancel()
    finally:
        instrumentor.uninstrument()
    with etcd3.client(endpoints=sys.argv[-1:], timeout=5) as untraced:
        untraced.get("/otel/sync/k")
    spans = [
        [span.name, span.kind.name, span.status.status_code.name, dict(span.attributes or {})]
        for span in exporter.get_finished_spans()
    ]
    print(json.dumps(spans))
    """
)


@pytest.mark.slow
def test_sync_calls_make_client_spans_under_the_global_instrumentation(
    etcd_server: EtcdServer,
) -> None:
    endpoints = [_refused_endpoint(), etcd_server.endpoint]
    proc = subprocess.run(
        [sys.executable, "-c", _SYNC_PROGRAM, *endpoints],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    spans = json.loads(proc.stdout)
    assert [(name, attributes["rpc.grpc.status_code"]) for name, _, _, attributes in spans] == [
        ("/etcdserverpb.KV/Put", UNAVAILABLE),
        ("/etcdserverpb.KV/Put", OK),
        ("/etcdserverpb.KV/Range", OK),
        ("/etcdserverpb.Lease/LeaseRevoke", NOT_FOUND),
        ("/etcdserverpb.KV/Put", OK),
        ("/etcdserverpb.Watch/Watch", CANCELLED),  # the stream, ended by the client
    ]  # and nothing of the client made after uninstrument()
    assert {kind for _, kind, _, _ in spans} == {"CLIENT"}
    statuses = [status for _, _, status, _ in spans]
    assert statuses == ["ERROR", "UNSET", "UNSET", "ERROR", "UNSET", "ERROR"]
    assert spans[2][3].items() >= {
        ("rpc.system", "grpc"),
        ("rpc.service", "etcdserverpb.KV"),
        ("rpc.method", "Range"),
    }
