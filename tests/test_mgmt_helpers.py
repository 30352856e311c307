"""The helpers in management-group mode: `check`, `reconcile`, `export-scores` and `check --before-deploy`
cover the subscriptions under the group, discovered with Resource Graph as the signed-in user (the
query the Logic App sends, every page), GUID-checked, enabled ones only for the Secure Score API.

ARM, Resource Graph and Log Analytics are faked at the HTTP transport with bodies after the REST
specs' examples (tests/fakes/resourcegraph.py, security.py, loganalytics.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.cli import check, covered, export_scores, mode_facts, readiness, reconcile
from securescore.datasources.engine import LocalEngine
from securescore.infra.roles import grants
from securescore.settings import Subscription, settings_from_stack
from tests.fakes.loganalytics import FakeLogsTransport, engine_answer, query_answer
from tests.fakes.resourcegraph import (
    RESOURCE_GRAPH_PATH,
    SPEC_SKIP_TOKENS,
    graph_pages,
    refused,
    subscription,
    throttled,
)
from tests.fakes.resources import workspace_body
from tests.fakes.security import controls_path, scores_path, secure_score_body, secure_score_control_body
from tests.fakes.transport import USER_OID, Canned, FakeArmTransport, FakeCredential, Sent

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
MGMT = settings_from_stack("mgmt")  # stacks/Pulumi.mgmt.yaml: contoso-landing-zones, zero-touch transports
GROUP_ID = "contoso-landing-zones"
GROUP = f"/providers/Microsoft.Management/managementGroups/{GROUP_ID}"
# The query the Logic App sends (docs/design.md, "Management-group mode", Sources of every shape).
QUERY = ("resourcecontainers | where type == 'microsoft.resources/subscriptions' "
         "| project id, subscriptionId, name, state = tostring(properties.state)")
PLATFORM = "c0ffee00-0000-4000-8000-000000000001"  # named "Platform team (shared services)" by the stack
A, B, C, D = (f"{c * 8}-0000-4000-8000-{c * 12}" for c in "abcd")
# Two pages of Resource Graph's answer: three enabled (one GUID in upper case), one Warned, one
# Disabled (Microsoft.Resources SubscriptionState), one row whose id is not a GUID.
PAGES = [[subscription(PLATFORM, "Display name of the platform"), subscription(A, "Alpha"),
          subscription(B, "Beta <b>", "Warned")],
         [subscription(C, "Gamma", "Disabled"), subscription(D.upper(), "Delta"),
          {"id": "/subscriptions/x", "subscriptionId": "not-a-guid", "name": "x", "state": "Enabled"}]]
ENABLED = [PLATFORM, A, D]
CUSTOMER_ID = "5b02755b-5bf4-430c-9487-45502a2a7e62"  # WorkspacesGet.json (2023-09-01)
QUERY_HOST = "api.loganalytics.azure.com"  # the query API as the Logic App calls it (logsQuery: http)
FRESH = [("SubscriptionId", "string"), ("LastRow", "datetime")]


def graph_transport(route: Any, sent: list[Any] | None = None) -> FakeArmTransport:
    """Resource Graph answering ``route`` (pages of rows, or canned answers) and a secure score for every GUID."""
    pages = isinstance(route, list) and all(isinstance(page, list) for page in route)
    transport = FakeArmTransport({("POST", RESOURCE_GRAPH_PATH): graph_pages(route, sent) if pages else route})
    for sub in (PLATFORM, A, B, C, D):
        transport.add("GET", scores_path(sub), Canned(200, {"value": [secure_score_body(sub, 29.0, 58, 10)]}))
        transport.add("GET", controls_path(sub), Canned(200, {"value": [secure_score_control_body(sub, "c1")]}))
    transport.add("GET", MGMT.workspace.resource_id, Canned(200, workspace_body(MGMT.workspace.resource_id,
                                                                              customer_id=CUSTOMER_ID)))
    return transport


def freshness(rows: list[list[Any]]) -> FakeLogsTransport:
    return FakeLogsTransport(lambda target, query: Canned(200, query_answer(FRESH, rows)), host=QUERY_HOST)


def run_check(capsys: pytest.CaptureFixture[str], transport: FakeArmTransport,
              logs: FakeLogsTransport | None = None, *argv: str) -> tuple[int, list[dict[str, Any]]]:
    code = check.main(["--stack", "mgmt", "--json", *argv], credential=FakeCredential(), transport=transport,
                      logs_transport=logs or freshness([]), env={}, now=NOW)
    return code, json.loads(capsys.readouterr().out)


def named(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [i for i in items if i["check"].startswith(prefix)]


def graph_requests(transport: FakeArmTransport) -> list[Sent]:
    return transport.requests_to("POST", RESOURCE_GRAPH_PATH)


def scored(transport: FakeArmTransport) -> list[str]:
    return [s.path.split("/")[2] for s in transport.requests_to("GET", "/providers/Microsoft.Security/secureScores")]


# --- the discovered list (pure) ---------------------------------------------------------------------------


def test_rows_become_the_covered_subscriptions() -> None:
    found = covered.from_rows(MGMT, [row for page in PAGES for row in page])
    assert found.ids == ENABLED  # Enabled only, in Azure's order, the upper-case GUID lowered
    assert [s.id for s in found.members] == [PLATFORM, A, B, C, D]  # every GUID: the Logic App's filter
    assert [(s.id, state) for s, state in found.not_enabled] == [(B, "Warned"), (C, "Disabled")]
    assert found.ignored == 1
    assert found.label(PLATFORM) == f"Platform team (shared services) ({PLATFORM})"  # the stack's name wins
    assert found.label(A) == f"Alpha ({A})" and found.label(D) == f"Delta ({D})"
    assert found.summary() == (
        f"6 subscriptions discovered under management group {GROUP_ID} (Resource Graph, as the signed-in user: "
        f"only those it can read); 3 enabled; not asked (not enabled): Beta <b> ({B}): Warned, Gamma ({C}): "
        "Disabled; 1 row without a GUID subscription id ignored")


@pytest.mark.parametrize("value", [None, 123, "", f"{A}\n", A[:-1], A + "0", "{" + A + "}", A.replace("a", "g")])
def test_only_guids_are_covered(value: Any) -> None:
    found = covered.from_rows(MGMT, [{"subscriptionId": value, "name": "n", "state": "Enabled"}])
    assert (found.ids, found.members, found.ignored) == ([], (), 1)


def test_coverage_names_subscriptions_as_the_secure_score_lines_do() -> None:
    from datetime import timedelta

    from securescore.cli.checks_management_group import coverage

    found = covered.from_rows(MGMT, [row for page in PAGES for row in page])
    uncovered, reporting, ignored = coverage(found, {A: NOW - timedelta(days=1)}, NOW, timedelta(days=14))
    assert (reporting, ignored) == (1, 1)
    assert [why for _, why in uncovered] == [
        f"Platform team (shared services) ({PLATFORM}): never reported", f"Beta <b> ({B}): Warned, cannot report",
        f"Gamma ({C}): Disabled, cannot report", f"Delta ({D}): never reported"]


def test_a_display_name_cannot_steer_the_terminal() -> None:
    found = covered.from_rows(MGMT, [subscription(A, "Evil\x1b[2J\rname")])
    assert found.label(A) == f"Evil?[2J?name ({A})"


def test_the_per_subscription_mode_keeps_its_list_and_asks_nothing() -> None:
    settings = settings_from_stack("dev")
    transport = FakeArmTransport()
    from securescore.arm import ArmClient

    with ArmClient(FakeCredential(), transport) as arm:
        found = covered.discover(arm, settings)
    assert found.ids == list(settings.subscription_ids) and found.management_group_id is None
    assert found.summary() == "" and transport.sent == []


# --- check ------------------------------------------------------------------------------------------------


def test_check_covers_the_enabled_subscriptions_under_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    sent: list[Any] = []
    transport = graph_transport(PAGES, sent)
    logs = freshness([[PLATFORM, "2026-11-22T09:15:00Z"], [A, "2026-10-01T09:00:00Z"]])
    _, items = run_check(capsys, transport, logs)
    [line] = named(items, f"Subscriptions under management group {GROUP_ID}")
    assert line["ok"] and line["detail"].startswith(f"6 subscriptions discovered under management group {GROUP_ID}")
    assert "3 enabled" in line["detail"] and f"Gamma ({C}): Disabled" in line["detail"]
    scores = named(items, "Secure Score API: ")
    assert [s["check"] for s in scores] == [f"Secure Score API: Platform team (shared services) ({PLATFORM})",
                                           f"Secure Score API: Alpha ({A})", f"Secure Score API: Delta ({D})"]
    # 29 of 58 points (secure_score_body above): 50.0%
    assert all(s["ok"] and s["detail"] == "ASC score 50.0% (29.0 of 58 points)" for s in scores)
    assert scored(transport) == ENABLED
    # Resource Graph as the Logic App asks it, both pages, once for the whole run (coverage reuses it).
    assert [b["managementGroups"] for b in sent] == [[GROUP_ID], [GROUP_ID]]
    assert all(b["query"] == QUERY and b["options"]["$top"] == 1000 for b in sent)
    assert "$skipToken" not in sent[0]["options"] and sent[1]["options"]["$skipToken"] == SPEC_SKIP_TOKENS[0]
    assert graph_requests(transport)[0].query["api-version"] == ["2024-04-01"]
    # The workspace answers once; each subscription's rows are judged by the coverage line, from the same answer.
    [workspace] = named(items, "Log Analytics workspace: ")
    assert workspace["ok"] and "rows from 2 subscriptions; those under management group " \
        f"{GROUP_ID} are judged by the coverage check" in workspace["detail"]
    [coverage] = named(items, "Coverage now")
    assert not coverage["ok"] and coverage["detail"].startswith("1 of 5 in the last 14 days (1 rows without a GUID")
    assert f"Alpha ({A}): last row 2026-10-01" in coverage["detail"] and f"Delta ({D}): never reported" in \
        coverage["detail"]
    assert len(logs.sent) == 1


def test_a_refused_resource_graph_read_is_one_line_with_the_role(capsys: pytest.CaptureFixture[str]) -> None:
    transport = graph_transport(refused(USER_OID, GROUP_ID))
    code, items = run_check(capsys, transport)
    [line] = named(items, "Subscriptions under management group")
    assert code == 1 and not line["ok"] and line["detail"].startswith(
        f"Resource Graph, management group {GROUP_ID}: HTTP 403 AuthorizationFailed")
    assert line["fix"] == ("your account needs Reader on the management group (or on the subscriptions under it): "
                           f"az role assignment create --role Reader --assignee {USER_OID} --scope {GROUP}")
    assert not named(items, "Secure Score API") and scored(transport) == []
    [coverage] = named(items, "Coverage now")
    assert not coverage["ok"] and "unknown" in coverage["detail"]
    assert len(graph_requests(transport)) == 1  # not asked again for the coverage line


def test_throttling_is_one_line_with_the_wait(capsys: pytest.CaptureFixture[str]) -> None:
    transport = graph_transport([throttled(), Canned(200, {"totalRecords": 0, "count": 0, "resultTruncated": "false",
                                                           "data": []})])
    _, items = run_check(capsys, transport)
    [line] = named(items, "Subscriptions under management group")
    assert not line["ok"] and "HTTP 429 RateLimiting" in line["detail"]
    assert "wait a few seconds and run again" in line["fix"]
    assert len(graph_requests(transport)) == 1  # azure-core does not retry a POST on 429


def test_an_empty_group_fails_instead_of_passing(capsys: pytest.CaptureFixture[str]) -> None:
    transport = graph_transport([[]])
    _, items = run_check(capsys, transport)
    [line] = named(items, "Subscriptions under management group")
    assert not line["ok"] and line["detail"].startswith("0 subscriptions discovered")
    assert "check managementGroupId" in line["fix"] and f"Reader on {GROUP}" in line["fix"]
    assert not named(items, "Secure Score API")


def test_a_refused_score_asks_for_the_role_at_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    transport = graph_transport([[subscription(A, "Alpha")]])
    transport.add("GET", scores_path(A), Canned(403, {"error": {"code": "AuthorizationFailed", "message": "no"}}))
    _, items = run_check(capsys, transport)
    [score] = named(items, "Secure Score API")
    assert not score["ok"] and f"--scope {GROUP}" in score["fix"]


def test_the_group_role_is_checked_once() -> None:
    """The Logic App's role at the group is the mode's own item (with the policy identity's), not also
    one of the identity's roles."""
    assert GROUP in [g.scope for g in grants(MGMT)]
    assert GROUP not in [f.scope for f in mode_facts.identity_roles(MGMT)]
    dev = settings_from_stack("dev")
    assert [f.scope for f in mode_facts.identity_roles(dev)] == [g.scope for g in grants(dev)]


# --- check --before-deploy --------------------------------------------------------------------------------


def test_readiness_names_the_subscriptions_and_asks_the_groups_rights_once(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert all(not scope.startswith("/providers/") for scope in readiness.rights_to_check(MGMT))
    transport = graph_transport(PAGES)
    _, items = run_check(capsys, transport, None, "--before-deploy")
    [line] = named(items, "Subscriptions under management group")
    assert line["ok"] and line["detail"].startswith("6 subscriptions discovered")
    assert not named(items, f"Deployer rights at {GROUP}")  # the mode's line asks there, for all three rights
    assert len(named(items, "Deployer rights at management group")) == 1


# --- reconcile --------------------------------------------------------------------------------------------


def score_row(sub: str, when: str, percentage: float, weight: int) -> dict[str, Any]:
    return {"TimeGenerated": datetime.fromisoformat(when), "SecureScoresSubscriptionId": sub,
            "DisplayName": "ASC score", "CurrentScore": percentage * 50, "MaxScore": 50,
            "PercentageScore": percentage, "Weight": weight}


def listed(sub: str, percentage: float, weight: int) -> Canned:
    return Canned(200, {"value": [secure_score_body(sub, percentage * 50, 50, weight, percentage)]})


def run_reconcile(capsys: pytest.CaptureFixture[str], transport: FakeArmTransport,
                  rows: list[dict[str, Any]], *argv: str) -> tuple[int, Any]:
    logs = FakeLogsTransport(engine_answer(LocalEngine({"SecureScores": rows})))
    code = reconcile.main(["--stack", "mgmt", *argv], credential=FakeCredential(), transport=transport,
                          logs_transport=logs, env={}, now=NOW)
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if "--json" in argv else captured.out + captured.err)


def test_reconcile_compares_the_group_as_the_logic_app_filters_it(capsys: pytest.CaptureFixture[str]) -> None:
    outside = "eeeeeeee-0000-4000-8000-eeeeeeeeeeee"  # exports to the workspace, not under the group
    transport = graph_transport([[subscription(A, "Alpha"), subscription(B, "Beta"),
                                  subscription(C, "Gamma", "Disabled")]])
    transport.add("GET", scores_path(A), listed(A, 0.6, 10))
    transport.add("GET", scores_path(B), listed(B, 0.8, 30))
    today, three_days_ago = "2026-11-23T05:00:00+00:00", "2026-11-20T05:00:00+00:00"
    rows = [score_row(A, today, 0.6, 10), score_row(B, today, 0.8, 30), score_row(C, three_days_ago, 0.2, 20),
            score_row(outside, today, 0.1, 40)]
    code, document = run_reconcile(capsys, transport, rows, "--json")
    by_sub = {r["subscription"]: r for r in document["rows"]}
    assert set(by_sub) == {A, B, "overall"} and scored(transport) == [A, B]
    assert (by_sub[A]["defender"], by_sub[A]["report"], by_sub[A]["ok"]) == (60.0, 60.0, True)
    assert (by_sub[B]["defender"], by_sub[B]["report"], by_sub[B]["ok"]) == (80.0, 80.0, True)
    assert by_sub[A]["name"] == f"Alpha ({A})"
    overall = by_sub["overall"]
    # Defender: (0.6*10 + 0.8*30) / 40 = 75.0. The report counts the group's three (the disabled one's rows
    # are within the lookback) and not the one outside: (6 + 24 + 4) / 60 = 56.67.
    assert (overall["defender"], overall["report"], overall["ok"]) == (75.0, 56.67, False)
    assert overall["name"] == "Overall (2 subscriptions, weighted)"
    assert overall["cause"].startswith("the report also counts 1 subscription(s) under the group that are not "
                                       f"enabled, which Defender's side leaves out: Gamma ({C})")
    assert document["managementGroup"] == {"id": GROUP_ID, "discovered": 3, "compared": [A, B],
                                           "notEnabled": [{"subscription": C, "name": "Gamma", "state": "Disabled"}],
                                           "ignored": 0}
    assert code == 1


def test_reconcile_says_what_it_discovered_and_fails_on_resource_graph(capsys: pytest.CaptureFixture[str]) -> None:
    transport = graph_transport([[subscription(A, "Alpha")]])
    transport.add("GET", scores_path(A), listed(A, 0.6, 10))
    code, out = run_reconcile(capsys, transport, [score_row(A, "2026-11-23T05:00:00+00:00", 0.6, 10)])
    assert code == 0 and out.startswith(f"1 subscription discovered under management group {GROUP_ID}")
    code, out = run_reconcile(capsys, graph_transport(throttled()), [])
    assert code == 1 and out.count("\n") == 1 and "HTTP 429" in out and "wait a few seconds" in out


def test_past_the_size_limit_the_report_is_unfiltered_as_the_logic_app_runs_it() -> None:
    """docs/design.md, "Past the size limit": about 3,350 ids fit; past that the queries run unfiltered."""
    def group(count: int) -> covered.Covered:
        members = tuple(Subscription(f"{i:08x}-0000-4000-8000-000000000000", "n") for i in range(count))
        return covered.Covered(members, GROUP_ID, members)

    assert reconcile.report_membership(MGMT, group(3_000)) == [f"{i:08x}-0000-4000-8000-000000000000"
                                                               for i in range(3_000)]
    assert reconcile.report_membership(MGMT, group(4_000)) is None


# --- export-scores ----------------------------------------------------------------------------------------


def test_export_writes_the_enabled_subscriptions_of_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    transport = graph_transport(PAGES)
    assert export_scores.main(["--stack", "mgmt"], credential=FakeCredential(), transport=transport, env={}) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["subscriptionId"] for r in records if r["kind"] == "secureScore"] == ENABLED
    assert captured.err.startswith(f"6 subscriptions discovered under management group {GROUP_ID}")
    assert f"Beta <b> ({B}): Warned" in captured.err


@pytest.mark.parametrize(("route", "words"), [
    (refused(USER_OID, GROUP_ID), "needs Reader on the management group"),
    (throttled(), "wait a few seconds"),
    ([[subscription(C, "Gamma", "Disabled")]], "nothing to export; fix: check managementGroupId"),
])
def test_export_fails_in_one_line_when_nothing_can_be_exported(route: Any, words: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    transport = graph_transport(route)
    assert export_scores.main(["--stack", "mgmt"], credential=FakeCredential(), transport=transport, env={}) == 1
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert captured.out == "" and len(errors) == 1 and words in errors[0]
    assert scored(transport) == []
