"""A consumer of the grpc types the API hands out: interceptors and status codes (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3


def sync_consumer(interceptors: list[etcd3.ClientInterceptor]) -> None:
    reveal_type(interceptors[0])  # R: grpc.UnaryUnaryClientInterceptor | grpc.UnaryStreamClientInterceptor | grpc.StreamUnaryClientInterceptor | grpc.StreamStreamClientInterceptor
    with etcd3.client(interceptors=interceptors) as client:
        try:
            client.get("k")
        except etcd3.EtcdError as error:
            reveal_type(error.code)  # R: grpc.StatusCode | None
            reveal_type(error.details)  # R: str


async def async_consumer(interceptors: list[etcd3.AsyncClientInterceptor]) -> None:
    reveal_type(interceptors[0])  # R: grpc.aio.ClientInterceptor
    async with etcd3.async_client(interceptors=interceptors) as client:
        reveal_type(client)  # R: etcd3._client_async.AsyncEtcd3Client
