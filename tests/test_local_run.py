"""The preview's engine: the deployed definition executed locally on sample rows."""

from __future__ import annotations

import html as html_lib
from datetime import timedelta

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample
from securescore.emulator.local_run import run_locally
from securescore.queries import QUERY_NAMES, render_queries
from securescore.settings import settings_from_stack
from tests.conftest import REPORT_NOW, REPORT_TIME, make_settings


class EngineSource:
    def __init__(self, tables: dict) -> None:
        self.engine = LocalEngine(tables)
        self.queries: list[str] = []

    def run_query(self, kql: str) -> list[dict]:
        self.queries.append(kql)
        return self.engine.run(kql)

    def describe(self) -> str:
        return "test rows"


@pytest.fixture(scope="module")
def example_run():
    settings = settings_from_stack("example")
    return settings, run_locally(settings, EngineSource(generate_sample(settings, REPORT_NOW)), REPORT_NOW)


def test_the_kql_executed_is_the_deployed_kql_at_the_pinned_time(example_run) -> None:
    settings, result = example_run
    # utcNow() at the pinned clock is 2026-11-23T07:00:00.0000000Z
    assert result.query_texts == render_queries(settings, REPORT_TIME)
    assert set(result.query_results) == set(QUERY_NAMES)


def test_a_normal_run_sends_one_report_and_skips_the_failure_path(example_run) -> None:
    _, result = example_run
    assert result.run.status == "Succeeded"
    statuses = {name: action.status for name, action in result.run.actions.items()}
    assert statuses["Send_report"] == "Succeeded"
    assert statuses["Select_failed_actions"] == statuses["Send_failure_notice"] == "Skipped"
    executed = [name for name, status in statuses.items() if status != "Skipped"]
    assert len(executed) <= 17  # 8 queries, 6 Selects, Compose, Send, the Scope (assessments exported)


def test_subject_and_importance_follow_the_numbers(example_run) -> None:
    settings, result = example_run
    overall = result.query_results["overall"][0]
    email = result.email
    assert email.to == settings.recipients
    assert f"{overall['ScoreNow']:.1f}%" in email.subject
    assert " pts" in email.subject and ("▲" in email.subject) == (overall["Change"] > 0)
    # The sample has one subscription dropping beyond the threshold.
    assert overall["SubscriptionsDropped"] >= 1
    assert email.importance == "High"
    assert f"{overall['SubscriptionsDropped']} subscription" in email.subject and "dropped" in email.subject


def test_every_value_from_data_and_config_is_html_escaped(example_run) -> None:
    settings, result = example_run
    html = result.email.html
    for subscription in settings.subscriptions:
        if subscription.id in {r["SubscriptionId"] for r in result.query_results["subscriptions"]}:
            assert html_lib.escape(subscription.name, quote=True).replace("&#x27;", "'") in html
    assert "<PCI>" not in html and "<ports>" not in html
    assert "&lt;ports&gt;" in html


def test_the_email_lists_each_section(example_run) -> None:
    _, result = example_run
    html = result.email.html
    for section in ("headline", "subscriptions", "trend", "top-controls", "unhealthy-controls", "footer"):
        assert f'id="{section}"' in html
    assert html.count("<tr") > 30
    assert "@{" not in html and "[[" not in html


def test_subscription_rows_are_capped_with_and_n_more() -> None:
    settings = make_settings(12, maxSubscriptionRows=5)
    result = run_locally(settings, EngineSource(generate_sample(settings, REPORT_NOW)), REPORT_NOW)
    assert "… and 7 more subscriptions" in result.email.html
    table = result.email.html.split('id="subscriptions"')[1].split('id="trend"')[0]
    assert table.count("Subscription ") == 5  # the friendly names shown


def test_an_empty_workspace_gives_a_friendly_no_data_email() -> None:
    settings = settings_from_stack("dev")
    result = run_locally(settings, EngineSource({}), REPORT_NOW)
    assert result.run.status == "Succeeded"
    assert result.email.action == "Send_report"
    assert result.email.subject.endswith(": no data exported yet")
    assert "No data exported yet" in result.email.html and "law-dev" in result.email.html
    assert result.email.importance == "Normal"


def test_data_only_older_than_the_lookback_counts_as_no_data() -> None:
    settings = make_settings(2)
    old = generate_sample(settings, REPORT_NOW - timedelta(days=60))
    result = run_locally(settings, EngineSource(old), REPORT_NOW)
    assert result.email.subject.endswith(": no data exported yet")


@pytest.mark.parametrize("failing", QUERY_NAMES)
def test_a_failed_query_sends_a_failure_notice_naming_it(failing: str) -> None:
    settings = settings_from_stack("example")
    result = run_locally(
        settings, EngineSource(generate_sample(settings, REPORT_NOW)), REPORT_NOW, fail_query=failing
    )
    email = result.email
    assert email.action == "Send_failure_notice"
    assert email.importance == "High"
    assert f"Query_{failing}" in email.html
    assert f"Simulated failure of query &#39;{failing}&#39;" in email.html or f"query '{failing}'" in email.html
    assert result.run.actions["Send_report"].status == "Skipped"


def test_the_data_note_parameter_appears_escaped() -> None:
    settings = make_settings(2)
    result = run_locally(
        settings, EngineSource(generate_sample(settings, REPORT_NOW)), REPORT_NOW, data_note="No <history> & such"
    )
    assert "No &lt;history&gt; &amp; such" in result.email.html


def _with_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack's definition plus one Http action, as a later report workflow may have."""
    import securescore.emulator.local_run as local_run

    real = local_run.build_definition

    def build(settings):
        definition = real(settings)
        definition["actions"]["Probe"] = {
            "type": "Http",
            "inputs": {
                "method": "POST",
                "uri": "https://probe.example/v1/query",
                "body": {"at": "@{utcNow()}"},
                "authentication": {"type": "ManagedServiceIdentity", "audience": "https://probe.example"},
            },
            "runAfter": {},
        }
        return definition

    monkeypatch.setattr(local_run, "build_definition", build)


def test_run_locally_answers_http_actions_with_the_given_responder(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_probe(monkeypatch)
    settings = make_settings(2)
    answers: list[str] = []

    def responder(action, request):
        answers.append(action)
        return {"statusCode": 200, "headers": {}, "body": {"ok": True}}

    result = run_locally(settings, EngineSource(generate_sample(settings, REPORT_NOW)), REPORT_NOW, http=responder)
    assert answers == ["Probe"]
    ((action, request),) = result.http_requests
    assert (action, request.url, request.audience) == ("Probe", "https://probe.example/v1/query", "https://probe.example")
    assert request.body == {"at": REPORT_TIME}
    assert result.run.actions["Probe"].status == "Succeeded"
    assert result.email.action == "Send_report"  # the connectors still answer the rest


def test_without_a_responder_an_http_action_stops_the_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    from securescore.emulator import UnsupportedConstructError

    _with_probe(monkeypatch)
    settings = make_settings(2)
    with pytest.raises(UnsupportedConstructError, match=r"no answer for POST https://probe.example/v1/query"):
        run_locally(settings, EngineSource(generate_sample(settings, REPORT_NOW)), REPORT_NOW)
