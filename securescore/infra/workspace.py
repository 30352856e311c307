"""A Log Analytics workspace the stack creates, with the SecurityCenterFree solution.

An existing workspace (``workspaceResourceId``) gets no resource at all: the stack only uses its id,
so nothing about it can be changed or deleted by ``pulumi destroy``. With ``logsQuery: http`` its
customer id is looked up at deploy time (a get, `workspace_customer_id`), still owning nothing.

A created workspace holds the report's history, which continuous export cannot backfill: it and its
solution are registered with ``retain_on_delete`` (and so is their resource group, see
``resource_groups``), so `pulumi destroy` removes them from the stack but leaves them in Azure.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import operationalinsights, operationsmanagement

from securescore.infra.providers import Providers
from securescore.infra.resource_groups import ResourceGroups
from securescore.settings import Settings

# Kept in Azure on `pulumi destroy`: the exported history cannot be exported again.
RETAINED = pulumi.ResourceOptions(retain_on_delete=True)


@dataclass(frozen=True)
class CreatedWorkspace:
    workspace: operationalinsights.Workspace
    solution: operationsmanagement.Solution


def created_workspace(
    name: str, *, settings: Settings, providers: Providers, groups: ResourceGroups, parent: pulumi.Resource
) -> CreatedWorkspace:
    ws = settings.workspace
    if ws.existing:
        raise ValueError("created_workspace is only for a workspace the stack creates")
    group = groups.get_or_create(f"{name}-rg", ws.subscription_id, ws.resource_group_name, parent=parent)
    opts = pulumi.ResourceOptions.merge(providers.opts(ws.subscription_id, parent), RETAINED)
    workspace = operationalinsights.Workspace(
        name,
        resource_group_name=group.name,
        workspace_name=ws.name,
        location=settings.location,
        sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
        retention_in_days=ws.retention_days,
        opts=opts,
    )
    # Without this solution Defender for Cloud's exported tables do not appear in the workspace.
    solution_name = f"SecurityCenterFree({ws.name})"
    solution = operationsmanagement.Solution(
        f"{name}-securitycenterfree",
        resource_group_name=group.name,
        solution_name=solution_name,
        location=settings.location,
        plan=operationsmanagement.SolutionPlanArgs(
            name=solution_name,
            publisher="Microsoft",
            product="OMSGallery/SecurityCenterFree",
            promotion_code="",
        ),
        properties=operationsmanagement.SolutionPropertiesArgs(workspace_resource_id=workspace.id),
        opts=opts,
    )
    return CreatedWorkspace(workspace, solution)


def workspace_customer_id(
    settings: Settings, providers: Providers, created: CreatedWorkspace | None
) -> pulumi.Output[str]:
    """The workspace (customer) id the query API wants: the created workspace's, or, for an existing
    workspace, read at deploy time with a get (an invoke: nothing owned, nothing `pulumi destroy` removes)."""
    if created is not None:
        return created.workspace.customer_id
    ws = settings.workspace
    found = operationalinsights.get_workspace_output(
        resource_group_name=ws.resource_group_name,
        workspace_name=ws.name,
        opts=pulumi.InvokeOutputOptions(provider=providers[ws.subscription_id]),
    )
    return found.customer_id
