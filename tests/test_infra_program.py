"""The Pulumi program under mocks, for every stack file: what registers, with which inputs and provider."""

from __future__ import annotations

import runpy
import uuid
from typing import Any

import pulumi
import pytest
from pulumi.output import Unknown
from pulumi.runtime.sync_await import _sync_await
from pulumi_mocks import PROVIDER_TYPE, ProgramRun, Registration, run_program, stack_config

from securescore.logicapp import definition as workflow_definition
from securescore.settings import PROJECT_ROOT, Settings, available_stacks, settings_from_stack

STACKS = available_stacks()

# Built-in role definition ids, copied from Microsoft Learn "Azure built-in roles"
# (learn.microsoft.com/azure/role-based-access-control/built-in-roles): the same GUID in every tenant.
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
SECURITY_READER = "39bc4728-0917-49c7-9d2c-d95423bc2eb4"
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"


def managed_api(s: Settings, api: str) -> str:
    """A Microsoft-managed connector's id, as published Logic Apps ARM templates write it: concat('/subscriptions/',
    subscription().subscriptionId, '/providers/Microsoft.Web/locations/', location, '/managedApis/<api>')."""
    return (f"/subscriptions/{s.deployment_subscription_id}/providers/Microsoft.Web/locations/{s.location}"
            f"/managedApis/{api}")


def expected_assignment_name(scope: str, principal_id: str, role_guid: str) -> str:
    """The documented contract for role assignment names (README, Deploying step 5): a version-5 UUID of
    scope, principal and role in a fixed namespace. Written out here, not imported: changing it would
    make an upgraded stack create a second assignment for every existing grant."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:securescore-report:role-assignments")
    return str(uuid.uuid5(namespace, f"{scope.lower()}|{principal_id.lower()}|{role_guid.lower()}"))

RG = "azure-native:resources:ResourceGroup"
AUTOMATION = "azure-native:security:Automation"
WORKSPACE = "azure-native:operationalinsights:Workspace"
SOLUTION = "azure-native:operationsmanagement:Solution"
CONNECTION = "azure-native:web:Connection"
GENERIC = "azure-native:resources:Resource"
WORKFLOW = "azure-native:logic:Workflow"
ROLE = "azure-native:authorization:RoleAssignment"

# Facts about the committed stacks, written out rather than derived, so a regression in the
# derivation cannot hide. A new stack file is still checked by every derived test.
KNOWN = {
    "dev": {"creates_workspace": False, "logs_auth": "oauth", "role": READER, "providers": 1},
    "example": {"creates_workspace": False, "logs_auth": "managedIdentity", "role": READER, "providers": 6},
    "prod": {"creates_workspace": True, "logs_auth": "managedIdentity", "role": SECURITY_READER, "providers": 5},
    "zerotouch": {"creates_workspace": False, "logs_auth": "managedIdentity", "role": READER, "providers": 6},
}
# The only invoke a program may make: an existing workspace's customer id, with logsQuery http.
GET_WORKSPACE = "azure-native:operationalinsights:getWorkspace"

_runs: dict[str, ProgramRun] = {}


def run_of(stack: str) -> ProgramRun:
    """One mocked run per stack for the whole module (the runs are plain recorded data)."""
    if stack not in _runs:
        _runs[stack] = run_program(stack_config(stack), stack=stack)
    return _runs[stack]


def azure(run: ProgramRun) -> list[Registration]:
    return [r for r in run.registrations if r.type.startswith("azure-native:")]


def expected_subscriptions(s: Settings) -> set[str]:
    subs = {s.deployment_subscription_id, *s.subscription_ids}
    if not s.workspace.existing or s.logs_auth == "managedIdentity" or s.modes.logs_http:
        subs.add(s.workspace.subscription_id)
    return subs


@pytest.mark.parametrize("stack", STACKS)
def test_one_provider_per_distinct_subscription(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    subs = [p.inputs["subscriptionId"] for p in run.of_type(PROVIDER_TYPE)]
    assert len(subs) == len(set(subs)), "a subscription got two providers"
    assert set(subs) == expected_subscriptions(s)
    if stack in KNOWN:
        assert len(subs) == KNOWN[stack]["providers"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_azure_resource_names_an_explicit_provider_and_nothing_is_read(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    for r in azure(run):
        assert r.provider, f"{r.type} {r.name} would use a default provider"
        assert r.provider in run.providers, f"{r.type} {r.name}: unknown provider {r.provider}"
    lookup = s.modes.logs_http and s.workspace.existing
    assert run.reads == [] and run.invokes == ([GET_WORKSPACE] if lookup else [])


@pytest.mark.parametrize("stack", STACKS)
def test_one_component_parents_every_resource(stack: str) -> None:
    run = run_of(stack)
    top = run.one("securescore:index:SecureScoreReport")
    # A single component on purpose: each extra one costs about a resource's registration (bench item 1).
    assert [r for r in run.registrations if not r.custom] == [top]
    for r in run.registrations:
        if r is not top:
            assert r.parent == top.urn, f"{r.type} {r.name} is not a child of the report component"
    automations = run.of_type("azure-native:security:Automation")
    assert len(automations) == len(settings_from_stack(stack).subscriptions)


@pytest.mark.parametrize("stack", STACKS)
def test_only_a_created_workspace_and_its_group_outlive_destroy(stack: str) -> None:
    """`pulumi destroy` deletes what the stack made, except the history it cannot make again: a created
    workspace, its solution and the group holding them are retained. Nothing is protected."""
    run, s = run_of(stack), settings_from_stack(stack)
    retained = {(r.type, r.name) for r in run.registrations if r.retain_on_delete}
    if s.workspace.existing:
        assert retained == set()
    else:
        group = next(
            g for g in run.of_type(RG)
            if run.subscription_of(g) == s.workspace.subscription_id
            and g.inputs["resourceGroupName"].lower() == s.workspace.resource_group_name.lower()
        )
        assert retained == {(WORKSPACE, "workspace"), (SOLUTION, "workspace-securitycenterfree"), (RG, group.name)}
    assert not any(r.protect for r in run.registrations)


def test_prod_keeps_its_workspace_group_and_deletes_the_others() -> None:
    run = run_of("prod")
    kept = {g.inputs["resourceGroupName"] for g in run.of_type(RG) if g.retain_on_delete}
    deleted = {g.inputs["resourceGroupName"] for g in run.of_type(RG) if not g.retain_on_delete}
    assert kept == {"rg-security-monitoring"}
    assert deleted == {"rg-securescore-prod", "rg-securescore-export"}


@pytest.mark.parametrize("stack", STACKS)
def test_resource_groups(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    groups = {(run.subscription_of(g), g.inputs["resourceGroupName"]) for g in run.of_type(RG)}
    expected = {(s.deployment_subscription_id, s.resource_group_name)}
    expected |= {(sub, s.export.resource_group_name) for sub in s.subscription_ids}
    if not s.workspace.existing:
        expected.add((s.workspace.subscription_id, s.workspace.resource_group_name))
    assert groups == expected
    assert len(run.of_type(RG)) == len(expected)
    assert {g.inputs["location"] for g in run.of_type(RG)} == {s.location}


@pytest.mark.parametrize("stack", STACKS)
def test_continuous_export_per_monitored_subscription(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    automations = run.of_type(AUTOMATION)
    assert len(automations) == len(s.subscriptions)
    expected_sources = ["SecureScores", "SecureScoreControls"]
    if s.export.snapshots:
        expected_sources += ["SecureScoresSnapshot", "SecureScoreControlsSnapshot"]
    if s.export.assessments:
        expected_sources += ["Assessments", "AssessmentsSnapshot"]
    for sub in s.subscription_ids:
        a = run.one(AUTOMATION, f"export-{sub}-automation")
        assert run.subscription_of(a) == sub
        assert a.inputs["automationName"] == s.export.automation_name
        assert a.inputs["resourceGroupName"] == s.export.resource_group_name
        assert a.inputs["isEnabled"] is True
        assert [sc["scopePath"] for sc in a.inputs["scopes"]] == [f"/subscriptions/{sub}"]
        assert a.inputs["actions"] == [
            {"actionType": "Workspace", "workspaceResourceId": s.workspace.resource_id}
        ]
        assert [src["eventSource"] for src in a.inputs["sources"]] == expected_sources
        assert all("ruleSets" not in src for src in a.inputs["sources"])
        group = run.one(RG, f"export-{sub}-rg")
        assert a.parent == group.parent  # both children of the report component


def test_prod_exports_assessments_and_snapshots() -> None:
    a = run_of("prod").of_type(AUTOMATION)[0]
    assert {src["eventSource"] for src in a.inputs["sources"]} == {
        "SecureScores", "SecureScoreControls", "SecureScoresSnapshot", "SecureScoreControlsSnapshot",
        "Assessments", "AssessmentsSnapshot",
    }


@pytest.mark.parametrize("stack", STACKS)
def test_workspace_created_or_only_referenced(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    if stack in KNOWN:
        assert (not s.workspace.existing) == KNOWN[stack]["creates_workspace"]
    if s.workspace.existing:
        assert run.of_type(WORKSPACE) == [] and run.of_type(SOLUTION) == []
        assert run.of_type("securescore:index:LogAnalyticsWorkspace") == []
        assert not any(s.workspace.name in r.name for r in run.registrations)
        return
    ws = run.one(WORKSPACE)
    assert run.subscription_of(ws) == s.workspace.subscription_id
    assert ws.inputs["workspaceName"] == s.workspace.name
    assert ws.inputs["resourceGroupName"] == s.workspace.resource_group_name
    assert ws.inputs["sku"] == {"name": "PerGB2018"}
    assert ws.inputs["retentionInDays"] == s.workspace.retention_days
    assert ws.inputs["location"] == s.location
    sol = run.one(SOLUTION)
    assert run.subscription_of(sol) == s.workspace.subscription_id
    name = f"SecurityCenterFree({s.workspace.name})"
    assert sol.inputs["solutionName"] == name
    assert sol.inputs["plan"] == {
        "name": name, "publisher": "Microsoft", "product": "OMSGallery/SecurityCenterFree", "promotionCode": "",
    }
    assert sol.inputs["properties"] == {"workspaceResourceId": s.workspace.resource_id}
    assert sol.inputs["resourceGroupName"] == s.workspace.resource_group_name


def test_prod_workspace_lives_in_the_security_subscription() -> None:
    run = run_of("prod")
    assert run.subscription_of(run.one(WORKSPACE)) == "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
    assert run.one(WORKSPACE).inputs["retentionInDays"] == 180


@pytest.mark.parametrize("stack", STACKS)
def test_connections(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    if stack in KNOWN:
        assert s.logs_auth == KNOWN[stack]["logs_auth"]
    if s.modes.zero_touch:  # tests/test_zerotouch_infra.py covers the mixed modes
        assert run.of_type(CONNECTION) == [] and run.of_type(GENERIC) == []
        return
    office = run.one(CONNECTION, "office365")
    assert office.inputs == {
        "resourceGroupName": s.resource_group_name,
        "connectionName": s.office365_connection_name,
        "location": s.location,
        "properties": {
            "displayName": f"{s.logic_app_name}: Office 365 Outlook",
            "api": {"id": managed_api(s, "office365")},
        },
    }
    if s.logs_auth == "managedIdentity":
        assert run.of_type(CONNECTION) == [office]
        logs = run.one(GENERIC, "azuremonitorlogs")
        assert logs.inputs == {
            "resourceGroupName": s.resource_group_name,
            "resourceProviderNamespace": "Microsoft.Web",
            "resourceType": "connections",
            "apiVersion": "2016-06-01",
            "parentResourcePath": "",
            "resourceName": s.logs_connection_name,
            "location": s.location,
            "kind": "V1",
            # Learn, "Authenticate access and connections with managed identities", ARM template for API
            # connections and managed identities, Consumption, multi-authentication connector.
            "properties": {
                "alternativeParameterValues": {},
                "api": {"id": managed_api(s, "azuremonitorlogs")},
                "authenticatedUser": {},
                "connectionState": "Enabled",
                "customParameterValues": {},
                "displayName": f"{s.logic_app_name}: Azure Monitor Logs (managed identity)",
                "parameterValueSet": {"name": "managedIdentityAuth", "values": {}},
            },
        }
    else:
        assert run.of_type(GENERIC) == []
        logs = run.one(CONNECTION, "azuremonitorlogs")
        assert logs.inputs["connectionName"] == s.logs_connection_name
        assert logs.inputs["properties"]["api"] == {"id": managed_api(s, "azuremonitorlogs")}
        assert "parameterValues" not in logs.inputs["properties"]
    for c in (office, logs):
        assert run.subscription_of(c) == s.deployment_subscription_id


@pytest.mark.parametrize("stack", STACKS)
def test_workflow(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    wf = run.one(WORKFLOW)
    assert run.subscription_of(wf) == s.deployment_subscription_id
    assert wf.inputs["workflowName"] == s.logic_app_name
    assert wf.inputs["resourceGroupName"] == s.resource_group_name
    assert wf.inputs["location"] == s.location
    assert wf.inputs["identity"] == {"type": "SystemAssigned"}
    assert wf.inputs["state"] == "Enabled"
    # One source of truth: what is deployed is what scripts.package writes and the preview executes.
    assert wf.inputs["definition"] == workflow_definition.build_definition(s)
    definition = wf.inputs["definition"]
    assert definition["$schema"] == (  # Workflow Definition Language schema reference, 2016-06-01
        "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"
    )
    if s.modes.zero_touch:  # no connection: only the deploy-time values (tests/test_zerotouch_infra.py)
        assert "$connections" not in definition["parameters"]
        assert set(wf.inputs["parameters"]) == {"workspaceCustomerId", "acsEndpoint", "senderAddress"}
        return
    assert definition["parameters"]["$connections"]["type"] == "Object"
    assert set(wf.inputs["parameters"]) == {"$connections"}
    logs_id = run.outputs["connectionIds"]["azuremonitorlogs"]
    office_id = run.outputs["connectionIds"]["office365"]
    value = wf.inputs["parameters"]["$connections"]["value"]
    # The $connections shape of Logic Apps' API connections: connectionId, connectionName, id (the managed API);
    # with managed identity, connectionProperties.authentication.type ManagedServiceIdentity.
    logs = {"connectionId": logs_id, "connectionName": f"{s.logic_app_name}-azuremonitorlogs",
            "id": managed_api(s, "azuremonitorlogs")}
    if s.logs_auth == "managedIdentity":
        logs["connectionProperties"] = {"authentication": {"type": "ManagedServiceIdentity"}}
    assert value == {
        "azuremonitorlogs": logs,
        "office365": {"connectionId": office_id, "connectionName": f"{s.logic_app_name}-office365",
                      "id": managed_api(s, "office365")},
    }
    assert logs_id.endswith(f"/resourceGroups/{s.resource_group_name}/providers/Microsoft.Web/connections/"
                            f"{s.logic_app_name}-azuremonitorlogs")


@pytest.mark.parametrize("stack", STACKS)
def test_role_assignments(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    principal = run.outputs["principalId"]
    role = {"Reader": READER, "SecurityReader": SECURITY_READER}[s.subscription_role]
    if stack in KNOWN:
        assert role == KNOWN[stack]["role"]
    expected = {
        (sub, f"/subscriptions/{sub}", f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}")
        for sub in s.subscription_ids
    }
    if s.logs_auth == "managedIdentity" or s.modes.logs_http:
        ws = s.workspace
        expected.add((
            ws.subscription_id, ws.resource_id,
            f"/subscriptions/{ws.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/"
            f"{LOG_ANALYTICS_READER}",
        ))
    if s.modes.acs is not None:
        sub = s.deployment_subscription_id
        expected.add((
            sub,
            f"/subscriptions/{sub}/resourceGroups/{s.resource_group_name}/providers/Microsoft.Communication"
            f"/communicationServices/{s.modes.acs.communication_service_name}",
            f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/"
            "09976791-48a7-449e-bb21-39d1a415f350",  # Communication and Email Service Owner
        ))
    if s.scope is not None:  # management-group mode: once at the group, the role's tenant-level id
        expected.add((s.deployment_subscription_id, s.scope.resource_id,
                      f"/providers/Microsoft.Authorization/roleDefinitions/{role}"))
    # The policy assignment's own identity has its roles too (tests/test_mgmt_infra.py).
    assignments = [a for a in run.of_type(ROLE) if not a.name.startswith("policy-")]
    actual = {(run.subscription_of(a), a.inputs["scope"], a.inputs["roleDefinitionId"]) for a in assignments}
    assert actual == expected and len(assignments) == len(expected)
    for a in assignments:
        assert a.inputs["principalId"] == principal
        assert a.inputs["principalType"] == "ServicePrincipal"
        guid = a.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        assert a.inputs["roleAssignmentName"] == expected_assignment_name(a.inputs["scope"], principal, guid)
    assert len({a.inputs["roleAssignmentName"] for a in assignments}) == len(assignments)


def test_role_assignment_names_are_the_same_on_every_run() -> None:
    again = run_program(stack_config("example"), stack="example")
    first = sorted(a.inputs["roleAssignmentName"] for a in run_of("example").of_type(ROLE))
    assert sorted(a.inputs["roleAssignmentName"] for a in again.of_type(ROLE)) == first
    assert all(uuid.UUID(n).version == 5 for n in first)


@pytest.mark.parametrize("stack", STACKS)
def test_outputs(stack: str) -> None:
    run, s = run_of(stack), settings_from_stack(stack)
    wf = run.one(WORKFLOW)
    out = run.outputs
    mode_outputs = set()
    if s.modes.logs_http:
        mode_outputs.add("workspaceCustomerId")
    if s.modes.mail_acs:
        mode_outputs |= {"senderAddress", "senderDomain", "communicationServiceEndpoint", "communicationServiceId"}
    if s.scope is not None:
        mode_outputs |= {"managementGroupId", "policyAssignmentId", "policyPrincipalId", "remediationId"}
    assert set(out) == {
        "logicAppName", "logicAppId", "principalId", "portalUrl", "connectionIds", "authorizeCommand",
        "subscriptionsCovered", "workspaceResourceId",
    } | mode_outputs
    assert out["logicAppName"] == s.logic_app_name
    assert out["logicAppId"] == wf.id and wf.id.endswith(f"/Microsoft.Logic/workflows/{s.logic_app_name}")
    assert out["portalUrl"] == f"https://portal.azure.com/#@/resource{wf.id}"
    assert uuid.UUID(out["principalId"])
    if s.modes.zero_touch:
        assert out["connectionIds"] == {}
        assert out["authorizeCommand"].startswith("nothing to authorize")
    else:
        assert set(out["connectionIds"]) == {"azuremonitorlogs", "office365"}
        assert out["authorizeCommand"] == f"securescore authorize --stack {stack}"
    if s.scope is not None:  # discovered by the Logic App at each run: the stack names the group
        assert out["subscriptionsCovered"] == (
            f"every subscription under management group {s.scope.management_group_id} (discovered at each run)")
    else:
        assert out["subscriptionsCovered"] == list(s.subscription_ids)
    assert out["workspaceResourceId"] == s.workspace.resource_id


def test_main_exports_the_outputs_without_secrets(mocker: Any) -> None:
    exported: dict[str, Any] = {}
    mocker.patch.object(pulumi, "export", side_effect=lambda name, value: exported.__setitem__(name, value))

    secret: list[bool] = []

    def program() -> dict[str, Any]:
        runpy.run_path(str(PROJECT_ROOT / "__main__.py"), run_name="__main__")
        secret.append(_sync_await(pulumi.Output.from_input(exported).is_secret()))
        return exported

    run = run_program(stack_config("dev"), stack="dev", program=program)
    assert run.outputs == run_of("dev").outputs
    assert secret == [False]


@pytest.mark.parametrize("stack", STACKS)
def test_first_preview_registers_the_same_resources_with_unknown_ids(stack: str) -> None:
    """On a first `pulumi preview` no id or principal is known; the program must not depend on them."""
    preview = run_program(stack_config(stack), stack=stack, preview=True)
    names = sorted((r.type, r.name) for r in preview.registrations)
    assert names == sorted((r.type, r.name) for r in run_of(stack).registrations)
    wf = preview.one(WORKFLOW)
    settings = settings_from_stack(stack)
    assert wf.inputs["definition"] == workflow_definition.build_definition(settings)
    # An invoke runs during a preview too: an existing workspace's customer id is known then.
    unknown = ["acsEndpoint", "senderAddress"] if settings.modes.zero_touch else ["$connections"]
    for parameter in unknown:
        assert isinstance(wf.inputs["parameters"][parameter]["value"], Unknown), parameter
    for a in preview.of_type(ROLE):
        assert isinstance(a.inputs["principalId"], Unknown)
        assert isinstance(a.inputs["roleAssignmentName"], Unknown)
