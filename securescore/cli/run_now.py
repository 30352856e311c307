"""Run the report Logic App now and wait for the result.

Fires the Recurrence trigger (POST .../triggers/{trigger}/run), finds the run it started, polls it
until it finishes and, when it did not succeed, lists the actions that failed with their errors.

    python -m scripts.run_now --stack dev [--timeout 600] [--trigger Weekly_schedule]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.transport import HttpTransport

from securescore.arm import LOGIC_API_VERSION, ArmClient, ArmError, workflow_id
from securescore.cli.common import (
    ARM_SCOPE,
    EXIT_FAILED,
    EXIT_OK,
    Console,
    UsageError,
    add_azure_arguments,
    add_stack_argument,
    build_credential,
    check_guid,
    default_subscription,
    explain_auth_error,
    optional_settings,
    report_usage_error,
    start_cli,
)
from securescore.logicapp.definition import TRIGGER_NAME
from securescore.settings import SettingsError

DEFAULT_TRIGGER = TRIGGER_NAME  # the Recurrence trigger of logicapp.definition ("Weekly_schedule")
TERMINAL = frozenset({"Succeeded", "Failed", "Cancelled", "Skipped", "TimedOut", "Aborted", "Faulted"})
FAILED_ACTION = frozenset({"Failed", "TimedOut", "Aborted", "Faulted", "Cancelled"})
RUN_ID_HEADER = "x-ms-workflow-run-id"
CLOCK_SKEW = timedelta(minutes=2)  # local clock vs Azure's, when matching the new run by start time


# --- Logic App runs (shared with scripts.check) -------------------------------------------------


@dataclass(frozen=True)
class Run:
    name: str
    status: str
    start_time: str
    end_time: str
    error: str

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Run:
        properties = body.get("properties") or {}
        return cls(
            name=str(body.get("name") or ""),
            status=str(properties.get("status") or "Unknown"),
            start_time=str(properties.get("startTime") or ""),
            end_time=str(properties.get("endTime") or ""),
            error=error_text(properties.get("error")),
        )


@dataclass(frozen=True)
class FailedAction:
    name: str
    status: str
    message: str


def error_text(error: Any) -> str:
    """A run's or action's ``error`` object ({code, message}, sometimes nested) as one line."""
    if not error:
        return ""
    if isinstance(error, str):
        return error
    if isinstance(error, Mapping):
        inner = error.get("error") if isinstance(error.get("error"), Mapping) else error
        code, message = inner.get("code") or "", inner.get("message") or ""
        return f"{code}: {message}" if code and message else str(code or message)
    return str(error)


def recent_runs(arm: ArmClient, workflow: str, top: int) -> list[Run]:
    """The newest runs first (the runs list is ordered by start time, descending)."""
    page = arm.get(f"{workflow}/runs", LOGIC_API_VERSION, params={"$top": str(top)}) or {}
    return [Run.from_body(item) for item in page.get("value") or []]


def get_run(arm: ArmClient, workflow: str, run_name: str) -> Run:
    return Run.from_body(arm.get(f"{workflow}/runs/{run_name}", LOGIC_API_VERSION) or {})


def failed_actions(arm: ArmClient, workflow: str, run_name: str) -> list[FailedAction]:
    result = []
    for item in arm.list(f"{workflow}/runs/{run_name}/actions", LOGIC_API_VERSION):
        properties = item.get("properties") or {}
        status = properties.get("status") or ""
        if status in FAILED_ACTION:
            message = error_text(properties.get("error")) or properties.get("code") or status
            result.append(FailedAction(str(item.get("name")), status, message))
    return result


def parse_time(value: str) -> datetime | None:
    """Logic Apps times have up to 7 fractional digits ("2024-05-06T07:00:00.1234567Z")."""
    if not value:
        return None
    text = value.rstrip("Z")
    if "." in text:
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- arguments --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.run_now",
        description="Run the report Logic App now (its Recurrence trigger) and wait until the run ends. "
        "Exit 0 when it succeeded, 1 when it failed, was cancelled or did not end in time.",
    )
    add_stack_argument(parser)
    parser.add_argument("--subscription", help="subscription of the Logic App (default: the stack's, "
                        "else $AZURE_SUBSCRIPTION_ID)")
    parser.add_argument("--resource-group", help="its resource group (default: the stack's)")
    parser.add_argument("--logic-app", help="its name (default: the stack's logicAppName)")
    parser.add_argument("--trigger", default=DEFAULT_TRIGGER, help=f"trigger to run (default: {DEFAULT_TRIGGER})")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the run (default: 600)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between polls (default: 5)")
    add_azure_arguments(parser)
    return parser


def resolve_workflow(args: argparse.Namespace, env: Mapping[str, str]) -> str:
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
    if args.timeout <= 0 or args.interval <= 0:
        raise UsageError("--timeout and --interval must be positive numbers of seconds")
    return workflow_id(check_guid(subscription, "the subscription"), group, name)


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
    dots: bool = False

    def fire(self, trigger: str) -> tuple[set[str], datetime, str]:
        """Runs the trigger; returns the runs that existed before, the call time and the run id if told."""
        known = {r.name for r in recent_runs(self.arm, self.workflow, 10)}
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
        for run in recent_runs(self.arm, self.workflow, 10):
            started = parse_time(run.start_time)
            if run.name not in known and (started is None or started >= called_at - CLOCK_SKEW):
                return run
        return None

    def wait(self, known: set[str], called_at: datetime, run_name: str, timeout: float,
             interval: float) -> Run | None:
        """Polls until the run ends or the timeout passes; the last state seen (None: never found)."""
        deadline = self.clock.monotonic() + timeout
        last: Run | None = None
        while True:
            run = get_run(self.arm, self.workflow, run_name) if run_name else self.find_new_run(known, called_at)
            if run is not None:
                run_name = run.name
                self.show(run, last)
                last = run
                if run.status in TERMINAL:
                    return run
            if self.clock.monotonic() >= deadline:
                return last
            self.clock.sleep(interval)

    def show(self, run: Run, previous: Run | None) -> None:
        if previous is not None and previous.status == run.status:
            self.console.print(".", end="")
            self.dots = True
            return
        if self.dots:
            self.console.print()
            self.dots = False
        stamp = self.clock.now().strftime("%H:%M:%S")
        self.console.print(f"  {stamp} run {run.name}: {run.status}")


def report(runner: Runner, run: Run | None, timeout: float) -> int:
    console = runner.console
    if runner.dots:
        console.print()
    if run is None:
        console.print(f"No new run appeared within {timeout:g} s. Look at the run history of the Logic App, "
                      "or run again with a larger --timeout.")
        return EXIT_FAILED
    if run.status not in TERMINAL:
        console.print(f"Run {run.name} is still {run.status} after {timeout:g} s; it goes on in Azure. "
                      "python -m scripts.check shows its result later.")
        return EXIT_FAILED
    actions = failed_actions(runner.arm, runner.workflow, run.name)
    if run.status == "Succeeded" and not actions:
        console.print(f"Run {run.name} succeeded ({_duration(run)}). The report is on its way.")
        return EXIT_OK
    if run.status == "Succeeded":
        console.print(f"Run {run.name} ended as Succeeded, but some actions failed (the failure notice "
                      "was probably sent instead of the report):")
    else:
        console.print(f"Run {run.name} {run.status}" + (f": {run.error}" if run.error else "."))
    for action in actions:
        console.print(f"  ✘ {action.name} ({action.status}): {action.message}")
    return EXIT_FAILED


def _duration(run: Run) -> str:
    start, end = parse_time(run.start_time), parse_time(run.end_time)
    if start and end:
        return f"{(end - start).total_seconds():.0f} s"
    return "started " + run.start_time


def main(
    argv: Sequence[str] | None = None,
    *,
    credential: TokenCredential | None = None,
    transport: HttpTransport | None = None,
    console: Console | None = None,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    env, console, options = start_cli(args, env, console)
    try:
        workflow = resolve_workflow(args, env)
    except (SettingsError, UsageError) as error:
        return report_usage_error(console, error)
    credential = credential or build_credential(options)
    try:
        credential.get_token(ARM_SCOPE)
    except ClientAuthenticationError as error:
        detail, fix = explain_auth_error(error)
        console.error(f"error: could not sign in to Azure: {detail}\n  fix: {fix}")
        return EXIT_FAILED
    with ArmClient(credential, transport) as arm:
        runner = Runner(arm, console, workflow, clock or Clock())
        try:
            known, called_at, run_name = runner.fire(args.trigger)
            console.print(f"Triggered {args.trigger} of {workflow.rsplit('/', 1)[-1]}; waiting for the run "
                          f"(up to {args.timeout:g} s)...")
            run = runner.wait(known, called_at, run_name, args.timeout, args.interval)
            return report(runner, run, args.timeout)
        except ArmError as error:
            if runner.dots:
                console.print()
            console.error(f"error: {error}{_arm_hint(error)}")
            return EXIT_FAILED


def _arm_hint(error: ArmError) -> str:
    text = (error.code + error.message).lower()
    if error.status == 404 and "workflow" in text and "trigger" not in text:
        return "\n  fix: the Logic App does not exist here: deploy the stack first (pulumi up)"
    if error.status == 403:
        return "\n  fix: you need Logic App Operator (or Contributor) on the Logic App to run it"
    return ""


if __name__ == "__main__":
    sys.exit(main())
