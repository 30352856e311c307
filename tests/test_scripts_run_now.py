"""scripts.run_now: trigger, find the new run (header or history, any list order), poll it with a fake
clock, report failed actions; every documented run status; --json."""

from __future__ import annotations

import json

import pytest

from securescore.cli import run_now
from securescore.cli.run_now import Clock, parse_time
from tests.fakes.logic import WORKFLOW_STATUSES, FakeContentTransport, action_body, run_body
from tests.fakes.transport import DEV_WORKFLOW, Canned, FakeArmTransport, FakeClock, FakeCredential, Sent, arm_error

RUNS = DEV_WORKFLOW + "/runs"
TRIGGER = DEV_WORKFLOW + "/triggers/Weekly_schedule/run"
OLD = run_body("08586676746934337772206998657CU22", "Succeeded", "2026-11-16T06:00:00.5Z",
               end="2026-11-16T06:01:00Z")
OLDER = run_body("08586676746934337772206998600CU11", "Failed", "2026-11-09T06:00:00Z", end="2026-11-09T06:01:00Z")
NEW = "08585000000000000000000000000CU33"
START = "2026-11-23T07:00:02.1234567Z"
# Outcomes from the Logic Apps documentation of each status (Microsoft Learn, "Monitor workflow run
# status"): only Succeeded sent the report; Running, Waiting, Paused, Suspended, NotSpecified go on.
ENDED_OK = {"Succeeded"}
STILL_GOING = {"Running", "Waiting", "Paused", "Suspended", "NotSpecified"}


def transport_with(statuses: list[str], *, header: str = "", actions: list[dict] | None = None,
                   error: dict | None = None, newest_first: bool = True,
                   workflow: str = DEV_WORKFLOW) -> FakeArmTransport:
    """Runs list: the old runs until the trigger is called, then the new run moving through ``statuses``."""
    runs_path, trigger_path = f"{workflow}/runs", f"{workflow}/triggers/Weekly_schedule/run"
    state = {"fired": False, "polls": 0}

    def next_run() -> dict:
        status = statuses[min(state["polls"], len(statuses) - 1)]
        state["polls"] += 1
        end = "2026-11-23T07:00:40Z" if status not in STILL_GOING else None
        return run_body(NEW, status, START, end=end, error=error if status != "Succeeded" else None)

    def runs(sent: Sent) -> Canned:
        listed = [next_run(), OLD, OLDER] if state["fired"] else [OLD, OLDER]
        return Canned(200, {"value": listed if newest_first else listed[::-1]})

    def trigger(sent: Sent) -> Canned:
        state["fired"] = True
        return Canned(202, None, {"x-ms-workflow-run-id": header} if header else {})

    transport = FakeArmTransport({("GET", runs_path): runs, ("POST", trigger_path): trigger})
    transport.add("GET", f"{runs_path}/{NEW}", lambda sent: Canned(200, next_run()))
    transport.add("GET", f"{runs_path}/{NEW}/actions", Canned(200, {"value": actions or [
        action_body("Run_queries", "Succeeded"), action_body("Send_report", "Succeeded")]}))
    return transport


def run(argv: list[str], transport: FakeArmTransport, clock: FakeClock | None = None,
        content: FakeContentTransport | None = None) -> int:
    clock = clock or FakeClock()
    return run_now.main(argv, credential=FakeCredential(), transport=transport, env={},
                        clock=Clock(sleep=clock.sleep, monotonic=clock.monotonic, now=clock.now),
                        content_transport=content or FakeContentTransport())


def test_success_after_status_changes(capsys: pytest.CaptureFixture[str]) -> None:
    clock, transport = FakeClock(), transport_with(["Running", "Running", "Running", "Succeeded"])
    assert run(["--stack", "dev", "--interval", "5"], transport, clock) == 0
    out = capsys.readouterr().out
    assert "Triggered Weekly_schedule of securescore-dev" in out
    assert f"run {NEW}: Running\n..\n" in out  # a dot per unchanged poll
    assert f"run {NEW}: Succeeded" in out and f"Run {NEW} succeeded (38 s)" in out
    assert clock.sleeps == [5, 5, 5]
    trigger = transport.requests_to("POST", "/triggers/Weekly_schedule/run")[0]
    assert trigger.query == {"api-version": ["2016-06-01"]}


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest first", "oldest first"])
def test_the_new_run_is_found_in_the_history_in_any_order(newest_first: bool,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_with(["Running", "Succeeded"], newest_first=newest_first)
    assert run(["--stack", "dev"], transport) == 0
    assert f"Run {NEW} succeeded" in capsys.readouterr().out


def test_run_id_header_is_followed_directly(capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_with(["Running", "Succeeded"], header=NEW)
    assert run(["--stack", "dev"], transport) == 0
    assert transport.requests_to("GET", f"/runs/{NEW}")


def test_a_header_naming_no_run_falls_back_to_the_history(capsys: pytest.CaptureFixture[str]) -> None:
    transport = transport_with(["Running", "Succeeded"], header="08585notarun")
    assert run(["--stack", "dev"], transport) == 0
    assert transport.requests_to("GET", "/runs/08585notarun")  # tried, answered 404
    assert f"Run {NEW} succeeded" in capsys.readouterr().out


@pytest.mark.parametrize("status", sorted(set(WORKFLOW_STATUSES) - STILL_GOING))
def test_every_documented_end_status(status: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "dev"], transport_with([status])) == (0 if status in ENDED_OK else 1)
    out = capsys.readouterr().out
    assert f"Run {NEW}" in out
    if status in ("Skipped", "Ignored"):
        assert "no report was sent" in out


@pytest.mark.parametrize("status", sorted(STILL_GOING))
def test_a_run_that_keeps_going_is_waited_for_until_the_timeout(status: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock()
    assert run(["--stack", "dev", "--timeout", "30", "--interval", "10"], transport_with([status]), clock) == 1
    assert f"is still {status} after 30 s" in capsys.readouterr().out
    assert sum(clock.sleeps) == 30


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
    assert f"Run {NEW} Failed: ActionFailed: An action failed. No dependent actions succeeded." in out
    assert "✘ Query_overall (Failed): BadRequest: 'SecureScores' could not be resolved" in out
    assert "Send_report" not in out


def test_succeeded_run_with_failed_actions_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    actions = [action_body("Run_queries", "Failed", {"code": "ActionFailed", "message": "An action failed."}),
               action_body("Send_failure_notice", "Succeeded")]
    assert run(["--stack", "dev"], transport_with(["Succeeded"], actions=actions)) == 1
    assert "failure notice" in capsys.readouterr().out


def test_json_prints_only_the_result_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    actions = [action_body("Query_overall", "TimedOut", {"code": "ActionTimedOut", "message": "too slow"},
                           code="ActionTimedOut")]
    assert run(["--stack", "dev", "--json"], transport_with(["Running", "Failed"], actions=actions)) == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["ok"] is False and result["run"] == NEW and result["status"] == "Failed"
    assert result["outcome"] == "failed" and result["durationSeconds"] == pytest.approx(37.877, abs=0.001)
    assert result["failedActions"] == [{"name": "Query_overall", "status": "TimedOut",
                                        "message": "ActionTimedOut: too slow", "statusCode": None,
                                        "problem": "", "fix": ""}]
    assert "Triggered" in captured.err  # progress went to stderr


def test_json_on_success(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--stack", "dev", "--json"], transport_with(["Succeeded"])) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["ok"], result["outcome"], result["trigger"]) == (True, "succeeded", "Weekly_schedule")
    assert result["workflow"] == DEV_WORKFLOW


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
    "argv", [["--stack", "nope"], ["--resource-group", "rg"], ["--stack", "dev", "--timeout", "0"],
             ["--stack", "dev", "--interval", "nan"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv, FakeArmTransport()) == 2
    assert capsys.readouterr().err.startswith("error: ")


@pytest.mark.parametrize(("text", "expected"), [
    (START, "2026-11-23T07:00:02.123456+00:00"),
    ("2026-11-23T07:00:02Z", "2026-11-23T07:00:02+00:00"),
    ("2026-11-23T08:00:02.5+01:00", "2026-11-23T07:00:02.500000+00:00"),
    ("2026-11-23T07:00:02", "2026-11-23T07:00:02+00:00"),
])
def test_parse_time(text: str, expected: str) -> None:
    assert parse_time(text).isoformat() == expected


def test_parse_time_rejects_garbage() -> None:
    assert parse_time("") is None and parse_time("garbage") is None
