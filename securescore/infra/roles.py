"""Role assignments for the Logic App's system-assigned identity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from securescore.infra.providers import Providers
from securescore.settings import Settings

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
SECURITY_READER = "39bc4728-0917-49c7-9d2c-d95423bc2eb4"
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"
# Built-in "Communication and Email Service Owner": the role Microsoft's support documents for sending
# with Entra ID (ACS does not honour custom roles, blakedrumm.com; docs/design.md, "Zero-touch mode").
COMMUNICATION_AND_EMAIL_SERVICE_OWNER = "09976791-48a7-449e-bb21-39d1a415f350"
SUBSCRIPTION_ROLES = {"Reader": READER, "SecurityReader": SECURITY_READER}

# Fixed namespace: the same (scope, principal, role) always gives the same assignment name, so a
# re-run or a re-created state never produces a second assignment for the same grant.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:securescore-report:role-assignments")


@dataclass(frozen=True)
class Grant:
    logical_name: str
    subscription_id: str  # of the scope: picks the provider and the role definition's subscription
    scope: str
    role_guid: str

    @property
    def role_definition_id(self) -> str:
        if self.scope.lower().startswith("/providers/microsoft.management/managementgroups/"):
            # At a management group, the tenant-level id of the built-in role (no subscription in it).
            return f"/providers/Microsoft.Authorization/roleDefinitions/{self.role_guid}"
        return (
            f"/subscriptions/{self.subscription_id}/providers/Microsoft.Authorization"
            f"/roleDefinitions/{self.role_guid}"
        )


def queries_as_identity(settings: Settings) -> bool:
    """The workspace is queried as the Logic App's identity: over HTTP, or by a managed-identity connection."""
    return settings.modes.logs_http or settings.logs_auth == "managedIdentity"


def grants(settings: Settings) -> list[Grant]:
    """The configured role on each monitored subscription, or once at the management group (the
    identity reads Defender data there, and Resource Graph's subscriptions under the group);
    Log Analytics Reader on the workspace when the identity queries it (logsQuery http, or the logs
    connection signs in as the identity); the ACS sender role on the Communication Service (acs)."""
    role = SUBSCRIPTION_ROLES[settings.subscription_role]
    result = [
        Grant(f"{settings.subscription_role.lower()}-{sub}", sub, f"/subscriptions/{sub}", role)
        for sub in settings.subscription_ids
    ]
    if settings.scope is not None:  # once at the management group, inherited by every subscription under it
        result.append(Grant(f"{settings.subscription_role.lower()}-management-group",
                            settings.deployment_subscription_id, settings.scope.resource_id, role))
    if queries_as_identity(settings):
        ws = settings.workspace
        result.append(Grant("log-analytics-reader", ws.subscription_id, ws.resource_id, LOG_ANALYTICS_READER))
    acs = settings.modes.acs
    if acs is not None:
        scope = acs.resource_id(settings.deployment_subscription_id, settings.resource_group_name)
        result.append(Grant("acs-email-sender", settings.deployment_subscription_id, scope,
                            COMMUNICATION_AND_EMAIL_SERVICE_OWNER))
    return result


def assignment_name(scope: str, principal_id: str, role_guid: str) -> str:
    """Deterministic role assignment name (a GUID, as Azure requires)."""
    return str(uuid.uuid5(_NAMESPACE, f"{scope.lower()}|{principal_id.lower()}|{role_guid.lower()}"))


def role_assignments(
    name: str,
    *,
    settings: Settings,
    principal_id: pulumi.Output[str],
    providers: Providers,
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource] | None = None,
) -> list[authorization.RoleAssignment]:
    """One assignment per grant of the report's identity, each through the provider of the subscription it is in."""
    return assign(name, grants(settings), principal_id=principal_id, providers=providers, parent=parent,
                  depends_on=depends_on)


def assign(
    name: str,
    chosen: list[Grant],
    *,
    principal_id: pulumi.Output[str],
    providers: Providers,
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource] | None = None,
) -> list[authorization.RoleAssignment]:
    """One assignment per grant to ``principal_id`` (the report's identity, or the export policy's)."""
    return [
        authorization.RoleAssignment(
            f"{name}-{grant.logical_name}",
            scope=grant.scope,
            role_definition_id=grant.role_definition_id,
            principal_id=principal_id,
            principal_type="ServicePrincipal",
            role_assignment_name=principal_id.apply(lambda p, g=grant: assignment_name(g.scope, p, g.role_guid)),
            opts=providers.opts(grant.subscription_id, parent, depends_on),
        )
        for grant in chosen
    ]
