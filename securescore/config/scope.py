"""Which subscriptions the report covers: a list in the stack (the default) or a management group.

``managementGroupId: <id>`` (management-group mode) covers every subscription under that management
group, found at run time with Azure Resource Graph; Microsoft's built-in policy exports their data
(``infra.policy``), so the stack registers a constant number of resources whatever their number.
docs/design.md, "Management-group mode", has the sources.

Rules (each problem names the key, the value and what is accepted):
- ``managementGroupId``: a management group id (Microsoft Learn, "Naming rules and restrictions for
  Azure resources", Microsoft.Management/managementGroups: 1-90 characters, letters, digits, ``-``,
  ``_``, ``.``, ``(``, ``)``, not ending with ``.``).
- per-subscription mode (no ``managementGroupId``): ``subscriptions`` is required, at least one entry.
- management-group mode: ``subscriptions`` is optional and may only give friendly names
  (``<GUID>=<name>``). A bare GUID is refused: in the other mode it means "export this subscription",
  and here the policy exports, so a list that would also create per-subscription exports cannot be
  written. ``exportAutomationName`` is refused when set: the policy names its automation
  ``ExportToWorkspace``.
- one export per resource group: the policy's group (``exportResourceGroupName``) may not be a group
  the stack creates itself (``resourceGroupName``, a created workspace's group). The policy would
  deploy its automation into it, re-create it with ``createResourceGroup`` and `pulumi destroy`
  would delete the policy's automation with the stack's group. A subscription under the management
  group can hold each of them, so the names must differ whatever the subscriptions.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from securescore.config import fields
from securescore.config.azure_names import NameRule
from securescore.config.fields import Problems

if TYPE_CHECKING:
    from securescore.settings import Settings

MANAGEMENT_GROUP_KEY = "managementGroupId"
# The automation Microsoft's policy deploys (its deployment template: "name": "ExportToWorkspace").
POLICY_AUTOMATION_NAME = "ExportToWorkspace"
# Microsoft Learn naming rules, Microsoft.Authorization/policyAssignments: "1-24 resource name at
# management group scope".
POLICY_ASSIGNMENT_NAME_MAX = 24

_MG_CHARS = frozenset(string.ascii_letters + string.digits + "-_.()")
MANAGEMENT_GROUP = NameRule(
    "Microsoft.Management/managementGroups", 1, 90, lambda c: c in _MG_CHARS,
    "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'", no_trailing_period=True,
)


@dataclass(frozen=True)
class ManagementGroupScope:
    management_group_id: str
    # Friendly names the stack gives some subscriptions: (lower-case GUID, name). Display names
    # otherwise come from Azure Resource Graph at run time.
    names: tuple[tuple[str, str], ...]
    policy_assignment_name: str
    remediation_name: str

    @property
    def resource_id(self) -> str:
        return f"/providers/Microsoft.Management/managementGroups/{self.management_group_id}"

    @property
    def policy_assignment_id(self) -> str:
        return f"{self.resource_id}/providers/Microsoft.Authorization/policyAssignments/{self.policy_assignment_name}"

    @property
    def remediation_id(self) -> str:
        return f"{self.resource_id}/providers/Microsoft.PolicyInsights/remediations/{self.remediation_name}"


def assignment_name(management_group_id: str, logic_app_name: str) -> str:
    """A policy assignment name that fits the 24 characters allowed at management group scope and
    stays the same for the stack (a short hash of the group and the report)."""
    digest = hashlib.sha256(f"{management_group_id}|{logic_app_name}".lower().encode()).hexdigest()[:8]
    return f"securescore-exp-{digest}"  # 16 + 8 = 24 characters


def parse_scope(
    v: dict[str, Any], errors: Problems, *, is_set: Callable[[str], bool], given: Callable[[str], bool],
    logic_app_name: str,
) -> tuple[list[tuple[str, str]], ManagementGroupScope | None]:
    """The monitored subscriptions of the per-subscription mode (id, name), or the management group.

    ``is_set``: set to something else than its default; ``given``: present in the stack at all (an
    explicit empty list is refused as such, a missing one is "required"). In management-group mode
    the first part is empty: nothing is created per subscription."""
    group = v.get(MANAGEMENT_GROUP_KEY) or ""
    entries = v.get("subscriptions")
    if not group:
        if entries is None or (entries == [] and not given("subscriptions")):
            errors.problems.append(
                f"{errors.project}:subscriptions is required: the monitored subscriptions, each "
                '"<subscription GUID>" or "<GUID>=<friendly name>" (or set managementGroupId to cover '
                "every subscription under a management group)"
            )
            return [], None
        return fields.subscriptions(entries, errors), None

    problem = MANAGEMENT_GROUP.problem(group)
    if problem:
        errors.add(MANAGEMENT_GROUP_KEY, group, f"a management group id: {MANAGEMENT_GROUP.accepted} ({problem})")
    bare = [entry for entry in entries or [] if "=" not in entry]
    for entry in bare:
        errors.add("subscriptions", entry,
                   'entries "<GUID>=<friendly name>" only, with managementGroupId: the subscriptions are found '
                   "under the management group at run time and exported by the policy, so an entry can only "
                   "name one")
    names = fields.subscriptions([e for e in entries or [] if "=" in e], errors) if entries else []
    if is_set("exportAutomationName"):
        errors.add("exportAutomationName", v["exportAutomationName"],
                   f"to be left unset with managementGroupId: Microsoft's policy names its automation "
                   f"{POLICY_AUTOMATION_NAME}")
    digest = assignment_name(group, logic_app_name)
    return [], ManagementGroupScope(
        management_group_id=group if not problem else "",
        names=tuple(names),
        policy_assignment_name=digest,
        remediation_name=f"{digest}-initial",
    )


def scope_problems(project: str, settings: Settings) -> list[str]:
    """One export per resource group: the policy's group is never one the stack creates."""
    if settings.scope is None:
        return []
    export_group = settings.export.resource_group_name
    own = [("resourceGroupName", settings.resource_group_name)]
    if not settings.workspace.existing:
        own.append(("workspaceResourceGroupName", settings.workspace.resource_group_name))
    problems: list[str] = []
    for key, name in own:
        if name and export_group and name.lower() == export_group.lower():
            problems.append(
                f"{project}:exportResourceGroupName and {project}:{key} both name the resource group "
                f"'{name}': with managementGroupId, Microsoft's policy deploys its export into "
                "exportResourceGroupName in every subscription under the management group (one export per "
                "resource group), and a group the stack creates would be re-created by the policy and deleted "
                "with its export by `pulumi destroy`; choose different names"
            )
    return problems
