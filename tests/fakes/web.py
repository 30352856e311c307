"""Microsoft.Web 2016-06-01: API connections (connections, listConsentLinks, confirmConsentCode).

Spec: azure-rest-api-specs specification/web/resource-manager/Microsoft.Web/stable/2016-06-01/
logicAppsManagementClient.json; examples connectionsGet.json (``statuses: [{status: Connected}]``),
connectionsListConsentLinks.json (``{value: [{link}]}``), connectionsConfirmConsentCode.json.
Real responses: an unauthorised connection as exported from a subscription (GitHub
Peter-Piek/PUBLIC-Subscription-Backup, reports/Microsoft-Web-connections: ``overallStatus: Error``,
``statuses[0].error {code: Unauthenticated, message: This connection is not authenticated.}``,
``connectionState: Enabled``); a managed-identity connection reports ``Ready`` (issue 10).
"""

from __future__ import annotations

from typing import Any

NOT_AUTHENTICATED = {"code": "Unauthenticated", "message": "This connection is not authenticated."}


def connection_body(conn_id: str, status: str = "Connected", managed_identity: bool = False,
                    error: dict[str, Any] | None = None, with_overall: bool = True) -> dict[str, Any]:
    name = conn_id.rsplit("/", 1)[-1]
    api = "azuremonitorlogs" if "azuremonitorlogs" in name else "office365"
    statuses: list[dict[str, Any]] = [{"status": status}]
    if status not in ("Connected", "Ready"):
        statuses = [{"status": status, "target": "token", "error": error or NOT_AUTHENTICATED}]
    properties: dict[str, Any] = {
        "displayName": name,
        "authenticatedUser": {},
        "statuses": statuses,
        "connectionState": "Enabled",
        "parameterValues": {},
        "customParameterValues": {},
        "createdTime": "2024-05-01T10:00:00.0000000Z",
        "changedTime": "2024-05-01T10:00:00.0000000Z",
        "api": {
            "name": api,
            "displayName": api,
            "id": f"/subscriptions/x/providers/Microsoft.Web/locations/westeurope/managedApis/{api}",
            "type": "Microsoft.Web/locations/managedApis",
        },
        "testLinks": [],
    }
    if with_overall:
        properties["overallStatus"] = status
    if managed_identity:
        properties["parameterValueSet"] = {"name": "managedIdentityAuth", "values": {}}
    return {
        "properties": properties,
        "id": conn_id, "name": name, "type": "Microsoft.Web/connections", "location": "westeurope", "kind": "V1",
    }


def consent_links_body(link: str = "https://logic-apis-westeurope.consent.azure-apim.net/login?data=abc") -> dict:
    """connectionsListConsentLinks.json: only ``link`` is documented."""
    return {"value": [{"link": link}]}
