"""The sample generator: deterministic, every column typed, the documented roles present."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from securescore.datasources.engine import table_schemas
from securescore.datasources.sample_data import (
    OTHER_INITIATIVE,
    UNCONFIGURED_SUBSCRIPTION_ID,
    generate_sample,
    stale_cutoff,
    subscription_roles,
)
from securescore.settings import parse_settings, read_stack_values, settings_from_stack

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
# Datetime columns the export leaves empty until they apply (a recommendation not resolved yet).
NULLABLE = {("SecurityRecommendation", "ResolvedTimeUTC"), ("SecurityRecommendation", "DiscoveredTimeUTC")}
PY_TYPES: dict[str, tuple[type, ...]] = {
    "datetime": (datetime,), "string": (str,), "real": (float,), "int": (int,), "long": (int,),
    "bool": (bool,), "dynamic": (dict, list),
}


@pytest.fixture(scope="module")
def example() -> tuple[Any, dict[str, list[dict[str, Any]]]]:
    settings = settings_from_stack("example")
    return settings, generate_sample(settings, NOW)


def test_deterministic(example: Any) -> None:
    settings, tables = example
    assert generate_sample(settings, NOW) == tables


def test_every_column_present_with_its_type(example: Any) -> None:
    _, tables = example
    for name, rows in tables.items():
        schema = table_schemas()[name]
        assert rows, name
        for row in rows:
            assert set(row) == set(schema), name
            for column, kql_type in schema.items():
                value = row[column]
                if value is None and (name, column) in NULLABLE:
                    continue
                assert isinstance(value, PY_TYPES[kql_type]), (name, column, value)
                if kql_type in ("int", "long", "real"):
                    assert not isinstance(value, bool), (name, column)


def test_no_row_after_now_and_streamed_rows_are_changes(example: Any) -> None:
    _, tables = example
    last: dict[tuple[str, str], float] = {}
    for row in sorted(tables["SecureScoreControls"], key=lambda r: r["TimeGenerated"]):
        assert row["TimeGenerated"] <= NOW
        key = (row["SecureScoresSubscriptionId"].lower(), row["ControlId"])
        if not row["IsSnapshot"] and key in last:
            assert abs(row["CurrentScore"] - last[key]) >= 0.01 - 1e-9
        last[key] = row["CurrentScore"]


def test_scores_are_sums_of_controls(example: Any) -> None:
    _settings, tables = example
    snapshots = [r for r in tables["SecureScores"] if r["IsSnapshot"] and r["DisplayName"] == "ASC score"]
    controls = defaultdict(list)
    for row in tables["SecureScoreControls"]:
        if row["IsSnapshot"]:
            controls[(row["SecureScoresSubscriptionId"].lower(), row["TimeGenerated"])].append(row)
    for snap in snapshots:
        rows = controls[(snap["SecureScoresSubscriptionId"].lower(), snap["TimeGenerated"])]
        assert snap["MaxScore"] == sum(r["MaxScore"] for r in rows)
        assert snap["CurrentScore"] == pytest.approx(sum(r["CurrentScore"] for r in rows), abs=0.011)
        assert snap["PercentageScore"] == pytest.approx(snap["CurrentScore"] / snap["MaxScore"], abs=1e-4)


def test_roles_of_the_example(example: Any) -> None:
    settings, tables = example
    ids = settings.subscription_ids
    assert list(subscription_roles(settings).values()) == [
        "improving", "dropping", "random walk", "random walk", "stale", "no data"]
    seen = {r["SecureScoresSubscriptionId"].lower() for r in tables["SecureScores"]}
    assert ids[5] not in seen and UNCONFIGURED_SUBSCRIPTION_ID in seen
    stale = [r["TimeGenerated"] for r in tables["SecureScores"] if r["SecureScoresSubscriptionId"].lower() == ids[4]]
    assert max(stale) <= stale_cutoff(settings, NOW) < NOW - timedelta(days=settings.report.lookback_days)
    # Mixed case, a second initiative, MaxScore 0 with unhealthy resources, HTML specials.
    raw = {r["SecureScoresSubscriptionId"] for r in tables["SecureScores"]}
    assert ids[1] in raw and ids[1].upper() in raw and ids[2].upper() in raw
    assert any(r["DisplayName"] == OTHER_INITIATIVE for r in tables["SecureScores"])
    controls = tables["SecureScoreControls"]
    assert any(r["MaxScore"] == 0 and r["UnhealthyResources"] > 0 for r in controls)
    names = {r["ControlName"] for r in controls}
    assert any(c in n for n in names for c in "&<>") and any('"' in n for n in names)
    assert len({r["MaxScore"] for r in tables["SecureScores"] if r["DisplayName"] == "ASC score"}) > 1


def test_small_and_large_subscription_counts() -> None:
    values = read_stack_values("example")
    for count in (1, 2, 3, 4):
        values["subscriptions"] = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(1, count + 1)]
        settings = parse_settings(values)
        roles = list(subscription_roles(settings).values())
        assert roles[0] == "improving" and roles.count("no data") == (1 if count >= 3 else 0)
        generate_sample(settings, NOW, days=30, controls=20)


def test_assessment_rows_are_state_changes_and_weekly_snapshots(example: Any) -> None:
    _, tables = example
    rows = tables["SecurityRecommendation"]
    assert set(tables) == {"SecureScores", "SecureScoreControls", "SecurityRecommendation"}
    last: dict[tuple[str, str], str] = {}
    snapshots: dict[str, set[datetime]] = defaultdict(set)
    for row in sorted(rows, key=lambda r: r["TimeGenerated"]):
        assert row["TimeGenerated"] <= NOW
        key = (row["AssessedResourceId"].lower(), row["RecommendationId"])
        if row["IsSnapshot"]:
            snapshots[row["AssessedResourceId"].split("/")[2].lower()].add(row["TimeGenerated"])
        elif key in last:
            assert row["RecommendationState"] != last[key], key
        last[key] = row["RecommendationState"]
    for moments in snapshots.values():
        ordered = sorted(moments)
        assert all(b - a == timedelta(days=7) for a, b in pairwise(ordered))
    assert {r["RecommendationState"] for r in rows} == {"Healthy", "Unhealthy", "NotApplicable", "Removed"}
    assert {r["RecommendationSeverity"] for r in rows} == {"High", "Medium", "Low"}
    assert any(c in r["RecommendationDisplayName"] for r in rows for c in "&<>\"")


def test_assessment_rows_carry_mixed_case_ids_of_the_right_subscriptions(example: Any) -> None:
    settings, tables = example
    ids = settings.subscription_ids
    subs = [r["AssessedResourceId"].split("/")[2] for r in tables["SecurityRecommendation"]]
    assert {s.lower() for s in subs} == (set(ids) - {ids[5]}) | {UNCONFIGURED_SUBSCRIPTION_ID}
    assert ids[2].upper() in subs and ids[2].upper() != ids[2]  # upper-case, with hex letters in it
    assert ids[1] in subs
    stale = [r["TimeGenerated"] for r in tables["SecurityRecommendation"]
             if r["AssessedResourceId"].split("/")[2].lower() == ids[4]]
    assert stale and max(stale) <= stale_cutoff(settings, NOW)


def test_no_assessment_rows_unless_exported() -> None:
    values = read_stack_values("example")
    values["exportAssessments"] = False
    assert "SecurityRecommendation" not in generate_sample(parse_settings(values), NOW, days=20)
