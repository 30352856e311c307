"""The whole deployment as one component, and the stack outputs."""

from __future__ import annotations

from typing import Any

import pulumi

from securescore.infra.connections import api_connections
from securescore.infra.export import continuous_export
from securescore.infra.logic_app import principal_id_of, report_logic_app
from securescore.infra.providers import Providers
from securescore.infra.resource_groups import ResourceGroups
from securescore.infra.roles import role_assignments
from securescore.infra.workspace import created_workspace
from securescore.logicapp.connections import LOGS_API, OFFICE365_API
from securescore.settings import Settings


class SecureScoreReport(pulumi.ComponentResource):
    """Providers, export per monitored subscription, workspace, connections, Logic App, roles.

    The only ComponentResource: every resource is its direct child. Under the Python SDK a component
    costs about as much as a resource to register, so one component per subscription would add a
    quarter to the program's run time (bench item 1) without changing what gets deployed.
    """

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securescore:index:SecureScoreReport", name, None, opts)
        self.settings = settings
        providers = Providers(settings, parent=self)
        groups = ResourceGroups.for_settings(providers, settings)
        # The report's own group: on destroy, deleting it removes the connections and the Logic App.
        report_group = groups.get_or_create(
            "report-rg", settings.deployment_subscription_id, settings.resource_group_name, parent=self
        )

        ws = settings.workspace
        # The id is known from the settings either way: an existing workspace is only referenced.
        self.workspace_resource_id = ws.resource_id
        workspace_deps: list[pulumi.Resource] = []
        if not ws.existing:
            created = created_workspace("workspace", settings=settings, providers=providers, groups=groups, parent=self)
            workspace_deps = [created.workspace, created.solution]

        for sub in settings.subscriptions:
            continuous_export(
                f"export-{sub.id}",
                settings=settings,
                subscription=sub,
                workspace_resource_id=ws.resource_id,
                providers=providers,
                groups=groups,
                parent=self,
                depends_on=workspace_deps,
            )

        connections = api_connections(
            settings=settings, resource_group_name=report_group.name, providers=providers, parent=self
        )
        self.workflow = report_logic_app(
            "logic-app",
            settings=settings,
            resource_group_name=report_group.name,
            logs_connection_id=connections.logs_id,
            office365_connection_id=connections.office365_id,
            providers=providers,
            parent=self,
        )
        self.principal_id = principal_id_of(self.workflow)
        role_assignments(
            "roles",
            settings=settings,
            principal_id=self.principal_id,
            providers=providers,
            parent=self,
            depends_on=workspace_deps,
        )
        self.connection_ids = {LOGS_API: connections.logs_id, OFFICE365_API: connections.office365_id}
        self.register_outputs({"logicAppId": self.workflow.id, "principalId": self.principal_id})

    def stack_outputs(self) -> dict[str, Any]:
        """The stack outputs (nothing secret: ids, names and the next command to run)."""
        workflow_id = self.workflow.id
        return {
            "logicAppName": self.settings.logic_app_name,
            "logicAppId": workflow_id,
            "principalId": self.principal_id,
            "portalUrl": workflow_id.apply(lambda i: f"https://portal.azure.com/#@/resource{i}"),
            "connectionIds": self.connection_ids,
            "authorizeCommand": f"python -m scripts.authorize --stack {pulumi.get_stack()}",
            "subscriptionsCovered": list(self.settings.subscription_ids),
            "workspaceResourceId": self.workspace_resource_id,
        }
