"""``record`` classes behave as ``@dataclass(frozen=True, slots=True)`` ones do."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Generic, TypeVar

import pytest

from etcd3._record import record

T = TypeVar("T")


@record
class Point(Generic[T]):
    """A point."""

    x: int
    label: T
    tags: tuple[str, ...] = ()

    def moved(self, dx: int) -> Point[T]:
        return Point(self.x + dx, self.label, self.tags)


@dataclasses.dataclass(frozen=True, slots=True)
class DataPoint(Generic[T]):
    x: int
    label: T
    tags: tuple[str, ...] = ()


def test_fields_take_positions_keywords_and_defaults() -> None:
    p = Point(1, "a")
    assert (p.x, p.label, p.tags) == (1, "a", ())
    q = Point(label="b", x=2, tags=("t",))
    assert (q.x, q.label, q.tags) == (2, "b", ("t",))
    assert p.moved(2) == Point(3, "a")
    assert Point.__doc__ == "A point."
    assert Point.__qualname__ == "Point"
    assert Point[str] is not None  # still generic at run time


def test_equality_hash_and_repr_match_a_dataclass() -> None:
    ours, theirs = Point(1, "a", ("t",)), DataPoint(1, "a", ("t",))
    other: object = theirs
    assert ours == Point(1, "a", ("t",))
    assert ours != Point(2, "a", ("t",))
    assert ours != other  # another class is never equal, as between dataclasses
    assert hash(ours) == hash(Point(1, "a", ("t",)))
    assert repr(ours) == repr(theirs).replace("DataPoint", "Point")
    assert {ours: 1}[Point(1, "a", ("t",))] == 1


def test_a_record_is_frozen_and_slotted() -> None:
    p = Point(1, "a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.x
    assert not hasattr(p, "__dict__")
    assert vars(Point)["__slots__"] == ("x", "label", "tags")
    assert Point.__match_args__ == ("x", "label", "tags")


def test_bad_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'label'"):
        Point(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="positional arguments"):
        Point(1, "a", (), 4)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'y'"):
        Point(1, "a", y=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, "a", x=2)  # type: ignore[misc]


def test_the_first_instance_compiles_the_constructor_of_its_record_class() -> None:
    @record
    class Pair:
        left: int
        right: str = "r"

    class Child(Pair):
        __slots__ = ()

    first = vars(Pair)["__init__"]
    child = Child(1)  # made through a subclass: compiled for the record class all the same
    compiled = vars(Pair)["__init__"]
    assert compiled is not first
    assert "__init__" not in vars(Child)
    assert compiled.__qualname__ == f"{Pair.__qualname__}.__init__"
    assert (child.left, child.right) == (1, "r")
    assert (Pair(2, "b").left, Pair(right="c", left=3).right) == (2, "c")
    assert vars(Pair)["__init__"] is compiled


def test_fields_that_cannot_make_a_constructor_are_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="'b' without a default follows one with a default"):

        @record
        class Late:
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="cannot be named 'self'"):

        @record
        class Selfish:
            self: int


def test_a_record_survives_pickle_and_copy() -> None:
    p = Point(1, "a", ("t",))
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.copy(p) == p
    assert copy.deepcopy(p) == p


def test_a_subclass_keeps_the_fields_of_its_record() -> None:
    class Traced(Point[str]):
        __slots__ = ()

    class Loose(Point[str]):
        pass

    for cls in (Traced, Loose):
        one = cls(1, "a")
        assert one == cls(1, "a")
        assert one != cls(1, "b")
        assert hash(one) == hash(cls(1, "a"))
        assert repr(one).endswith(f"{cls.__name__}(x=1, label='a', tags=())")
        assert one != Point(1, "a")  # another class


def test_replace_makes_a_changed_copy() -> None:
    p = Point(1, "a", ("t",))
    # What copy.replace() calls on Python 3.13 and later; type checkers of older targets do not
    # know the protocol.
    moved = p.__replace__(x=5)  # type: ignore[attr-defined]
    assert moved == Point(5, "a", ("t",))
    assert p == Point(1, "a", ("t",))
    with pytest.raises(TypeError, match="unexpected keyword"):
        p.__replace__(z=1)  # type: ignore[attr-defined]
