"""Module-level limits of the helpers at their boundaries (the constants' seed 2 survivors): what the
redactor takes for a bearer token, the stack names Pulumi allows, the length of a sign-in detail, the
provisioning states that mean "wait", and the stack completion in a project without stacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError

from securescore.cli.common import Redactor
from securescore.cli.signin import explain_sign_in_error
from securescore.project import stack_name
from tests.fakes.communication import communication_service_body
from tests.fakes.transport import Canned
from tests.test_cli_main import complete_in_bash
from tests.test_scripts_check_modes import MANAGED_DOMAIN, SERVICE, named, results, zero_touch_transport

# --- the redactor: a bearer token has 8 characters or more ------------------------------------------

def test_eight_characters_after_bearer_are_a_token() -> None:
    """Rule: from 8 token characters on, what follows "Bearer " is a credential and is removed."""
    assert Redactor()("Authorization: Bearer abcdefgh") == "Authorization: Bearer [redacted]"


def test_a_shorter_word_after_bearer_is_prose() -> None:
    """Rule: a word of 7 characters after "Bearer" is left alone ("the Bearer answers ...")."""
    assert Redactor()("the Bearer answers 401") == "the Bearer answers 401"
    assert Redactor()("Bearer abcdefg") == "Bearer abcdefg"


# --- stack names ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "name"), [("2026-prod", "2026-prod"), ("acme/report/7eu", "7eu"),
                                            ("9/report/prod", "prod")])
def test_a_stack_name_may_start_with_a_digit(text: str, name: str) -> None:
    """Rule: Pulumi's stack names are letters, digits, '-', '_' and '.' (Pulumi docs, "Stacks": "alphanumeric
    characters, hyphens, underscores, or periods"); a digit may come first, in each part."""
    assert stack_name(text) == name


# --- a sign-in detail: at most 800 characters -------------------------------------------------------

def _detail(message: str) -> str:
    return explain_sign_in_error(ClientAuthenticationError(message=message)).detail


def test_a_sign_in_detail_of_800_characters_is_shown_whole() -> None:
    """Rule: a detail up to 800 characters is kept as it is."""
    message = "AADSTS50000: " + "a" * 787
    assert len(message) == 800 and _detail(message) == message


def test_a_longer_sign_in_detail_is_cut_to_800_with_an_ellipsis() -> None:
    """Rule: past 800 characters the detail is cut to 800, its last three being "..."."""
    message = "AADSTS50000: " + "a" * 788
    assert _detail(message) == "AADSTS50000: " + "a" * 784 + "..."


# --- provisioning states that mean "wait" ----------------------------------------------------------

# The Communication Service's provisioningState enum (Microsoft.Communication 2025-09-01,
# CommunicationServiceProperties: Unknown, Succeeded, Failed, Canceled, Running, Creating, Updating,
# Deleting, Moving; tests/fakes/communication.py): the states of a resource still being worked on; and
# the non-terminal states of ARM's resource provider contract (Accepted, Provisioning; cited at
# mode_checks._IN_PROGRESS), any resource type's.
@pytest.mark.parametrize("state", ["Creating", "Updating", "Running", "Moving", "Accepted", "Provisioning"])
def test_a_service_still_being_provisioned_says_wait(state: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a resource in a state that is still moving is not broken: wait, then check again."""
    transport = zero_touch_transport()
    transport.add("GET", SERVICE, Canned(200, communication_service_body(SERVICE, linked=[MANAGED_DOMAIN],
                                                                         state=state)))
    _, items = results(capsys, transport)
    [item] = named(items, "Communication Service")
    assert not item["ok"] and item["detail"].startswith(f"provisioning state {state}")
    assert item["fix"] == "wait a few minutes and check again"


# --- completion in a project without stacks ----------------------------------------------------------

@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_project_without_stack_files_completes_no_stack(tmp_path: Path) -> None:
    """Rule: --stack completes the stacks/Pulumi.NAME.yaml files there are; none gives nothing (never the
    pattern itself, which bash keeps when no file matches)."""
    (tmp_path / "Pulumi.yaml").write_text("name: p\n", encoding="utf-8")
    (tmp_path / "stacks").mkdir()
    assert complete_in_bash(["securescore", "preview", "--stack", ""], tmp_path) == []
