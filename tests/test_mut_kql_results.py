"""Report queries on small hand-made workspaces, for the rules the broad cases of test_query_results.py
compare only within 0.01 or never reach: what counts as a change, how values are rounded, which
subscriptions count in a control's change, null (never NaN) for a score without weight, and the severity
order of what to fix first. Expected values are written out by hand from docs/design.md's contracts and
the score formulas (Defender for Cloud: a weighted average of PercentageScore)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.queries import render_queries
from tests.conftest import REPORT_NOW, REPORT_TIME
from tests.test_query_results import settings_with

NOW = REPORT_NOW
WEEK_AGO = NOW - timedelta(days=7)
Tables = dict[str, list[dict[str, Any]]]


def score(sub: str, at: datetime, pct: float, weight: int = 10, max_score: int = 40) -> dict[str, Any]:
    return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "DisplayName": "ASC score",
            "CurrentScore": round(pct * max_score, 2), "MaxScore": max_score, "PercentageScore": pct,
            "Weight": weight}


def control(sub: str, at: datetime, cid: str, current: float, max_score: int = 10) -> dict[str, Any]:
    return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "ControlId": cid, "ControlName": cid.upper(),
            "CurrentScore": current, "MaxScore": max_score, "HealthyResources": 1, "UnhealthyResources": 1}


def run(settings: Any, tables: Tables, query: str, suffix: str = "") -> list[dict[str, Any]]:
    engine = LocalEngine(tables)
    try:
        return engine.run(render_queries(settings, REPORT_TIME)[query].rstrip() + suffix)
    finally:
        engine.close()


SUBS = settings_with(4)
A, B, C, D = SUBS.subscription_ids


@cache
def changes() -> list[dict[str, Any]]:
    tables: Tables = {
        "SecureScores": [
            score(A, NOW - timedelta(days=1), 0.497654),  # 49.7654 now, 48.7654 a week ago: +1.00 exactly
            score(A, WEEK_AGO, 0.487654),
            score(B, NOW - timedelta(days=1), 0.123456),  # the same score both weeks: no change
            score(B, WEEK_AGO - timedelta(days=1), 0.123456),
            score(C, NOW - timedelta(days=1), 0.0, weight=5, max_score=0),  # latest row: MaxScore 0
            score(C, WEEK_AGO, 0.3, weight=5),
            score(D, NOW - timedelta(days=1), 0.61),  # 61.0 now, 59.8766 a week ago: +1.1234, shown 1.12
            score(D, WEEK_AGO, 0.598766),
        ],
        "SecureScoreControls": [
            control(A, NOW, "c1", 6.0), control(A, WEEK_AGO, "c1", 4.0),  # +2 of 10 in A
            control(C, NOW, "c1", 3.0), control(C, WEEK_AGO, "c1", 1.0),  # C's latest MaxScore is 0: not counted
        ],
    }
    return run(SUBS, tables, "changes")


def test_changes_leave_out_subscriptions_whose_max_score_is_zero() -> None:
    # 100 * W_A * (6 - 4) / Max_A / sum(W) = 100 * 10 * 2 / 40 / (10 + 10 + 5 + 10) = 1.43, from A alone.
    controls = [r for r in changes() if r["Kind"] == "control"]
    assert [(r["Id"], r["Change"], r["Subscriptions"]) for r in controls] == [("c1", 1.43, 1)]


def test_a_subscription_moved_by_exactly_one_point_is_a_change_and_no_move_is_none() -> None:
    moved = [(r["Id"], r["Change"]) for r in changes() if r["Kind"] == "subscription"]
    assert [sub for sub, _ in moved] == [C, D, A]  # largest move first; B did not move
    assert [change for _, change in moved] == pytest.approx([-30.0, 1.12, 1.0], abs=1e-9)


def test_changes_show_scores_and_moves_rounded_to_two_decimals() -> None:
    row = next(r for r in changes() if r["Id"] == A)
    assert row["ScoreNow"] == pytest.approx(49.77, abs=1e-9)
    assert row["ScoreWeekAgo"] == pytest.approx(48.77, abs=1e-9)
    assert next(r for r in changes() if r["Id"] == D)["Change"] == pytest.approx(1.12, abs=1e-9)


def test_changes_keep_the_largest_losses_and_gains() -> None:
    # topControls 2: of eight controls that lost (and eight that gained) in one subscription, the two
    # that moved most each way. A loss of k of 10 points is 100 * 10 * k / 40 / 10 = 2.5 k points.
    settings = settings_with(1, topControls=2)
    sub = settings.subscription_ids[0]
    moves = {"c3": -1, "c7": -6, "c1": -2, "c5": -8, "c2": -3, "c8": -5, "c4": -4, "c6": -7,
             "g3": 1, "g7": 6, "g1": 2, "g5": 8, "g2": 3, "g8": 5, "g4": 4, "g6": 7}
    controls = [row for cid, k in moves.items() for row in (
        control(sub, NOW, cid, 10.0 + k if k < 0 else float(k)), control(sub, WEEK_AGO, cid, 10.0 if k < 0 else 0.0))]
    tables: Tables = {"SecureScores": [score(sub, NOW - timedelta(days=1), 0.5), score(sub, WEEK_AGO, 0.5)],
                      "SecureScoreControls": controls}
    rows = run(settings, tables, "changes")
    assert [(r["Id"], r["Change"]) for r in rows] == [("c5", -20.0), ("c6", -17.5), ("g5", 20.0), ("g6", 17.5)]


def test_overall_shows_every_figure_rounded_to_two_decimals() -> None:
    # Weighted averages (Defender for Cloud: 100 * sum(PercentageScore * Weight) / sum(Weight)):
    # now 100 * (0.123456 * 10 + 0.654329 * 30) / 40 = 52.161075, a week earlier
    # 100 * (0.111111 * 10 + 0.777787 * 30) / 40 = 61.1118; points 4.9382 + 25.6667 = 30.6049.
    rows = [dict(score(A, NOW - timedelta(days=1), 0.123456), CurrentScore=4.9382),
            dict(score(B, NOW - timedelta(days=1), 0.654329, weight=30), CurrentScore=25.6667),
            score(A, WEEK_AGO - timedelta(days=1), 0.111111),
            score(B, WEEK_AGO - timedelta(days=1), 0.777787, weight=30)]
    overall = run(SUBS, {"SecureScores": rows}, "overall")[0]
    figures = [overall[k] for k in ("ScoreNow", "ScoreWeekAgo", "Change", "CurrentPoints")]
    assert figures == pytest.approx([52.16, 61.11, -8.95, 30.6], abs=1e-9)
    assert overall["MaxPoints"] == 80 and overall["SubscriptionsReporting"] == 2


NULL_CHECK = {
    "overall": "\n| project NowNull = isnull(ScoreNow), BeforeNull = isnull(ScoreWeekAgo), ChangeNull = isnull(Change)",
    "trend": "\n| where WeekEnd == ReportTime | project NowNull = isnull(Score), ChangeNull = isnull(Change)",
}


@pytest.mark.parametrize("query", sorted(NULL_CHECK))
def test_a_week_without_weight_has_a_null_score_not_nan(query: str) -> None:
    # Weight 0 throughout now and no row a week earlier: 0 / 0 would be NaN in Kusto (real division),
    # and the report shows "no score" only for null.
    tables: Tables = {"SecureScores": [score(A, NOW - timedelta(days=1), 0.5, weight=0),
                                       score(B, NOW - timedelta(days=2), 0.7, weight=0)]}
    rows = run(SUBS, tables, query, NULL_CHECK[query])
    assert rows and all(value is True for row in rows for value in row.values()), rows


def test_changes_list_no_control_when_no_subscription_has_weight() -> None:
    # A control's change is in points of the overall score, a share of sum(W): with sum(W) = 0 there is
    # none (0 / 0), so only the subscriptions' own moves are listed.
    tables: Tables = {
        "SecureScores": [score(A, NOW - timedelta(days=1), 0.5, weight=0), score(A, WEEK_AGO, 0.25, weight=0)],
        "SecureScoreControls": [control(A, NOW, "c1", 6.0), control(A, WEEK_AGO, "c1", 4.0)],
    }
    rows = run(SUBS, tables, "changes")
    assert [(r["Kind"], r["Id"], r["Change"]) for r in rows] == [("subscription", A, 25.0)]


def test_a_week_ago_without_rows_has_a_null_score_not_nan() -> None:
    tables: Tables = {"SecureScores": [score(A, NOW - timedelta(days=1), 0.5), score(B, NOW, 0.7, weight=30)]}
    rows = run(SUBS, tables, "overall", NULL_CHECK["overall"])
    assert rows == [{"NowNull": False, "BeforeNull": True, "ChangeNull": True}]


def test_severities_rank_high_medium_low_then_others_in_any_case() -> None:
    # Severity order High > Medium > Low, compared case-insensitively (=~); any other text ranks last
    # and is shown as written.
    settings = settings_with(2, exportAssessments=True)
    a, b = settings.subscription_ids

    def unhealthy(sub: str, vm: str, key: str, severity: str) -> dict[str, Any]:
        return {"TimeGenerated": NOW - timedelta(days=1),
                "AssessedResourceId": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/"
                                      f"virtualMachines/{vm}",
                "RecommendationId": key, "RecommendationDisplayName": key, "RecommendationSeverity": severity,
                "RecommendationState": "Unhealthy"}

    low, critical, medium, high = "1195afff-c881-495e-9bc5-1486211ae03f", "custom-critical", "medium-one", "high-one"
    rows = [unhealthy(a, "vm1", low, "low"), unhealthy(b, "vm2", low, "LOW"),
            unhealthy(a, "vm1", critical, "Critical"), unhealthy(a, "vm2", critical, "Critical"),
            unhealthy(b, "vm3", critical, "Critical"), unhealthy(a, "vm1", medium, "mEdium"),
            unhealthy(b, "vm1", high, "high")]
    got = run(settings, {"SecurityRecommendation": rows}, "recommendations")
    assert [(r["RecommendationId"], r["Severity"], r["UnhealthyResources"]) for r in got] == [
        (high, "High", 1), (medium, "Medium", 1), (low, "Low", 2), (critical, "Critical", 3)]


def test_a_control_named_two_ways_is_shown_under_the_greatest_name() -> None:
    # The same control id with another name in one subscription (a renamed control, one export behind):
    # one row per control, under max(ControlName).
    tables: Tables = {
        "SecureScores": [score(A, NOW - timedelta(days=1), 0.5), score(B, NOW - timedelta(days=1), 0.5)],
        "SecureScoreControls": [dict(control(A, NOW, "c1", 4.0), ControlName="Enable MFA"),
                                dict(control(B, NOW, "c1", 4.0), ControlName="Enable MFA (renamed)")],
    }
    for query in ("top_controls", "unhealthy_controls"):
        assert [(r["ControlId"], r["ControlName"]) for r in run(SUBS, tables, query)] == [
            ("c1", "Enable MFA (renamed)")], query


def test_a_weight_of_one_gives_a_score_every_week() -> None:
    # Weight 1 is a weight: the score of a week whose only subscription has it is that subscription's.
    tables: Tables = {"SecureScores": [score(A, NOW - timedelta(days=7 * week + 1), 0.5, weight=1)
                                       for week in range(SUBS.report.trend_weeks)]}
    trend = run(SUBS, tables, "trend")
    assert [w["Score"] for w in trend] == [50.0] * SUBS.report.trend_weeks
    assert run(SUBS, tables, "overall")[0]["ScoreNow"] == 50.0
