"""The rendered report queries, run locally on sample rows, against tests/reference.py."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample
from securescore.queries import QUERY_NAMES, render_queries
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
    if name == "empty":
        return settings_with(3), {}
    if name == "old":
        # Export ran, then everything stopped a month ago: older than the 14-day lookback.
        settings = settings_with(5)
        return settings, generate_sample(settings, NOW - timedelta(days=30), days=60)
    if name == "edges":
        return edge_case()
    raise KeyError(name)


def edge_case() -> tuple[Settings, dict[str, list[dict[str, Any]]]]:
    """Hand-made rows on the boundaries of the contract's windows and filters."""
    settings = settings_with(3)
    a, b, c = settings.subscription_ids
    lookback = timedelta(days=settings.report.lookback_days)

    def score(sub: str, at: datetime, pct: float, weight: int = 10, name: str = "ASC score") -> dict[str, Any]:
        return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "DisplayName": name,
                "CurrentScore": round(pct * 40, 2), "MaxScore": 40, "PercentageScore": pct, "Weight": weight}

    def control(sub: str, at: datetime, cid: str, max_score: int, current: float, unhealthy: int) -> dict[str, Any]:
        return {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "ControlId": cid,
                "ControlName": f"Control {cid} & <x>", "CurrentScore": current, "MaxScore": max_score,
                "HealthyResources": 5, "UnhealthyResources": unhealthy}

    week_ago = NOW - timedelta(days=7)
    scores = [
        score(a, NOW - lookback, 0.10),              # exactly at the window's open end: excluded
        score(a.upper(), NOW, 0.50, weight=30),      # exactly at ReportTime: included
        score(a, NOW + timedelta(hours=1), 0.99),     # after ReportTime: excluded
        score(a, week_ago, 0.80, weight=30),          # a week earlier, exactly at its end: included
        score(b, NOW - timedelta(days=1), 0.70),
        score(b, NOW - timedelta(hours=1), 0.05, name="Another initiative"),
        score(c, week_ago - lookback, 0.40),          # only on the week-ago window's open end
    ]
    controls = [
        control(a, NOW, "c1", 10, 4.0, 3),
        control(b, NOW - timedelta(days=2), "c1", 10, 10.0, 0),
        control(a, NOW, "c2", 1, 1.0, 1),             # unhealthy, yet no points left (rounding)
        control(b, NOW, "c2", 1, 0.5, 2),
        control(b, NOW, "c3", 0, 0.0, 7),             # MaxScore 0
        control(b.upper(), NOW - lookback, "c4", 5, 0.0, 9),  # outside the window
    ]
    return settings, {"SecureScores": scores, "SecureScoreControls": controls}


CASES = (*(f"stack:{stack}" for stack in available_stacks()), "one", "forty", "empty", "old", "edges")


@cache
def results(name: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    settings, tables = case(name)
    engine = LocalEngine(tables)
    try:
        actual = {q: engine.run(text) for q, text in render_queries(settings, REPORT_TIME).items()}
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


@pytest.mark.parametrize("query", QUERY_NAMES)
@pytest.mark.parametrize("name", CASES)
def test_query_matches_reference(name: str, query: str) -> None:
    actual, expected = results(name)
    assert_rows_equal(query, actual[query], expected[query])


def test_example_shows_every_part_of_the_report() -> None:
    _, expected = results("stack:example")
    subs = expected["subscriptions"]
    assert subs[0]["Dropped"] and subs[0]["SubscriptionId"].startswith("22222222")
    assert [s["HasData"] for s in subs].count(False) == 2  # stale and never reported
    assert expected["overall"][0]["Change"] is not None
    assert expected["freshness"][0]["MissingSubscriptionIds"] == (
        "55555555-5555-4555-8555-555555555555,66666666-6666-4666-8666-666666666666"
    )
    assert any("&" in c["ControlName"] for c in expected["unhealthy_controls"])
    assert len(expected["top_controls"]) == 5


def test_empty_and_old_workspaces_give_one_overall_row_without_scores() -> None:
    for name in ("empty", "old"):
        actual, _ = results(name)
        overall = actual["overall"]
        assert len(overall) == 1 and overall[0]["ScoreNow"] is None
        assert all(w["Score"] is None for w in actual["trend"][-2:])
