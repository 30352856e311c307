"""The API connections the workflow uses: azuremonitorlogs (queries) and office365 (mail).

Only those the mode uses (`logicapp.connections.used_apis`): none at all with ``logsQuery: http`` and
``mailTransport: acs``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import resources, web

from securescore.infra.providers import Providers
from securescore.logicapp.connections import LOGS_API, OFFICE365_API, managed_api_id, used_apis
from securescore.settings import Settings


@dataclass(frozen=True)
class ApiConnections:
    logs_id: pulumi.Output[str] | None  # None when the mode uses no such connection
    office365_id: pulumi.Output[str] | None

    def ids(self) -> dict[str, pulumi.Output[str]]:
        found = {LOGS_API: self.logs_id, OFFICE365_API: self.office365_id}
        return {api: value for api, value in found.items() if value is not None}


def api_connections(
    *,
    settings: Settings,
    resource_group_name: pulumi.Input[str],
    providers: Providers,
    parent: pulumi.Resource,
) -> ApiConnections:
    child_opts = providers.opts(settings.deployment_subscription_id, parent)

    def oauth_connection(api: str, connection_name: str, label: str) -> web.Connection:
        """Created without credentials: a user authorizes it after `pulumi up` (`securescore authorize`)."""
        return web.Connection(
            api,
            resource_group_name=resource_group_name,
            connection_name=connection_name,
            location=settings.location,
            properties=web.ApiConnectionDefinitionPropertiesArgs(
                display_name=f"{settings.logic_app_name}: {label}",
                api=web.ApiReferenceArgs(id=managed_api_id(settings, api)),
            ),
            opts=child_opts,
        )

    apis = used_apis(settings)
    logs: pulumi.CustomResource | None = None
    if LOGS_API not in apis:
        pass
    elif settings.logs_auth == "managedIdentity":
        # web.Connection cannot express kind V1 or parameterValueSet (pulumi-azure-native#2069),
        # so the managed-identity connection is a generic ARM resource. Its properties are those of
        # the newest "Authenticate access and connections with managed identities" page, "ARM template
        # for API connections and managed identities", Consumption, multi-authentication connector.
        logs = resources.Resource(
            LOGS_API,
            resource_group_name=resource_group_name,
            resource_provider_namespace="Microsoft.Web",
            resource_type="connections",
            api_version="2016-06-01",
            parent_resource_path="",
            resource_name_=settings.logs_connection_name,
            location=settings.location,
            kind="V1",
            properties={
                "alternativeParameterValues": {},
                "api": {"id": managed_api_id(settings, LOGS_API)},
                "authenticatedUser": {},
                "connectionState": "Enabled",
                "customParameterValues": {},
                "displayName": f"{settings.logic_app_name}: Azure Monitor Logs (managed identity)",
                "parameterValueSet": {"name": "managedIdentityAuth", "values": {}},
            },
            opts=child_opts,
        )
    else:
        logs = oauth_connection(LOGS_API, settings.logs_connection_name, "Azure Monitor Logs")
    # Office 365 accepts only an interactive user's consent: always authorized after `pulumi up`.
    office365 = (oauth_connection(OFFICE365_API, settings.office365_connection_name, "Office 365 Outlook")
                 if OFFICE365_API in apis else None)
    return ApiConnections(logs_id=logs.id if logs is not None else None,
                          office365_id=office365.id if office365 is not None else None)
