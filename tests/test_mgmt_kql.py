"""The KQL of management-group mode: Microsoft's parser accepts it with the longest lists, the run-time
list is only ever checked GUIDs, and the per-subscription mode's text is untouched by the mode."""

from __future__ import annotations

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.kql_check import check_queries
from securescore.queries import LOGIC_APP_MEMBERSHIP, LOGIC_APP_REPORT_TIME, membership_text, render_queries
from tests.conftest import REPORT_TIME, make_settings

SETTINGS = make_settings(managementGroupId="contoso", subscriptions=[], exportAssessments=True)
IDS = [f"{i:08x}-1111-4111-8111-{i:012x}" for i in range(5000)]


@pytest.mark.node
def test_the_parser_accepts_every_form_of_the_list() -> None:
    batch: dict[str, str] = {}
    for label, membership in (("5,000 ids", IDS), ("one id", IDS[:1]), ("none", []), ("no filter", None)):
        for name, text in render_queries(SETTINGS, REPORT_TIME, membership=membership).items():
            batch[f"{label} / {name}"] = text
    diagnostics = check_queries(batch)
    assert [d.describe(batch[d.query]) for d in diagnostics] == []
    assert {label.rsplit(" / ", 1)[1] for label in batch} >= {"coverage", "recommendations", "overall"}


def test_the_deployed_text_reads_the_runs_list() -> None:
    queries = render_queries(SETTINGS, LOGIC_APP_REPORT_TIME)
    for name, text in queries.items():
        assert f'let MemberIds = "{LOGIC_APP_MEMBERSHIP}";' in text, name
        assert text.count("@{") == 2, name  # the run's time and the run's list, nothing else


@pytest.mark.parametrize("bad", ["AAAAAAAA-1111-4111-8111-000000000000", "x", '"', "0000-0", ""])
def test_only_lower_case_guids_become_the_list(bad: str) -> None:
    with pytest.raises(ValueError, match="not a lower-case subscription GUID"):
        membership_text([IDS[0], bad])
    assert membership_text(IDS[:2]) == f"{IDS[0]},{IDS[1]}" and membership_text(None) == "*"


def test_an_empty_group_gives_the_no_data_answers() -> None:
    engine = LocalEngine({"SecureScores": [{
        "TimeGenerated": "2026-11-22T07:00:00Z", "SecureScoresSubscriptionId": IDS[1], "DisplayName": "ASC score",
        "PercentageScore": 0.5, "CurrentScore": 5.0, "MaxScore": 10, "Weight": 1}]})
    try:
        queries = render_queries(SETTINGS, REPORT_TIME, membership=[])
        overall = engine.run(queries["overall"])[0]
        unfiltered = engine.run(render_queries(SETTINGS, REPORT_TIME, membership=None)["overall"])[0]
    finally:
        engine.close()
    assert overall["SubscriptionsReporting"] == 0 and overall["ScoreNow"] is None  # a row outside the group
    assert unfiltered["SubscriptionsReporting"] == 1 and unfiltered["ScoreNow"] == 50.0
