"""Nothing a destroy could lose: a group the stack owns never holds what it only references, and the
history in a workspace the stack created outlives `pulumi destroy`."""

from __future__ import annotations

import pytest
from pulumi_mocks import ProgramRun, run_program, stack_config

from securescore.infra.config import ConfigurationError
from securescore.settings import PROJECT, SettingsError
from tests.conftest import make_settings

DEPLOY = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
MONITORED = "00000001-0000-4000-8000-000000000001"  # make_settings' first subscription
ELSEWHERE = "99999999-9999-4999-8999-999999999999"
RG = "azure-native:resources:ResourceGroup"


def ws_id(sub: str, group: str = "rg-monitoring") -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.OperationalInsights/workspaces/law-x"


def refused(**overrides: object) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        make_settings(**overrides)
    return caught.value.problems


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        # the report's group in the deployment subscription, where the workspace lives
        ({"workspaceResourceId": ws_id(DEPLOY), "resourceGroupName": "rg-monitoring"}, "resourceGroupName"),
        ({"workspaceResourceId": ws_id(DEPLOY), "resourceGroupName": "RG-Monitoring"}, "resourceGroupName"),
        # the export group, created in every monitored subscription, one of which holds the workspace
        ({"workspaceResourceId": ws_id(MONITORED), "exportResourceGroupName": "rg-monitoring"},
         "exportResourceGroupName"),
        ({"workspaceResourceId": ws_id(MONITORED.upper(), "Rg-Monitoring"), "exportResourceGroupName": "RG-MONITORING"},
         "exportResourceGroupName"),
        # the deployment subscription is monitored too: its export group counts as well
        ({"workspaceResourceId": ws_id(DEPLOY), "subscriptions": [DEPLOY], "exportResourceGroupName": "rg-monitoring"},
         "exportResourceGroupName"),
    ],
)
def test_an_owned_group_holding_the_referenced_workspace_is_refused_naming_both_keys(
    overrides: dict, key: str
) -> None:
    found = refused(**overrides)
    assert len(found) == 1
    assert found[0].startswith(f"{PROJECT}:{key} names the resource group ")
    assert f"{PROJECT}:workspaceResourceId" in found[0] and "`pulumi destroy` would delete" in found[0]


def test_both_keys_at_once_give_two_lines() -> None:
    found = refused(workspaceResourceId=ws_id(DEPLOY), subscriptions=[DEPLOY],
                    resourceGroupName="rg-monitoring", exportResourceGroupName="rg-monitoring")
    assert [p.split(" ")[0] for p in found] == [f"{PROJECT}:resourceGroupName", f"{PROJECT}:exportResourceGroupName"]


def test_the_same_name_in_another_subscription_is_another_group() -> None:
    s = make_settings(workspaceResourceId=ws_id(ELSEWHERE), resourceGroupName="rg-monitoring",
                      exportResourceGroupName="rg-monitoring")
    assert s.workspace.existing and s.resource_group_name == "rg-monitoring"


def test_the_workspace_group_key_cannot_sneak_in_with_an_existing_workspace() -> None:
    found = refused(workspaceResourceId=ws_id(DEPLOY), workspaceResourceGroupName="rg-monitoring")
    assert found[0].startswith(f"{PROJECT}:workspaceResourceGroupName is set, but it applies only")


def test_groups_the_stack_creates_may_share_a_name() -> None:
    s = make_settings(workspaceResourceId="", workspaceName="law-new", workspaceSubscriptionId=MONITORED,
                      workspaceResourceGroupName="RG-Shared", exportResourceGroupName="rg-shared",
                      resourceGroupName="rg-shared")
    assert s.workspace.resource_group_name == "RG-Shared"


def test_bad_ownership_registers_nothing_under_the_program() -> None:
    run = ProgramRun()
    config = stack_config("dev", exportResourceGroupName="RG-MONITORING-DEV")  # dev's workspace group
    with pytest.raises(ConfigurationError, match="exportResourceGroupName names the resource group"):
        run_program(config, stack="dev", run=run)
    assert run.registrations == []


def test_a_group_shared_by_the_workspace_and_an_export_is_registered_once_and_retained() -> None:
    run = run_program(
        stack_config("prod", exportResourceGroupName="rg-security-monitoring",
                     subscriptions='["9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b=Security", '
                                   '"7d2a9c1e-5b3f-4e8a-9c6d-2f1e0a3b4c5d=Management"]'),
        stack="prod",
    )
    security = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
    named = [g for g in run.of_type(RG) if g.inputs["resourceGroupName"] == "rg-security-monitoring"]
    in_security = [g for g in named if run.subscription_of(g) == security]
    assert len(in_security) == 1 and in_security[0].retain_on_delete  # the workspace's group, also the export's
    elsewhere = [g for g in named if run.subscription_of(g) != security]
    assert len(elsewhere) == 1 and not elsewhere[0].retain_on_delete  # Management's own export group
    automations = run.of_type("azure-native:security:Automation")
    assert {a.inputs["resourceGroupName"] for a in automations} == {"rg-security-monitoring"}
    assert not any(a.retain_on_delete for a in automations)  # only the workspace's history is kept


def test_the_report_group_is_retained_when_it_holds_the_created_workspace() -> None:
    run = run_program(stack_config("dev", workspaceResourceId=None, workspaceName="law-dev-created"), stack="dev")
    report_group = run.one(RG, "report-rg")
    assert report_group.retain_on_delete  # the workspace defaults to the report's group
    assert run.one("azure-native:operationalinsights:Workspace").retain_on_delete
    assert not run.one("azure-native:logic:Workflow").retain_on_delete
    assert not any(r.protect for r in run.registrations)


def test_the_resource_groups_guard_refuses_a_referenced_group() -> None:
    from securescore.infra.resource_groups import ResourceGroups

    groups = ResourceGroups(providers=None, location="westeurope", referenced=[(DEPLOY.upper(), "RG-MON")])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="holds a referenced resource"):
        groups.get_or_create("x", DEPLOY, "rg-mon", parent=None)  # type: ignore[arg-type]


def test_invalid_ids_do_not_make_up_an_ownership_conflict() -> None:
    found = refused(deploymentSubscriptionId="nope", resourceGroupName="rg/", workspaceResourceId="/subscriptions/x")
    assert [p.split(":")[1].split(" ")[0] for p in found] == ["deploymentSubscriptionId", "resourceGroupName",
                                                              "workspaceResourceId"]
