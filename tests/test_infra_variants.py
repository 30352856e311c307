"""The program under mocks with configurations no stack file has: bad values, shared groups, options."""

from __future__ import annotations

import json

import pulumi
import pytest
from pulumi_mocks import PROVIDER_TYPE, ProgramRun, run_program, stack_config

from securescore.infra.config import ConfigurationError
from securescore.settings import PROJECT

DEV_SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
EXAMPLE_SUB = "11111111-1111-4111-8111-111111111111"
PROD_DEPLOY_SUB = "7d2a9c1e-5b3f-4e8a-9c6d-2f1e0a3b4c5d"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("subscriptions", json.dumps([f"{DEV_SUB}=Dev", "0b1f6471-1bf0-4dda-aec3-XXXX72f09590=Broken"])),
        ("deploymentSubscriptionId", "not-a-guid"),
        ("scheduleHour", "25"),
        ("workspaceRetentionDays", "7"),
        ("exportSnapshots", "yes"),
        ("logsConnectionAuth", "password"),
        ("subscripions", json.dumps([DEV_SUB])),  # a typo must not silently fall back to a default
    ],
)
def test_bad_config_fails_before_any_resource_registers(key: str, value: str) -> None:
    config = stack_config("dev")
    config[f"{PROJECT}:{key}"] = value
    run = ProgramRun()
    with pytest.raises(ConfigurationError) as caught:
        run_program(config, stack="dev", run=run)
    # A RunError: the Python language host prints its message alone, without a traceback.
    assert isinstance(caught.value, pulumi.RunError)
    assert f"{PROJECT}:{key}" in str(caught.value)
    assert all(p.startswith(f"{PROJECT}:{key}") for p in caught.value.problems)
    assert run.registrations == []


def test_missing_required_key_fails_before_any_resource_registers() -> None:
    config = stack_config("dev")
    del config[f"{PROJECT}:recipients"]
    run = ProgramRun()
    with pytest.raises(ConfigurationError, match=f"{PROJECT}:recipients is required"):
        run_program(config, stack="dev", run=run)
    assert run.registrations == []


def test_every_problem_is_reported_at_once() -> None:
    config = stack_config("dev")
    config[f"{PROJECT}:scheduleHour"] = "25"
    config[f"{PROJECT}:deploymentSubscriptionId"] = "nope"
    with pytest.raises(ConfigurationError) as caught:
        run_program(config, stack="dev")
    assert "scheduleHour" in str(caught.value) and "deploymentSubscriptionId" in str(caught.value)
    assert len(caught.value.problems) == 2


def test_config_from_an_earlier_run_does_not_leak() -> None:
    config = stack_config("dev")
    run_program({**config, f"{PROJECT}:exportAssessments": "true"}, stack="dev")
    run = run_program(config, stack="dev")
    sources = [s["eventSource"] for s in run.one("azure-native:security:Automation").inputs["sources"]]
    assert "Assessments" not in sources


def test_streaming_only_export() -> None:
    run = run_program(stack_config("dev", exportSnapshots=False), stack="dev")
    sources = [s["eventSource"] for s in run.one("azure-native:security:Automation").inputs["sources"]]
    assert sources == ["SecureScores", "SecureScoreControls"]


def test_export_group_shared_with_the_report_group_is_registered_once() -> None:
    """Same subscription and name (any case) is one Azure group: one resource, reused."""
    run = run_program(stack_config("example", exportResourceGroupName="RG-SecureScore-Example"), stack="example")
    groups = run.of_type("azure-native:resources:ResourceGroup")
    in_deploy_sub = [g for g in groups if run.subscription_of(g) == EXAMPLE_SUB]
    assert [g.name for g in in_deploy_sub] == ["report-rg"]
    assert len(groups) == 6  # the report group (also the export group of 1111...) + five export groups
    automation = run.one("azure-native:security:Automation", f"export-{EXAMPLE_SUB}-automation")
    assert automation.inputs["resourceGroupName"] == "rg-securescore-example"


def test_created_workspace_defaults_to_the_report_group_and_subscription() -> None:
    run = run_program(
        stack_config("dev", workspaceResourceId=None, workspaceName="law-securescore-dev"), stack="dev"
    )
    ws = run.one("azure-native:operationalinsights:Workspace")
    assert run.subscription_of(ws) == DEV_SUB
    assert ws.inputs["resourceGroupName"] == "rg-securescore-dev"
    assert ws.inputs["retentionInDays"] == 90  # the Pulumi.yaml default, applied by parse_settings
    groups = {g.inputs["resourceGroupName"] for g in run.of_type("azure-native:resources:ResourceGroup")}
    assert groups == {"rg-securescore-dev", "rg-securescore-export"}
    assert run.outputs["workspaceResourceId"] == (
        f"/subscriptions/{DEV_SUB}/resourceGroups/rg-securescore-dev"
        "/providers/Microsoft.OperationalInsights/workspaces/law-securescore-dev"
    )


def test_managed_identity_on_an_existing_workspace_elsewhere_grants_log_analytics_reader_there() -> None:
    other = "99999999-9999-4999-8999-999999999999"
    ws_id = f"/subscriptions/{other}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-x"
    oauth = run_program(stack_config("dev", workspaceResourceId=ws_id), stack="dev")
    assert {p.inputs["subscriptionId"] for p in oauth.of_type(PROVIDER_TYPE)} == {DEV_SUB}
    managed = run_program(
        stack_config("dev", workspaceResourceId=ws_id, logsConnectionAuth="managedIdentity"), stack="dev"
    )
    assert {p.inputs["subscriptionId"] for p in managed.of_type(PROVIDER_TYPE)} == {DEV_SUB, other}
    reader = managed.one("azure-native:authorization:RoleAssignment", "roles-log-analytics-reader")
    assert reader.inputs["scope"] == ws_id
    assert managed.subscription_of(reader) == other
    assert managed.of_type("azure-native:operationalinsights:Workspace") == []


def test_reader_role_when_configured() -> None:
    run = run_program(stack_config("prod", subscriptionRole="Reader"), stack="prod")
    role_ids = {a.inputs["roleDefinitionId"] for a in run.of_type("azure-native:authorization:RoleAssignment")}
    assert f"/subscriptions/{PROD_DEPLOY_SUB}/providers/Microsoft.Authorization/roleDefinitions/" \
        "acdd72a7-3385-48ef-bd42-f606fba81ae7" in role_ids
    assert not any(r.endswith("39bc4728-0917-49c7-9d2c-d95423bc2eb4") for r in role_ids)
