"""`check` per mode: the Logic App identity's roles, the zero-touch resources (Communication Service,
email domains, the workspace's customer id), the query API as the Logic App calls it, and the last
run's failed actions diagnosed from their outputs.

ARM, the query API and the outputs host are faked at the HTTP transport; bodies are shaped after the
REST specs' examples named in tests/fakes/ (communication.py, resources.py, logic.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.cli import check
from securescore.settings import settings_from_stack
from tests.conftest import make_settings
from tests.fakes.communication import communication_service_body, domain_body
from tests.fakes.failures import INSUFFICIENT_ACCESS
from tests.fakes.loganalytics import FakeLogsTransport, query_answer, query_error
from tests.fakes.logic import FakeContentTransport, action_body, action_outputs, outputs_uri, run_body, workflow_body
from tests.fakes.resources import role_assignment_body, workspace_body
from tests.fakes.security import scores_path, secure_score_body
from tests.fakes.transport import Canned, FakeArmTransport, FakeCredential, arm_error

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PRINCIPAL = "6f4a9c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"
CUSTOMER_ID = "5b02755b-5bf4-430c-9487-45502a2a7e62"  # WorkspacesGet.json (2023-09-01)
QUERY_HOST = "api.loganalytics.azure.com"  # Learn "Azure Monitor Log Analytics API request format"
# Built-in role ids, Microsoft Learn "Azure built-in roles".
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"
COMMUNICATION_AND_EMAIL_SERVICE_OWNER = "09976791-48a7-449e-bb21-39d1a415f350"

ZT = settings_from_stack("zerotouch")
SUB = ZT.deployment_subscription_id
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-securescore-zerotouch"
WORKFLOW = f"{GROUP}/providers/Microsoft.Logic/workflows/securescore-zerotouch"
SERVICE = ZT.modes.acs.resource_id(SUB, ZT.resource_group_name)
MANAGED_DOMAIN = (f"{GROUP}/providers/Microsoft.Communication/emailServices/{ZT.modes.acs.email_service_name}"
                  "/domains/AzureManagedDomain")
WORKSPACE = ZT.workspace.resource_id
FRESH = [("SubscriptionId", "string"), ("LastRow", "datetime")]


def zero_touch_transport(settings: Any = ZT, *, roles: dict[str, list[str]] | None = None) -> FakeArmTransport:
    """Everything healthy: scores, the Logic App and its identity's roles, the ACS resources, the workspace."""
    transport = FakeArmTransport()
    for sub in settings.subscription_ids:
        transport.add("GET", scores_path(sub), Canned(200, {"value": [secure_score_body(sub)]}))
    transport.add("GET", WORKFLOW, Canned(200, workflow_body(WORKFLOW, PRINCIPAL)))
    wanted = roles if roles is not None else {
        **{f"/subscriptions/{s}": [READER] for s in settings.subscription_ids},
        WORKSPACE: [LOG_ANALYTICS_READER], SERVICE: [COMMUNICATION_AND_EMAIL_SERVICE_OWNER]}
    for scope, guids in wanted.items():
        transport.add("GET", f"{scope}/providers/Microsoft.Authorization/roleAssignments", Canned(200, {"value": [
            role_assignment_body(scope, g, PRINCIPAL, scope.split("/")[2], principal_type="ServicePrincipal",
                                 name=f"a{i}") for i, g in enumerate(guids)]}))
    transport.add("GET", SERVICE, Canned(200, communication_service_body(SERVICE, linked=[MANAGED_DOMAIN])))
    transport.add("GET", MANAGED_DOMAIN, Canned(200, domain_body(MANAGED_DOMAIN)))
    transport.add("GET", WORKSPACE, Canned(200, workspace_body(WORKSPACE, customer_id=CUSTOMER_ID)))
    transport.add("GET", WORKFLOW + "/runs", Canned(200, {"value": [
        run_body("08584", "Succeeded", "2026-11-20T14:00:00.1234567Z")]}))
    return transport


def query_api(rows: list[list[Any]] | None = None, status: int = 200, body: Any = None) -> FakeLogsTransport:
    def answer(target: str, query: str) -> Canned:
        if body is not None:
            return Canned(status, body)
        return Canned(200, query_answer(FRESH, rows if rows is not None else
                                        [[s, "2026-11-22T09:15:00Z"] for s in ZT.subscription_ids]))
    return FakeLogsTransport(answer, host=QUERY_HOST)


def results(capsys: pytest.CaptureFixture[str], transport: FakeArmTransport, logs: FakeLogsTransport | None = None,
            stack: str = "zerotouch", credential: FakeCredential | None = None,
            content: FakeContentTransport | None = None, argv: tuple[str, ...] = ()) -> tuple[int, list[dict]]:
    code = check.main(["--stack", stack, "--json", *argv], credential=credential or FakeCredential(),
                      transport=transport, logs_transport=logs or query_api(), env={}, now=NOW,
                      content_transport=content or FakeContentTransport())
    return code, json.loads(capsys.readouterr().out)


def named(items: list[dict], prefix: str) -> list[dict]:
    return [i for i in items if i["check"].startswith(prefix)]


def test_a_healthy_zero_touch_stack(capsys: pytest.CaptureFixture[str]) -> None:
    logs, credential = query_api(), FakeCredential()
    code, items = results(capsys, zero_touch_transport(), logs, credential=credential)
    assert code == 0, [i for i in items if not i["ok"]]
    assert not named(items, "API connection")  # no connection in zero-touch mode
    roles = named(items, "Role ")
    assert len(roles) == len(ZT.subscriptions) + 2 and all(r["ok"] for r in roles)
    assert f"Role Log Analytics Reader at {WORKSPACE}" in [r["check"] for r in roles]
    assert f"Role Communication and Email Service Owner at {SERVICE}" in [r["check"] for r in roles]
    service = named(items, "Communication Service")[0]
    assert "Entra ID only" in service["detail"] and "linked: AzureManagedDomain" in service["detail"]
    domain = named(items, "Email domain AzureManagedDomain")[0]
    assert domain["detail"].startswith("Succeeded, sends as DoNotReply@0a1b2c3d-")
    assert CUSTOMER_ID in named(items, "Log Analytics workspace law-security-example")[0]["detail"]
    # The workspace is queried as the Logic App queries it: its host, the customer id, the query API audience.
    workspace = named(items, "Log Analytics workspace: law-security-example (query API")[0]
    assert workspace["ok"] and "6 of 6 subscriptions reporting" in workspace["detail"]
    assert [s.path for s in logs.sent] == [f"/v1/workspaces/{CUSTOMER_ID}/query"]
    assert ("https://api.loganalytics.io/.default",) in credential.scopes


def test_the_requests_use_each_resources_api_version(capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    results(capsys, transport)
    versions = {s.path: s.query["api-version"][0] for s in transport.sent}
    assert versions[SERVICE] == versions[MANAGED_DOMAIN] == "2025-09-01"
    assert versions[WORKSPACE] == "2023-09-01" and versions[WORKFLOW] == "2019-05-01"
    listing = transport.requests_to("GET", f"{SERVICE}/providers/Microsoft.Authorization/roleAssignments")[0]
    assert listing.query == {"api-version": ["2022-04-01"], "$filter": [f"principalId eq '{PRINCIPAL}'"]}
    assert len(transport.requests_to("GET", WORKSPACE)) == 1  # read once, for the resource and the query


def test_a_missing_role_names_the_identity_and_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    roles = {f"/subscriptions/{s}": [READER] for s in ZT.subscription_ids}
    roles[WORKSPACE] = [READER]  # the wrong role on the workspace
    code, items = results(capsys, zero_touch_transport(roles=roles))
    workspace_role = named(items, f"Role Log Analytics Reader at {WORKSPACE}")[0]
    assert code == 1 and not workspace_role["ok"] and PRINCIPAL in workspace_role["detail"]
    assert f"--assignee-object-id {PRINCIPAL}" in workspace_role["fix"]
    assert f"--role {LOG_ANALYTICS_READER} --scope {WORKSPACE}" in workspace_role["fix"]
    assert "not found" not in named(items, f"Role Communication and Email Service Owner at {SERVICE}")[0]["detail"]


def test_a_role_held_at_a_parent_scope_counts(capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    rg = WORKSPACE.split("/providers/")[0]
    transport.add("GET", f"{WORKSPACE}/providers/Microsoft.Authorization/roleAssignments", Canned(200, {"value": [
        role_assignment_body(rg, LOG_ANALYTICS_READER, PRINCIPAL, SUB, principal_type="ServicePrincipal")]}))
    _, items = results(capsys, transport)
    assert named(items, f"Role Log Analytics Reader at {WORKSPACE}")[0]["ok"]


def test_a_role_assigned_minutes_ago_may_still_be_propagating(capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    transport.add("GET", f"{SERVICE}/providers/Microsoft.Authorization/roleAssignments", Canned(200, {"value": [
        role_assignment_body(SERVICE, COMMUNICATION_AND_EMAIL_SERVICE_OWNER, PRINCIPAL, SUB,
                             principal_type="ServicePrincipal", created_on="2026-11-23T06:48:00.1234567Z")]}))
    _, items = results(capsys, transport)
    item = named(items, "Role Communication and Email Service Owner")[0]
    assert item["ok"] and "assigned 12 minutes ago: it may still be propagating" in item["detail"]
    assert "until 07:18 UTC" in item["detail"]


def test_a_logic_app_without_its_identity(capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    transport.add("GET", WORKFLOW, Canned(200, workflow_body(WORKFLOW, principal_id=None)))
    _, items = results(capsys, transport)
    item = named(items, "Logic App identity")[0]
    assert not item["ok"] and "no system-assigned managed identity" in item["detail"]


@pytest.mark.parametrize(("body", "detail", "fix"), [
    (communication_service_body(SERVICE, linked=[MANAGED_DOMAIN], local_auth_disabled=False),
     "local (key) authentication is enabled", "disableLocalAuth"),
    (communication_service_body(SERVICE, linked=[]), "no sending domain of the stack is linked", "pulumi up"),
    (communication_service_body(SERVICE), "no sending domain of the stack is linked", "pulumi up"),
    (communication_service_body(SERVICE, linked=[MANAGED_DOMAIN], state="Running"),  # get.json's value
     "provisioning state Running", "wait a few minutes"),
    (communication_service_body(SERVICE, linked=[MANAGED_DOMAIN], state="Failed"),
     "provisioning state Failed", "pulumi up"),
])
def test_the_communication_service(body: dict, detail: str, fix: str, capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    transport.add("GET", SERVICE, Canned(200, body))
    code, items = results(capsys, transport)
    item = named(items, "Communication Service")[0]
    assert code == 1 and not item["ok"] and detail in item["detail"] and fix in item["fix"]


def test_linked_domains_are_compared_as_azure_compares_ids(capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    spelled = MANAGED_DOMAIN.replace("emailServices", "EmailServices").replace("/domains/", "/Domains/")
    transport.add("GET", SERVICE, Canned(200, communication_service_body(SERVICE, linked=[spelled])))
    _, items = results(capsys, transport)
    assert named(items, "Communication Service")[0]["ok"]


def test_a_custom_domain_waits_for_its_verification(capsys: pytest.CaptureFixture[str], mocker: Any) -> None:
    settings = make_settings(2, logsQuery="http", mailTransport="acs", acsDataLocation="Europe",
                             acsCustomDomain="reports.contoso.example", resourceGroupName="rg-securescore-zerotouch",
                             logicAppName="securescore-zerotouch", deploymentSubscriptionId=SUB)
    mocker.patch("securescore.cli.check.load_settings", return_value=settings)
    custom = (f"{GROUP}/providers/Microsoft.Communication/emailServices/{settings.modes.acs.email_service_name}"
              "/domains/reports.contoso.example")
    service = settings.modes.acs.resource_id(SUB, settings.resource_group_name)
    managed = custom.replace("reports.contoso.example", "AzureManagedDomain")
    transport = zero_touch_transport(settings)
    transport.add("GET", service, Canned(200, communication_service_body(service, linked=[managed])))
    transport.add("GET", managed, Canned(200, domain_body(managed)))
    transport.add("GET", custom, Canned(200, domain_body(custom, sender_domain="reports.contoso.example",
                                                         managed=False, status="VerificationRequested")))
    _, items = results(capsys, transport, stack="any")
    item = named(items, "Email domain reports.contoso.example")[0]
    assert not item["ok"] and "domain verification: VerificationRequested" in item["detail"]
    assert "customDomainDnsRecords" in item["fix"] and "pulumi up --refresh" in item["fix"]
    assert named(items, "Communication Service")[0]["ok"]  # the managed domain sends meanwhile
    transport.add("GET", custom, Canned(200, domain_body(custom, sender_domain="reports.contoso.example",
                                                         managed=False, other_states={"SPF": "Verified",
                                                                                      "DKIM": "NotStarted"})))
    _, items = results(capsys, transport, stack="any")
    item = named(items, "Email domain reports.contoso.example")[0]
    assert item["ok"] and "DoNotReply@reports.contoso.example" in item["detail"] and "DKIM" in item["detail"]


def test_an_unreadable_workspace_fails_the_query_api_check_with_its_reason(
        capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    transport.add("GET", WORKSPACE, Canned(404, arm_error("ResourceNotFound", "not found")))
    logs = query_api()
    _, items = results(capsys, transport, logs)
    query = named(items, "Log Analytics workspace: law-security-example (query API)")[0]
    assert not query["ok"] and "could not read the workspace's customer id (HTTP 404" in query["detail"]
    assert logs.sent == []
    assert "workspaceResourceId" in named(items, "Log Analytics workspace law-security-example")[0]["fix"]


def test_the_workspace_id_flag_skips_the_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    logs = query_api()
    given = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    results(capsys, zero_touch_transport(), logs, argv=("--workspace-id", given))
    assert [s.path for s in logs.sent] == [f"/v1/workspaces/{given}/query"]


def test_the_query_api_refusing_you_asks_for_your_role(capsys: pytest.CaptureFixture[str]) -> None:
    logs = query_api(status=403, body=query_error("InsufficientAccessError", "The provided credentials have "
                                                  "insufficient access to perform the requested operation"))
    _, items = results(capsys, zero_touch_transport(), logs)
    item = named(items, "Log Analytics workspace: law-security-example (query API")[0]
    assert not item["ok"] and "HTTP 403" in item["detail"] and "Log Analytics Reader" in item["fix"]


def test_a_failed_last_run_is_diagnosed_from_its_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    uri = outputs_uri("Query_overall", "08585")
    transport.add("GET", WORKFLOW + "/runs", Canned(200, {"value": [run_body(
        "08585", "Failed", "2026-11-23T06:00:00Z",
        error={"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."})]}))
    transport.add("GET", WORKFLOW + "/runs/08585/actions", Canned(200, {"value": [
        action_body("Query_overall", "Failed", {"code": "Forbidden", "message": "Forbidden"}, code="Forbidden",
                    outputs_uri=uri)]}))
    content = FakeContentTransport({uri: Canned(200, action_outputs(403, INSUFFICIENT_ACCESS))})
    _, items = results(capsys, transport, content=content)
    item = named(items, "Logic App last run")[0]
    assert not item["ok"] and "Query_overall: Forbidden: Forbidden (the Logic App's identity may not read" in \
        item["detail"]
    assert "up to 30 minutes" in item["fix"] and "securescore run-now --stack zerotouch" in item["fix"]
    assert "SIGNATURE" not in json.dumps(items)


def test_without_a_token_every_mode_check_is_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    credential = FakeCredential(error=ClientAuthenticationError(message="AADSTS7000215: Invalid client secret."))
    _, items = results(capsys, FakeArmTransport(), credential=credential)
    # Secure Score API, workspace, the identity's roles, the mode's resources, last run: no connections.
    assert [i["detail"] for i in items[1:]] == ["skipped: no token"] * 5
