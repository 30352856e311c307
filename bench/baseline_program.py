"""The baseline: the same resources as the project's program, written inline by hand.

Same types, number, providers, logical names and inputs (``bench.deploy`` checks it), but no project
code: no settings parsing or validation, no ComponentResources, no helper modules. Only the Pulumi
SDKs and the standard library. Unset keys take the Pulumi.yaml defaults, written here as literals.

The workflow definition is the one input taken ready-made, as JSON text (a hand-written program
would keep it in a file); it is parsed inside the timed run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import authorization, logic, resources, security, web

ROLE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:securescore-report:role-assignments")
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"


def make_program(definition_json: str) -> Callable[[], None]:
    def program() -> None:
        baseline(json.loads(definition_json))

    return program


def baseline(definition: dict[str, Any]) -> None:
    cfg = pulumi.Config("securescore-report")
    location = cfg.require("location")
    deploy_sub = cfg.require("deploymentSubscriptionId")
    subs = [entry.split("=", 1) for entry in cfg.require_object("subscriptions")]
    workspace_id = cfg.require("workspaceResourceId")
    rg_name = cfg.get("resourceGroupName") or "rg-securescore-report"
    app = cfg.get("logicAppName") or "securescore-weekly-report"
    export_rg = cfg.get("exportResourceGroupName") or "rg-securescore-export"
    automation_name = cfg.get("exportAutomationName") or "securescore-report-export"
    workspace_sub = workspace_id.split("/")[2]

    providers = {
        sub: azure_native.Provider(f"azure-{sub}", subscription_id=sub)
        for sub in dict.fromkeys([deploy_sub, *(s[0] for s in subs), workspace_sub])
    }

    def opts(sub: str) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(provider=providers[sub], depends_on=[])

    report_rg = resources.ResourceGroup(
        "report-rg", resource_group_name=rg_name, location=location, opts=opts(deploy_sub)
    )
    sources = ["SecureScores", "SecureScoreControls", "SecureScoresSnapshot", "SecureScoreControlsSnapshot"]
    for sub, name in subs:
        group = resources.ResourceGroup(
            f"export-{sub}-rg", resource_group_name=export_rg, location=location, opts=opts(sub)
        )
        security.Automation(
            f"export-{sub}-automation",
            resource_group_name=group.name,
            automation_name=automation_name,
            location=location,
            description=f"Secure score export to Log Analytics for the {app} report",
            is_enabled=True,
            scopes=[security.AutomationScopeArgs(
                scope_path=f"/subscriptions/{sub}", description=f"Subscription {name}"
            )],
            sources=[security.AutomationSourceArgs(event_source=s) for s in sources],
            actions=[security.AutomationActionWorkspaceArgs(
                action_type="Workspace", workspace_resource_id=workspace_id
            )],
            opts=opts(sub),
        )

    api = f"/subscriptions/{deploy_sub}/providers/Microsoft.Web/locations/{location}/managedApis"
    logs = resources.Resource(
        "azuremonitorlogs",
        resource_group_name=report_rg.name,
        resource_provider_namespace="Microsoft.Web",
        resource_type="connections",
        api_version="2016-06-01",
        parent_resource_path="",
        resource_name_=f"{app}-azuremonitorlogs",
        location=location,
        kind="V1",
        properties={
            "alternativeParameterValues": {},
            "api": {"id": f"{api}/azuremonitorlogs"},
            "authenticatedUser": {},
            "connectionState": "Enabled",
            "customParameterValues": {},
            "displayName": f"{app}: Azure Monitor Logs (managed identity)",
            "parameterValueSet": {"name": "managedIdentityAuth", "values": {}},
        },
        opts=opts(deploy_sub),
    )
    office = web.Connection(
        "office365",
        resource_group_name=report_rg.name,
        connection_name=f"{app}-office365",
        location=location,
        properties=web.ApiConnectionDefinitionPropertiesArgs(
            display_name=f"{app}: Office 365 Outlook", api=web.ApiReferenceArgs(id=f"{api}/office365")
        ),
        opts=opts(deploy_sub),
    )
    connections = pulumi.Output.all(logs.id, office.id).apply(lambda ids: {
        "azuremonitorlogs": {
            "connectionId": ids[0], "connectionName": f"{app}-azuremonitorlogs", "id": f"{api}/azuremonitorlogs",
            "connectionProperties": {"authentication": {"type": "ManagedServiceIdentity"}},
        },
        "office365": {"connectionId": ids[1], "connectionName": f"{app}-office365", "id": f"{api}/office365"},
    })
    workflow = logic.Workflow(
        "logic-app",
        resource_group_name=report_rg.name,
        workflow_name=app,
        location=location,
        identity=logic.ManagedServiceIdentityArgs(type="SystemAssigned"),
        state="Enabled",
        definition=definition,
        parameters={"$connections": logic.WorkflowParameterArgs(value=connections)},
        opts=opts(deploy_sub),
    )
    principal = workflow.identity.apply(lambda identity: identity.principal_id)

    grants = [(f"reader-{sub}", sub, f"/subscriptions/{sub}", READER) for sub, _ in subs]
    grants.append(("log-analytics-reader", workspace_sub, workspace_id, LOG_ANALYTICS_READER))
    for logical, sub, scope, role in grants:
        authorization.RoleAssignment(
            f"roles-{logical}",
            scope=scope,
            role_definition_id=f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            principal_id=principal,
            principal_type="ServicePrincipal",
            role_assignment_name=principal.apply(
                lambda p, s=scope, r=role: str(uuid.uuid5(ROLE_NAMESPACE, f"{s.lower()}|{p.lower()}|{r.lower()}"))
            ),
            opts=opts(sub),
        )

    pulumi.export("logicAppName", app)
    pulumi.export("logicAppId", workflow.id)
    pulumi.export("principalId", principal)
    pulumi.export("portalUrl", workflow.id.apply(lambda i: f"https://portal.azure.com/#@/resource{i}"))
    pulumi.export("connectionIds", {"azuremonitorlogs": logs.id, "office365": office.id})
    pulumi.export("authorizeCommand", f"python -m scripts.authorize --stack {pulumi.get_stack()}")
    pulumi.export("subscriptionsCovered", [sub for sub, _ in subs])
    pulumi.export("workspaceResourceId", workspace_id)
