"""Management-group mode's membership taken from the data (`preview --data DIR` without a saved
Resource Graph answer): the subscriptions that have score rows, each once, by its id in lower case (as
the workflow compares ids). The query runs on the local engine over rows the test writes, with the
SecureScores columns of Defender's continuous export (Learn, "SecureScores table" reference)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from securescore.datasources import membership
from securescore.datasources.engine import LocalEngine

A = "aaaaaaaa-0000-4000-8000-aaaaaaaaaaaa"
B = "bbbbbbbb-0000-4000-8000-bbbbbbbbbbbb"


def row(sub: str, day: int) -> dict[str, Any]:
    return {"TimeGenerated": datetime(2026, 11, day, 7, 0, tzinfo=UTC), "SecureScoresSubscriptionId": sub,
            "DisplayName": "ASC score", "CurrentScore": 30.0, "MaxScore": 50, "PercentageScore": 0.6, "Weight": 10}


def test_each_subscription_with_rows_once_in_lower_case() -> None:
    """Rule: one membership row per subscription however many score rows it has, whatever their id's case."""
    engine = LocalEngine({"SecureScores": [row(A, 20), row(A.upper(), 21), row(B, 22), row(B, 23)]})
    try:
        rows = membership.from_data(engine.run)
    finally:
        engine.close()
    # Resource Graph's row shape (resourcecontainers: id, subscriptionId, name, state); the name is unknown.
    assert rows == [
        {"id": f"/subscriptions/{A}", "subscriptionId": A, "name": A, "state": "Enabled"},
        {"id": f"/subscriptions/{B}", "subscriptionId": B, "name": B, "state": "Enabled"},
    ]
