"""The deployed workflow of management-group mode, run by the emulator: discovery, its paging, the GUID
check, the run-time KQL membership and its limit, the coverage section, failures, both transports.

Resource Graph answers come from `emulator.resource_graph` (shaped after the REST spec's examples) or,
for failures, from answers written here after ARM's ErrorResponse.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest

from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample, sample_membership
from securescore.emulator.local_run import LocalRun, run_locally
from securescore.emulator.resource_graph import subscription_row
from securescore.emulator.runner import HttpRequest
from securescore.logicapp import discovery
from securescore.logicapp.definition import build_definition
from securescore.settings import Settings
from tests.conftest import REPORT_NOW, make_settings
from tests.reference import Reference

GROUP = "contoso-landing-zones"
ZERO_TOUCH = {"logsQuery": "http", "mailTransport": "acs", "acsDataLocation": "Europe"}
ARG_URI = "https://management.azure.com/providers/Microsoft.ResourceGraph/resources"
# The Logic Apps limit on a string an expression builds ("Limits and configuration": expression
# evaluation limit, 131,072 characters).
EVALUATION_LIMIT = 131_072
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def mgmt_settings(transport: str = "connector", **overrides: Any) -> Settings:
    values: dict[str, Any] = {"managementGroupId": GROUP, "subscriptions": []}
    if transport == "zero-touch":
        values.update(ZERO_TOUCH)
    values.update(overrides)
    return make_settings(**values)


def member_id(i: int) -> str:
    return f"{i:08x}-1111-4111-8111-{i:012x}"


def members(count: int) -> list[dict[str, Any]]:
    return [subscription_row(member_id(i), f"Zone {i}") for i in range(1, count + 1)]


def score_rows(ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    at = REPORT_NOW - timedelta(days=1)
    return {"SecureScores": [
        {"TimeGenerated": at, "SecureScoresSubscriptionId": sub, "DisplayName": "ASC score", "PercentageScore": 0.5,
         "CurrentScore": 5.0, "MaxScore": 10, "Weight": 10}
        for sub in ids]}


class Rows:
    """A data source over hand-made or sample rows (the local engine, a stand-in for Log Analytics)."""

    def __init__(self, engine: LocalEngine) -> None:
        self.engine, self.warnings = engine, []

    def run_query(self, kql: str) -> list[dict[str, Any]]:
        return self.engine.run(kql)

    def describe(self) -> str:
        return "test rows"


def run(settings: Settings, rows: list[dict[str, Any]], tables: dict[str, Any] | None = None,
        **kwargs: Any) -> LocalRun:
    engine = LocalEngine(tables if tables is not None else {})
    try:
        return run_locally(settings, Rows(engine), REPORT_NOW, membership=rows, **kwargs)
    finally:
        engine.close()


def member_ids_in(kql: str) -> str:
    match = re.search(r'let MemberIds = "([^"]*)";', kql)
    assert match, kql[:400]
    return match.group(1)


def text_of(html_text: str, section: str) -> str:
    start = html_text.index(f'id="{section}"')
    end = html_text.find('<tr><td class="section"', start + 1)
    body = re.sub(r"<br\s*/?>", "\n", html_text[start:end])
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


# --- discovery, paging, constant actions -----------------------------------------------------------------


@pytest.mark.parametrize("transport", ["connector", "zero-touch"])
def test_the_run_asks_resource_graph_as_its_identity(transport: str) -> None:
    result = run(mgmt_settings(transport), members(3), score_rows([member_id(1)]))
    assert result.run.status == "Succeeded" and result.email.action == "Send_report"
    graph = [r for a, r in result.http_requests if a == discovery.READ_ACTION]
    assert len(graph) == 1
    request = graph[0]
    # REST spec resourcegraph 2024-04-01: POST /providers/Microsoft.ResourceGraph/resources
    assert (request.method, request.uri, request.queries) == ("POST", ARG_URI, {"api-version": "2024-04-01"})
    assert request.authentication == {"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"}
    assert request.body["managementGroups"] == [GROUP]
    assert request.body["query"] == ("resourcecontainers | where type == 'microsoft.resources/subscriptions' "
                                     "| project id, subscriptionId, name, state = tostring(properties.state)")
    assert request.body["options"] == {"$top": 1000, "resultFormat": "objectArray"}
    for name, kql in result.query_texts.items():
        assert member_ids_in(kql) == ",".join(member_id(i) for i in (1, 2, 3)), name


def test_paging_follows_the_skip_token_in_one_until() -> None:
    result = run(mgmt_settings(), members(2345), score_rows([member_id(7)]))
    assert result.run.status == "Succeeded"
    pages = [r for a, r in result.http_requests if a == discovery.READ_ACTION]
    assert len(pages) == 3
    assert "$skipToken" not in pages[0].body["options"]
    assert all(p.body["options"]["$skipToken"] and p.body["options"]["$top"] == 1000 for p in pages[1:])
    assert len({p.body["options"].get("$skipToken") for p in pages}) == 3
    ids = member_ids_in(result.query_texts["overall"]).split(",")
    assert ids == [member_id(i) for i in range(1, 2346)]
    assert result.run.actions[discovery.UNTIL_ACTION].status == "Succeeded"


def test_actions_per_run_do_not_grow_with_the_subscriptions() -> None:
    def counts(n: int) -> tuple[int, int]:
        result = run(mgmt_settings(), members(n), score_rows([member_id(1)]))
        distinct = sum(1 for a in result.run.actions.values() if a.status != "Skipped")
        return distinct, len(result.run.order)

    one, many, two_pages = counts(1), counts(400), counts(1200)
    assert one == many  # one page of up to 1,000
    # A second page runs the same four loop actions again, nothing else.
    assert two_pages[0] == one[0] and two_pages[1] == one[1] + 4
    definition = lambda n: build_definition(mgmt_settings(subscriptions=[  # noqa: E731
        f"{member_id(i)}=Named {i}" for i in range(1, n + 1)]))
    assert len(str(definition(1)["actions"])) == len(str(definition(300)["actions"]))


# --- nothing from Azure becomes KQL or expression text ---------------------------------------------------


HOSTILE_NAMES = [
    '"); SecureScores | take 1 //', "@{workflow()}", "</td><script>alert(1)</script>", "Name with ' and \\",
    "@{body('Read_resource_graph')}",
]
BAD_IDS: list[Any] = [
    "not-a-guid", '0000000a-1111-4111-8111-00000000000a"); SecureScores | take 1; print x=("',
    "0000000b-1111-4111-8111-00000000000", "0000000b-1111-4111-8111-00000000000bb",
    "0000000c11111-4111-8111-00000000000c", "0000000g-1111-4111-8111-00000000000d",
    "{0000000e-1111-4111-8111-00000000000e}", "0000000f-1111-4111-8111-00000000000f\n", 12345, None,
    {"id": "0000001a-1111-4111-8111-00000000001a"}, ["0000001b-1111-4111-8111-00000000001b"], "",
    "@{utcNow()}", "0000001c-1111-4111-8111-00000000001C".replace("C", "Z"),
]


def hostile_rows() -> list[dict[str, Any]]:
    good = [subscription_row(member_id(i), HOSTILE_NAMES[i % len(HOSTILE_NAMES)]) for i in range(1, 6)]
    good.append(subscription_row(member_id(6).upper(), "Upper-case id"))  # a GUID in capitals is a GUID
    bad = [{"id": f"/subscriptions/{i}", "subscriptionId": value, "name": HOSTILE_NAMES[i % len(HOSTILE_NAMES)],
            "state": "Enabled"} for i, value in enumerate(BAD_IDS)]
    weird_state = subscription_row(member_id(7), "State <b>", state='Disabled"<i>')
    return [*good, *bad, weird_state]


@pytest.mark.parametrize("transport", ["connector", "zero-touch"])
def test_only_checked_guids_reach_the_kql(transport: str) -> None:
    result = run(mgmt_settings(transport), hostile_rows(), score_rows([member_id(1), member_id(2)]))
    assert result.run.status == "Succeeded"
    expected = ",".join(member_id(i) for i in range(1, 8))
    for name, kql in result.query_texts.items():
        assert member_ids_in(kql) == expected, name
        for hostile in [*HOSTILE_NAMES, "Upper-case id", "State <b>", "Disabled", "not-a-guid", "0000000g"]:
            assert hostile not in kql, (name, hostile)
    definition = str(build_definition(mgmt_settings(transport)))
    assert not any(hostile in definition for hostile in ("Upper-case id", "State <b>", "not-a-guid"))


def test_names_and_states_reach_the_email_escaped() -> None:
    result = run(mgmt_settings(), hostile_rows(), score_rows([member_id(1), member_id(2)]))
    body = result.email.html
    assert "<script>" not in body and "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "State &lt;b&gt;" in body and "Disabled&quot;&lt;i&gt;" in body
    assert "@{workflow()}" in html.unescape(body)  # shown as text: an email body is not evaluated again
    coverage = text_of(body, "coverage")
    assert f"{len(BAD_IDS)} entries of Resource Graph's answer were ignored" in coverage
    assert "2 of 7 subscriptions under management group contoso-landing-zones" in coverage


# --- the size limit --------------------------------------------------------------------------------------


def test_the_limit_keeps_every_query_under_the_evaluation_limit() -> None:
    settings = mgmt_settings(exportAssessments=True)
    cap = build_definition(settings)["parameters"][discovery.MAX_PARAMETER]["defaultValue"]
    assert 3000 < cap < EVALUATION_LIMIT // 37
    at_cap = run(settings, members(cap), score_rows([member_id(1)]))
    for name, kql in at_cap.query_texts.items():
        assert len(kql) <= EVALUATION_LIMIT, name  # the text as the run evaluated it, times included
        assert len(member_ids_in(kql).split(",")) == cap
    over = run(settings, members(cap + 1), score_rows([member_id(1)]))
    assert {member_ids_in(k) for k in over.query_texts.values()} == {"*"}


def test_five_thousand_subscriptions_are_reported_without_a_filter() -> None:
    rows = members(5000)
    outside = "ffffffff-2222-4222-8222-ffffffffffff"  # exports to the workspace, not under the group
    tables = score_rows([member_id(1), member_id(4999), outside])
    result = run(mgmt_settings(maxSubscriptionRows=25), rows, tables)
    assert result.run.status == "Succeeded" and result.email.action == "Send_report"
    assert {member_ids_in(k) for k in result.query_texts.values()} == {"*"}
    assert len(result.http_requests) == 5  # five pages of 1,000
    # Without the filter, every subscription with rows in the workspace counts, as the reference says.
    expected = Reference(tables, mgmt_settings(), "2026-11-23T07:00:00Z", membership=None).all()
    assert result.query_results["overall"][0]["SubscriptionsReporting"] == \
        expected["overall"][0]["SubscriptionsReporting"] == 3
    coverage = text_of(result.email.html, "coverage")
    assert "2 of 5,000" not in coverage and "2 of 5000 subscriptions under management group" in coverage
    assert "More than " in coverage and "cover every subscription that exports to the workspace" in coverage
    assert "… and 4973 more" in coverage  # 4,998 without a row, 25 shown


# --- coverage --------------------------------------------------------------------------------------------


def test_coverage_of_the_sample_group_matches_the_reference() -> None:
    settings = mgmt_settings()
    membership = sample_membership()
    tables = generate_sample(settings, REPORT_NOW, membership=membership)
    rows = [subscription_row(m.id, m.name, m.state) for m in membership]
    result = run(settings, rows, tables)
    expected = Reference(tables, settings, "2026-11-23T07:00:00Z", membership=[m.id for m in membership]).coverage()
    reporting = set(expected[0]["ReportingIds"].split(","))
    seen = set(expected[0]["SeenIds"].split(","))
    assert result.query_results["coverage"] == expected
    text = text_of(result.email.html, "coverage")
    assert f"{len(reporting)} of {len(membership)} subscriptions under management group {GROUP}" in text
    for member in membership:
        listed = member.name in text
        assert listed == (member.id not in reporting), member
        if listed and member.state != "Enabled":
            assert f"{member.state}: cannot report" in text
        elif listed and member.id in seen:
            assert "stopped reporting" in text
    assert "never reported: export not deployed yet" in text  # the subscription the policy has not reached


def test_friendly_names_win_and_display_names_fill_in() -> None:
    settings = mgmt_settings(subscriptions=[f"{member_id(1)}=Our name for it"])
    rows = [subscription_row(member_id(1), "Azure name 1"), subscription_row(member_id(2), "Azure name 2"),
            subscription_row(member_id(3), "")]
    result = run(settings, rows, score_rows([member_id(1), member_id(2), member_id(3)]))
    table = text_of(result.email.html, "subscriptions")
    assert "Our name for it" in table and "Azure name 1" not in table
    assert "Azure name 2" in table and member_id(3) in table


def test_every_subscription_reporting() -> None:
    result = run(mgmt_settings(), members(3), score_rows([member_id(i) for i in (1, 2, 3)]))
    assert "Every subscription under the management group reported." in text_of(result.email.html, "coverage")


# --- failures --------------------------------------------------------------------------------------------


def _arm_error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {}, "body": {"error": {"code": code, "message": message}}}


def test_a_refused_resource_graph_call_sends_the_failure_notice() -> None:
    def refuse(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action == discovery.READ_ACTION:
            return _arm_error(403, "AuthorizationFailed", "The client does not have authorization to perform action "
                              "'Microsoft.ResourceGraph/resources/read'.")
        return None

    result = run(mgmt_settings(), members(3), {}, http_faults=refuse)
    assert result.email.action == "Send_failure_notice"
    assert discovery.UNTIL_ACTION in result.email.html
    assert not result.query_texts  # no query ran with a partial membership


def test_throttling_is_retried() -> None:
    calls: list[str] = []

    def throttle_once(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action == discovery.READ_ACTION and not calls:
            calls.append(action)
            return _arm_error(429, "RateLimiting", "Please provide below info when asking for support")
        return None

    result = run(mgmt_settings(), members(3), score_rows([member_id(1)]), http_faults=throttle_once)
    assert result.email.action == "Send_report"
    assert result.run.actions[discovery.READ_ACTION].attempts == 2


def test_an_answer_without_data_fails_the_run() -> None:
    def table_format(action: str, request: HttpRequest) -> dict[str, Any] | None:
        if action == discovery.READ_ACTION:  # resultFormat "table" answers data as {columns, rows}
            return {"statusCode": 200, "headers": {}, "body": {
                "totalRecords": 1, "count": 1, "resultTruncated": "false",
                "data": {"columns": [{"name": "subscriptionId", "type": "string"}], "rows": [[member_id(1)]]}}}
        return None

    result = run(mgmt_settings(), members(3), {}, http_faults=table_format)
    assert result.email.action == "Send_failure_notice" and not result.query_texts


def test_guid_check_expression_at_its_boundaries() -> None:
    from securescore.emulator import parse  # noqa: F401  (the expression must parse)
    from securescore.emulator.runner import run_workflow

    values = {"good": member_id(1), "upper-lowered": member_id(1), "short": member_id(1)[:-1],
              "long": member_id(1) + "0", "hyphen-moved": "0000000-11111-4111-8111-000000000001",
              "g": member_id(1)[:-1] + "g", "empty": "", "spaces": " " * 36, "dashes": "-" * 36}
    definition = {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
                   "workflowdefinition.json#",
        "contentVersion": "1.0.0.0", "parameters": {}, "triggers": {}, "outputs": {},
        "actions": {f"Check_{k.replace('-', '_')}": {
            "type": "Compose", "inputs": f"@{discovery.is_guid(repr(v).replace(chr(34), chr(39)))}", "runAfter": {}}
            for k, v in values.items()},
    }
    result = run_workflow(definition, {}, lambda *a: {}, REPORT_NOW)
    verdicts = {name: action.outputs for name, action in result.actions.items()}
    assert verdicts == {"Check_good": True, "Check_upper_lowered": True, "Check_short": False, "Check_long": False,
                        "Check_hyphen_moved": False, "Check_g": False, "Check_empty": False, "Check_spaces": False,
                        "Check_dashes": False}
    assert all(GUID.fullmatch(v) for k, v in values.items() if k in ("good", "upper-lowered"))
