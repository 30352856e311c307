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


def used_apis(settings: Settings) -> tuple[str, ...]:
    """The connector APIs the stack's workflow calls: none in zero-touch mode (logsQuery http, mailTransport acs)."""
    return tuple(
        api for api, used in ((LOGS_API, not settings.modes.logs_http), (OFFICE365_API, not settings.modes.mail_acs))
        if used
    )


def connections_needing_consent(settings: Settings) -> list[str]:
    """Names of the connections a person must authorize after `pulumi up` (none in zero-touch mode):
    office365 always (it accepts only a user's consent), azuremonitorlogs with logsConnectionAuth oauth."""
    apis = used_apis(settings)
    names = []
    if OFFICE365_API in apis:
        names.append(settings.office365_connection_name)
    if LOGS_API in apis and settings.logs_auth == "oauth":
        names.append(settings.logs_connection_name)
    return names


def connections_value(
    settings: Settings, *, logs_connection_id: str | None = None, office365_connection_id: str | None = None
) -> dict[str, Any]:
    """The value of the `$connections` workflow parameter: an entry per connection the workflow uses,
    given the connections' resource ids (ids of connections the mode does not use are ignored)."""
    value: dict[str, Any] = {}
    apis = used_apis(settings)
    if LOGS_API in apis:
        if logs_connection_id is None:
            raise ValueError("logsQuery connector needs the azuremonitorlogs connection id")
        value[LOGS_API] = _logs_entry(settings, logs_connection_id)
    if OFFICE365_API in apis:
        if office365_connection_id is None:
            raise ValueError("mailTransport office365 needs the office365 connection id")
        value[OFFICE365_API] = {
            "connectionId": office365_connection_id,
            "connectionName": settings.office365_connection_name,
            "id": managed_api_id(settings, OFFICE365_API),
        }
    return value


def _logs_entry(settings: Settings, logs_connection_id: str) -> dict[str, Any]:
    logs: dict[str, Any] = {
        "connectionId": logs_connection_id,
        "connectionName": settings.logs_connection_name,
        "id": managed_api_id(settings, LOGS_API),
    }
    if settings.logs_auth == "managedIdentity":
        # Makes the connector call Log Analytics as the Logic App's system-assigned identity.
        logs["connectionProperties"] = {"authentication": {"type": "ManagedServiceIdentity"}}
    return logs
