"""``record``: small frozen value classes that are cheap to create at import.

``dataclasses.dataclass`` compiles an ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``
and a frozen ``__setattr__`` from generated source for each class it decorates: about half a
millisecond per class, paid by every program that imports the module. A record shares generic
versions of those methods (a base class), which read the fields from ``__slots__``, so defining
one costs about as much as an ordinary class. Only ``__init__``, which runs for every instance,
is compiled for the class, on its first instance. Instances behave as those of
``@dataclass(frozen=True, slots=True)``: positional or keyword fields with defaults, equality
and hash by fields (same class only), ``Name(field=value, ...)`` repr,
``dataclasses.FrozenInstanceError`` on assignment, pickle, copy and ``copy.replace()``. Type
checkers see a frozen dataclass (``dataclass_transform``). A record is not a dataclass for
``dataclasses.fields()`` or ``dataclasses.replace()``: public classes whose users may rely on
that stay dataclasses.

Fields are the class's own annotations, in order; a record does not inherit fields. A subclass
of a record keeps its fields (``__record_fields__``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import NoReturn, TypeVar

from typing_extensions import Self, dataclass_transform

__all__ = ["record"]

_C = TypeVar("_C", bound=type)


class _Record:
    """The methods every record shares; the decorator adds this base to a record's class."""

    __slots__ = ()
    __record_fields__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__record_fields__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, _Record):
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
        return f"{type(self).__qualname__}({fields})"

    def __replace__(self, **changes: object) -> Self:
        """A copy with ``changes`` (``copy.replace()`` calls this on Python 3.13 and later)."""
        fields = dict(zip(self.__record_fields__, self._values(), strict=True))
        fields.update(changes)
        return type(self)(**fields)

    def __getstate__(self) -> tuple[object, ...]:
        return self._values()

    def __setstate__(self, state: tuple[object, ...]) -> None:
        # Pickle and copy restore a slotted instance through setattr, which a record refuses.
        for name, value in zip(self.__record_fields__, state, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        _frozen(name)

    def __delattr__(self, name: str) -> None:
        _frozen(name)


def _frozen(name: str) -> NoReturn:
    import dataclasses  # only on this error path: importing it costs more than a record

    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _init_of(names: tuple[str, ...], defaults: dict[str, object]) -> object:
    """The ``__init__`` a record class starts with: on its first call it compiles the class's
    own (see ``_compiled_init``), installs it on the class, and hands the call over."""

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        owner = next(c for c in type(self).__mro__ if c.__dict__.get("__init__") is __init__)
        compiled = _compiled_init(owner, names, defaults)
        type.__setattr__(owner, "__init__", compiled)
        compiled(self, *args, **kwargs)

    return __init__


def _compiled_init(
    cls: type, names: tuple[str, ...], defaults: dict[str, object]
) -> Callable[..., None]:
    """An ``__init__`` with the fields as parameters, which fills each slot through its
    descriptor: about a third of the cost of a loop over the fields, on every record made.

    Compiled on first use, so that only the records a program makes pay for compiling one.
    """
    namespace: dict[str, object] = {}
    params = ["self"]
    body = ["    pass\n"]  # the body of a record without fields
    for index, name in enumerate(names):
        namespace[f"_set{index}"] = cls.__dict__[name].__set__
        if name in defaults:
            namespace[f"_default{index}"] = defaults[name]
            params.append(f"{name}=_default{index}")
        else:
            params.append(name)
        body.append(f"    _set{index}(self, {name})\n")
    source = (
        f"def __init__({', '.join(params)}):\n{''.join(body)}"
        f"__init__.__qualname__ = {cls.__qualname__ + '.__init__'!r}\n"
    )
    made: dict[str, Callable[..., None]] = {}
    exec(source, namespace, made)  # the source is made of the class's own field names
    return made["__init__"]


@dataclass_transform(frozen_default=True)
def record(cls: _C) -> _C:
    """Make ``cls`` a frozen, slotted value class of its annotated fields (see the module)."""
    names = tuple(inspect.get_annotations(cls))
    defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
    first_default = next((i for i, name in enumerate(names) if name in defaults), len(names))
    late = [name for name in names[first_default:] if name not in defaults]
    if late:
        raise TypeError(f"field {late[0]!r} without a default follows one with a default")
    if "self" in names:
        raise TypeError("a record field cannot be named 'self'")
    namespace = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in defaults and key not in {"__dict__", "__weakref__"}
    }
    namespace.update(
        __slots__=names,
        __record_fields__=names,
        __match_args__=names,
        __init__=_init_of(names, defaults),
    )
    made: _C = type(cls)(cls.__name__, (_Record, *cls.__bases__), namespace)
    made.__qualname__ = cls.__qualname__
    return made
