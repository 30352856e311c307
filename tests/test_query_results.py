"""The rendered report queries, run locally on sample rows, against tests/reference.py."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample, monitored_ids
from securescore.queries import query_names, render_queries
from securescore.settings import (
    Settings,
    available_stacks,
    parse_settings,
    read_stack_values,
    settings_from_stack,
)
from tests.conftest import REPORT_NOW, REPORT_TIME
from tests.reference import Reference

NOW = REPORT_NOW
TOLERANCE = 0.0101  # "within 0.01": both sides round to 2 decimals independently


def settings_with(count: int, **overrides: Any) -> Settings:
    values = read_stack_values("example")
    values["subscriptions"] = [f"{i:08x}-aaaa-4bbb-8ccc-{i:012x}" for i in range(1, count + 1)]
    values.update(overrides)
    return parse_settings(values)


@cache
def case(name: str) -> tuple[Settings, dict[str, list[dict[str, Any]]]]:
    if name.startswith("stack:"):  # every stack file in stacks/
        settings = settings_from_stack(name.removeprefix("stack:"))
        return settings, generate_sample(settings, NOW)
    if name == "one":
        settings = settings_with(1)
        return settings, generate_sample(settings, NOW)
    if name == "forty":
        settings = settings_with(40, lookbackDays=21, trendWeeks=6, topControls=8, dropAlertPoints=3)
        return settings, generate_sample(settings, NOW, days=90, controls=18)
    if name == "shortest windows":  # the lower bound of every window and count
        settings = settings_with(6, lookbackDays=7, trendWeeks=2, topControls=1, dropAlertPoints=1)
        return settings, generate_sample(settings, NOW, days=30)
    if name == "longest windows":  # the upper bound of every window and count
        settings = settings_with(6, lookbackDays=90, trendWeeks=52, topControls=20, dropAlertPoints=100)
        return settings, generate_sample(settings, NOW, days=400, controls=20)
    if name == "no assessments":
        settings = settings_with(4, exportAssessments=False)
        return settings, generate_sample(settings, NOW)
    if name == "empty":
        return settings_with(3), {}
    if name == "old":
        # Export ran, then everything stopped a month ago: older than the 14-day lookback.
        settings = settings_with(5)
        return settings, generate_sample(settings, NOW - timedelta(days=30), days=60)
    if name == "edges":
        return edge_case()
    if name == "history edges":
        return history_edge_case()
    raise KeyError(name)


def history_edge_case() -> tuple[Settings, dict[str, list[dict[str, Any]]]]:
    """Rows on the open end of the history window, ReportTime - ((trendWeeks - 1) weeks + lookbackDays)
    (docs/design.md): one subscription seen only there (never reported), one a second later (seen, in
    the trend's first week), one reporting now."""
    settings = settings_with(3, trendWeeks=4, lookbackDays=10)
    on_edge, inside, now = settings.subscription_ids
    history_start = NOW - timedelta(days=3 * 7 + 10)

    def score(sub: str, at: datetime, pct: float) -> dict[str, Any]:
        return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "DisplayName": "ASC score",
                "CurrentScore": round(pct * 40, 2), "MaxScore": 40, "PercentageScore": pct, "Weight": 10}

    def control(sub: str, at: datetime, unhealthy: int) -> dict[str, Any]:
        return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "ControlId": "c1", "ControlName": "C1",
                "CurrentScore": 2.0, "MaxScore": 10, "HealthyResources": 1, "UnhealthyResources": unhealthy}

    scores = [score(on_edge, history_start, 0.2), score(inside, history_start + timedelta(seconds=1), 0.4),
              score(now, NOW, 0.6), score(now, history_start + timedelta(seconds=1), 0.3)]
    controls = [control(on_edge, history_start, 4), control(inside, history_start + timedelta(seconds=1), 2),
                control(now, NOW, 1)]
    return settings, {"SecureScores": scores, "SecureScoreControls": controls}


def edge_case() -> tuple[Settings, dict[str, list[dict[str, Any]]]]:
    """Hand-made rows on the boundaries of the contract's windows and filters, for every table."""
    settings = settings_with(4)
    a, b, c, d = settings.subscription_ids
    lookback = timedelta(days=settings.report.lookback_days)
    week_ago = NOW - timedelta(days=7)

    def score(sub: str, at: datetime, pct: float, weight: int = 10, name: str = "ASC score",
              max_score: int = 40) -> dict[str, Any]:
        return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "DisplayName": name,
                "CurrentScore": round(pct * max_score, 2), "MaxScore": max_score, "PercentageScore": pct,
                "Weight": weight}

    def control(sub: str, at: datetime, cid: str, max_score: int, current: float, unhealthy: int) -> dict[str, Any]:
        return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "ControlId": cid,
                "ControlName": f"Control {cid} & <x>", "CurrentScore": current, "MaxScore": max_score,
                "HealthyResources": 5, "UnhealthyResources": unhealthy}

    scores = [
        score(a, NOW - lookback, 0.10),              # exactly at the window's open end: excluded
        score(a.upper(), NOW, 0.50, weight=30),      # exactly at ReportTime: included
        score(a, NOW + timedelta(hours=1), 0.99),     # after ReportTime: excluded
        score(a, week_ago, 0.80, weight=30),          # a week earlier, exactly at its end: included
        score(a, week_ago + timedelta(seconds=1), 0.81),  # just after the week-ago window: only "now" sees it
        score(b, NOW - timedelta(days=1), 0.70),
        score(b, week_ago - lookback + timedelta(seconds=1), 0.60),  # just inside the week-ago window
        score(b, NOW - timedelta(hours=1), 0.05, name="Another initiative"),
        score(c, week_ago - lookback, 0.40),          # only on the week-ago window's open end
        score(d, NOW - timedelta(days=2), 0.0, weight=5, max_score=0),  # latest row: MaxScore 0
        score(d, week_ago, 0.5, weight=5),
    ]
    controls = [
        control(a, NOW, "c1", 10, 4.0, 3),
        control(a, week_ago, "c1", 10, 6.0, 2),       # a week earlier at its end: c1 lost 2 points in a
        control(a, NOW + timedelta(minutes=1), "c1", 10, 10.0, 0),  # after ReportTime: excluded
        control(b, NOW - timedelta(days=2), "c1", 10, 10.0, 0),
        control(b, week_ago - lookback, "c1", 10, 0.0, 9),  # open end of the week-ago window: excluded
        control(a, NOW, "c2", 1, 1.0, 1),             # unhealthy, yet no points left (rounding)
        control(a, week_ago - timedelta(days=1), "c2", 1, 0.0, 4),  # c2 gained in a
        control(b, NOW, "c2", 1, 0.5, 2),
        control(b.upper(), week_ago, "c2", 1, 0.5, 2),  # no change in b
        control(b, NOW, "c3", 0, 0.0, 7),             # MaxScore 0
        control(b.upper(), NOW - lookback, "c4", 5, 0.0, 9),  # outside the window
        control(d, NOW, "c5", 4, 4.0, 0),             # its subscription's latest MaxScore is 0
        control(d, week_ago, "c5", 4, 0.0, 3),
    ]

    def assessment(resource: str, at: datetime, key: str, state: str, severity: str = "High",
                   name: str = "Fix <it> & \"now\"") -> dict[str, Any]:
        return {"TimeGenerated": at, "AssessedResourceId": resource, "RecommendationId": key,
                "RecommendationDisplayName": name, "RecommendationSeverity": severity, "RecommendationState": state}

    vm_a = f"/subscriptions/{a}/resourceGroups/RG-One/providers/Microsoft.Compute/virtualMachines/vm1"
    vm_b = f"/subscriptions/{b.upper()}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM2"
    vm_c = f"/subscriptions/{c}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1"
    k1, k2, k3 = "1195afff-c881-495e-9bc5-1486211ae03f", "bd876905-5b84-4f73-ab2d-2e7a7c4568d9", "custom-check"
    k4 = "9b7d740f-c271-4bfd-88fb-515680c33440"
    recommendations = [
        assessment(vm_a, NOW, k1, "Unhealthy"),                        # at ReportTime: counts, newly
        assessment(vm_a, NOW - timedelta(days=2), k1.upper(), "Healthy"),  # (the id in another case)
        assessment(vm_c, NOW - timedelta(days=3), k1, "Unhealthy"),    # unhealthy a week earlier too
        assessment(vm_c, week_ago, k1, "Unhealthy"),                   # (exactly at the week-ago end)
        assessment(vm_c, NOW - lookback, k4, "Unhealthy", "Low"),      # only at the window's open end
        assessment(vm_a.upper(), NOW - timedelta(days=1), k2, "Unhealthy", "Medium"),  # newly: healthy before
        assessment(vm_a, week_ago - timedelta(days=2), k2, "Healthy", "Medium"),
        assessment(vm_b, NOW - timedelta(days=3), k1, "Unhealthy"),    # newly: no row a week earlier
        assessment(vm_b, week_ago - lookback, k1, "Unhealthy"),        # (on the week-ago window's open end)
        assessment(vm_b, NOW + timedelta(hours=2), k1, "Healthy"),     # after ReportTime: ignored
        assessment(vm_b, NOW - lookback, k2, "Unhealthy", "Medium"),   # open end of the window: excluded
        assessment(vm_b, NOW - timedelta(days=4), k2, "Removed", "Medium"),  # latest state Removed
        assessment(vm_b, NOW - timedelta(days=5), k2, "Unhealthy", "Medium"),
        assessment(vm_b, NOW - timedelta(days=6), k3, "Unhealthy", "Critical", name="Custom <b>"),
        assessment(vm_b, NOW - timedelta(days=6), "abc", "NotApplicable", "Low"),
        assessment(f"/subscriptions/{UNCONFIGURED}/resourceGroups/x/providers/Microsoft.Web/sites/w", NOW, k1,
                   "Unhealthy"),                                       # not a configured subscription
        assessment(f"/SUBSCRIPTIONS/{c.upper()}/resourceGroups/x/providers/Microsoft.Web/sites/w",
                   NOW - timedelta(hours=5), k2, "unhealthy", "medium"),  # states and prefix in other case
    ]
    return settings, {"SecureScores": scores, "SecureScoreControls": controls,
                      "SecurityRecommendation": recommendations}


CASES = (*(f"stack:{stack}" for stack in available_stacks()), "one", "forty", "shortest windows",
         "longest windows", "no assessments", "empty", "old", "edges", "history edges")
UNCONFIGURED = "0badc0de-5eed-4000-8000-00000000beef"


def case_queries(name: str) -> tuple[str, ...]:
    if name.startswith("stack:"):
        return query_names(settings_from_stack(name.removeprefix("stack:")))
    return query_names(case(name)[0])


@cache
def results(name: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    settings, tables = case(name)
    engine = LocalEngine(tables)
    try:
        # Management-group mode: the sample group's subscriptions, as the run would find them.
        queries = render_queries(settings, REPORT_TIME, membership=monitored_ids(settings))
        actual = {q: engine.run(text) for q, text in queries.items()}
    finally:
        engine.close()
    return actual, Reference(tables, settings, REPORT_TIME).all()


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, abs_tol=TOLERANCE)
    return a == b


def assert_rows_equal(query: str, actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert len(actual) == len(expected), f"{query}: {len(actual)} rows, expected {len(expected)}"
    for i, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert list(got) == list(want), f"{query} row {i}: columns {list(got)}, expected {list(want)}"
        diffs = {k: (got[k], want[k]) for k in want if not same(got[k], want[k])}
        assert not diffs, f"{query} row {i} ({want.get('SubscriptionId') or want.get('ControlName') or ''}): " \
            f"(actual, expected) {diffs}"


@pytest.mark.parametrize(("name", "query"), [(n, q) for n in CASES for q in case_queries(n)])
def test_query_matches_reference(name: str, query: str) -> None:
    actual, expected = results(name)
    assert set(actual) == set(expected)
    assert_rows_equal(query, actual[query], expected[query])


def test_example_shows_every_part_of_the_report() -> None:
    _, expected = results("stack:example")
    subs = expected["subscriptions"]
    assert subs[0]["Dropped"] and subs[0]["SubscriptionId"].startswith("22222222")
    assert [s["HasData"] for s in subs].count(False) == 2  # stale and never reported
    assert expected["overall"][0]["Change"] is not None
    assert expected["freshness"][0]["MissingSubscriptionIds"] == (
        "55555555-5555-4555-8555-55555555abcd,66666666-6666-4666-8666-66666666abcd"
    )
    assert any("&" in c["ControlName"] for c in expected["unhealthy_controls"])
    assert len(expected["top_controls"]) == 5


def test_empty_and_old_workspaces_give_one_overall_row_without_scores() -> None:
    for name in ("empty", "old"):
        actual, _ = results(name)
        overall = actual["overall"]
        assert len(overall) == 1 and overall[0]["ScoreNow"] is None
        assert all(w["Score"] is None for w in actual["trend"][-2:])
