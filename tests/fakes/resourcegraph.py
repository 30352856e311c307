"""Azure Resource Graph and Microsoft.PolicyInsights bodies (management-group mode).

Resource Graph, spec specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/
2024-04-01: QueryResponse ``{totalRecords, count, resultTruncated ("true"/"false", a string), facets,
data, $skipToken?}``; examples ResourcesMgBasicQuery.json (managementGroups scope, objectArray
``data``), ResourcesFirstPageQuery.json / ResourcesNextPageQuery.json (``$skipToken`` base64 text,
its value copied from the example). A subscription row's fields as resourcecontainers has them:
``subscriptionId``, ``name`` (the display name), ``properties.state`` (Microsoft.Resources
subscriptions 2022-12-01 SubscriptionState: Enabled, Warned, PastDue, Disabled, Deleted), projected
by the query as ``state``.

Errors: the spec's ErrorResponse ``{error: {code, message, details: [{code, message}]}}``. Throttling
(429) answers as a real one reported in Azure/azure-cli-extensions issue #3325 (code RateLimiting, the
detail "Client application has been throttled ..."); a refused read as ARM's AuthorizationFailed
(its standard message: "does not have authorization to perform action ... over scope ... or the scope
is invalid").

Policy Insights 2024-10-01: examples PolicyStates_QueryManagementGroupScope.json (records with
``subscriptionId``, ``complianceState``; ``@odata.nextLink``) and Remediations_GetManagementGroupScope.json.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.transport import Canned, Sent

SPEC_SKIP_TOKENS = ("eyAibm8iOiAibHVjayIsICJidXQiOiAibmljZSIsICJ0cnkiOiAiISIgfQ==",
                    "eyAibm8yIjogImx1Y2syIiwgImJ1dDIiOiAibmljZTIiLCAidHJ5MiI6ICIhIiB9")
RESOURCE_GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
POLICY_GUID = "ffb6f416-7bd2-4488-8828-56585fef2be9"  # the built-in export policy


def subscription(sub_id: str, name: str, state: str = "Enabled") -> dict[str, Any]:
    return {"id": f"/subscriptions/{sub_id}", "subscriptionId": sub_id, "name": name, "state": state}


def graph_pages(pages: list[list[dict[str, Any]]], seen: list[dict[str, Any]] | None = None
                ) -> Callable[[Sent], Canned]:
    """Answers the paged query: page k+1 for the k-th skip token of the spec's examples."""
    total = sum(len(p) for p in pages)

    def route(sent: Sent) -> Canned:
        if seen is not None:
            seen.append(sent.body)
        token = ((sent.body or {}).get("options") or {}).get("$skipToken")
        index = 0 if token is None else SPEC_SKIP_TOKENS.index(token) + 1
        body: dict[str, Any] = {"totalRecords": total, "count": len(pages[index]), "resultTruncated": "false",
                                "facets": [], "data": pages[index]}
        if index + 1 < len(pages):
            body["$skipToken"] = SPEC_SKIP_TOKENS[index]
        return Canned(200, body)
    return route


def throttled() -> Canned:
    """Resource Graph's 429 (Azure/azure-cli-extensions #3325, the correlation id replaced)."""
    return Canned(429, {"error": {
        "code": "RateLimiting",
        "message": "Please provide below info when asking for support: timestamp = 2021-05-03T07:08:29.0524831Z, "
                   "correlationId = 3c2a8f0e-0000-4000-8000-00000000c0de.",
        "details": [{"code": "RateLimiting",
                     "message": "Client application has been throttled and should not attempt to repeat the "
                                "request until an amount of time has elapsed. Please see "
                                "https://aka.ms/resourcegraph-throttling for help."}]}})


def refused(user_oid: str, management_group_id: str) -> Canned:
    """A read the signed-in user may not make at the group (ARM's AuthorizationFailed)."""
    return Canned(403, {"error": {
        "code": "AuthorizationFailed",
        "message": f"The client '{user_oid}' with object id '{user_oid}' does not have authorization to perform "
                   "action 'Microsoft.ResourceGraph/resources/read' over scope "
                   f"'/providers/Microsoft.Management/managementGroups/{management_group_id}' or the scope is "
                   "invalid. If access was recently granted, please refresh your credentials."}})


def policy_state(sub_id: str, assignment_id: str, state: str) -> dict[str, Any]:
    """A policy state record of the subscription (the policy's resource type), after the example's fields."""
    group = assignment_id.split("/providers/Microsoft.Authorization/")[0]
    return {
        "@odata.id": None,
        "timestamp": "2026-11-22T17:41:47Z",
        "resourceId": f"/subscriptions/{sub_id}",
        "policyAssignmentId": assignment_id,
        "policyDefinitionId": f"/providers/Microsoft.Authorization/policyDefinitions/{POLICY_GUID}",
        "isCompliant": state == "Compliant",
        "subscriptionId": sub_id,
        "resourceType": "Microsoft.Resources/subscriptions",
        "policyAssignmentName": assignment_id.rsplit("/", 1)[-1],
        "policyAssignmentScope": group,
        "policyDefinitionName": POLICY_GUID,
        "policyDefinitionAction": "deployifnotexists",
        "complianceState": state,
    }


def remediation(remediation_id: str, assignment_id: str, state: str, total: int, succeeded: int,
                failed: int = 0) -> dict[str, Any]:
    return {
        "properties": {
            "policyAssignmentId": assignment_id, "provisioningState": state,
            "createdOn": "2026-11-20T21:51:09.075918Z", "lastUpdatedOn": "2026-11-20T21:52:10.0011706Z",
            "resourceDiscoveryMode": "ExistingNonCompliant",
            "deploymentStatus": {"totalDeployments": total, "successfulDeployments": succeeded,
                                 "failedDeployments": failed},
            "statusMessage": "Remediation extended status", "correlationId": "a14e1d60-dae9-4771-b4be-a556d69e77a6",
        },
        "id": remediation_id, "name": remediation_id.rsplit("/", 1)[-1],
        "type": "Microsoft.PolicyInsights/remediations",
    }
