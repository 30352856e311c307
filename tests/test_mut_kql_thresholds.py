"""The drop alert at its threshold: a subscription counts as dropped when its score fell by more than
dropAlertPoints since a week earlier (docs/design.md, "Query contracts"); a fall of exactly that many
points is not a drop. Scores are chosen exact in binary (0.75, 0.5) so the change is exactly -25.00."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from tests.conftest import REPORT_NOW
from tests.test_mut_kql_results import WEEK_AGO, run, score
from tests.test_query_results import settings_with

NOW = REPORT_NOW
SETTINGS = settings_with(4, dropAlertPoints=25)
AT, BELOW, ABOVE, NEW = SETTINGS.subscription_ids
TABLES = {"SecureScores": [
    score(AT, NOW - timedelta(days=1), 0.5), score(AT, WEEK_AGO, 0.75),  # -25.00: exactly the threshold
    score(BELOW, NOW - timedelta(days=1), 0.4999), score(BELOW, WEEK_AGO, 0.75),  # -25.01: a drop
    score(ABOVE, NOW - timedelta(days=1), 0.5001), score(ABOVE, WEEK_AGO, 0.75),  # -24.99
    score(NEW, NOW - timedelta(days=1), 0.1),  # no row a week earlier: no change, never dropped
]}


@cache
def subscriptions() -> dict[str, dict[str, Any]]:
    return {row["SubscriptionId"]: row for row in run(SETTINGS, TABLES, "subscriptions")}


def test_a_fall_of_exactly_drop_alert_points_is_not_a_drop() -> None:
    rows = subscriptions()
    assert rows[AT]["Change"] == -25.0 and rows[AT]["Dropped"] is False
    assert rows[ABOVE]["Dropped"] is False


def test_a_fall_of_more_than_drop_alert_points_is_a_drop() -> None:
    assert subscriptions()[BELOW]["Dropped"] is True


def test_no_score_a_week_earlier_is_not_a_drop() -> None:
    row = subscriptions()[NEW]
    assert row["Change"] is None and row["Dropped"] is False


def test_the_overall_counts_only_the_drop() -> None:
    assert run(SETTINGS, TABLES, "overall")[0]["SubscriptionsDropped"] == 1


def test_dropped_subscriptions_come_first() -> None:
    assert next(iter(run(SETTINGS, TABLES, "subscriptions")))["SubscriptionId"] == BELOW
