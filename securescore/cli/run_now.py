"""Run the report Logic App now and wait for the result.

Fires the Recurrence trigger (POST .../triggers/{trigger}/run), finds the run it started, polls it
until it ends and, when it did not succeed, lists the actions that failed with their errors.

    securescore run-now --stack dev [--timeout 600] [--trigger Weekly_schedule] [--json]

Finding the run: the spec documents no body or header for the trigger's ``run`` action
(WorkflowTriggersRun.json answers ``"default": {}``). When Azure sends ``x-ms-workflow-run-id``
(the header the Request trigger documents) it is tried first; otherwise, or when that run cannot be
read, the new run is the one that was not in the run history before the call and started after it
(the whole history is read and sorted by start time: no list order is assumed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import HttpTransport

from securescore.arm import LOGIC_API_VERSION, ArmClient, ArmError, NetworkLimits, workflow_id
from securescore.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Console,
    Session,
    UsageError,
    add_azure_arguments,
    add_stack_argument,
    check_guid,
    default_subscription,
    optional_settings,
)
from securescore.cli.runs import (  # noqa: F401  (re-exported: the names scripts used before)
    ENDED,
    Diagnoser,
    FailedAction,
    OutputsReader,
    Run,
    all_runs,
    changed_at,
    error_text,
    failed_actions,
    get_run,
    parse_time,
)
from securescore.logicapp.definition import TRIGGER_NAME
from securescore.settings import Settings

DEFAULT_TRIGGER = TRIGGER_NAME  # the Recurrence trigger of logicapp.definition ("Weekly_schedule")
RUN_ID_HEADER = "x-ms-workflow-run-id"
CLOCK_SKEW = timedelta(minutes=2)  # local clock vs Azure's, when matching the new run by start time


# --- arguments --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.run_now",
        description="Run the report Logic App now (its Recurrence trigger) and wait until the run ends. "
        "Exit 0 when it succeeded, 1 when it failed, was cancelled, skipped or did not end in time.",
    )
    add_stack_argument(parser)
    parser.add_argument("--subscription", help="subscription of the Logic App (default: the stack's, "
                        "else $AZURE_SUBSCRIPTION_ID)")
    parser.add_argument("--resource-group", help="its resource group (default: the stack's)")
    parser.add_argument("--logic-app", help="its name (default: the stack's logicAppName)")
    parser.add_argument("--trigger", default=DEFAULT_TRIGGER, help=f"trigger to run (default: {DEFAULT_TRIGGER})")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the run (default: 600)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between polls (default: 5)")
    parser.add_argument("--json", action="store_true",
                        help="print the run's result as one JSON object on stdout (progress goes to stderr)")
    add_azure_arguments(parser)
    return parser


def resolve_workflow(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    return resolve_target(args, env)[0]


def resolve_target(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[str, Settings | None]:
    """The workflow's resource id, and the stack's settings when a stack is used (its modes tell which
    transport each action used: the failure signatures depend on it)."""
    if settings := optional_settings(args, unless=("subscription", "resource_group")):
        subscription = args.subscription or settings.deployment_subscription_id
        group = args.resource_group or settings.resource_group_name
        name = args.logic_app or settings.logic_app_name
    else:
        subscription = default_subscription(args.subscription, env)
        group, name = args.resource_group, args.logic_app
        if not (subscription and group and name):
            raise UsageError("give --stack NAME, or --subscription (or AZURE_SUBSCRIPTION_ID), "
                             "--resource-group and --logic-app")
    if not (args.timeout > 0 and args.interval > 0):
        raise UsageError("--timeout and --interval must be positive numbers of seconds")
    return workflow_id(check_guid(subscription, "the subscription"), group, name), settings or None


# --- running ----------------------------------------------------------------------------------


@dataclass
class Clock:
    """Injected so tests never wait: sleep(seconds), monotonic(), now()."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass
class Runner:
    arm: ArmClient
    console: Console
    workflow: str
    clock: Clock
    progress_to_stderr: bool  # with --json, stdout carries only the result: progress goes to stderr
    dots: bool = False
    diagnoser: Diagnoser = field(default_factory=Diagnoser)

    def fire(self, trigger: str) -> tuple[set[str], datetime, str]:
        """Runs the trigger; returns the runs that existed before, the call time and the run id if told."""
        known = {r.name for r in all_runs(self.arm, self.workflow)}
        called_at = self.clock.now()
        try:
            response = self.arm.post(f"{self.workflow}/triggers/{trigger}/run", LOGIC_API_VERSION)
        except ArmError as error:
            if error.status == 404 and "trigger" in (error.code + error.message).lower():
                raise ArmError(404, error.code, f"{error.message} {self.trigger_hint()}") from error
            raise
        headers = {k.lower(): v for k, v in response.headers.items()}
        return known, called_at, headers.get(RUN_ID_HEADER, "")

    def trigger_hint(self) -> str:
        try:
            names = [t.get("name") for t in self.arm.list(f"{self.workflow}/triggers", LOGIC_API_VERSION)]
        except ArmError:
            return ""
        return f"(triggers of this Logic App: {', '.join(map(str, names)) or 'none'}; choose one with --trigger)"

    def find_new_run(self, known: set[str], called_at: datetime) -> Run | None:
        """The newest run that was not there before the trigger and started after it was called."""
        for run in all_runs(self.arm, self.workflow):
            started = run.started
            if run.name not in known and (started is None or started >= called_at - CLOCK_SKEW):
                return run
        return None

    def read_run(self, run_name: str, known: set[str], called_at: datetime) -> tuple[Run | None, str]:
        """The run by its name (from the header, or found before); by the history when that fails."""
        if run_name:
            try:
                return get_run(self.arm, self.workflow, run_name), run_name
            except ArmError as error:
                if error.status != 404:
                    raise
        run = self.find_new_run(known, called_at)
        return run, run.name if run else ""

    def wait(self, known: set[str], called_at: datetime, run_name: str, timeout: float,
             interval: float) -> Run | None:
        """Polls until the run ends or the timeout passes; the last state seen (None: never found)."""
        deadline = self.clock.monotonic() + timeout
        last: Run | None = None
        while True:
            run, run_name = self.read_run(run_name, known, called_at)
            if run is not None:
                self.show(run, last)
                last = run
                if run.outcome in ENDED:
                    return run
            if self.clock.monotonic() >= deadline:
                return last
            self.clock.sleep(interval)

    def say(self, text: str = "", end: str = "\n") -> None:
        """Progress: stdout, or stderr with --json (stdout then holds only the JSON)."""
        stream = (self.console.err or sys.stderr) if self.progress_to_stderr else (self.console.out or sys.stdout)
        stream.write(self.console.redactor(text) + end)
        stream.flush()

    def show(self, run: Run, previous: Run | None) -> None:
        if previous is not None and previous.status == run.status:
            self.say(".", end="")
            self.dots = True
            return
        self.end_dots()
        stamp = self.clock.now().strftime("%H:%M:%S")
        self.say(f"  {stamp} run {run.name}: {run.status}")

    def end_dots(self) -> None:
        if self.dots:
            self.say()
            self.dots = False


@dataclass(frozen=True)
class RunResult:
    """What --json prints: the run's outcome and, when it failed, why."""

    ok: bool
    workflow: str
    trigger: str
    run: str
    status: str
    outcome: str
    startTime: str  # the JSON keys follow the API's spelling
    endTime: str
    durationSeconds: float | None
    error: str
    failedActions: list[dict[str, Any]]
    message: str


def judge(runner: Runner, run: Run | None, timeout: float, trigger: str) -> RunResult:
    def result(ok: bool, message: str, actions: list[FailedAction] | None = None) -> RunResult:
        return RunResult(
            ok=ok, workflow=runner.workflow, trigger=trigger, run=run.name if run else "",
            status=run.status if run else "", outcome=run.outcome if run else "not found",
            startTime=run.start_time if run else "", endTime=run.end_time if run else "",
            durationSeconds=run.duration_seconds() if run else None, error=run.error if run else "",
            failedActions=[asdict(a) for a in actions or []], message=message,
        )

    if run is None:
        return result(False, f"No new run appeared within {timeout:g} s. Look at the run history of the Logic "
                             "App, or run again with a larger --timeout.")
    if run.outcome not in ENDED:
        return result(False, f"Run {run.name} is still {run.status} after {timeout:g} s; it goes on in Azure. "
                             "securescore check shows its result later.")
    actions = runner.diagnoser.actions(runner.arm, runner.workflow, run)
    if run.outcome == "succeeded" and not actions:
        took = run.duration_seconds()
        how_long = f"{took:.0f} s" if took is not None else f"started {run.start_time}"
        return result(True, f"Run {run.name} succeeded ({how_long}). The report is on its way.")
    if run.outcome == "succeeded":
        return result(False, f"Run {run.name} ended as Succeeded, but some actions failed (the failure notice was "
                             "probably sent instead of the report):", actions)
    if run.outcome == "not run":
        return result(False, f"Run {run.name} was {run.status}: the workflow did not run its actions, so no "
                             "report was sent" + (f" ({run.error})" if run.error else "."), actions)
    return result(False, f"Run {run.name} {run.status}" + (f": {run.error}" if run.error else "."), actions)


def report(console: Console, result: RunResult, as_json: bool) -> int:
    if as_json:
        console.print(json.dumps(asdict(result), indent=2, ensure_ascii=False))
    else:
        console.print(result.message)
        for action in result.failedActions:
            console.print(f"  ✘ {action['name']} ({action['status']}): {action['message']}")
            if action["problem"]:
                console.print(f"      problem: {action['problem']}")
                console.print(f"      fix: {action['fix']}")
    return EXIT_OK if result.ok else EXIT_FAILED


def main(
    argv: Sequence[str] | None = None,
    *,
    credential: TokenCredential | None = None,
    transport: HttpTransport | None = None,
    console: Console | None = None,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    limits: NetworkLimits | None = None,
    content_transport: HttpTransport | None = None,
) -> int:
    """``content_transport`` carries the reads of failed actions' outputs (their outputsLink)."""
    args = build_parser().parse_args(argv)
    session = Session.start(args, env, console, limits)
    return session.run(lambda: _run_now(session, args, credential, transport, clock or Clock(), content_transport))


def _run_now(session: Session, args: argparse.Namespace, credential: TokenCredential | None,
             transport: HttpTransport | None, clock: Clock, content_transport: HttpTransport | None) -> int:
    workflow, settings = resolve_target(args, session.env)
    credential = session.credential(credential)
    session.sign_in(credential)
    console = session.console
    with ArmClient(credential, transport, session.limits, session.endpoints) as arm:
        reader = OutputsReader(content_transport, session.limits, console.redactor.add)
        diagnoser = Diagnoser(args.stack or "<stack>", settings.modes if settings else None, reader,
                              changed_at(arm, workflow), clock.now)
        runner = Runner(arm, console, workflow, clock, progress_to_stderr=args.json, diagnoser=diagnoser)
        try:
            known, called_at, run_name = runner.fire(args.trigger)
            runner.say(f"Triggered {args.trigger} of {workflow.rsplit('/', 1)[-1]}; waiting for the run "
                       f"(up to {args.timeout:g} s)...")
            run = runner.wait(known, called_at, run_name, args.timeout, args.interval)
            runner.end_dots()
            return report(console, judge(runner, run, args.timeout, args.trigger), args.json)
        except ArmError as error:
            runner.end_dots()
            console.error(f"error: {error}{_arm_hint(error)}")
            return EXIT_FAILED
        except BaseException:
            runner.end_dots()
            raise


def _arm_hint(error: ArmError) -> str:
    text = (error.code + error.message).lower()
    if error.status == 404 and "workflow" in text and "trigger" not in text:
        return "\n  fix: the Logic App does not exist here: deploy the stack first (pulumi up)"
    if error.status == 403:
        return "\n  fix: you need Logic App Operator (or Contributor) on the Logic App to run it"
    if error.status == 409 and "disabled" in text:
        return "\n  fix: the Logic App is disabled: enable it (az logic workflow update --state Enabled) or pulumi up"
    return ""


if __name__ == "__main__":
    sys.exit(main())
