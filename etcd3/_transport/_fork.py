"""The fork guard: in a child after ``os.fork()``, grpc state made by the parent goes unused.

grpc's channels and their threads do not survive a fork: a child that called over its parent's
channels could hang, or disturb the parent's connections. Every object registered with
``guard`` is told in the child (``ForkAware.forked_away``) and stops using grpc from then
on; the parent goes on untouched. Nothing is registered on platforms without ``os.fork``.

Nor may the child free that state:
- Freeing a grpc.aio channel or call releases its share of grpc.aio's process-wide poller.
  Releasing the last share shuts the poller down, which waits for the poller's thread to
  stop. A child has no such thread (only the forking thread survives a fork), so that wait
  never ends: the child spins at whatever moment the garbage collector frees the channel.
- When a thread was inside grpc at the fork (grpc.aio's poller always is), grpc skips its own
  fork handlers, and freeing a call of the parent's touches state the child cannot trust.

So guarded objects hand the parent's channels and stream calls over in ``forked_away``, and
they are kept (``keep``) until the child exits. The garbage collector is off from just before
the fork until then: it could otherwise free, in the child, a client that was already
garbage, channels and all, before its objects are told.
"""

from __future__ import annotations

import gc
import os
import weakref
from typing import Protocol

__all__ = ["ForkAware", "guard", "keep"]


class ForkAware(Protocol):
    """An object holding grpc state that a forked child must not use."""

    def forked_away(self) -> None:
        """Called in the child process right after ``os.fork()``: stop using grpc."""
        ...


_GUARDED: weakref.WeakSet[ForkAware] = weakref.WeakSet()


def guard(obj: ForkAware) -> None:
    """Tell ``obj`` when it finds itself in a forked child (held weakly: no leak)."""
    _GUARDED.add(obj)


_KEPT: list[object] = []


def keep(obj: object) -> None:
    """Hold ``obj`` (grpc state the parent made) until the child exits: never free it here."""
    _KEPT.append(obj)


_collecting = [False]
"""Whether the garbage collector was on when the fork began."""


def _before() -> None:
    _collecting[0] = gc.isenabled()
    gc.disable()


def _in_parent() -> None:
    if _collecting[0]:
        gc.enable()


def _in_child() -> None:
    try:
        for obj in list(_GUARDED):
            obj.forked_away()
    finally:
        if _collecting[0]:
            gc.enable()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_before, after_in_parent=_in_parent, after_in_child=_in_child)
