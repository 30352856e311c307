"""Continuous export of Defender for Cloud data from one monitored subscription to the workspace."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import security

from securescore.infra.providers import Providers
from securescore.infra.resource_groups import ResourceGroups
from securescore.settings import Settings, Subscription


def event_sources(settings: Settings) -> list[str]:
    """Defender for Cloud event sources exported; no rule sets, so every event of each source."""
    sources = ["SecureScores", "SecureScoreControls"]
    if settings.export.snapshots:
        sources += ["SecureScoresSnapshot", "SecureScoreControlsSnapshot"]
    if settings.export.assessments:
        sources += ["Assessments", "AssessmentsSnapshot"]
    return sources


def continuous_export(
    name: str,
    *,
    settings: Settings,
    subscription: Subscription,
    workspace_resource_id: str,
    providers: Providers,
    groups: ResourceGroups,
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource] | None = None,
) -> security.Automation:
    """A resource group in the monitored subscription holding its Microsoft.Security/automations.

    The automation must live in the subscription it exports (its scope path is that subscription).
    """
    group = groups.get_or_create(f"{name}-rg", subscription.id, settings.export.resource_group_name, parent=parent)
    scope_path = f"/subscriptions/{subscription.id}"
    return security.Automation(
        f"{name}-automation",
        resource_group_name=group.name,
        automation_name=settings.export.automation_name,
        location=settings.location,
        description=f"Secure score export to Log Analytics for the {settings.logic_app_name} report",
        is_enabled=True,
        scopes=[
            security.AutomationScopeArgs(
                scope_path=scope_path, description=f"Subscription {subscription.name}"
            )
        ],
        sources=[security.AutomationSourceArgs(event_source=s) for s in event_sources(settings)],
        actions=[
            security.AutomationActionWorkspaceArgs(
                action_type="Workspace", workspace_resource_id=workspace_resource_id
            )
        ],
        opts=providers.opts(subscription.id, parent, depends_on),
    )
