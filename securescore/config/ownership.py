"""Which resource groups the stack owns, which it only references, and which outlive `pulumi destroy`.

Every resource group the stack names in a key is registered as the stack's own resource, so
`pulumi destroy` deletes it, and Azure deletes everything inside a deleted group. A group the stack
owns must therefore never be a group that holds something the stack only references: today that is
an existing workspace (``workspaceResourceId``), in its subscription. Azure compares resource group
names case-insensitively, so we do too.

Groups the stack creates may share a name with each other (same subscription): that is one group,
registered once (``infra.resource_groups``).

A workspace the stack creates holds the exported history, which continuous export cannot backfill;
it, its SecurityCenterFree solution and the group that holds them are kept on `pulumi destroy`
(``retain_on_delete``), see README "Removing it".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from securescore.settings import Settings


@dataclass(frozen=True)
class GroupUse:
    subscription_id: str
    name: str
    key: str  # the config key that names it (without the namespace)

    @property
    def identity(self) -> tuple[str, str]:
        return (self.subscription_id.lower(), self.name.lower())


def created_groups(settings: Settings) -> list[GroupUse]:
    """Every resource group the stack creates, each time a key names it (duplicates included)."""
    groups = [GroupUse(settings.deployment_subscription_id, settings.resource_group_name, "resourceGroupName")]
    groups += [
        GroupUse(sub, settings.export.resource_group_name, "exportResourceGroupName")
        for sub in settings.subscription_ids
    ]
    ws = settings.workspace
    if not ws.existing:
        # Only when no workspace is referenced; with workspaceResourceId the key is refused as unused.
        groups.append(GroupUse(ws.subscription_id, ws.resource_group_name, "workspaceResourceGroupName"))
    return groups


def referenced_groups(settings: Settings) -> list[GroupUse]:
    """Groups holding something the stack only uses and must never delete."""
    ws = settings.workspace
    if ws.existing:
        return [GroupUse(ws.subscription_id, ws.resource_group_name, "workspaceResourceId")]
    return []


def retained_groups(settings: Settings) -> set[tuple[str, str]]:
    """Groups kept on `pulumi destroy`: the one holding a workspace the stack creates."""
    ws = settings.workspace
    return set() if ws.existing else {GroupUse(ws.subscription_id, ws.resource_group_name, "").identity}


def ownership_problems(project: str, settings: Settings) -> list[str]:
    referenced = {g.identity: g for g in referenced_groups(settings) if g.subscription_id and g.name}
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for group in created_groups(settings):
        other = referenced.get(group.identity) if group.subscription_id and group.name else None
        if other is None or (group.identity, group.key) in seen:
            continue
        seen.add((group.identity, group.key))
        problems.append(
            f"{project}:{group.key} names the resource group '{group.name}' in subscription "
            f"{group.subscription_id}, which holds the existing workspace of {project}:{other.key}: the stack "
            "creates and owns every group it names, so `pulumi destroy` would delete that group with the "
            "workspace in it; choose another group name"
        )
    return problems
