"""The workflow's `$connections` parameter value: which API connection each connector action uses."""

from __future__ import annotations

from typing import Any

from securescore.settings import Settings

LOGS_API = "azuremonitorlogs"
OFFICE365_API = "office365"


def managed_api_id(settings: Settings, api_name: str) -> str:
    """Resource id of a Microsoft-managed connector API in the deployment subscription and region."""
    return (
        f"/subscriptions/{settings.deployment_subscription_id}/providers/Microsoft.Web"
        f"/locations/{settings.location}/managedApis/{api_name}"
    )


def connections_value(settings: Settings, *, logs_connection_id: str, office365_connection_id: str) -> dict[str, Any]:
    """The value of the `$connections` workflow parameter, given the two connections' resource ids."""
    logs: dict[str, Any] = {
        "connectionId": logs_connection_id,
        "connectionName": settings.logs_connection_name,
        "id": managed_api_id(settings, LOGS_API),
    }
    if settings.logs_auth == "managedIdentity":
        # Makes the connector call Log Analytics as the Logic App's system-assigned identity.
        logs["connectionProperties"] = {"authentication": {"type": "ManagedServiceIdentity"}}
    return {
        LOGS_API: logs,
        OFFICE365_API: {
            "connectionId": office365_connection_id,
            "connectionName": settings.office365_connection_name,
            "id": managed_api_id(settings, OFFICE365_API),
        },
    }
