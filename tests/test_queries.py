"""Every rendered query passes Microsoft's Kusto.Language parser and binder with zero errors.

(Results are checked against an independent computation in test_query_results.py.)
"""

from __future__ import annotations

import re

import duckdb_kql
import pytest

from securescore.kql_check import check_queries
from securescore.queries import (
    ALL_QUERY_NAMES,
    LOGIC_APP_REPORT_TIME,
    QUERY_NAMES,
    kql_string,
    query_names,
    render_queries,
)
from securescore.settings import available_stacks, settings_from_stack
from tests.conftest import REPORT_TIME, make_settings

pytestmark = pytest.mark.node

HOSTILE = 'ASC "score" \\ @{utcNow()} \' | take 1 // x'


def all_configs():
    for stack in available_stacks():
        yield f"stack:{stack}", settings_from_stack(stack)
    yield "one subscription", make_settings(1)
    yield "500 subscriptions", make_settings(500)
    yield "500 subscriptions, assessments exported", make_settings(500, exportAssessments=True)
    yield "hostile initiative name", make_settings(initiativeName=HOSTILE)
    yield "shortest windows", make_settings(trendWeeks=2, lookbackDays=7, topControls=1)
    yield "longest windows", make_settings(trendWeeks=52, lookbackDays=90, topControls=20, exportAssessments=True)


def test_every_rendered_query_has_no_kusto_diagnostics() -> None:
    # One Node process for all configurations: the parser takes about a second to load.
    batch: dict[str, str] = {}
    for label, settings in all_configs():
        for report_time in (REPORT_TIME, "2026-01-01T00:00:00Z"):
            for name, text in render_queries(settings, report_time).items():
                batch[f"{label} / {report_time} / {name}"] = text
    diagnostics = check_queries(batch)
    assert [d.describe(batch[d.query]) for d in diagnostics] == []
    assert len(batch) == 2 * sum(len(query_names(settings)) for _, settings in all_configs())
    assert {label.rsplit(" / ", 1)[1] for label in batch} == set(ALL_QUERY_NAMES)  # every query checked


def test_the_checker_does_report_errors() -> None:
    # Guard against a checker that silently accepts everything.
    found = check_queries(
        {
            "bad": "SecureScores | where NoSuchColumn == 1 | summarize arg_max(TimeGenerated)",
            "latest": "let latest = 1; print latest",  # a reserved word: duckdb-kql accepts it, Kusto does not
        }
    )
    assert any(d.query == "bad" and d.code == "KS142" and "NoSuchColumn" in d.message for d in found)
    assert any(d.query == "latest" for d in found)


def test_deployed_text_differs_only_in_report_time() -> None:
    settings = settings_from_stack("example")
    deployed = render_queries(settings, LOGIC_APP_REPORT_TIME)
    local = render_queries(settings, REPORT_TIME)
    assert set(deployed) == set(local) == set(QUERY_NAMES)  # the example exports assessments
    for name in QUERY_NAMES:
        assert deployed[name].replace(LOGIC_APP_REPORT_TIME, REPORT_TIME) == local[name]
        assert deployed[name].count("@") == 1  # the utcNow() interpolation, nothing else


LITERALS = [HOSTILE, "plain", "a@b", "@{x}", "@", "\\", '"', "' or 1==1"]


@pytest.mark.parametrize("value", LITERALS)
def test_kql_string_round_trips_and_never_forms_an_interpolation(value: str) -> None:
    literal = kql_string(value)
    assert "@{" not in literal
    connection = duckdb_kql.connect()
    assert duckdb_kql.kql(connection, f"print v = {literal}").fetchall() == [(value,)]


def test_kql_string_literals_are_valid_kusto() -> None:
    assert check_queries({f"literal {i}": f"print v = {kql_string(v)}" for i, v in enumerate(LITERALS)}) == []


def test_hostile_initiative_name_stays_a_literal() -> None:
    settings = make_settings(initiativeName=HOSTILE)
    text = render_queries(settings, LOGIC_APP_REPORT_TIME)["overall"]
    assert text.count("@{") == 1
    assert re.search(r"where DisplayName == strcat\(", text)


def test_bad_report_time_is_refused() -> None:
    with pytest.raises(ValueError, match="report_time"):
        render_queries(make_settings(), "now()")


def test_only_a_stack_that_exports_assessments_queries_them() -> None:
    without = render_queries(make_settings(), REPORT_TIME)
    assert "recommendations" not in without
    assert not any("SecurityRecommendation" in text for text in without.values())
    with_assessments = render_queries(make_settings(exportAssessments=True), REPORT_TIME)
    assert "SecurityRecommendation" in with_assessments["recommendations"]
