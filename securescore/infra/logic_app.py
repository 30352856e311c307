"""The Logic App (Consumption) running the report, with a system-assigned identity."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import logic

from securescore.infra.providers import Providers
from securescore.logicapp import definition as workflow_definition
from securescore.logicapp.connections import connections_value
from securescore.settings import Settings


def report_logic_app(
    name: str,
    *,
    settings: Settings,
    resource_group_name: pulumi.Input[str],
    logs_connection_id: pulumi.Input[str],
    office365_connection_id: pulumi.Input[str],
    providers: Providers,
    parent: pulumi.Resource,
) -> logic.Workflow:
    def connections(ids: list[Any]) -> dict[str, Any]:
        return connections_value(settings, logs_connection_id=ids[0], office365_connection_id=ids[1])

    return logic.Workflow(
        name,
        resource_group_name=resource_group_name,
        workflow_name=settings.logic_app_name,
        location=settings.location,
        identity=logic.ManagedServiceIdentityArgs(type="SystemAssigned"),
        state="Enabled",
        # Passed as-is: the same dict that scripts.package writes and the local runner executes.
        definition=workflow_definition.build_definition(settings),
        parameters={
            "$connections": logic.WorkflowParameterArgs(
                value=pulumi.Output.all(logs_connection_id, office365_connection_id).apply(connections)
            )
        },
        opts=providers.opts(settings.deployment_subscription_id, parent),
    )


def principal_id_of(workflow: logic.Workflow) -> pulumi.Output[str]:
    return workflow.identity.apply(_principal_id)


def _principal_id(identity: Any) -> str:
    if identity is None or not identity.principal_id:
        raise ValueError("the Logic App came back without a system-assigned identity principal id")
    return identity.principal_id
