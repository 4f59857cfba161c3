"""The reviewed equivalent mutants: changes no test can tell apart, each with its reason.

The file is a JSON list of objects with the fields of ``MutantKey``
(``occurrence`` may be left out when it is 0) and a one-line ``reason``. An entry names a
mutant by the text it changes, so an edit to that text leaves the entry matching nothing: the
run then reports it as stale, and a reviewer decides again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tools.mutation.mutants import MutantKey

PATH = Path(__file__).with_name("allowlist.json")
_FIELDS = {"module", "scope", "before", "after", "occurrence", "reason"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One equivalent mutant and why it is one."""

    key: MutantKey
    reason: str

    def to_json(self) -> dict[str, object]:
        """The entry as the file spells it."""
        data: dict[str, object] = {
            "module": self.key.module,
            "scope": self.key.scope,
            "before": self.key.before,
            "after": self.key.after,
        }
        if self.key.occurrence:
            data["occurrence"] = self.key.occurrence
        data["reason"] = self.reason
        return data


def _entry(raw: object, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: an entry must be an object")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    texts = {}
    for field in ("module", "scope", "before", "after", "reason"):
        value = raw.get(field)
        if not isinstance(value, str):
            raise ValueError(f"{where}: {field!r} must be a string")
        texts[field] = value
    occurrence = raw.get("occurrence", 0)
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 0:
        raise ValueError(f"{where}: 'occurrence' must be a whole number >= 0")
    reason = texts["reason"].strip()
    if not reason or "\n" in reason:
        raise ValueError(f"{where}: 'reason' must be one non-empty line")
    key = MutantKey(texts["module"], texts["scope"], texts["before"], texts["after"], occurrence)
    return Entry(key, reason)


def parse(text: str, origin: str = "allowlist") -> dict[MutantKey, Entry]:
    """The entries of an allowlist file's text, by key.

    Raises:
        ValueError: The text is not a list of well-formed entries, or names a mutant twice.
    """
    raw = json.loads(text)
    if not isinstance(raw, list):
        raise ValueError(f"{origin}: expected a JSON list of entries")
    entries: dict[MutantKey, Entry] = {}
    for index, item in enumerate(raw):
        entry = _entry(item, f"{origin}[{index}]")
        if entry.key in entries:
            raise ValueError(f"{origin}[{index}]: the same mutant is listed twice")
        entries[entry.key] = entry
    return entries


def load(path: Path = PATH) -> dict[MutantKey, Entry]:
    """The entries of the allowlist file at ``path`` (none if there is no file)."""
    if not path.exists():
        return {}
    return parse(path.read_text(encoding="utf-8"), str(path))
