"""The Logic App (Consumption) running the report, with a system-assigned identity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi_azure_native import logic

from securescore.infra.providers import Providers
from securescore.logicapp import definition as workflow_definition
from securescore.logicapp.connections import LOGS_API, OFFICE365_API, connections_value, used_apis
from securescore.settings import Settings


def report_logic_app(
    name: str,
    *,
    settings: Settings,
    resource_group_name: pulumi.Input[str],
    connection_ids: Mapping[str, pulumi.Input[str]],
    deploy_time_values: Mapping[str, pulumi.Input[str]],
    providers: Providers,
    parent: pulumi.Resource,
) -> logic.Workflow:
    """`connection_ids`: API name -> connection id, for the connections the mode uses;
    `deploy_time_values`: workflow parameter -> value known only at deploy time (workspace customer
    id, ACS endpoint, sender address), passed as parameter values, never as expression text."""

    def connections(ids: dict[str, Any]) -> dict[str, Any]:
        return connections_value(settings, logs_connection_id=ids.get(LOGS_API),
                                 office365_connection_id=ids.get(OFFICE365_API))

    parameters = {key: logic.WorkflowParameterArgs(value=value) for key, value in deploy_time_values.items()}
    if used_apis(settings):
        parameters["$connections"] = logic.WorkflowParameterArgs(
            value=pulumi.Output.all(**dict(connection_ids)).apply(connections))
    return logic.Workflow(
        name,
        resource_group_name=resource_group_name,
        workflow_name=settings.logic_app_name,
        location=settings.location,
        identity=logic.ManagedServiceIdentityArgs(type="SystemAssigned"),
        state="Enabled",
        # Passed as-is: the same dict that scripts.package writes and the local runner executes.
        definition=workflow_definition.build_definition(settings),
        parameters=parameters,
        opts=providers.opts(settings.deployment_subscription_id, parent),
    )


def principal_id_of(workflow: logic.Workflow) -> pulumi.Output[str]:
    return workflow.identity.apply(_principal_id)


def _principal_id(identity: Any) -> str:
    if identity is None or not identity.principal_id:
        raise ValueError("the Logic App came back without a system-assigned identity principal id")
    return identity.principal_id
