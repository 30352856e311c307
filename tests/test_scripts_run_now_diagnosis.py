"""run_now reads each failed action's outputs through its outputsLink (never with the ARM token, never
showing the link) and prints the known failure signature's problem and fix, per the stack's mode.

The outputs are the published bodies of tests/fakes/failures.py, served as an action's outputs."""

from __future__ import annotations

import json
import logging

import pytest

from securescore.cli import run_now
from securescore.cli.run_now import Clock
from tests.fakes.failures import CONNECTOR_TOKEN_FAILURE, INSUFFICIENT_ACCESS, NOT_AUTHORIZED
from tests.fakes.logic import (
    FakeContentTransport,
    action_body,
    action_outputs,
    outputs_uri,
    workflow_body,
)
from tests.fakes.transport import Canned, FakeArmTransport, FakeClock, FakeCredential
from tests.test_scripts_run_now import NEW, transport_with

SUB = "11111111-1111-4111-8111-111111111111"  # stacks/Pulumi.{zerotouch,example}.yaml
ZERO_TOUCH = f"/subscriptions/{SUB}/resourceGroups/rg-securescore-zerotouch/providers/Microsoft.Logic/workflows/" \
             "securescore-zerotouch"
EXAMPLE = f"/subscriptions/{SUB}/resourceGroups/rg-securescore-example/providers/Microsoft.Logic/workflows/" \
          "securescore-example"
RUN_FAILED = {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}
SIGNATURE = "SIGNATURE-that-must-never-show-0123456789"


def failing(workflow: str, action: str, status: int, body: object, *, changed: str | None = None,
            code: str = "Forbidden") -> tuple[FakeArmTransport, FakeContentTransport]:
    uri = outputs_uri(action, NEW)
    transport = transport_with(["Running", "Failed"], workflow=workflow, error=RUN_FAILED, actions=[
        action_body(action, "Failed", {"code": code, "message": "The action failed."}, code=code, outputs_uri=uri),
        action_body("Send_report", "Skipped")])
    if changed:
        transport.add("GET", workflow, Canned(200, workflow_body(workflow, changed=changed)))
    return transport, FakeContentTransport({uri: Canned(200, action_outputs(status, body))})


def run(argv: list[str], transport: FakeArmTransport, content: FakeContentTransport) -> int:
    clock = FakeClock()  # 2026-11-23T07:00:00Z
    return run_now.main(argv, credential=FakeCredential(), transport=transport, env={}, content_transport=content,
                        clock=Clock(sleep=clock.sleep, monotonic=clock.monotonic, now=clock.now))


def test_a_403_from_the_query_api_says_wait_for_the_role(capsys: pytest.CaptureFixture[str]) -> None:
    transport, content = failing(ZERO_TOUCH, "Query_overall", 403, INSUFFICIENT_ACCESS,
                                 changed="2026-11-23T06:50:00.0000000Z")
    assert run(["--stack", "zerotouch"], transport, content) == 1
    out = capsys.readouterr().out
    assert "✘ Query_overall (Failed): Forbidden: The action failed." in out
    assert "problem: the Logic App's identity may not read the workspace yet" in out
    assert "up to 30 minutes" in out and "securescore run-now --stack zerotouch" in out
    # Deployed 10 minutes before the run: the role may still be propagating, and until when.
    assert "deployed 10 minutes ago" in out and "run again after 07:20 UTC" in out
    # The workflow is read with the api-version that has its identity and changedTime.
    assert transport.requests_to("GET", ZERO_TOUCH)[0].query["api-version"] == ["2019-05-01"]


def test_a_403_from_communication_services_soon_after_deploying_also_says_until_when(
        capsys: pytest.CaptureFixture[str]) -> None:
    # The identity's role on the Communication Service propagates like its role on the workspace
    # (docs/design.md, retries: up to 30 minutes, Learn "Troubleshoot Azure RBAC"); the signature reads
    # only the status, so the body is any error.
    refused = {"error": {"code": "Forbidden", "message": "x"}}
    transport, content = failing(ZERO_TOUCH, "Send_report", 403, refused, changed="2026-11-23T06:50:00Z")
    assert run(["--stack", "zerotouch"], transport, content) == 1
    out = capsys.readouterr().out
    assert "Communication Services refused the Logic App's identity" in out
    assert "deployed 10 minutes ago" in out and "run again after 07:20 UTC" in out


def test_long_after_deploying_a_403_has_no_propagation_note(capsys: pytest.CaptureFixture[str]) -> None:
    transport, content = failing(ZERO_TOUCH, "Query_overall", 403, INSUFFICIENT_ACCESS,
                                 changed="2026-11-23T06:30:00Z")  # exactly 30 minutes before
    run(["--stack", "zerotouch"], transport, content)
    out = capsys.readouterr().out
    assert "may not read the workspace yet" in out and "still be propagating" not in out


def test_the_connector_token_failure_names_both_ways_out(capsys: pytest.CaptureFixture[str]) -> None:
    transport, content = failing(EXAMPLE, "Query_overall", 400, CONNECTOR_TOKEN_FAILURE, code="BadRequest")
    assert run(["--stack", "example", "--json"], transport, content) == 1
    action = json.loads(capsys.readouterr().out)["failedActions"][0]
    assert (action["name"], action["statusCode"]) == ("Query_overall", 400)
    assert "could not get a token for the Logic App's managed identity" in action["problem"]
    assert "logsQuery: http" in action["fix"] and "logsConnectionAuth: oauth" in action["fix"]
    assert "stacks/Pulumi.example.yaml" in action["fix"] and "pulumi up" in action["fix"]


def test_an_unauthorized_connection_says_authorize(capsys: pytest.CaptureFixture[str]) -> None:
    transport, content = failing(EXAMPLE, "Send_report", 401, NOT_AUTHORIZED, code="Unauthorized")
    run(["--stack", "example"], transport, content)
    assert "fix: authorize it: securescore authorize --stack example" in capsys.readouterr().out


def test_a_failed_run_without_a_failed_action_is_read_as_the_failed_delivery(
        capsys: pytest.CaptureFixture[str]) -> None:
    # What Delivery_failed (Terminate, runStatus Failed) leaves: the run's error, with ACS's code
    # (REST spec Email 2025-09-01 GetOperationStatusReturnsFailedTerminalStatus: EmailDropped).
    error = {"code": "EmailDropped", "message": "Communication Services did not deliver email operation "
             "0f1e2d3c: Email was dropped after several attempts to deliver."}
    transport = transport_with(["Running", "Failed"], workflow=ZERO_TOUCH, error=error, actions=[
        action_body("Send_report", "Succeeded"), action_body("Follow_send", "Succeeded")])
    assert run(["--stack", "zerotouch"], transport, FakeContentTransport()) == 1
    out = capsys.readouterr().out
    assert "✘ Delivery_failed (Failed): EmailDropped: Communication Services did not deliver" in out
    assert "problem: Communication Services accepted the email but did not deliver it" in out


def test_the_outputs_link_is_read_without_the_token_and_never_shown(
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    transport, content = failing(ZERO_TOUCH, "Query_overall", 403, INSUFFICIENT_ACCESS)
    assert run(["--stack", "zerotouch", "-v"], transport, content) == 1
    assert len(content.urls) == 1 and SIGNATURE in content.urls[0]  # it was read (FakeContentTransport: no token)
    captured = capsys.readouterr()
    for shown in (captured.out, captured.err, caplog.text):
        assert SIGNATURE not in shown and "ActionOutputs" not in shown


def test_an_unreadable_link_falls_back_to_the_actions_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Expired (404 from the content host): the action's own code and error still diagnose it."""
    transport, _ = failing(ZERO_TOUCH, "Query_overall", 403, INSUFFICIENT_ACCESS)
    assert run(["--stack", "zerotouch"], transport, FakeContentTransport()) == 1
    out = capsys.readouterr().out
    assert "✘ Query_overall (Failed): Forbidden: The action failed." in out
    assert "problem: the Logic App's identity may not read the workspace yet" in out  # 403 from the code


def test_without_a_stack_the_signatures_match_by_message(capsys: pytest.CaptureFixture[str]) -> None:
    transport, content = failing(EXAMPLE, "Query_trend", 400, CONNECTOR_TOKEN_FAILURE, code="BadRequest")
    argv = ["--subscription", SUB, "--resource-group", "rg-securescore-example", "--logic-app", "securescore-example"]
    assert run(argv, transport, content) == 1
    out = capsys.readouterr().out
    assert "could not get a token" in out and "stacks/Pulumi.<stack>.yaml" in out
