"""python-etcd3's ``EtcdTokenCallCredentials``: an etcd auth token as grpc call credentials."""

from __future__ import annotations

import grpc

__all__ = ["EtcdTokenCallCredentials"]


class EtcdTokenCallCredentials(grpc.AuthMetadataPlugin):
    """Sends an etcd auth token as the ``token`` metadata of each call.

    For channels made with grpc directly: wrap it with ``grpc.metadata_call_credentials``.
    grpc applies call credentials on TLS channels only; the client itself sends its token as
    call metadata, which works with and without TLS.

    Args:
        access_token: The token ``Authenticate`` returned.
    """

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def __call__(
        self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback
    ) -> None:
        """Hand grpc the metadata of one call: ``(("token", access_token),)``."""
        callback((("token", self._access_token),), None)
