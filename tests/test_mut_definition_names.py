"""Subscription names in the changes section of management-group mode, run by the emulator.

In management-group mode a subscription is named by the stack's friendly name, else by the display
name Resource Graph answered at run time, else by its id (docs/design.md, "Management-group mode").
The subscriptions table has its test (test_mgmt_workflow.py); this is the changes section's rows.
Resource Graph answers come from `emulator.resource_graph` (shaped after the REST spec's examples).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from securescore.emulator.resource_graph import subscription_row
from tests.conftest import REPORT_NOW
from tests.test_mgmt_workflow import member_id, mgmt_settings, run, text_of


def _score(sub: str, days_ago: int, percentage: float) -> dict[str, Any]:
    return {"TimeGenerated": REPORT_NOW - timedelta(days=days_ago), "SecureScoresSubscriptionId": sub,
            "DisplayName": "ASC score", "PercentageScore": percentage, "CurrentScore": percentage * 10,
            "MaxScore": 10, "Weight": 10}


def test_changes_name_subscriptions_by_friendly_name_else_by_their_azure_display_name() -> None:
    settings = mgmt_settings(subscriptions=[f"{member_id(1)}=Our name for it"])
    members = [subscription_row(member_id(1), "Azure name 1"), subscription_row(member_id(2), "Azure name 2")]
    scores = {"SecureScores": [_score(member_id(1), 1, 0.9), _score(member_id(1), 8, 0.5),
                               _score(member_id(2), 1, 0.2), _score(member_id(2), 8, 0.6)]}
    changes = text_of(run(settings, members, scores).email.html, "changes")
    assert "Our name for it subscription · 50.0 → 90.0 %" in changes
    assert "Azure name 2 subscription · 60.0 → 20.0 %" in changes
    assert member_id(2) not in changes and "Azure name 1" not in changes
