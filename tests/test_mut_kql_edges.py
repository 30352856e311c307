"""Report queries at the edges the templates' mutation run (seed 2) found untested, on small hand-made
workspaces run through duckdb-kql (securescore.datasources.engine). Expected values are written out by hand
from docs/design.md's contracts and the score formulas (Defender for Cloud: a weighted average of
PercentageScore; a control's change: 100 * W_s * (Cur(now) - Cur(week ago)) / Max_s / sum(W))."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.queries import render_queries
from tests.conftest import REPORT_NOW, REPORT_TIME, make_settings
from tests.test_query_results import settings_with

NOW = REPORT_NOW
WEEK_AGO = NOW - timedelta(days=7)
Tables = dict[str, list[dict[str, Any]]]
GROUP = make_settings(managementGroupId="contoso", subscriptions=[])
MEMBER = "0000000a-1111-4111-8111-00000000000a"


def score(sub: str, at: datetime, pct: float, weight: int = 10, max_score: int = 40) -> dict[str, Any]:
    return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "DisplayName": "ASC score",
            "CurrentScore": round(pct * max_score, 2), "MaxScore": max_score, "PercentageScore": pct,
            "Weight": weight}


def control(sub: str, at: datetime, cid: str, current: float, max_score: int = 10, name: str = "") -> dict[str, Any]:
    return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "ControlId": cid,
            "ControlName": name or cid.upper(), "CurrentScore": current, "MaxScore": max_score,
            "HealthyResources": 1, "UnhealthyResources": 1}


def run(settings: Any, tables: Tables, query: str, membership: Sequence[str] | None = None) -> list[dict[str, Any]]:
    texts = (render_queries(settings, REPORT_TIME) if settings.scope is None
             else render_queries(settings, REPORT_TIME, membership=membership))
    engine = LocalEngine(tables)
    try:
        return engine.run(texts[query])
    finally:
        engine.close()


# --- management-group mode: the run's list --------------------------------------------------------------


def test_a_group_without_subscriptions_configures_none() -> None:
    """The run found no subscription under the group: the list is the empty text, which names no
    subscription (not one whose id is empty)."""
    rows = {"SecureScores": [score(MEMBER, NOW - timedelta(days=1), 0.5),
                             score("", NOW - timedelta(days=1), 0.7)]}  # an id the export never writes
    freshness = run(GROUP, rows, "freshness", membership=[])[0]
    assert (freshness["SubscriptionsConfigured"], freshness["SubscriptionsReporting"]) == (0, 0)
    assert (freshness["SubscriptionsMissing"], freshness["MissingSubscriptionIds"]) == (0, "")


# --- changes: which subscriptions count in a control's change ------------------------------------------------


def test_a_subscription_whose_max_score_is_one_counts_in_a_controls_change() -> None:
    """docs/design.md, changes: a control's change sums over the subscriptions "with data now and MaxScore > 0";
    1 is the smallest MaxScore that counts."""
    subs = settings_with(1)
    (sub,) = subs.subscription_ids
    tables: Tables = {
        "SecureScores": [score(sub, NOW - timedelta(days=1), 1.0, weight=10, max_score=1),
                         score(sub, WEEK_AGO, 0.0, weight=10, max_score=1)],
        "SecureScoreControls": [control(sub, NOW, "c1", 1.0, max_score=1),
                                control(sub, WEEK_AGO, "c1", 0.0, max_score=1)],
    }
    controls = [r for r in run(subs, tables, "changes") if r["Kind"] == "control"]
    # 100 * 10 * (1 - 0) / 1 / 10 = 100.0 points, from the one subscription.
    assert [(r["Id"], r["Change"], r["Subscriptions"]) for r in controls] == [("c1", 100.0, 1)]


def test_at_the_cut_equal_changes_go_to_the_first_names_then_the_first_ids() -> None:
    """docs/design.md, changes: the topControls controls that lost most, then the topControls that gained most;
    "ties by Name, then Id", which decides which of equal moves at the cut are listed."""
    subs = settings_with(1, topControls=2)
    (sub,) = subs.subscription_ids
    moves = {"z": ("A", 6.0), "y": ("B", 6.0), "x": ("B", 6.0), "w": ("C", 6.0),  # gained: 4 -> 6
             "v": ("L", 2.0), "u": ("M", 2.0), "t": ("M", 2.0), "s": ("N", 2.0)}  # lost: 4 -> 2
    tables: Tables = {
        "SecureScores": [score(sub, NOW - timedelta(days=1), 0.5), score(sub, WEEK_AGO, 0.5)],
        "SecureScoreControls": [row for cid, (name, now) in moves.items()
                                for row in (control(sub, NOW, cid, now, name=name),
                                            control(sub, WEEK_AGO, cid, 4.0, name=name))],
    }
    controls = [(r["Id"], r["Name"], r["Change"]) for r in run(subs, tables, "changes") if r["Kind"] == "control"]
    # Each move: 100 * 10 * (+-2) / 40 / 10 = +-5.0 points. Two of four equal moves each way: A and the first B.
    assert controls == [("v", "L", -5.0), ("t", "M", -5.0), ("z", "A", 5.0), ("x", "B", 5.0)]


def test_subscriptions_that_moved_equally_are_listed_and_cut_by_id() -> None:
    """docs/design.md, changes: the topControls subscriptions with the largest |Change|, "ties by Name, then Id"
    (a subscription row's Name is empty): a rise and a fall of the same size tie."""
    subs = settings_with(3, topControls=2)
    first, second, third = subs.subscription_ids
    tables: Tables = {"SecureScores": [
        score(first, NOW - timedelta(days=1), 0.55), score(first, WEEK_AGO, 0.50),  # +5.0
        score(second, NOW - timedelta(days=1), 0.45), score(second, WEEK_AGO, 0.50),  # -5.0
        score(third, NOW - timedelta(days=1), 0.55), score(third, WEEK_AGO, 0.50),  # +5.0, third by id: cut
    ]}
    moved = [(r["Id"], r["Change"]) for r in run(subs, tables, "changes") if r["Kind"] == "subscription"]
    assert [sub for sub, _ in moved] == [first, second]
    assert [change for _, change in moved] == pytest.approx([5.0, -5.0], abs=1e-9)


# --- recommendations: one subscription's rows of a recommendation -------------------------------------------

# REST spec managementgroups 2021-04-01, GetAllSubscriptionsFromManagementGroup.json: a subscription's id as
# a child of its management group, and the subscription itself.
EXAMPLE_SUBSCRIPTION = "728bcbe4-8d56-4510-86c2-4921b8beefbc"
GROUP_CHILD_ID = f"/providers/Microsoft.Management/managementGroups/Group/subscriptions/{EXAMPLE_SUBSCRIPTION}"


def unhealthy(resource: str, key: str, severity: str = "High", name: str = "") -> dict[str, Any]:
    return {"TimeGenerated": NOW - timedelta(days=1), "AssessedResourceId": resource, "RecommendationId": key,
            "RecommendationDisplayName": name or key, "RecommendationSeverity": severity,
            "RecommendationState": "Unhealthy"}


def vm(sub: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}"


def test_a_resource_counts_for_the_subscription_its_id_starts_with_only() -> None:
    """The subscription of a recommendation's row is the segment after the leading /subscriptions/ of
    AssessedResourceId; an id that names the subscription further on (a management group's child entry) is
    not in it."""
    settings = settings_with(0, subscriptions=[EXAMPLE_SUBSCRIPTION], exportAssessments=True)
    rows = [unhealthy(vm(EXAMPLE_SUBSCRIPTION, "vm1"), "on-a-vm"), unhealthy(GROUP_CHILD_ID, "on-the-group")]
    got = run(settings, {"SecurityRecommendation": rows}, "recommendations")
    assert [(r["RecommendationId"], r["UnhealthyResources"], r["Subscriptions"]) for r in got] == [("on-a-vm", 1, 1)]


def test_in_one_subscription_the_highest_severity_and_the_greatest_name_win() -> None:
    """docs/design.md, recommendations: `Name` the greatest RecommendationDisplayName, `Severity` the highest of
    High > Medium > Low among the rows: also between the resources of one subscription (a renamed or
    re-rated recommendation whose resources' latest rows are of either version)."""
    settings = settings_with(1, exportAssessments=True)
    (sub,) = settings.subscription_ids
    rows = [unhealthy(vm(sub, "vm1"), "key", severity="Low", name="Enable MFA (renamed)"),
            unhealthy(vm(sub, "vm2"), "key", severity="High", name="Enable MFA")]
    got = run(settings, {"SecurityRecommendation": rows}, "recommendations")
    assert [(r["Name"], r["Severity"], r["UnhealthyResources"], r["Subscriptions"]) for r in got] == [
        ("Enable MFA (renamed)", "High", 2, 1)]


def test_across_subscriptions_the_highest_severity_wins_and_another_value_shows_once() -> None:
    """docs/design.md, recommendations: one row per recommendation, its Severity the highest of High > Medium > Low
    among the rows of every subscription. Two values of no rank show as one text, the greatest (as Name is the
    greatest name), whichever subscription's rows come first."""
    settings = settings_with(2, exportAssessments=True)
    a, b = settings.subscription_ids
    rows = [unhealthy(vm(a, "vm1"), "re-rated", severity="Low"),
            unhealthy(vm(b, "vm1"), "re-rated", severity="High"),
            unhealthy(vm(a, "vm2"), "custom", severity="Critical"),
            unhealthy(vm(b, "vm2"), "custom", severity="Severe")]
    got = run(settings, {"SecurityRecommendation": rows}, "recommendations")
    assert [(r["RecommendationId"], r["Severity"], r["Subscriptions"]) for r in got] == [
        ("re-rated", "High", 2), ("custom", "Severe", 2)]


# --- top controls: rounding ------------------------------------------------------------------------------------


def test_a_controls_potential_is_rounded_to_two_decimals() -> None:
    """docs/design.md, result columns: "percentages are 0..100, rounded to 2 decimals" (PotentialIncrease), and
    PotentialPoints likewise."""
    subs = settings_with(1)
    (sub,) = subs.subscription_ids
    tables: Tables = {"SecureScores": [score(sub, NOW - timedelta(days=1), 0.5, weight=10, max_score=30)],
                      "SecureScoreControls": [control(sub, NOW, "c1", 8.877, max_score=10)]}
    (row,) = run(subs, tables, "top_controls")
    # Gap 10 - 8.877 = 1.123 points; 100 * 10 * 1.123 / 30 / 10 = 3.7433...: shown 3.74 and 1.12.
    assert (row["ControlId"], row["PotentialIncrease"], row["PotentialPoints"]) == ("c1", 3.74, 1.12)


def test_a_subscription_whose_max_score_is_zero_adds_no_potential_but_keeps_its_weight() -> None:
    """docs/design.md, top_controls: Max_s divides, so a subscription whose latest MaxScore is 0 adds nothing to a
    control's potential; its weight still counts in the sum over every subscription with data now."""
    subs = settings_with(2)
    a, b = subs.subscription_ids
    tables: Tables = {
        "SecureScores": [score(a, NOW - timedelta(days=1), 0.5, weight=10, max_score=40),
                         score(b, NOW - timedelta(days=1), 0.0, weight=10, max_score=0)],
        "SecureScoreControls": [control(a, NOW, "c1", 6.0), control(b, NOW, "c1", 0.0)],
    }
    got = run(subs, tables, "top_controls")
    # From a alone: 100 * 10 * (10 - 6) / 40 / (10 + 10) = 5.0 points; 4 points to gain, in 1 subscription.
    assert [(r["ControlId"], r["PotentialIncrease"], r["PotentialPoints"], r["Subscriptions"]) for r in got] == [
        ("c1", 5.0, 4.0, 1)]


# --- subscriptions: rounding -------------------------------------------------------------------------------


def test_a_subscriptions_points_are_rounded_to_two_decimals() -> None:
    """Every number of a result is rounded to 2 decimals at the end (tests/reference.py, written from
    docs/design.md's contracts): CurrentPoints too, as ScoreNow."""
    subs = settings_with(1)
    (sub,) = subs.subscription_ids
    row = dict(score(sub, NOW - timedelta(days=1), 0.308642, max_score=40), CurrentScore=12.34568)
    (got,) = run(subs, {"SecureScores": [row]}, "subscriptions")
    assert (got["ScoreNow"], got["CurrentPoints"], got["MaxPoints"]) == (30.86, 12.35, 40)
