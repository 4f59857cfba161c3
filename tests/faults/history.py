"""A history of concurrent client operations on etcd's keys, for the linearizability checker.

Workers (threads of sync clients, tasks of asyncio ones) record each call with
``History.invoke`` just before sending it and ``History.returned`` or
``History.raised`` right after it ends; all read one monotonic clock, so every operation's
interval contains the moment it took effect.

An operation ends in one of three ways:

- ``OK``: it returned; its result is recorded.
- ``UNKNOWN``: it raised an error after which it may still have taken effect (a connection lost
  mid-call, a deadline). A write of this kind stays in the history as possibly applied at any
  moment after its invocation, or never; its return time is infinite. A read of this kind says
  nothing and is left out.
- failed: it raised an error that proves it was not applied. It is left out of the history but
  kept in ``History.failed``, so that the store can be checked never to contain its effect.

Every value a worker writes is unique, so a value read or found in the store names its write.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import math
import threading
import time
from collections import Counter

from etcd3.errors import EtcdError

__all__ = [
    "Call",
    "History",
    "Kind",
    "Op",
    "Status",
    "outcome_unknown",
]


class Kind(enum.Enum):
    """What an operation does to its key."""

    PUT = "put"
    """Set the key (``value``, attached to ``lease`` when non-zero)."""
    GET = "get"
    """Linearizable read of the key."""
    SERIAL_GET = "serial_get"
    """Serializable read: served from one member's state, possibly stale."""
    DELETE = "delete"
    """Delete the key."""
    CAS_MOD = "cas_mod"
    """Transaction: if the key's mod revision is ``expect`` (0: absent), put ``value``."""
    CAS_VALUE = "cas_value"
    """Transaction: if the key's value is ``expect``, put ``value``."""
    REVOKE = "revoke"
    """Revoke ``lease``, the lease this key was put with (deleting the key if still attached)."""
    EXPIRE = "expire"
    """Not a call: the lease ``lease`` may have expired (its keep-alive was lost)."""


WRITES = frozenset({Kind.PUT, Kind.DELETE, Kind.CAS_MOD, Kind.CAS_VALUE, Kind.REVOKE, Kind.EXPIRE})
"""Kinds that may change the store."""


class Status(enum.Enum):
    """How an operation in the history ended."""

    OK = "ok"
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True)
class Op:
    """One operation of a history.

    Attributes:
        id: Unique in its history.
        client: The worker that ran it.
        kind: What it does.
        key: The key it touches.
        invoke: Monotonic time just before the request was sent.
        ret: Monotonic time just after the answer arrived; ``math.inf`` for ``UNKNOWN``.
        status: ``OK`` or ``UNKNOWN``.
        value: The value a put or a transaction writes.
        expect: A transaction's compare operand (a mod revision for ``CAS_MOD``, a value for
            ``CAS_VALUE``).
        lease: The lease a put attaches, or the lease a revoke/expiry removes.
        revision: The revision of the answer's header: for a put and a successful transaction
            or delete, the revision of the write itself. For an ``UNKNOWN`` write, the revision
            the store shows it at, when known (see ``kv_model.resolve``).
        found: A read's value (``None``: the key did not exist).
        mod_revision: A read's mod revision (0 when the key did not exist).
        succeeded: A transaction's outcome; a delete's "a key was deleted".
        error: For a call that raised, the error's class name.
    """

    id: int
    client: str
    kind: Kind
    key: bytes
    invoke: float
    ret: float
    status: Status
    value: bytes | None = None
    expect: int | bytes | None = None
    lease: int = 0
    revision: int | None = None
    found: bytes | None = None
    mod_revision: int = 0
    succeeded: bool = False
    error: str | None = None

    def __str__(self) -> str:
        args = {
            "value": self.value,
            "expect": self.expect,
            "lease": self.lease or None,
        }
        shown = ", ".join(f"{k}={v!r}" for k, v in args.items() if v is not None)
        if self.error is not None:
            outcome = f"raised {self.error}" + (
                f" (store: rev {self.revision})" if self.revision else ""
            )
        elif self.status is Status.UNKNOWN:
            outcome = "unknown" + (f" (store: rev {self.revision})" if self.revision else "")
        elif self.kind in (Kind.GET, Kind.SERIAL_GET):
            outcome = f"found={self.found!r} mod={self.mod_revision} rev={self.revision}"
        elif self.kind in (Kind.CAS_MOD, Kind.CAS_VALUE, Kind.DELETE):
            outcome = f"succeeded={self.succeeded} rev={self.revision}"
        else:
            outcome = f"rev={self.revision}"
        return (
            f"#{self.id} {self.client} {self.kind.value}({self.key!r}{', ' if shown else ''}"
            f"{shown}) [{self.invoke:.4f}, {self.ret:.4f}] -> {outcome}"
        )


def outcome_unknown(error: BaseException) -> bool:
    """Whether a call that raised ``error`` may still have taken effect.

    The client's own verdict (``etcd3.EtcdError.outcome_unknown``) decides, so that the
    checker judges it: a write it calls not applied is left out of the history, and the store
    or a later read showing it applied is a violation. Errors outside the ``EtcdError``
    tree are treated as unknown (and reported as defects).
    """
    return not isinstance(error, EtcdError) or error.outcome_unknown


@dataclasses.dataclass
class Call:
    """An operation in flight, returned by ``History.invoke``."""

    client: str
    kind: Kind
    key: bytes
    invoke: float
    value: bytes | None = None
    expect: int | bytes | None = None
    lease: int = 0


class History:
    """The operations of a run, recorded by any number of threads and tasks (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self.ops: list[Op] = []
        """Operations that returned, and writes of unknown outcome."""
        self.failed: list[Op] = []
        """Writes known not to have been applied (``status`` UNKNOWN, never in ``ops``)."""
        self.errors: Counter[str] = Counter()
        """Error class names, by ``kind:class``."""
        self.foreign: list[str] = []
        """Errors outside the EtcdError tree: never acceptable."""
        self.dropped_reads = 0
        """Reads that raised (they constrain nothing)."""

    def invoke(
        self,
        client: str,
        kind: Kind,
        key: bytes,
        *,
        value: bytes | None = None,
        expect: int | bytes | None = None,
        lease: int = 0,
    ) -> Call:
        """Stamp the start of a call; send the request right after."""
        return Call(client, kind, key, time.monotonic(), value, expect, lease)

    def returned(
        self,
        call: Call,
        *,
        revision: int,
        found: bytes | None = None,
        mod_revision: int = 0,
        succeeded: bool = False,
    ) -> Op:
        """Record a call that returned, with its result."""
        op = self._make(call, time.monotonic(), Status.OK, revision, found, mod_revision, succeeded)
        with self._lock:
            self.ops.append(op)
        return op

    def raised(self, call: Call, error: BaseException) -> None:
        """Record a call that raised ``error``."""
        with self._lock:
            self.errors[f"{call.kind.value}:{type(error).__name__}"] += 1
            if not isinstance(error, EtcdError):
                self.foreign.append(f"{call.kind.value}: {error!r}")
            if call.kind not in WRITES:
                self.dropped_reads += 1
                return
        op = self._make(call, math.inf, Status.UNKNOWN, error=type(error).__name__)
        with self._lock:
            (self.ops if outcome_unknown(error) else self.failed).append(op)

    def lease_may_expire(self, client: str, key: bytes, lease: int, since: float) -> Op:
        """Record that ``lease`` (attached to ``key``) may have expired any time after
        ``since`` (when it was granted), e.g. because its keep-alive was lost."""
        op = self._make(
            Call(client, Kind.EXPIRE, key, since, lease=lease), math.inf, Status.UNKNOWN
        )
        with self._lock:
            self.ops.append(op)
        return op

    def _make(
        self,
        call: Call,
        ret: float,
        status: Status,
        revision: int | None = None,
        found: bytes | None = None,
        mod_revision: int = 0,
        succeeded: bool = False,
        *,
        error: str | None = None,
    ) -> Op:
        with self._lock:
            op_id = next(self._ids)
        return Op(
            op_id,
            call.client,
            call.kind,
            call.key,
            call.invoke,
            ret,
            status,
            call.value,
            call.expect,
            call.lease,
            revision,
            found,
            mod_revision,
            succeeded,
            error,
        )

    def counts(self) -> dict[str, int]:
        """Operations by outcome: ``ok``, ``unknown``, ``failed``, ``dropped_reads``."""
        with self._lock:
            ops = list(self.ops)
            return {
                "ok": sum(op.status is Status.OK for op in ops),
                "unknown": sum(
                    op.status is Status.UNKNOWN and op.kind is not Kind.EXPIRE for op in ops
                ),
                "failed": len(self.failed),
                "dropped_reads": self.dropped_reads,
            }
