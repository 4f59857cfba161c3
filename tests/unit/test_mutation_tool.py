"""The mutation tool behind ``make mutate`` (tools/mutation): mutants, keys, allowlist, runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tools.mutation import allowlist, config, patch, runner
from tools.mutation.__main__ import Result, table
from tools.mutation.mutants import Mutant, MutantKey, generate

SOURCE = '''"""A module docstring is never mutated."""
from typing import TYPE_CHECKING, TypeAlias, TypeVar

__all__ = ["f"]

T = TypeVar("T", bound=int)
Alias: TypeAlias = int | None

if TYPE_CHECKING:
    LIMIT = 3

CONSTANT = 5


def f(x: int = 1) -> bool:
    """Docstring."""
    if x < CONSTANT:
        return call(
            x,
            key="k",
        )
    return x == 2
'''


def _descriptions(mutants: list[Mutant]) -> set[tuple[str, str, str]]:
    return {(m.key.scope, m.key.before, m.key.after) for m in mutants}


def test_mutants_cover_import_time_code_and_function_bodies() -> None:
    found = _descriptions(generate("m", SOURCE))
    assert ("<module>", "CONSTANT = 5", "CONSTANT = 6") in found
    assert ("f", "def f(x: int = 1) -> bool:", "def f(x: int = 2) -> bool:") in found
    assert ("f", "if x < CONSTANT:", "if x <= CONSTANT:") in found
    assert ("f", "return x == 2", "return x != 2") in found


def test_what_only_type_checkers_and_readers_see_is_not_mutated() -> None:
    befores = {m.key.before for m in generate("m", SOURCE)}
    assert not any("docstring" in b.lower() for b in befores)
    skipped = ("__all__", "LIMIT", "from typing", "T = ", "Alias")
    assert not any(b.startswith(skipped) for b in befores)


def test_a_mutant_spanning_lines_keeps_the_indentation_of_its_block() -> None:
    # Splicing the replacement's code into the text must give what rebuilding the tree gives.
    for mutant in generate("m", SOURCE):
        compile(mutant.source, "m", "exec")
    removed = [m for m in generate("m", SOURCE) if m.key.before.startswith("x,")]
    assert [m.key.after for m in removed] == ["None,", ""]
    (dropped,) = [m for m in removed if not m.key.after]
    assert '            key="k",\n' in dropped.source
    assert dropped.source == SOURCE.replace("            x,\n", "")


def test_a_mutant_is_keyed_by_its_text_not_its_line_number() -> None:
    moved = SOURCE.replace("CONSTANT = 5\n", "CONSTANT = 5\nOTHER = 1\n")
    keys = {m.key for m in generate("m", SOURCE)}
    lines = {m.key: m.line for m in generate("m", SOURCE)}
    moved_mutants = {m.key: m.line for m in generate("m", moved)}
    key = MutantKey("m", "f", "return x == 2", "return x != 2")
    assert key in keys
    assert key in moved_mutants
    assert moved_mutants[key] == lines[key] + 1
    edited = {m.key for m in generate("m", SOURCE.replace("x == 2", "x == 3"))}
    assert key not in edited


def test_identical_changes_in_one_scope_are_told_apart_by_occurrence() -> None:
    source = "def g(a):\n    a = a + 1\n    a = a + 1\n    return a\n"
    keys = [m.key for m in generate("m", source) if m.key.after == "a = a - 1"]
    assert [k.occurrence for k in keys] == [0, 1]


def test_scopes_limit_what_is_mutated() -> None:
    mutants = generate("m", SOURCE, in_scope=lambda scope: scope == "f")
    assert mutants
    assert {m.key.scope for m in mutants} == {"f"}


def test_target_scopes_match_qualified_names() -> None:
    target = config.Target("etcd3.errors", (), scopes=("EtcdError.classify",))
    assert target.in_scope("EtcdError.classify")
    assert target.in_scope("EtcdError.classify.inner")
    assert not target.in_scope("EtcdError")
    assert not target.in_scope("EtcdError.classifyx")
    assert config.Target("m", ()).in_scope("<module>")


def test_every_target_names_existing_files() -> None:
    for target in config.TARGETS:
        assert target.path.is_file(), target.module
        for test in target.tests:
            assert (config.ROOT / test).is_file(), test


def test_select_takes_short_or_full_names_in_configuration_order() -> None:
    chosen = config.select(["_retry", "etcd3._paging"])
    assert [t.module for t in chosen] == ["etcd3._paging", "etcd3._retry"]
    assert config.select([]) == list(config.TARGETS)
    with pytest.raises(ValueError, match="unknown module"):
        config.select(["_nope"])


def _entry(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "module": "m",
        "scope": "f",
        "before": "a",
        "after": "b",
        "reason": "same value",
    }
    base.update(fields)
    return base


def test_allowlist_entries_are_keyed_like_mutants() -> None:
    entries = allowlist.parse(json.dumps([_entry(), _entry(occurrence=1)]))
    assert set(entries) == {MutantKey("m", "f", "a", "b"), MutantKey("m", "f", "a", "b", 1)}
    entry = entries[MutantKey("m", "f", "a", "b")]
    assert entry.reason == "same value"
    assert "occurrence" not in entry.to_json()
    assert allowlist.parse(json.dumps([entry.to_json()])) == {entry.key: entry}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"not": "a list"}, "a JSON list"),
        (["entry"], "must be an object"),
        ([_entry(reason="")], "one non-empty line"),
        ([_entry(reason="two\nlines")], "one non-empty line"),
        ([_entry(before=1)], "'before' must be a string"),
        ([_entry(occurrence=-1)], "'occurrence'"),
        ([_entry(occurrence=True)], "'occurrence'"),
        ([_entry(line=3)], "unknown field"),
        ([_entry(), _entry(reason="again")], "listed twice"),
    ],
)
def test_a_malformed_allowlist_is_refused(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allowlist.parse(json.dumps(raw))


def test_the_committed_allowlist_is_well_formed_and_names_configured_modules() -> None:
    modules = {t.module for t in config.TARGETS}
    entries = allowlist.load()
    assert {key.module for key in entries} <= modules


def test_a_patched_module_is_loaded_from_its_patch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "patched_sample.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.delitem(sys.modules, "patched_sample", raising=False)
    patch.install("patched_sample", tmp_path / "patched_sample.py", "VALUE = 2\n")
    import patched_sample  # type: ignore[import-not-found]

    assert patched_sample.VALUE == 2
    assert patched_sample.__file__ == str(tmp_path / "patched_sample.py")
    with pytest.raises(RuntimeError, match="already imported"):
        patch.install("patched_sample", tmp_path / "patched_sample.py", "VALUE = 3\n")
    monkeypatch.delitem(sys.modules, "patched_sample")


def test_a_fresh_run_tells_a_killed_mutant_from_the_original() -> None:
    (target,) = config.select(["_backoff"])
    source = target.path.read_text(encoding="utf-8")
    assert runner.run_fresh(target, source, timeout=120).verdict is runner.Verdict.SURVIVED
    broken = source.replace("self._attempt += 1", "self._attempt += 2")
    assert broken != source
    killed = runner.run_fresh(target, broken, timeout=120)
    assert killed.verdict is runner.Verdict.KILLED
    assert killed.exit_code == 1


def test_changed_files_touch_their_modules_and_tests() -> None:
    assert config.touched_by(["README.md"]) == []
    by_source = config.touched_by(["etcd3/_paging.py", "docs/x.md"])
    assert [t.short for t in by_source] == ["_paging"]
    by_test = config.touched_by(["tests/unit/test_transactions_builder.py"])
    assert [t.short for t in by_test] == ["_transactions.messages", "_transactions.builder"]
    assert config.touched_by(["tools/mutation/allowlist.json"]) == list(config.TARGETS)


def test_the_score_leaves_allowlisted_mutants_out() -> None:
    mutants = generate("m", SOURCE)[:10]
    target = config.Target("m", ())
    result = Result(target, mutants=mutants, killed=8, survivors=mutants[8:9])
    result.equivalent = [(mutants[9], allowlist.Entry(mutants[9].key, "same"))]
    assert result.score == pytest.approx(100 * 8 / 9)
    rows = table([result]).splitlines()
    assert rows[0].split(" | ")[:6] == [
        "module",
        "mutants",
        "killed",
        "survived",
        "allowlisted",
        "score",
    ]
    assert [cell.strip() for cell in rows[2].split(" | ")[:6]] == [
        "m",
        "10",
        "8",
        "1",
        "1",
        "88.9%",
    ]
    assert rows[-1].startswith("all ")
    assert Result(target).score == 100.0
