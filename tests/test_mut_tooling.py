"""The mutation set-up itself (python -m bench.mutation): its operators make the changes they claim.

Only the pure parts run here (a second or less); the mutation runs themselves take minutes per area
and are not part of the suite.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pytest

from bench.mutation import constants, kql_mutants, model, swap_server, wording
from bench.mutation.areas import AREAS
from bench.mutation.equivalent import EQUIVALENT
from bench.mutation.model import Mutant
from securescore.settings import PROJECT_ROOT


def changes(line: str) -> set[tuple[str, str]]:
    return {(m.operator, m.after) for m in kql_mutants.mutants("t.kql", line)}


def test_kql_window_bounds_flip_and_drop() -> None:
    found = changes("    | where TimeGenerated > ReportTime - Lookback and TimeGenerated <= ReportTime")
    assert ("comparison", "| where TimeGenerated >= ReportTime - Lookback and TimeGenerated <= ReportTime") in found
    assert ("comparison", "| where TimeGenerated > ReportTime - Lookback and TimeGenerated < ReportTime") in found
    assert ("conjunct dropped", "| where TimeGenerated <= ReportTime") in found
    assert ("conjunct dropped", "| where TimeGenerated > ReportTime - Lookback") in found
    assert ("logical", "| where TimeGenerated > ReportTime - Lookback or TimeGenerated <= ReportTime") in found
    assert ("line dropped", "") in found


def test_kql_operators_leave_strings_and_comments_alone() -> None:
    assert changes('    | where RecommendationState =~ "Unhealthy > 0" // a > b') == {
        ("comparison", '| where RecommendationState == "Unhealthy > 0" // a > b'),
        ("comparison", '| where RecommendationState !~ "Unhealthy > 0" // a > b'),
        ("line dropped", ""),
    }
    assert kql_mutants.mutants("t.kql", "// | where a > b\n{% include \"_prelude.kql\" %}") == []


def test_kql_joins_sorts_aggregates_constants_and_values() -> None:
    found = changes("| lookup kind=leftouter (T | summarize arg_max(TimeGenerated, X) by A) on A, B")
    assert ("join kind", "| lookup kind=inner (T | summarize arg_max(TimeGenerated, X) by A) on A, B") in found
    assert ("aggregate", "| lookup kind=leftouter (T | summarize arg_min(TimeGenerated, X) by A) on A, B") in found
    assert ("key dropped", "| lookup kind=leftouter (T | summarize arg_max(TimeGenerated, X) by A) on B") in found
    assert ("key dropped", "| summarize max(X) by A;") in changes("| summarize max(X) by A, B;")
    assert ("sort order", "| order by Change desc") in changes("| order by Change asc")
    assert {("constant", "let WeekAgo = ReportTime - 8d;"), ("constant", "let WeekAgo = ReportTime - 6d;")} <= changes(
        "let WeekAgo = ReportTime - 7d;")
    assert ("template value", "let L = {{ lookback_days + 1 }}d;") in changes("let L = {{ lookback_days }}d;")
    assert ("tolower removed", "| extend S = Id") in changes("| extend S = tolower(Id)")


def test_a_dropped_line_that_ended_a_let_keeps_the_semicolon() -> None:
    found = kql_mutants.mutants("t.kql", "let A = T\n    | where X > 0;\nA")
    (dropped,) = [m for m in found if m.operator == "line dropped"]
    assert dropped.text == "let A = T;\nA"


def test_regex_mutants_all_compile_and_change_the_pattern() -> None:
    found = dict((m, o) for o, m in constants.regex_mutants(r"^[0-9a-fA-F]{8}-x+\Z"))
    assert "[0-9a-fA-F]{8}-x+\\Z" in found and "^[0-9a-fA-F]{8}-x+" in found  # anchors
    assert "^[0-9a-fA-F]{9}-x+\\Z" in found and "^[0-9a-fA-F]{8}-x*\\Z" in found
    assert "^[0-9a-f]{8}-x+\\Z" in found  # a range of the class dropped: upper case refused


def test_module_constants_mutants(tmp_path: Path) -> None:
    source = 'import re\n\n__all__ = ["a", "b"]\nLIMIT = 50\nCHOICES = ("x", "y")\nROLE = "abc"\n' \
             '_ID = re.compile(r"[a-z]{2}")\n\n\n@register("f", 1, 2)\ndef f():\n    return 3\n'
    found = {(m.where, m.operator, m.after) for m in constants.mutants("m.py", source)}
    assert ("module", "number", "LIMIT = 51") in found and ("module", "number", "LIMIT = 49") in found
    assert ("module", "element dropped", 'CHOICES = ("y",)') in found
    assert ("module", "string", "ROLE = 'abcX'") in found
    assert ("module", "regex bound", "_ID = re.compile('[a-z]{3}')") in found
    assert ("@f", "number", '@register("f", 2, 2)') in found
    assert not any("__all__" in after or "return" in after for _, _, after in found)  # function bodies are mutmut's


def test_wording_is_only_a_literal_that_goes_into_a_message(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        'def check(errors, value):\n'
        '    errors.add("key", value, "a number from 1 to 5")\n'
        '    return {"key": value}["key"]\n', encoding="utf-8")

    def mutant(line: int, before: str, after: str) -> Mutant:
        return Mutant("mutmut", "m.x_check__mutmut_1", "m.py", "check", "mutmut", before, after, line=line)

    add = 'errors.add("key", value, "a number from 1 to 5")'
    assert wording.is_wording(mutant(2, add, add.replace('"a number', '"XXa number').replace('5")', '5XX")')), tmp_path)
    assert wording.is_wording(mutant(2, add, add.replace("a number from 1 to 5", "A NUMBER FROM 1 TO 5")), tmp_path)
    assert not wording.is_wording(mutant(2, add, add.replace('"key"', '"KEY"')), tmp_path)  # a key, not text
    ret = 'return {"key": value}["key"]'
    assert not wording.is_wording(mutant(3, ret, ret.replace('["key"]', '["XXkeyXX"]')), tmp_path)


def test_wording_includes_argparse_help_text_but_not_what_argparse_parses(tmp_path: Path) -> None:
    lines = [
        "def parser():",
        '    p = argparse.ArgumentParser(prog="tool", description="Send the report now.")',
        '    p.add_argument("--stack", metavar="NAME", help="the stack to use")',
        '    p.add_argument("--mode", choices=["a", "b"], help="the mode")',
        '    other(help="not argparse")',
        '    raise ValueError(text="a keyword of a message call")',
    ]
    (tmp_path / "m.py").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def reworded(line: int, old: str, new: str) -> bool:
        before = lines[line - 1].strip()
        return wording.is_wording(Mutant("mutmut", "m.x_parser__mutmut_1", "m.py", "parser", "mutmut", before,
                                         before.replace(old, new), line=line), tmp_path)

    assert reworded(2, '"Send the report now."', '"XXSend the report now.XX"')  # description=
    assert reworded(3, '"the stack to use"', '"THE STACK TO USE"')  # help=
    assert not reworded(2, '"tool"', '"XXtoolXX"')  # prog= is not one of the text keywords
    assert not reworded(3, '"--stack"', '"XX--stackXX"')  # the option string is parsed
    assert not reworded(3, '"NAME"', '"XXNAMEXX"')  # metavar
    assert not reworded(4, '"a"', '"XXaXX"')  # a choice decides what is accepted
    assert not reworded(5, '"not argparse"', '"XXnot argparseXX"')  # help= of a call that is not argparse's
    assert reworded(6, 'a keyword of a message call', 'A KEYWORD OF A MESSAGE CALL')  # a message call's keyword


@pytest.mark.parametrize("area", list(AREAS))
def test_every_area_names_code_and_tests_that_exist(area: str) -> None:
    assert AREAS[area].python_files(PROJECT_ROOT) and AREAS[area].test_files(PROJECT_ROOT)
    assert all((PROJECT_ROOT / f).is_file() for f in AREAS[area].skip_tests)


def test_every_equivalent_entry_names_a_file_and_text_of_it() -> None:
    for entry in EQUIVALENT:
        text = (PROJECT_ROOT / entry.file).read_text(encoding="utf-8")
        assert entry.reason and entry.before in text, entry


@pytest.mark.parametrize("area", list(AREAS))
def test_each_areas_equivalents_are_in_that_areas_code(area: str) -> None:
    entries = importlib.import_module(f"bench.mutation.equivalent.{area}").ENTRIES
    mutated = set(AREAS[area].python_files(PROJECT_ROOT)) | set(AREAS[area].kql_files(PROJECT_ROOT))
    assert all(entry.file in mutated for entry in entries), [e.file for e in entries if e.file not in mutated]


@pytest.mark.parametrize(("caught", "total", "low", "high"), [
    # Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven methods",
    # Statistics in Medicine 17 (1998) 857-872, Table II, method 3 (Wilson score, no continuity correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_sampled_kill_rate_interval_is_wilsons(caught: int, total: int, low: float, high: float) -> None:
    found = model.wilson_interval(caught, total)
    assert found == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_sample_is_fixed_uniform_and_keeps_order() -> None:
    items = [f"m{i}" for i in range(1000)]
    chosen = model.sample(items, 100)
    assert len(chosen) == 100 and len(set(chosen)) == 100
    assert chosen == model.sample(list(items), 100)  # the same mutants every run
    assert chosen == [i for i in items if i in set(chosen)]  # original order
    assert model.sample(items, 1000) == items and model.sample(items, None) == items
    assert model.sample(items, 100, seed=1) != chosen
    # Uniform: each tenth of the list gets about a tenth of the sample (a biased pick, e.g. the first
    # hundred, would put all of it in one tenth).
    per_tenth = [sum(1 for i in chosen if int(i[1:]) // 100 == t) for t in range(10)]
    assert max(per_tenth) < 25


def test_seed_from_the_environment_draws_that_seeds_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [f"m{i}" for i in range(1000)]
    default = model.sample(items, 50)
    monkeypatch.setenv(model.SEED_VARIABLE, "7")  # what --seed 7 sets, for this process and mutmut's
    assert model.sample(items, 50) == model.sample(items, 50, seed=7) != default
    monkeypatch.setenv(model.SEED_VARIABLE, "")
    assert model.sample(items, 50) == default


def test_a_fork_starts_from_the_logging_state_the_baseline_started_from() -> None:
    """What the baseline's tests install in the logging module (the helpers' record factory, a
    logger's level, handlers) is undone before the forks: a forgotten module's factory left in place
    would mark records redacted with a stale redactor and fail the unmutated code."""
    factory = logging.getLogRecordFactory()
    known = logging.getLogger("securescore.mut_tooling.known")
    known.setLevel(logging.INFO)
    restore = swap_server.logging_state()
    handler = logging.NullHandler()
    try:
        logging.setLogRecordFactory(lambda *args, **kwargs: factory(*args, **kwargs))
        known.setLevel(logging.CRITICAL + 1)
        known.addHandler(handler)
        known.propagate = False
        created = logging.getLogger("securescore.mut_tooling.created_by_the_baseline")
        created.setLevel(logging.CRITICAL + 1)
        created.disabled = True
        restore()
        assert logging.getLogRecordFactory() is factory
        assert (known.level, known.handlers, known.propagate) == (logging.INFO, [], True)
        assert (created.level, created.disabled, created.isEnabledFor(logging.WARNING)) == (logging.NOTSET, False, True)
    finally:
        logging.setLogRecordFactory(factory)
        known.setLevel(logging.NOTSET)
        known.removeHandler(handler)
        known.propagate = True
