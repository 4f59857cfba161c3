# async-to-sync: source
"""Namespaced clients: ``client.namespace(b"app/")``.

A namespaced client is a client of the same class, built over its parent's connection
(``AsyncSharedConnection``), whose generated stubs call through an
``AsyncNamespacedCaller`` (``etcd3._namespace_caller_async``): a thin wrapper of the client's
failover caller that rewrites each request and response with
``etcd3._namespace_core.Namespace``. So the friendly API, ``client.rpc``, watches, leases, locks
and elections all follow the namespace, and the namespaced client shares the parent's channels,
retries and token. The caller and the rewrite rules load with the first namespaced client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import Self

from etcd3._base_async import AsyncClientBase
from etcd3._validate import KeyLike, to_bytes
from etcd3.rpc.services import AsyncStubs

if TYPE_CHECKING:
    from etcd3._namespace_caller_async import AsyncNamespacedCaller

__all__ = ["AsyncNamespaceMixin"]


class AsyncNamespaceMixin(AsyncClientBase):
    """The client's namespaces: clients that see only the keys under a prefix."""

    _namespaced_caller: AsyncNamespacedCaller | None = None
    """The caller of a namespaced client (``None`` for a client at the root)."""

    def namespace(self, prefix: KeyLike) -> Self:
        """A client of the same class that sees only the keys under ``prefix``.

        Every key the namespaced client sends gets ``prefix``, every key it receives (results,
        watch events, lock and leader keys, a lease's keys) loses it, and every range, prefix
        and "from key" read stays inside: ``scoped.get_prefix("")`` reads the whole namespace
        and nothing else. Namespaces nest (``client.namespace("a/").namespace("b/")`` is
        ``"a/b/"``) and share the client's connection, retries and credentials; closing a
        namespaced client stops its own watches and keep-alives only, closing the client ends
        the namespaced client's calls (``ConnectionClosedError``). Keys without leases,
        revisions and cluster or auth calls are those of the whole cluster.

        Args:
            prefix: The key prefix (str or bytes), e.g. ``"app/"``; must not be empty.

        Returns:
            The namespaced client.

        Raises:
            TypeError: ``prefix`` is not str or bytes.
            ValueError: ``prefix`` is empty.
        """
        from etcd3._namespace_caller_async import AsyncNamespacedCaller
        from etcd3._namespace_core import Namespace

        key = to_bytes(prefix, "namespace prefix")
        if not key:
            raise ValueError("namespace prefix must not be empty")
        outer = self._namespaced_caller
        if outer is None:
            caller = AsyncNamespacedCaller(self._conn.caller, Namespace(key))
        else:
            # One wrapper, whatever the depth: the prefixes concatenate.
            caller = AsyncNamespacedCaller(outer._caller, outer.namespace.nested(key))
        scoped = type(self)(_shared=self._shared_with(AsyncStubs(caller)))
        scoped._namespaced_caller = caller
        return scoped
