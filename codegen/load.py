"""Stage 1: read a ``FileDescriptorSet`` and index the comments protoc kept in ``SourceCodeInfo``.

A comment is addressed by its file and the descriptor *path* protoc records: the field numbers
and indexes leading from the ``FileDescriptorProto`` to an element, e.g. ``(4, 0, 2, 1)`` is
message #0, field #1. The constants below name the field numbers of ``descriptor.proto`` used in
those paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from google.protobuf import descriptor_pb2

#: ``FileDescriptorProto`` fields.
FILE_PACKAGE = 2
FILE_MESSAGE = 4
FILE_ENUM = 5
FILE_SERVICE = 6
FILE_SYNTAX = 12
#: ``DescriptorProto`` fields.
MESSAGE_FIELD = 2
MESSAGE_NESTED = 3
MESSAGE_ENUM = 4
#: ``EnumDescriptorProto`` / ``ServiceDescriptorProto`` fields.
ENUM_VALUE = 2
SERVICE_METHOD = 2

Path = tuple[int, ...]


@dataclass(frozen=True)
class Comments:
    """The comments attached to one element, as protoc recorded them (``//`` already removed)."""

    leading: str = ""
    trailing: str = ""
    detached: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadedFile:
    """One proto file and its comments by descriptor path."""

    proto: descriptor_pb2.FileDescriptorProto
    comments: Mapping[Path, Comments] = field(default_factory=lambda: MappingProxyType({}))

    def comments_at(self, path: Path) -> Comments:
        """The comments of the element at ``path`` (empty if it has none)."""
        return self.comments.get(path, Comments())


def comment_index(proto: descriptor_pb2.FileDescriptorProto) -> Mapping[Path, Comments]:
    """Map each descriptor path that has comments to them."""
    index: dict[Path, Comments] = {}
    for loc in proto.source_code_info.location:
        if loc.leading_comments or loc.trailing_comments or loc.leading_detached_comments:
            index[tuple(loc.path)] = Comments(
                leading=loc.leading_comments,
                trailing=loc.trailing_comments,
                detached=tuple(loc.leading_detached_comments),
            )
    return MappingProxyType(index)


def load(data: bytes) -> tuple[LoadedFile, ...]:
    """Parse serialized ``FileDescriptorSet`` bytes into files with comment indexes.

    Files keep the set's order, which protoc writes dependencies-first.
    """
    fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    return tuple(LoadedFile(proto=f, comments=comment_index(f)) for f in fds.file)
