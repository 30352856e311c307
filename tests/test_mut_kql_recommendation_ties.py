"""The recommendations query's name across subscriptions and its last tie-break, which the templates'
mutation run (seed 3) found untested. Expected values are written by hand from docs/design.md's
recommendations contract: Name is the greatest RecommendationDisplayName; ordered by severity, then
UnhealthyResources desc, Name, RecommendationId."""

from __future__ import annotations

from tests.test_mut_kql_edges import run, unhealthy, vm
from tests.test_query_results import settings_with


def test_across_subscriptions_the_greatest_display_name_shows() -> None:
    """One recommendation named differently in two subscriptions (a rename seen by one export first) is one
    row with the greatest name, whichever subscription holds it."""
    settings = settings_with(2, exportAssessments=True)
    a, b = settings.subscription_ids
    rows = [unhealthy(vm(a, "vm1"), "renamed", name="Alpha name"),
            unhealthy(vm(b, "vm1"), "renamed", name="Beta name")]
    (row,) = run(settings, {"SecurityRecommendation": rows}, "recommendations")
    assert (row["RecommendationId"], row["Name"], row["Subscriptions"]) == ("renamed", "Beta name", 2)


def test_equal_severity_count_and_name_are_ordered_by_recommendation_id() -> None:
    settings = settings_with(1, exportAssessments=True)
    (sub,) = settings.subscription_ids
    rows = [unhealthy(vm(sub, "vm1"), "rec-b", name="Same name"),
            unhealthy(vm(sub, "vm1"), "rec-a", name="Same name")]
    got = run(settings, {"SecurityRecommendation": rows}, "recommendations")
    assert [r["RecommendationId"] for r in got] == ["rec-a", "rec-b"]
