"""The transport: the failover-capable callers behind the generated service classes.

``GrpcCaller`` (sync) and ``AsyncGrpcCaller`` (asyncio) implement the
``SyncCaller`` / ``AsyncCaller`` protocols over
grpcio. One caller serves a whole client: it holds one grpc channel per endpoint and owns
deadlines, call metadata (the auth token, ``hasleader``), error mapping, retries, failover and
token renewal. Nothing but an [`EtcdError`][etcd3.errors.Etcd3Exception] leaves it (plus
``ValueError`` for a negative timeout, and ``asyncio.CancelledError`` when the awaiting task is
cancelled).

One module per job; imports flow down this list:

- ``._caller_async`` -- the asyncio caller: unary calls with retries, failover and token
  renewal, login before the first call, auto-sync, opening streams, closing. Its sync twin
  ``._caller`` is generated from it (``tools/async_to_sync.py``, ``make regen``).
- ``._streams_async`` / ``._streams`` -- the streams, hand-kept per flavour: grpc's
  asyncio and sync stream APIs differ in model (lazy start in the loop, ``read``/``EOF``,
  awaitable writes with flow control; a blocking request iterator on a grpc thread).
- ``._grpc_async`` / ``._grpc`` -- the rest of what grpc.aio and grpc do differently
  (opening a channel with interceptors, how a call ends when its channel closes, when a
  connection may log in), hand-kept name for name.
- ``._failover`` -- what follows a failed attempt of a unary call (renew the token, fail
  over, back off, give up), on the sans-IO rule of ``etcd3._retry``.
- ``._stream_registry`` -- the running streams and what their failures teach the caller
  (quarantine an endpoint and move its streams, renew a refused token; stalled streams).
- ``._pool`` -- the endpoints: a channel each, their multicallables, the one in use.
- ``._errors`` -- grpc failures to [`EtcdError`][etcd3.errors.Etcd3Exception], with the caller's
  closed state and hints at a connection failure's cause.
- ``._metadata`` -- the metadata of every call: token, ``hasleader``, extra pairs.
- ``._deadline`` -- a call's ``timeout`` for grpc, and the answer that comes too late.
- ``._fork`` -- the fork guard: a forked child never uses its parent's channels, and
  raises [`ClientForkedError`][etcd3.errors.ClientForkedError] instead.

Logging goes to the ``"etcd3.transport"`` logger: a switch to another endpoint and token
renewals at INFO, retries and an endpoint quarantined without a switch at DEBUG; never
credentials or tokens. The ``"etcd3"`` logger has a ``NullHandler``: nothing is printed unless
the application configures logging.
"""

from etcd3 import _logsetup  # noqa: F401  (the NullHandler on "etcd3", before anything logs)
from etcd3._lazy import TYPE_CHECKING

# Each name loads its module when first read (etcd3._lazy): the sync client never loads the
# asyncio caller and its streams, nor the asyncio client the sync ones.
if TYPE_CHECKING:
    from etcd3._transport._caller import GrpcCaller
    from etcd3._transport._caller_async import AsyncGrpcCaller
    from etcd3._transport._metadata import REQUIRE_LEADER_METADATA, TOKEN_METADATA_KEY
    from etcd3._transport._streams import GrpcDuplexStream, GrpcServerStream
    from etcd3._transport._streams_async import AsyncGrpcDuplexStream, AsyncGrpcServerStream
else:
    from etcd3 import _lazy

    __getattr__, __dir__ = _lazy.attach(
        __name__,
        globals(),
        {
            "._caller": ("GrpcCaller",),
            "._caller_async": ("AsyncGrpcCaller",),
            "._metadata": ("REQUIRE_LEADER_METADATA", "TOKEN_METADATA_KEY"),
            "._streams": ("GrpcDuplexStream", "GrpcServerStream"),
            "._streams_async": ("AsyncGrpcDuplexStream", "AsyncGrpcServerStream"),
        },
    )

__all__ = [
    "REQUIRE_LEADER_METADATA",
    "TOKEN_METADATA_KEY",
    "AsyncGrpcCaller",
    "AsyncGrpcDuplexStream",
    "AsyncGrpcServerStream",
    "GrpcCaller",
    "GrpcDuplexStream",
    "GrpcServerStream",
]
