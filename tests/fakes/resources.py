"""Microsoft.Resources, Microsoft.Authorization and Microsoft.OperationalInsights (ARM) bodies.

Spec: azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/stable/
2021-04-01 (ResourceGroups_CheckExistence: HEAD answers 204 or 404; examples/GetProvider.json:
``registrationState``); specification/authorization/resource-manager/Microsoft.Authorization/stable/
2022-04-01/examples RoleAssignments_ListForScope.json, GetRoleDefinitionById.json;
specification/operationalinsights/resource-manager/Microsoft.OperationalInsights/stable/2022-10-01/
examples/WorkspacesSubscriptionList.json (a workspace's ``properties``).
Built-in role definitions: Microsoft Learn, "Azure built-in roles" (General and Privileged pages),
permissions copied as listed there.
"""

from __future__ import annotations

from typing import Any

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"

BUILT_IN_ROLES: dict[str, tuple[str, list[str], list[str]]] = {
    OWNER: ("Owner", ["*"], []),
    CONTRIBUTOR: ("Contributor", ["*"], [
        "Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action", "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write", "Microsoft.Purview/consents/delete"]),
    READER: ("Reader", ["*/read"], []),
    USER_ACCESS_ADMINISTRATOR: ("User Access Administrator", ["*/read", "Microsoft.Authorization/*",
                                                              "Microsoft.Support/*"], []),
    RBAC_ADMINISTRATOR: ("Role Based Access Control Administrator", [
        "Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete",
        "*/read", "Microsoft.Support/*"], []),
}


def role_definition_id(role: str, sub: str | None = None) -> str:
    """As assignments name it: under the subscription (real answers) or tenant-wide (the spec example)."""
    prefix = f"/subscriptions/{sub}" if sub else ""
    return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def role_definition_body(role: str, sub: str | None = None) -> dict[str, Any]:
    name, actions, not_actions = BUILT_IN_ROLES[role]
    return {"properties": {"roleName": name, "type": "BuiltInRole", "description": name, "assignableScopes": ["/"],
                           "permissions": [{"actions": actions, "notActions": not_actions, "dataActions": [],
                                            "notDataActions": []}]},
            "id": role_definition_id(role, sub), "type": "Microsoft.Authorization/roleDefinitions", "name": role}


def role_assignment_body(scope: str, role: str, principal: str, sub: str | None = None,
                         condition: str | None = None, name: str = "b0f43c54-e787-4862-89b1-a653fa9cf747",
                         principal_type: str = "User", created_on: str | None = None) -> dict:
    """RoleAssignments_ListForScope.json's item; ``created_on`` is the spec's read-only
    RoleAssignmentProperties.createdOn (absent from the example, present in real answers)."""
    properties: dict[str, Any] = {"roleDefinitionId": role_definition_id(role, sub), "principalId": principal,
                                  "principalType": principal_type, "scope": scope}
    if condition:
        properties.update({"condition": condition, "conditionVersion": "2.0"})
    if created_on:
        properties["createdOn"] = created_on
    return {"properties": properties, "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
            "type": "Microsoft.Authorization/roleAssignments", "name": name}


def provider_body(sub: str, namespace: str, state: str = "Registered") -> dict[str, Any]:
    return {"id": f"/subscriptions/{sub}/providers/{namespace}", "namespace": namespace, "registrationState": state,
            "registrationPolicy": "RegistrationRequired", "resourceTypes": []}


def workspace_body(resource_id: str, customer_id: str = "bc089d7b-485c-4aff-a71e-c00f362d8d2f",
                   state: str = "Succeeded", query_access: str = "Enabled") -> dict[str, Any]:
    return {"properties": {"customerId": customer_id, "provisioningState": state, "sku": {"name": "PerGB2018"},
                           "retentionInDays": 30, "publicNetworkAccessForQuery": query_access,
                           "publicNetworkAccessForIngestion": "Enabled"},
            "id": resource_id, "name": resource_id.rsplit("/", 1)[-1],
            "type": "Microsoft.OperationalInsights/workspaces", "location": "westeurope"}
