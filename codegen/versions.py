"""etcd's version annotations: which etcd release introduced a message, field, enum or value.

etcd 3.6 and later annotate their protos with the options ``versionpb`` declares
(``etcd_version_msg``, ``etcd_version_field``, ``etcd_version_enum``,
``etcd_version_enum_value``), each a ``"major.minor"`` string. The generator's protobuf runtime
does not know these extensions, so they arrive as unknown fields of the ``*Options`` messages;
their field numbers are read from ``versionpb``'s own declarations in the descriptor set, never
assumed. Protos without ``versionpb`` declarations (etcd 3.5) carry no annotations: every
lookup then answers ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import message

from codegen.load import LoadedFile

Version = tuple[int, int]
"""An etcd release as ``(major, minor)``; tuples compare in release order."""

#: The package declaring the annotations, and each annotation's name by the options it extends.
ANNOTATION_PACKAGE = "versionpb"
OPTION_NAMES = {
    ".google.protobuf.MessageOptions": "etcd_version_msg",
    ".google.protobuf.FieldOptions": "etcd_version_field",
    ".google.protobuf.EnumOptions": "etcd_version_enum",
    ".google.protobuf.EnumValueOptions": "etcd_version_enum_value",
}

_VERSION = re.compile(r"(\d+)\.(\d+)")
_LENGTH_DELIMITED = 2


class AnnotationError(ValueError):
    """An annotation is not a ``major.minor`` version, or its options cannot be decoded."""


def parse(text: str) -> Version:
    """``"3.5"`` → ``(3, 5)``."""
    match = _VERSION.fullmatch(text)
    if match is None:
        raise AnnotationError(f"etcd version annotation {text!r} is not major.minor")
    return int(match[1]), int(match[2])


def text(version: Version) -> str:
    """``(3, 5)`` → ``"3.5"``."""
    return f"{version[0]}.{version[1]}"


@dataclass(frozen=True)
class Annotations:
    """Reads the etcd version annotations off descriptor options.

    Attributes:
        numbers: Extension field number by the full name of the options message it extends.
    """

    numbers: dict[str, int]

    @classmethod
    def declared_in(cls, files: Sequence[LoadedFile]) -> Annotations:
        """The annotations ``versionpb`` declares in ``files`` (none if it declares none)."""
        numbers = {
            ext.extendee: ext.number
            for f in files
            if f.proto.package == ANNOTATION_PACKAGE
            for ext in f.proto.extension
            if OPTION_NAMES.get(ext.extendee) == ext.name
        }
        return cls(numbers=numbers)

    def since(self, options: message.Message) -> Version | None:
        """The release an element's ``options`` name, or ``None`` if not annotated."""
        number = self.numbers.get("." + options.DESCRIPTOR.full_name)
        if number is None:
            return None
        value = _last_string_field(options.SerializeToString(deterministic=True), number)
        return None if value is None else parse(value)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise AnnotationError("truncated varint in descriptor options")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _last_string_field(data: bytes, number: int) -> str | None:
    """The last value of length-delimited field ``number`` in serialized ``data``."""
    found: str | None = None
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        wire_type = key & 7
        if wire_type == 0:
            _, pos = _varint(data, pos)
        elif wire_type == 1:
            pos += 8
        elif wire_type == _LENGTH_DELIMITED:
            length, pos = _varint(data, pos)
            if key >> 3 == number:
                found = data[pos : pos + length].decode("utf-8")
            pos += length
        elif wire_type == 5:
            pos += 4
        else:
            raise AnnotationError(f"unexpected wire type {wire_type} in descriptor options")
    return found
