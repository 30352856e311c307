"""The two API connections the workflow uses: azuremonitorlogs (queries) and office365 (mail)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import resources, web

from infra.providers import Providers
from logicapp.connections import LOGS_API, OFFICE365_API, managed_api_id
from securescore.settings import Settings


@dataclass(frozen=True)
class ApiConnections:
    logs_id: pulumi.Output[str]
    office365_id: pulumi.Output[str]


def api_connections(
    *,
    settings: Settings,
    resource_group_name: pulumi.Input[str],
    providers: Providers,
    parent: pulumi.Resource,
) -> ApiConnections:
    child_opts = providers.opts(settings.deployment_subscription_id, parent)

    if settings.logs_auth == "managedIdentity":
        # web.Connection cannot express kind V1 or parameterValueSet (pulumi-azure-native#2069),
        # so the managed-identity connection is a generic ARM resource.
        logs: pulumi.CustomResource = resources.Resource(
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
                "displayName": f"{settings.logic_app_name}: Azure Monitor Logs (managed identity)",
                "api": {"id": managed_api_id(settings, LOGS_API)},
                "parameterValueSet": {"name": "managedIdentityAuth", "values": {}},
            },
            opts=child_opts,
        )
    else:
        # OAuth: created without credentials; a user authorizes it after `pulumi up`.
        logs = web.Connection(
            LOGS_API,
            resource_group_name=resource_group_name,
            connection_name=settings.logs_connection_name,
            location=settings.location,
            properties=web.ApiConnectionDefinitionPropertiesArgs(
                display_name=f"{settings.logic_app_name}: Azure Monitor Logs",
                api=web.ApiReferenceArgs(id=managed_api_id(settings, LOGS_API)),
            ),
            opts=child_opts,
        )
    # Office 365 accepts only an interactive user's consent: always authorized after `pulumi up`.
    office365 = web.Connection(
        OFFICE365_API,
        resource_group_name=resource_group_name,
        connection_name=settings.office365_connection_name,
        location=settings.location,
        properties=web.ApiConnectionDefinitionPropertiesArgs(
            display_name=f"{settings.logic_app_name}: Office 365 Outlook",
            api=web.ApiReferenceArgs(id=managed_api_id(settings, OFFICE365_API)),
        ),
        opts=child_opts,
    )
    return ApiConnections(logs_id=logs.id, office365_id=office365.id)
