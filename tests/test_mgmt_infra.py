"""Management-group mode under Pulumi mocks: what is registered, with which inputs, and what never is.

Expected values are copied from Microsoft's sources, not from the code: the policy definition
(Azure/azure-policy, built-in-policies/policyDefinitions/Security Center/
ASC_ExportToLogAnalyticsWorkspace_DINE.json, version 4.1.0: its id, parameter names, allowed
exportedDataTypes and roleDefinitionIds) and the built-in role ids of Learn "Azure built-in roles".
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from pulumi_mocks import ProgramRun, run_program, stack_config

from securescore.infra.config import ConfigurationError
from securescore.settings import PROJECT

ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
REMEDIATION = "azure-native:policyinsights:RemediationAtManagementGroup"
ROLE = "azure-native:authorization:RoleAssignment"
GROUP_SCOPE = "/providers/Microsoft.Management/managementGroups/contoso-landing-zones"
POLICY_ID = "/providers/Microsoft.Authorization/policyDefinitions/ffb6f416-7bd2-4488-8828-56585fef2be9"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
SECURITY_READER = "39bc4728-0917-49c7-9d2c-d95423bc2eb4"
# The definition's parameters and the allowed values of exportedDataTypes (copied from the file).
POLICY_PARAMETERS = {"resourceGroupName", "resourceGroupLocation", "createResourceGroup", "exportedDataTypes",
                     "recommendationNames", "recommendationSeverities", "isSecurityFindingsEnabled",
                     "secureScoreControlsNames", "alertSeverities", "regulatoryComplianceStandardsNames",
                     "workspaceResourceId"}
ALLOWED_TYPES = {"Security recommendations", "Security alerts", "Overall secure score", "Secure score controls",
                 "Regulatory compliance", "Overall secure score - snapshot", "Secure score controls - snapshot",
                 "Regulatory compliance - snapshot", "Security recommendations - snapshot",
                 "Security findings - snapshot"}
EXISTING_WS = ("/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-monitoring"
               "/providers/Microsoft.OperationalInsights/workspaces/law-security-example")
CONNECTOR = {"logsQuery": "connector", "mailTransport": "office365", "acsDataLocation": ""}


def names(count: int) -> str:
    return json.dumps([f"{i:08x}-0000-4000-8000-{i:012x}=Landing zone {i}" for i in range(1, count + 1)])


def mgmt_run(**overrides: Any) -> ProgramRun:
    return run_program(stack_config("mgmt", **overrides), stack="mgmt")


def test_resources_do_not_grow_with_the_subscriptions() -> None:
    few = mgmt_run(subscriptions=json.loads(names(1)))
    many = mgmt_run(subscriptions=json.loads(names(300)))
    assert Counter(r.type for r in few.registrations) == Counter(r.type for r in many.registrations)
    types = {r.type for r in many.registrations}
    assert "azure-native:security:Automation" not in types  # the policy exports, not the stack
    assert len(many.registrations) <= 16
    # One provider per subscription the stack touches: here only the deployment subscription.
    assert len(many.of_type("pulumi:providers:azure-native")) == 1


def test_the_assignment_is_the_built_in_export_policy_with_the_stacks_parameters() -> None:
    run = mgmt_run(exportAssessments=True)
    assignment = run.one(ASSIGNMENT)
    inputs = assignment.inputs
    assert inputs["scope"] == GROUP_SCOPE
    assert inputs["policyDefinitionId"] == POLICY_ID
    assert inputs["definitionVersion"] == "4.*.*"  # the definition's versions: ["4.1.0"]
    assert inputs["identity"] == {"type": "SystemAssigned"}
    assert inputs["location"] == "westeurope"  # required with a managed identity
    assert len(inputs["policyAssignmentName"]) <= 24
    parameters = {k: v["value"] for k, v in inputs["parameters"].items()}
    assert set(parameters) <= POLICY_PARAMETERS
    assert set(parameters["exportedDataTypes"]) <= ALLOWED_TYPES
    assert parameters["exportedDataTypes"] == [
        "Overall secure score", "Secure score controls", "Overall secure score - snapshot",
        "Secure score controls - snapshot", "Security recommendations", "Security recommendations - snapshot"]
    assert parameters["isSecurityFindingsEnabled"] is False
    assert parameters["resourceGroupName"] == "rg-securescore-export"
    assert parameters["resourceGroupLocation"] == "westeurope"
    assert parameters["createResourceGroup"] is True
    workspace = run.one("azure-native:operationalinsights:Workspace")
    assert parameters["workspaceResourceId"] == workspace.id


@pytest.mark.parametrize(("overrides", "types"), [
    ({"exportSnapshots": False}, ["Overall secure score", "Secure score controls"]),
    ({"exportSnapshots": False, "exportAssessments": True},
     ["Overall secure score", "Secure score controls", "Security recommendations"]),
])
def test_data_types_follow_the_export_keys(overrides: dict[str, Any], types: list[str]) -> None:
    parameters = mgmt_run(**overrides).one(ASSIGNMENT).inputs["parameters"]
    assert parameters["exportedDataTypes"]["value"] == types


def test_the_policy_identity_gets_the_definitions_role_at_the_group_and_on_the_workspace() -> None:
    run = mgmt_run()
    assignment = run.one(ASSIGNMENT)
    workspace = run.one("azure-native:operationalinsights:Workspace")
    policy_roles = [r for r in run.of_type(ROLE) if r.name.startswith("policy-")]
    principal = run.outputs["policyPrincipalId"]
    assert principal and principal != run.outputs["principalId"]
    assert {(r.inputs["scope"], r.inputs["roleDefinitionId"]) for r in policy_roles} == {
        (GROUP_SCOPE, f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"),
        (workspace.id, f"/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Authorization/"
                       f"roleDefinitions/{CONTRIBUTOR}"),
    }
    assert all(r.inputs["principalId"] == principal and r.inputs["principalType"] == "ServicePrincipal"
               for r in policy_roles)
    assert assignment.urn in {d for r in policy_roles for d in r.dependencies}


@pytest.mark.parametrize(("role", "guid"), [("Reader", READER), ("SecurityReader", SECURITY_READER)])
def test_the_report_identity_gets_its_role_once_at_the_group(role: str, guid: str) -> None:
    run = mgmt_run(subscriptionRole=role, subscriptions=json.loads(names(40)))
    at_group = [r for r in run.of_type(ROLE) if r.inputs["scope"] == GROUP_SCOPE and not r.name.startswith("policy-")]
    assert len(at_group) == 1
    assert at_group[0].inputs["roleDefinitionId"] == f"/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    assert at_group[0].inputs["principalId"] == run.outputs["principalId"]
    assert not [r for r in run.of_type(ROLE) if r.inputs["scope"].startswith("/subscriptions/") and
                r.inputs["scope"].count("/") == 2]  # no role on any single subscription


def test_the_remediation_runs_for_the_assignment_after_its_roles() -> None:
    run = mgmt_run()
    remediation, assignment = run.one(REMEDIATION), run.one(ASSIGNMENT)
    assert remediation.inputs["managementGroupId"] == "contoso-landing-zones"
    assert remediation.inputs["managementGroupsNamespace"] == "Microsoft.Management"
    assert remediation.inputs["policyAssignmentId"] == assignment.id
    assert remediation.inputs["resourceDiscoveryMode"] == "ExistingNonCompliant"
    policy_roles = {r.urn for r in run.of_type(ROLE) if r.name.startswith("policy-")}
    assert policy_roles | {assignment.urn} <= set(remediation.dependencies)
    assert run.outputs["remediationId"] == remediation.id and run.outputs["policyAssignmentId"] == assignment.id


@pytest.mark.parametrize("transports", [CONNECTOR, {}], ids=["connector", "zero-touch"])
def test_both_transports(transports: dict[str, Any]) -> None:
    run = mgmt_run(**transports)
    connections = run.of_type("azure-native:web:Connection") + [
        r for r in run.of_type("azure-native:resources:Resource") if r.inputs.get("resourceType") == "connections"]
    assert bool(connections) == bool(transports)
    assert len(run.of_type(ASSIGNMENT)) == 1 and len(run.of_type(REMEDIATION)) == 1
    definition = run.one("azure-native:logic:Workflow").inputs["definition"]
    assert "Discover_subscriptions" in definition["actions"]["Run_queries"]["actions"]


def test_an_existing_workspace_is_only_referenced() -> None:
    run = mgmt_run(workspaceName="", workspaceResourceId=EXISTING_WS)
    assert not run.of_type("azure-native:operationalinsights:Workspace")
    groups = {(run.subscription_of(g), g.inputs["resourceGroupName"].lower())
              for g in run.of_type("azure-native:resources:ResourceGroup")}
    assert ("11111111-1111-4111-8111-111111111111", "rg-monitoring") not in groups
    assert groups == {("11111111-1111-4111-8111-111111111111", "rg-securescore-mgmt")}
    parameters = run.one(ASSIGNMENT).inputs["parameters"]
    assert parameters["workspaceResourceId"]["value"] == EXISTING_WS
    on_workspace = [r for r in run.of_type(ROLE) if r.inputs["scope"] == EXISTING_WS]
    assert {r.name for r in on_workspace} == {"policy-policy-contributor-workspace", "roles-log-analytics-reader"}
    assert not any(r.protect or r.retain_on_delete for r in run.of_type(ROLE))  # ours: destroy removes them


@pytest.mark.parametrize(("key", "value"), [
    ("managementGroupId", "bad/group"),
    ("subscriptions", json.dumps(["aaaaaaaa-0000-4000-8000-000000000001"])),
    ("exportAutomationName", "custom-export"),
    ("exportResourceGroupName", "rg-securescore-mgmt"),  # the stack's own group
])
def test_bad_config_registers_nothing(key: str, value: str) -> None:
    config = stack_config("mgmt")
    config[f"{PROJECT}:{key}"] = value
    run = ProgramRun()
    with pytest.raises(ConfigurationError) as caught:
        run_program(config, stack="mgmt", run=run)
    assert key in str(caught.value)
    assert run.registrations == []


def test_preview_registers_the_same_resources() -> None:
    plan = run_program(stack_config("mgmt"), stack="mgmt", preview=True)
    applied = mgmt_run()
    assert Counter(r.type for r in plan.registrations) == Counter(r.type for r in applied.registrations)
