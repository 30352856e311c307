"""Management-group mode: continuous export through Microsoft's built-in policy, assigned at the group.

What the stack registers, whatever the number of subscriptions under the group (docs/design.md,
"Management-group mode", cites each shape):
- the assignment of "Deploy export to Log Analytics workspace for Microsoft Defender for Cloud data"
  (``ffb6f416-7bd2-4488-8828-56585fef2be9``, version 4.x) at the management group, with a
  system-assigned identity and its parameters from the stack;
- that identity's roles: what the policy's ``roleDefinitionIds`` lists (Contributor) at the group,
  where its deployments run (deploymentScope subscription, each subscription under the group), and
  on the workspace (the ``workspaceResourceId`` parameter has ``assignPermissions``: the portal grants
  the roles there too; the workspace may be outside the group);
- a remediation task at the group for the subscriptions already there (new ones are deployed by the
  policy itself when they are created or moved in).

`pulumi destroy` deletes the assignment, the remediation record and the role assignments. The
automations the policy deployed (``ExportToWorkspace`` in ``exportResourceGroupName`` of each
subscription) are not in the stack and stay (README, "Management-group mode").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import authorization, policyinsights

from securescore.infra.providers import Providers
from securescore.infra.roles import Grant, assign
from securescore.settings import Settings

POLICY_DEFINITION_ID = "/providers/Microsoft.Authorization/policyDefinitions/ffb6f416-7bd2-4488-8828-56585fef2be9"
# The definition's "versions": ["4.1.0"]; a major version may change the parameters, so 4.x only.
POLICY_DEFINITION_VERSION = "4.*.*"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"  # the policy's roleDefinitionIds
# The policy's exportedDataTypes allowed values, for the tables the report reads.
SCORE_TYPES = ("Overall secure score", "Secure score controls")
SNAPSHOT_TYPES = ("Overall secure score - snapshot", "Secure score controls - snapshot")
ASSESSMENT_TYPES = ("Security recommendations",)
ASSESSMENT_SNAPSHOT_TYPES = ("Security recommendations - snapshot",)


def exported_data_types(settings: Settings) -> list[str]:
    """The same event sources as a per-subscription export (infra.export.event_sources), by the names
    the policy's parameter takes (its dataTypeMap: "Overall secure score" -> SecureScores, ...)."""
    types = list(SCORE_TYPES)
    if settings.export.snapshots:
        types += SNAPSHOT_TYPES
    if settings.export.assessments:
        types += ASSESSMENT_TYPES
        if settings.export.snapshots:
            types += ASSESSMENT_SNAPSHOT_TYPES
    return types


def policy_parameters(settings: Settings) -> dict[str, Any]:
    """The assignment's parameter values. isSecurityFindingsEnabled is off: the report does not read
    sub-assessments, and on it adds a source the existence condition then requires."""
    return {
        "resourceGroupName": settings.export.resource_group_name,
        "resourceGroupLocation": settings.location,
        "createResourceGroup": True,
        "exportedDataTypes": exported_data_types(settings),
        "isSecurityFindingsEnabled": False,
        "workspaceResourceId": settings.workspace.resource_id,
    }


def policy_grants(settings: Settings) -> list[Grant]:
    """The assignment identity's roles: Contributor at the management group and on the workspace."""
    scope = settings.scope
    assert scope is not None
    ws = settings.workspace
    return [
        Grant("policy-contributor-mg", settings.deployment_subscription_id, scope.resource_id, CONTRIBUTOR),
        Grant("policy-contributor-workspace", ws.subscription_id, ws.resource_id, CONTRIBUTOR),
    ]


@dataclass
class PolicyExport:
    assignment: authorization.PolicyAssignment
    principal_id: pulumi.Output[str]
    roles: list[authorization.RoleAssignment]
    remediation: policyinsights.RemediationAtManagementGroup


def _principal(identity: Any) -> str:
    if identity is None or not identity.principal_id:
        raise ValueError("the policy assignment came back without a system-assigned identity principal id")
    return identity.principal_id


def policy_export(
    name: str,
    *,
    settings: Settings,
    providers: Providers,
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource] | None = None,
) -> PolicyExport:
    """Assignment, its identity's roles, and the remediation task that runs once they exist."""
    scope = settings.scope
    assert scope is not None, "policy_export is for managementGroupId stacks"
    # Management-group resources need a provider only for its credentials: the deployment subscription's.
    opts = providers.opts(settings.deployment_subscription_id, parent, depends_on)
    assignment = authorization.PolicyAssignment(
        f"{name}-assignment",
        scope=scope.resource_id,
        policy_assignment_name=scope.policy_assignment_name,
        policy_definition_id=POLICY_DEFINITION_ID,
        definition_version=POLICY_DEFINITION_VERSION,
        display_name=f"Secure score export for the {settings.logic_app_name} report",
        description=("Exports Defender for Cloud secure scores to the report's Log Analytics workspace "
                     "(securescore-report)."),
        enforcement_mode="Default",
        identity=authorization.IdentityArgs(type=authorization.ResourceIdentityType.SYSTEM_ASSIGNED),
        location=settings.location,  # required with a managed identity
        parameters={key: authorization.ParameterValuesValueArgs(value=value)
                    for key, value in policy_parameters(settings).items()},
        opts=opts,
    )
    principal_id = assignment.identity.apply(_principal)
    roles = assign(name, policy_grants(settings), principal_id=principal_id, providers=providers, parent=parent,
                   depends_on=depends_on)
    remediation = policyinsights.RemediationAtManagementGroup(
        f"{name}-remediation",
        management_group_id=scope.management_group_id,
        management_groups_namespace="Microsoft.Management",
        remediation_name=scope.remediation_name,
        policy_assignment_id=assignment.id,
        # At management-group scope only known non-compliant subscriptions are remediated (re-evaluating
        # compliance in the task applies at subscription scope and below).
        resource_discovery_mode=policyinsights.ResourceDiscoveryMode.EXISTING_NON_COMPLIANT,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[assignment, *roles])),
    )
    return PolicyExport(assignment, principal_id, roles, remediation)
