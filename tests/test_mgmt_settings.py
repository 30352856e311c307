"""managementGroupId and its rules (securescore.config.scope), at their boundaries."""

from __future__ import annotations

from typing import Any

import pytest

from securescore.settings import SettingsError, parse_settings, settings_from_stack
from tests.conftest import make_settings

GROUP = "contoso-landing-zones"
SUB = "aaaaaaaa-0000-4000-8000-000000000001"


def mgmt(**overrides: Any):  # type: ignore[no-untyped-def]
    values: dict[str, Any] = {"managementGroupId": GROUP, "subscriptions": [f"{SUB}=Platform"]}
    values.update(overrides)
    return make_settings(**values)


def problems(**overrides: Any) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        mgmt(**overrides)
    return caught.value.problems


def test_the_stack_file_shows_the_mode() -> None:
    settings = settings_from_stack("mgmt")
    assert settings.scope is not None and settings.scope.management_group_id == GROUP
    assert settings.subscriptions == ()  # nothing is created per subscription
    assert settings.scope.names == (("c0ffee00-0000-4000-8000-000000000001", "Platform team (shared services)"),)


def test_the_list_may_only_name_subscriptions() -> None:
    settings = mgmt(subscriptions=[f"{SUB.upper()} = Platform <EU>"])
    assert settings.scope.names == ((SUB, "Platform <EU>"),) and settings.subscriptions == ()
    assert mgmt(subscriptions=[]).scope.names == ()
    found = problems(subscriptions=[SUB, "bbbbbbbb-0000-4000-8000-000000000002=Named"])
    assert len(found) == 1
    assert found[0].startswith(f"securescore-report:subscriptions: '{SUB}' is not accepted")
    assert "friendly name" in found[0]


def test_without_a_management_group_the_list_is_required() -> None:
    with pytest.raises(SettingsError, match="securescore-report:subscriptions is required"):
        parse_settings({"location": "westeurope", "deploymentSubscriptionId": SUB, "workspaceName": "law-x",
                        "recipients": ["a@contoso.example"]})
    with pytest.raises(SettingsError, match=r"securescore-report:subscriptions: \[\] is not accepted"):
        make_settings(subscriptions=[])


@pytest.mark.parametrize("group", ["a", "A" * 90, "mg-1_2.3(4)", "00000000-0000-4000-8000-000000000000"])
def test_management_group_ids_accepted(group: str) -> None:
    assert mgmt(managementGroupId=group).scope.management_group_id == group


@pytest.mark.parametrize(
    ("group", "why"),
    [
        ("A" * 91, "91 characters"),
        ("mg.", "must not end with a period"),
        ("mg/child", "'/'"),
        ("mg child", "' '"),
        ("mg#1", "'#'"),
        ("zoné", "'é'"),  # alphanumeric on the naming page is ASCII
        ("mg\n", "'\\n'"),
    ],
)
def test_management_group_ids_refused(group: str, why: str) -> None:
    found = problems(managementGroupId=group)
    assert any(p.startswith("securescore-report:managementGroupId:") and why in p for p in found), found


def test_the_policy_names_its_automation() -> None:
    found = problems(exportAutomationName="my-export")
    assert any(p.startswith("securescore-report:exportAutomationName: 'my-export'") and "ExportToWorkspace" in p
               for p in found)
    assert mgmt().export.automation_name == "securescore-report-export"  # the default is not "set"


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"resourceGroupName": "rg-securescore-export"}, "resourceGroupName"),
        ({"resourceGroupName": "RG-SecureScore-Export"}, "resourceGroupName"),  # Azure compares names so
        ({"workspaceResourceId": "", "workspaceName": "law-report", "workspaceResourceGroupName": "rg-exports",
          "exportResourceGroupName": "rg-exports"}, "workspaceResourceGroupName"),
    ],
)
def test_one_export_per_resource_group(overrides: dict[str, Any], key: str) -> None:
    found = problems(**overrides)
    assert any(p.startswith(f"securescore-report:exportResourceGroupName and securescore-report:{key}")
               for p in found), found


def test_an_existing_workspaces_group_may_hold_the_policy_export() -> None:
    # Referenced, never created or deleted by the stack: the policy's automation there is harmless.
    settings = mgmt(exportResourceGroupName="rg-mon")
    assert settings.workspace.existing and settings.workspace.resource_group_name == "rg-mon"


def test_the_per_subscription_mode_ignores_the_collision_rule() -> None:
    assert make_settings(resourceGroupName="rg-securescore-export").scope is None


def test_the_assignment_name_fits_a_management_group_and_is_stable() -> None:
    names = {mgmt(managementGroupId=g, logicAppName=n).scope.policy_assignment_name
             for g in ("a", "A" * 90) for n in ("x", "y" * 43)}
    assert len(names) == 4 and all(len(n) <= 24 for n in names)  # Learn: 1-24 at management group scope
    assert mgmt().scope.policy_assignment_name == mgmt().scope.policy_assignment_name
    assert mgmt(managementGroupId="Contoso").scope.policy_assignment_name == \
        mgmt(managementGroupId="contoso").scope.policy_assignment_name  # ids compare case-insensitively


def test_every_problem_at_once() -> None:
    found = problems(managementGroupId="bad/id", subscriptions=[SUB], exportAutomationName="x",
                     resourceGroupName="rg-securescore-export")
    keys = {p.split(":")[1].split(" ")[0] for p in found}
    assert {"managementGroupId", "subscriptions", "exportAutomationName", "exportResourceGroupName"} <= keys
