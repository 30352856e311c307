"""`run-now`: what --json says of the run's error, the clock time on each progress line, and which run
counts as the new one when the local clock and Azure's disagree (up to 2 minutes).

ARM is faked at the transport: the runs list and a run as in Microsoft.Logic 2016-06-01
WorkflowRunsList.json / WorkflowRuns_Get.json, the run's error as {code, message} (tests/fakes/logic.py);
time is a fake clock that starts at 2026-11-23 07:00:00 UTC and moves only when run-now sleeps.
"""

from __future__ import annotations

import json

import pytest

from tests.fakes.logic import run_body
from tests.fakes.transport import Canned, FakeArmTransport, FakeClock, Sent
from tests.test_scripts_run_now import NEW, OLD, RUNS, TRIGGER, run, transport_with

ACTION_FAILED = {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}


def test_json_gives_the_runs_error_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: --json's ``error`` is the run's error, code and message ("code: message")."""
    assert run(["--stack", "dev", "--json"], transport_with(["Failed"], error=ACTION_FAILED)) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["error"] == "ActionFailed: An action failed. No dependent actions succeeded."


@pytest.mark.parametrize("statuses", [["Succeeded"], []], ids=["succeeded", "no run"])
def test_json_gives_an_empty_error_when_there_is_none(statuses: list[str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: without an error (a run that succeeded, or no run at all) ``error`` is the empty string."""
    transport = (transport_with(statuses) if statuses else
                 FakeArmTransport({("GET", RUNS): Canned(200, {"value": [OLD]}), ("POST", TRIGGER): Canned(202)}))
    run(["--stack", "dev", "--json", "--timeout", "10"], transport)
    assert json.loads(capsys.readouterr().out)["error"] == ""


def test_each_progress_line_shows_the_clock_time(capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a status change is printed with the clock's time as HH:MM:SS."""
    clock = FakeClock()
    assert run(["--stack", "dev", "--interval", "7"], transport_with(["Running", "Running", "Succeeded"]),
               clock) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"  07:00:00 run {NEW}: Running" in lines
    assert f"  07:00:14 run {NEW}: Succeeded" in lines  # two sleeps of 7 s later


def _new_run_started(start: str) -> FakeArmTransport:
    """The runs list holds OLD until the trigger is called (at 07:00:00 by the fake clock), then also a
    run started at ``start``; the trigger names no run (no x-ms-workflow-run-id header)."""
    fired = {"yes": False}

    def runs(sent: Sent) -> Canned:
        new = run_body(NEW, "Succeeded", start, end="2026-11-23T07:00:40Z")
        return Canned(200, {"value": [new, OLD] if fired["yes"] else [OLD]})

    def trigger(sent: Sent) -> Canned:
        fired["yes"] = True
        return Canned(202)

    transport = FakeArmTransport({("GET", RUNS): runs, ("POST", TRIGGER): trigger})
    transport.add("GET", f"{RUNS}/{NEW}/actions", Canned(200, {"value": []}))
    return transport


@pytest.mark.parametrize("start", ["2026-11-23T06:58:00Z", "2026-11-23T06:58:00.0000001Z", "2026-11-23T07:00:05Z"])
def test_a_run_started_up_to_two_minutes_before_the_call_is_the_new_one(start: str,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: the new run may have started up to 2 minutes before the trigger call (the clocks' skew)."""
    assert run(["--stack", "dev", "--timeout", "10"], _new_run_started(start)) == 0
    assert f"Run {NEW} succeeded" in capsys.readouterr().out


@pytest.mark.parametrize("start", ["2026-11-23T06:57:59Z", "2026-11-23T06:57:59.9999999Z"])
def test_a_run_started_earlier_than_that_is_not_the_new_one(start: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a run that started more than 2 minutes before the call was not started by it."""
    assert run(["--stack", "dev", "--timeout", "10"], _new_run_started(start)) == 1
    assert "No new run appeared within 10 s" in capsys.readouterr().out
