"""What the email says for given query results: both signs, both branches, units, states, links, escaping.

Every query is answered with rows written here (shaped as the connector returns them); the expected
words and markup are literals, not derived from the code that builds the definition.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest

from securescore.settings import Settings
from tests.email_samples import RUN_NAME, WORKFLOW, example, run_canned, section

A, B = "22222222-2222-4222-8222-22222222abcd", "55555555-5555-4555-8555-55555555abcd"
NEVER = "66666666-6666-4666-8666-66666666abcd"
SECURE_SCORE = "https://portal.azure.com/#view/Microsoft_Azure_Security/SecurityMenuBlade/~/SecureScore"
RECOMMENDATIONS = "https://portal.azure.com/#blade/Microsoft_Azure_Security/SecurityMenuBlade/5"
KEY = "1195afff-c881-495e-9bc5-1486211ae03f"


def overall(change: float | None, dropped: int = 0, score: float = 72.34) -> list[dict[str, Any]]:
    return [{"ScoreNow": score, "ScoreWeekAgo": None if change is None else round(score - change, 2),
             "Change": change, "CurrentPoints": 123.4, "MaxPoints": 200, "SubscriptionsReporting": 2,
             "SubscriptionsDropped": dropped}]


def answers(change: float | None = 1.25, dropped: int = 0, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "overall": overall(change, dropped),
        "freshness": [{"LatestTimeGenerated": "2026-11-23T06:12:00Z", "SubscriptionsConfigured": 6,
                       "SubscriptionsReporting": 2, "SubscriptionsMissing": 2,
                       "MissingSubscriptionIds": f"{B},{NEVER}"}],
        "subscriptions": [
            {"SubscriptionId": A, "ScoreNow": 61.59, "ScoreWeekAgo": 78.83, "Change": -17.24, "CurrentPoints": 30.0,
             "MaxPoints": 50, "UnhealthyResources": 1234, "HasData": True, "Dropped": True,
             "LastSeen": "2026-11-20T07:00:00Z"},
            {"SubscriptionId": B, "ScoreNow": None, "ScoreWeekAgo": None, "Change": None, "CurrentPoints": None,
             "MaxPoints": None, "UnhealthyResources": None, "HasData": False, "Dropped": False,
             "LastSeen": "2026-10-29T01:02:44Z"},
            {"SubscriptionId": NEVER, "ScoreNow": None, "ScoreWeekAgo": None, "Change": None, "CurrentPoints": None,
             "MaxPoints": None, "UnhealthyResources": None, "HasData": False, "Dropped": False, "LastSeen": None},
        ],
        "trend": [
            {"WeekEnd": "2026-11-16T07:00:00Z", "Score": 73.45, "Subscriptions": 2, "Change": None},
            {"WeekEnd": "2026-11-23T07:00:00Z", "Score": 64.93, "Subscriptions": 2, "Change": -8.52},
        ],
        "changes": [
            {"Kind": "control", "Id": "c1", "Name": "Enable MFA & <co>", "Change": -2.61, "Subscriptions": 4,
             "ScoreNow": None, "ScoreWeekAgo": None},
            {"Kind": "control", "Id": "c2", "Name": "Apply system updates", "Change": 0.06, "Subscriptions": 1,
             "ScoreNow": None, "ScoreWeekAgo": None},
            {"Kind": "subscription", "Id": A, "Name": "", "Change": -17.24, "Subscriptions": None,
             "ScoreNow": 61.59, "ScoreWeekAgo": 78.83},
        ],
        "recommendations": [
            {"RecommendationId": KEY, "AssessmentKey": KEY, "Name": "Vulnerabilities <b>should</b> be remediated",
             "Severity": "High", "UnhealthyResources": 4, "NewlyUnhealthy": 1, "Subscriptions": 3},
            {"RecommendationId": "custom-check", "AssessmentKey": "", "Name": "Custom check", "Severity": "Critical",
             "UnhealthyResources": 1, "NewlyUnhealthy": 0, "Subscriptions": 1},
        ],
        "top_controls": [{"ControlId": "c1", "ControlName": "Enable MFA & <co>", "PotentialIncrease": 3.97,
                          "PotentialPoints": 12.5, "UnhealthyResources": 80, "Subscriptions": 1}],
        "unhealthy_controls": [{"ControlId": "c1", "ControlName": "Enable MFA & <co>", "UnhealthyResources": 80,
                                "HealthyResources": 20, "Subscriptions": 2}],
    }
    base.update(extra)
    return base


def email(settings: Settings | None = None, **kwargs: Any) -> Any:
    return run_canned(settings or example(), answers(**kwargs)).mail


def visible(html: str) -> str:
    """The text a reader sees (tags dropped, entities decoded, spaces collapsed)."""
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.mark.parametrize(("change", "subject_end", "headline"), [
    (1.25, ": 72.3% ▲ +1.3 pts", "▲ +1.3 pts since a week earlier"),
    (-3.44, ": 72.3% ▼ -3.4 pts", "▼ -3.4 pts since a week earlier"),
    (0.0, ": 72.3% (no change)", "0.0 pts since a week earlier"),
    (None, ": 72.3%", "– since a week earlier"),
])
def test_subject_and_headline_carry_score_and_change_with_direction(
        change: float | None, subject_end: str, headline: str) -> None:
    mail = email(change=change)
    assert mail.subject == "Weekly secure score report" + subject_end
    assert headline in visible(section(mail.html, "headline"))
    assert ("▲" in section(mail.html, "headline")) == (change is not None and change > 0)
    assert ("▼" in section(mail.html, "headline")) == (change is not None and change < 0)


@pytest.mark.parametrize(("dropped", "subject_tail", "alert"), [
    (0, "", None),
    (1, ", 1 subscription dropped", "▼ 1 subscription dropped by more than 5 pts this week."),
    (3, ", 3 subscriptions dropped", "▼ 3 subscriptions dropped by more than 5 pts this week."),
])
def test_drop_alert_only_when_a_subscription_dropped(dropped: int, subject_tail: str, alert: str | None) -> None:
    mail = email(dropped=dropped)
    assert mail.subject == "Weekly secure score report: 72.3% ▲ +1.3 pts" + subject_tail
    assert mail.importance == ("High" if dropped else "Normal")
    headline = section(mail.html, "headline")
    assert ('class="alert"' in headline) == (alert is not None)
    if alert:
        assert alert in visible(headline)


def test_changes_list_controls_in_overall_points_and_subscriptions_in_their_own() -> None:
    text = visible(section(email().html, "changes"))
    assert "Enable MFA & <co> control · in 4 subscriptions ▼ -2.61 pts" in text
    assert "Apply system updates control · in 1 subscription ▲ +0.06 pts" in text
    assert 'Payments <PCI> & "Cards" subscription · 78.8 → 61.6 % ▼ -17.24 pts' in text
    assert "%" not in text.split("subscription · 78.8")[0]  # no change is written in %


def test_an_empty_week_says_so_in_one_line() -> None:
    html = section(email(changes=[]).html, "changes")
    assert "No control or subscription score changed since a week earlier." in visible(html)
    assert html.count("<tr>") == 2  # the header and that line


def test_what_to_fix_first_links_each_recommendation_by_its_key() -> None:
    html = section(email().html, "recommendations")
    assert (f'<a class="link" href="https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade'
            f'/assessmentKey/{KEY}"') in html.replace(' style="color:#0b57b0;text-decoration:none"', "")
    text = visible(html)
    assert "Vulnerabilities <b>should</b> be remediated High · 3 subscriptions 4 +1" in text
    assert "Custom check Critical · 1 subscription 1 0" in text  # a severity we do not know, shown as written
    assert "<b>should" not in html  # the name is text, not markup
    # No key: the recommendations page instead of a broken link.
    assert html.count(f'href="{RECOMMENDATIONS}"') == 1


def test_what_to_fix_first_without_rows_and_without_export() -> None:
    html = section(email(recommendations=[]).html, "recommendations")
    assert "No unhealthy recommendation in the assessments exported in the last 14 days." in visible(html)
    settings = example(exportAssessments=False)
    run = run_canned(settings, answers())
    assert "recommendations" not in run.queries
    text = visible(section(run.mail.html, "recommendations"))
    assert "Set exportAssessments: true in the stack file and run pulumi up" in text
    assert "Vulnerabilities" not in text


def test_a_hostile_key_cannot_leave_the_link() -> None:
    hostile = '"><script>alert(1)</script>/../x?y#z'
    rows = [{"RecommendationId": "x", "AssessmentKey": hostile, "Name": "n", "Severity": "Low",
             "UnhealthyResources": 1, "NewlyUnhealthy": 1, "Subscriptions": 1}]
    html = section(email(recommendations=rows).html, "recommendations")
    assert "<script>" not in html and '"><' not in html.split("href=")[1][:60]
    href = re.search(r'href="([^"]*)"', html).group(1)  # type: ignore[union-attr]
    assert href == ("https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/"
                    "%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%2F..%2Fx%3Fy%23z")  # RFC 3986: only unreserved kept


def test_stopped_reporting_and_never_reported_are_told_apart() -> None:
    text = visible(section(email().html, "subscriptions"))
    assert "Legacy lab (decommissioned) stopped reporting · last seen 29 Oct 2026" in text
    assert "New landing zone never reported in the last 91 days" in text
    assert 'Payments <PCI> & "Cards" ▼ dropped more than 5 pts 61.6 ▼ -17.2 from 78.8 1,234' in text


def test_every_subscription_and_control_row_links_to_the_portal() -> None:
    html = email().html
    assert section(html, "subscriptions").count(f'href="{SECURE_SCORE}"') == 3
    assert section(html, "top-controls").count(f'href="{RECOMMENDATIONS}"') == 1
    assert section(html, "unhealthy-controls").count(f'href="{RECOMMENDATIONS}"') == 1
    changes = section(html, "changes")
    assert changes.count(f'href="{RECOMMENDATIONS}"') == 2 and changes.count(f'href="{SECURE_SCORE}"') == 1


def test_units_are_points_not_percent() -> None:
    html = email().html
    assert "+3.97" in visible(section(html, "top-controls")) and "Potential (pts)" in html
    trend = visible(section(html, "trend"))
    assert "16 Nov 73.5 –" in trend and "23 Nov 64.9 ▼ -8.5" in trend and "Change (pts)" in trend
    assert "bar: 0 to 100 %" in trend


def test_failure_notice_escapes_the_error_and_links_the_run() -> None:
    error = {"error": {"code": "BadArgumentError", "message": 'Query <b>"bad"</b> & \'x\''}}
    run = run_canned(example(), answers(trend=(400, error)))
    mail = run.mail
    assert mail.action == "Send_failure_notice" and mail.importance == "High"
    assert "<b>Query_trend</b>: Query &lt;b&gt;&quot;bad&quot;&lt;/b&gt; &amp; 'x'" in mail.html
    run_id = f"{WORKFLOW}/runs/{RUN_NAME}".replace("/", "%2F")
    link = f"https://portal.azure.com/#view/Microsoft_Azure_EMA/LogicAppsMonitorBlade/runid/{run_id}"
    assert f'href="{link}"' in mail.html


def test_failure_notice_without_a_run_id_has_no_link() -> None:
    error = {"error": {"code": "BadArgumentError", "message": "boom"}}
    run = run_canned(example(), answers(trend=(400, error)), workflow_info={"name": "x", "run": {"name": "local"}})
    assert "LogicAppsMonitorBlade" not in run.mail.html and "Open this run" not in run.mail.html
