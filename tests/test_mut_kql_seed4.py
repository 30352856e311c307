"""Report queries at the edges kql templates seed 4 showed untested: a workspace where continuous export
has written nothing yet (no tables at all), and a subscription whose newest row lies exactly at the
lookback's start. Expected values are written out from docs/design.md's contracts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from securescore.datasources.engine import LocalEngine, table_schemas
from securescore.queries import render_queries
from tests.conftest import REPORT_NOW, REPORT_TIME, make_settings
from tests.test_mut_kql_edges import run, score

EXPORTED = ("SecureScores", "SecureScoreControls", "SecurityRecommendation")


def test_a_workspace_without_any_exported_table_gives_the_no_data_report() -> None:
    """Continuous export creates its tables with its first write: before that, every query still runs
    (`union isfuzzy=true`) and says "no data yet" instead of failing on an unknown table."""
    settings = make_settings(2)
    schemas = {name: columns for name, columns in table_schemas().items() if name not in EXPORTED}
    schemas["Heartbeat"] = {"TimeGenerated": "datetime"}  # a workspace always has some table
    engine = LocalEngine({}, schemas)
    try:
        results = {name: engine.run(text) for name, text in render_queries(settings, REPORT_TIME).items()}
    finally:
        engine.close()
    assert results["overall"][0]["SubscriptionsReporting"] == 0 and results["overall"][0]["ScoreNow"] is None
    assert [row["HasData"] for row in results["subscriptions"]] == [False, False]
    freshness = results["freshness"][0]
    assert (freshness["SubscriptionsConfigured"], freshness["SubscriptionsMissing"]) == (2, 2)
    assert results["top_controls"] == [] and results["changes"] == []


@pytest.mark.parametrize(("offset", "has_data"), [(timedelta(0), False), (timedelta(seconds=1), True)])
def test_a_row_exactly_at_the_lookbacks_start_is_not_the_latest(offset: timedelta, has_data: bool) -> None:
    """docs/design.md: the latest row at T is the newest row in (T - lookbackDays, T], open at the start."""
    settings = make_settings(1, lookbackDays=14)
    sub = settings.subscription_ids[0]
    at = REPORT_NOW - timedelta(days=14) + offset
    [row] = run(settings, {"SecureScores": [score(sub, at, 0.5)]}, "subscriptions")
    assert row["HasData"] is has_data
