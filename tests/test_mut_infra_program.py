"""The Pulumi program's ordering, component outputs and guards the mutation run found untested (under mocks).

- A continuous export writes to the workspace by its resource id, a plain string known from the
  settings: nothing ties the export to a workspace the stack creates but depends_on, and Defender for
  Cloud's export needs the workspace (and its SecurityCenterFree solution) to exist (Learn,
  "Continuously export Microsoft Defender for Cloud data": the target workspace must exist).
- The report component registers its outputs (Pulumi "Component resources": register_outputs), so the
  state shows the workflow and its identity under the component.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_mocks
import pytest
from pulumi.runtime import rpc
from pulumi_mocks import PROVIDER_TYPE, ProgramRun, config_for, run_program, stack_config

from securescore.infra.stack import SecureScoreReport
from securescore.infra.workspace import created_workspace
from securescore.settings import read_stack_values
from tests.conftest import make_settings

AUTOMATION = "azure-native:security:Automation"
WORKSPACE = "azure-native:operationalinsights:Workspace"
SOLUTION = "azure-native:operationsmanagement:Solution"
WORKFLOW = "azure-native:logic:Workflow"
COMPONENT = "securescore:index:SecureScoreReport"
ASSIGNMENT = "azure-native:authorization:PolicyAssignment"


def test_exports_wait_for_the_workspace_the_stack_creates() -> None:
    run = run_program(stack_config("prod"), stack="prod")  # prod creates its workspace (stacks/Pulumi.prod.yaml)
    workspace, solution = run.one(WORKSPACE), run.one(SOLUTION)
    automations = run.of_type(AUTOMATION)
    assert automations
    for automation in automations:
        assert {workspace.urn, solution.urn} <= set(automation.dependencies), automation.name


def test_the_report_component_registers_the_workflow_and_its_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    outputs: dict[str, dict[str, Any]] = {}

    class OutputsMonitor(pulumi_mocks.RecordingMonitor):
        def RegisterResourceOutputs(self, request: Any) -> Any:  # gRPC method name, as MockMonitor has it
            outputs[request.urn] = rpc.deserialize_properties(request.outputs)
            return super().RegisterResourceOutputs(request)

    monkeypatch.setattr(pulumi_mocks, "RecordingMonitor", OutputsMonitor)
    run: ProgramRun = run_program(stack_config("example"), stack="example")
    component = run.one(COMPONENT)
    workflow = run.one(WORKFLOW)
    registered = outputs[component.urn]
    assert registered["logicAppId"] == workflow.id
    assert registered["logicAppId"].endswith(f"/providers/Microsoft.Logic/workflows/{workflow.inputs['workflowName']}")
    assert registered["principalId"] == run.outputs["principalId"]
    assert set(registered) == {"logicAppId", "principalId"}


def test_the_policy_assignment_says_which_project_made_it_and_is_enforced() -> None:
    # A person looking at the assignment in the portal sees the project that owns it.
    assignment = run_program(stack_config("mgmt"), stack="mgmt").one(ASSIGNMENT)
    assert "securescore-report" in assignment.inputs["description"]
    # REST spec Microsoft.Authorization policyAssignments 2025-01-01: enforcementMode is Default or
    # DoNotEnforce; only Default applies the policy's effect (deployIfNotExists: the export).
    assert assignment.inputs["enforcementMode"] == "Default"


def test_an_existing_workspace_is_never_created() -> None:
    settings = make_settings()  # workspaceResourceId names an existing workspace
    assert settings.workspace.existing
    with pytest.raises(ValueError, match="created_workspace"):
        created_workspace("workspace", settings=settings, providers=None, groups=None,  # type: ignore[arg-type]
                          parent=None)  # type: ignore[arg-type]


def test_the_policy_waits_for_the_workspace_the_stack_creates() -> None:
    # The assignment's parameters name the workspace by its resource id (a string from the settings), and
    # its remediation exports into it at once: only depends_on orders them after the workspace.
    run = run_program(stack_config("mgmt"), stack="mgmt")  # mgmt creates its workspace (workspaceName)
    workspace, solution = run.one(WORKSPACE), run.one(SOLUTION)
    assert {workspace.urn, solution.urn} <= set(run.one(ASSIGNMENT).dependencies)


def test_the_existing_workspace_lookup_uses_the_workspaces_subscription(monkeypatch: pytest.MonkeyPatch) -> None:
    invoked: list[tuple[str, str]] = []

    class InvokeMonitor(pulumi_mocks.RecordingMonitor):
        def Invoke(self, request: Any) -> Any:  # gRPC method name, as MockMonitor has it
            invoked.append((request.tok, request.provider))
            return super().Invoke(request)

    monkeypatch.setattr(pulumi_mocks, "RecordingMonitor", InvokeMonitor)
    run = run_program(stack_config("zerotouch"), stack="zerotouch")  # logsQuery http, an existing workspace
    workspace_sub = read_stack_values("zerotouch")["workspaceResourceId"].split("/")[2]
    provider = next(r for r in run.of_type(PROVIDER_TYPE) if r.inputs["subscriptionId"] == workspace_sub)
    assert invoked == [("azure-native:operationalinsights:getWorkspace", provider.ref)]


def test_from_config_passes_the_component_options_on() -> None:
    def program() -> dict[str, Any]:
        outer = pulumi.ComponentResource("team:index:Platform", "platform")
        report = SecureScoreReport.from_config("weekly-report", opts=pulumi.ResourceOptions(parent=outer))
        return report.stack_outputs()

    run = run_program(config_for(read_stack_values("example")), stack="example", program=program)
    outer = run.one("team:index:Platform")
    assert run.one(COMPONENT).parent == outer.urn
