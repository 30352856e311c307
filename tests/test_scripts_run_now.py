"""scripts.run_now: trigger, find the new run, poll it (fake clock), report failed actions."""

from __future__ import annotations

import pytest

from securescore.cli import run_now
from securescore.cli.run_now import Clock, parse_time
from tests.fakes_arm import (
    DEV_WORKFLOW,
    Canned,
    FakeArmTransport,
    FakeClock,
    FakeCredential,
    Sent,
    action_body,
    arm_error,
    run_body,
)

RUNS = DEV_WORKFLOW + "/runs"
TRIGGER = DEV_WORKFLOW + "/triggers/Weekly_schedule/run"
OLD = run_body("08584old", "Succeeded", "2026-11-16T06:00:00.5Z", end="2026-11-16T06:01:00Z")
START = "2026-11-23T07:00:02.1234567Z"


def transport_with(statuses: list[str], *, header: bool = False, actions: list[dict] | None = None,
                   error: dict | None = None) -> FakeArmTransport:
    """Runs list: only OLD until the trigger is called, then the new run moving through ``statuses``."""
    state = {"fired": False, "polls": 0}

    def next_run() -> dict:
        status = statuses[min(state["polls"], len(statuses) - 1)]
        state["polls"] += 1
        end = "2026-11-23T07:00:40Z" if status in run_now.TERMINAL else None
        return run_body("08585new", status, START, end=end, error=error if status != "Succeeded" else None)

    def runs(sent: Sent) -> Canned:
        return Canned(200, {"value": [next_run(), OLD] if state["fired"] else [OLD]})

    def trigger(sent: Sent) -> Canned:
        state["fired"] = True
        return Canned(202, None, {"x-ms-workflow-run-id": "08585new"} if header else {})

    transport = FakeArmTransport({("GET", RUNS): runs, ("POST", TRIGGER): trigger})
    transport.add("GET", RUNS + "/08585new", lambda sent: Canned(200, next_run()))
    transport.add("GET", RUNS + "/08585new/actions", Canned(200, {"value": actions or [
        action_body("Run_queries", "Succeeded"), action_body("Send_report", "Succeeded")]}))
    return transport


def run(argv: list[str], transport: FakeArmTransport, clock: FakeClock | None = None) -> int:
    clock = clock or FakeClock()
    return run_now.main(argv, credential=FakeCredential(), transport=transport, env={},
                        clock=Clock(sleep=clock.sleep, monotonic=clock.monotonic, now=clock.now))


def test_success_after_status_changes(capsys: pytest.CaptureFixture[str]) -> None:
    clock, transport = FakeClock(), transport_with(["Running", "Running", "Running", "Succeeded"])
    assert run(["--stack", "dev", "--interval", "5"], transport, clock) == 0
    out = capsys.readouterr().out
    assert "Triggered Weekly_schedule of securescore-dev" in out
    assert "run 08585new: Running\n..\n" in out  # a dot per unchanged poll
    assert "run 08585new: Succeeded" in out and "Run 08585new succeeded (38 s)" in out
    assert clock.sleeps == [5, 5, 5]
    trigger = transport.requests_to("POST", "/triggers/Weekly_schedule/run")[0]
    assert trigger.query == {"api-version": ["2016-06-01"]}


def test_run_id_header_is_followed_directly(capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_with(["Running", "Succeeded"], header=True)
    assert run(["--stack", "dev"], transport) == 0
    assert transport.requests_to("GET", "/runs/08585new")


def test_failed_run_lists_failed_actions(capsys: pytest.CaptureFixture[str]) -> None:
    actions = [
        action_body("Query_overall", "Failed",
                    {"code": "BadRequest", "message": "'SecureScores' could not be resolved"}),
        action_body("Run_queries", "Failed", {"code": "ActionFailed", "message": "An action failed."}),
        action_body("Send_report", "Skipped"),
    ]
    error = {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}
    transport = transport_with(["Running", "Failed"], actions=actions, error=error)
    assert run(["--stack", "dev"], transport) == 1
    out = capsys.readouterr().out
    assert "Run 08585new Failed: ActionFailed: An action failed. No dependent actions succeeded." in out
    assert "✘ Query_overall (Failed): BadRequest: 'SecureScores' could not be resolved" in out
    assert "Send_report" not in out


def test_succeeded_run_with_failed_actions_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    actions = [action_body("Run_queries", "Failed", {"code": "ActionFailed", "message": "An action failed."}),
               action_body("Send_failure_notice", "Succeeded")]
    assert run(["--stack", "dev"], transport_with(["Succeeded"], actions=actions)) == 1
    assert "failure notice" in capsys.readouterr().out


@pytest.mark.parametrize("status", ["Cancelled", "TimedOut"])
def test_cancelled_or_timed_out_runs_fail(status: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "dev"], transport_with([status])) == 1
    assert f"Run 08585new {status}" in capsys.readouterr().out


def test_timeout_while_running(capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock()
    assert run(["--stack", "dev", "--timeout", "30", "--interval", "10"], transport_with(["Running"]), clock) == 1
    assert "is still Running after 30 s" in capsys.readouterr().out
    assert sum(clock.sleeps) == 30


def test_no_new_run_appears(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", RUNS): Canned(200, {"value": [OLD]}), ("POST", TRIGGER): Canned(202)})
    assert run(["--stack", "dev", "--timeout", "10"], transport) == 1
    assert "No new run appeared within 10 s" in capsys.readouterr().out


def test_unknown_trigger_lists_the_real_ones(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({
        ("GET", RUNS): Canned(200, {"value": []}),
        ("POST", DEV_WORKFLOW + "/triggers/Nope/run"): Canned(404, arm_error(
            "WorkflowTriggerNotFound", "The workflow 'securescore-dev' does not contain trigger 'Nope'.")),
        ("GET", DEV_WORKFLOW + "/triggers"): Canned(200, {"value": [
            {"name": "Weekly_schedule", "type": "Microsoft.Logic/workflows/triggers", "properties": {}}]}),
    })
    assert run(["--stack", "dev", "--trigger", "Nope"], transport) == 1
    err = capsys.readouterr().err
    assert "does not contain trigger 'Nope'" in err and "triggers of this Logic App: Weekly_schedule" in err


def test_missing_logic_app_says_deploy(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({("GET", RUNS): Canned(404, arm_error(
        "ResourceNotFound", "The Resource 'Microsoft.Logic/workflows/securescore-dev' under resource group "
        "'rg-securescore-dev' was not found."))})
    assert run(["--stack", "dev"], transport) == 1
    assert "deploy the stack first (pulumi up)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["--stack", "nope"], ["--resource-group", "rg"], ["--stack", "dev", "--timeout", "0"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv, FakeArmTransport()) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_parse_time_handles_seven_fraction_digits() -> None:
    assert parse_time(START).microsecond == 123456
    assert parse_time("") is None and parse_time("garbage") is None
