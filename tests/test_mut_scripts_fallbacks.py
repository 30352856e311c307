"""What the helpers say when Azure, the network or the Pulumi CLI answers in a less common way (scripts
seed 5's survivors): a long network error, a 404 that names the subscription under another code, a
policy assignment that is gone, a resource still provisioning, a Pulumi CLI that hangs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from azure.core.exceptions import ServiceRequestError

from securescore.arm import ArmError, unreachable_from
from securescore.cli import check, checks_management_group
from securescore.project import ProjectError, resolve_stack
from tests.fakes.communication import communication_service_body
from tests.fakes.transport import Canned, arm_error
from tests.test_mgmt_checks import ASSIGNMENT, context
from tests.test_project import fake_pulumi, make_project, path_env
from tests.test_scripts_check_modes import MANAGED_DOMAIN, SERVICE, named, results, zero_touch_transport

SUB = "a1b2c3d4-0000-4000-8000-000000000001"

# --- a network error nobody recognises: its first line, at most 200 characters ------------------------


def test_an_unknown_network_error_of_200_characters_is_shown_whole() -> None:
    """Rule: the cause is the error's first line ("<type>: <message>") while it is 200 characters or fewer."""
    message = "x" * (200 - len("ServiceRequestError: "))
    assert unreachable_from(ServiceRequestError(message)).cause == f"ServiceRequestError: {message}"


def test_a_longer_unknown_network_error_is_cut_to_200_with_an_ellipsis() -> None:
    """Rule: past 200 characters the line is cut to 200, the last three being "..."."""
    message = "x" * (201 - len("ServiceRequestError: "))
    cause = unreachable_from(ServiceRequestError(message)).cause
    assert len(cause) == 200 and cause == f"ServiceRequestError: {message}"[:197] + "..."


# --- a 404 that speaks of the subscription ------------------------------------------------------------


def test_a_404_naming_the_subscription_under_another_code_says_check_the_tenant() -> None:
    """ARM wraps the Security provider's answer: code NotFound, message "Subscription <id> was not found."
    (a deployment's details, MicrosoftDocs/azure-docs#40885). Rule: a 404 whose text names the
    subscription means no such subscription in this tenant, whatever its code."""
    error = ArmError(404, "NotFound", f"Subscription {SUB} was not found.")
    assert check.secure_score_fix(error, SUB, "alice@contoso.example").startswith(
        "no such subscription in the tenant you signed in to")


def test_subscription_not_found_says_check_the_tenant() -> None:
    """The REST answer for an unknown subscription: 404 SubscriptionNotFound "The subscription '<id>' could
    not be found." (Azure/autorest-clientruntime-for-java#511 quotes it)."""
    error = ArmError(404, "SubscriptionNotFound", f"The subscription '{SUB}' could not be found.")
    assert check.secure_score_fix(error, SUB, "alice@contoso.example").startswith(
        "no such subscription in the tenant you signed in to")


# --- a policy assignment that is gone -----------------------------------------------------------------


def test_a_policy_assignment_that_is_gone_says_run_pulumi_up() -> None:
    """Rule: 404 on the assignment means the stack's assignment does not exist (any other error is a read
    problem with its own fix)."""
    [result] = checks_management_group.check_policy_assignment(context({
        ("GET", ASSIGNMENT): Canned(404, arm_error("PolicyAssignmentNotFound",
                                                   f"The policy assignment '{ASSIGNMENT}' is not found."))}))
    assert (result.ok, result.detail, result.fix) == (False, "not found", "run pulumi up for this stack")


# --- a resource still provisioning: its line is a failed check, false in the JSON ----------------------


def test_a_resource_not_provisioned_is_false_in_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: `check --json` gives each item's ok as a JSON boolean; a resource whose provisioningState is
    not Succeeded is ``false`` (not null)."""
    transport = zero_touch_transport()
    transport.add("GET", SERVICE, Canned(200, communication_service_body(SERVICE, linked=[MANAGED_DOMAIN],
                                                                         state="Failed")))
    _, items = results(capsys, transport)
    [item] = named(items, "Communication Service")
    assert item["ok"] is False and item["detail"] == "provisioning state Failed"
    assert json.dumps(item["ok"]) == "false"


# --- a Pulumi CLI that hangs: --stack's fallback after the timeout ------------------------------------


def test_a_hanging_pulumi_cli_is_given_up_on_when_resolving_the_stack(tmp_path: Path) -> None:
    """Rule: resolve_stack passes its timeout to the CLI call. The CLI sleeps 3 s; with a 0.3 s limit the
    error says the CLI did not answer within 0.3 s (it would say something else after waiting)."""
    project = make_project(tmp_path / "p", stacks=("alpha",))
    hanging = fake_pulumi(tmp_path / "bin", "exec sleep 3")
    with pytest.raises(ProjectError) as caught:
        resolve_stack(project, None, env=path_env(hanging), timeout=0.3)
    assert "did not answer within 0.3 s" in str(caught.value)
