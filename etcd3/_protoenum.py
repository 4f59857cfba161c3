"""The base of the generated enums: an ``IntEnum`` that also answers protobuf's enum API.

protoc's ``_pb2`` modules expose each enum as an ``EnumTypeWrapper`` (``Name``, ``Value``,
``keys``, ``values``, ``items``), and a message class exposes its nested enums and their values
as class attributes (``RangeRequest.SortOrder``, ``RangeRequest.DESCEND``). Code written for
the predecessors' ``etcdrpc`` uses both, so the generated enums keep that API, and the message
classes of our pool name the generated enum and its members there, which gives those
attributes the enum's static type.
"""

from __future__ import annotations

import enum

from typing_extensions import Self

__all__ = ["ProtoEnum", "nest_enum"]


class ProtoEnum(enum.IntEnum):
    """An enum of etcd's protos: an ``IntEnum`` with protobuf's ``EnumTypeWrapper`` methods."""

    @classmethod
    def Name(cls, number: int) -> str:
        """The name of the value ``number``.

        Raises:
            ValueError: The enum has no such value.
        """
        try:
            return cls(number).name
        except ValueError:
            raise ValueError(
                f"enum {cls.__name__} has no name defined for value {number!r}"
            ) from None

    @classmethod
    def Value(cls, name: str) -> Self:
        """The value called ``name``.

        Raises:
            ValueError: The enum has no such value.
        """
        try:
            return cls[name]
        except KeyError:
            raise ValueError(
                f"enum {cls.__name__} has no value defined for name {name!r}"
            ) from None

    @classmethod
    def keys(cls) -> list[str]:
        """The names of the values, in definition order."""
        return [member.name for member in cls]

    @classmethod
    def values(cls) -> list[Self]:
        """The values, in definition order."""
        return list(cls)

    @classmethod
    def items(cls) -> list[tuple[str, Self]]:
        """``(name, value)`` pairs, in definition order."""
        return [(member.name, member) for member in cls]


def nest_enum(message_class: type, name: str, nested: type[ProtoEnum], **values: ProtoEnum) -> None:
    """Name ``nested`` on ``message_class`` as ``name``, and its members by their proto names.

    protobuf sets the same attributes to its wrapper and to plain ints; these carry the
    generated enum's type, as the stubs declare them.

    Args:
        message_class: The message class the enum is declared in.
        name: The enum's name in the message (``SortOrder``).
        nested: The generated enum.
        values: Its members, by their proto names (``DESCEND=SortOrder.DESCEND``).
    """
    setattr(message_class, name, nested)
    for proto_name, member in values.items():
        setattr(message_class, proto_name, member)
