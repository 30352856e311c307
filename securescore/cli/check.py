"""The "test connection" checklist, run before and after deploying a stack.

Checks, as the identity you are signed in with (not the Logic App's managed identity):
  1. a token for Azure Resource Manager can be acquired;
  2. the Secure Score API answers for every monitored subscription;
  3. the Log Analytics workspace answers a query and holds recent SecureScores rows;
  4. each API connection's status;
  5. the Logic App's last run.
Every failure comes with a one-line fix. Exit 0 only when every check passes.

    python -m scripts.check --stack dev [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.pipeline.transport import HttpTransport
from azure.monitor.query import LogsQueryClient, LogsQueryPartialResult

from securescore.arm import (
    SECURITY_API_VERSION,
    ArmClient,
    ArmError,
    connection_id,
    secure_scores_path,
    workflow_id,
)
from securescore.cli.authorize import CONNECTED, Target, read_state
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
    describe_principal,
    explain_auth_error,
    load_settings,
    report_usage_error,
    start_cli,
    token_claims,
)
from securescore.cli.run_now import Run, failed_actions, parse_time, recent_runs
from securescore.settings import Settings, SettingsError

FRESHNESS_QUERY = """SecureScores
| summarize LastRow = max(TimeGenerated) by SubscriptionId = tolower(SecureScoresSubscriptionId)"""
NO_ROWS_FIX = ("no rows yet: continuous export writes within hours of a change; snapshots weekly. "
               "Check again later (export only covers data produced after it was enabled)")
LogsClientFactory = Callable[[TokenCredential], Any]


@dataclass(frozen=True)
class CheckResult:
    check: str
    ok: bool
    detail: str
    fix: str = ""


# --- 1. token ---------------------------------------------------------------------------------


def check_token(credential: TokenCredential) -> tuple[CheckResult, dict[str, Any] | None]:
    name = "Azure sign-in (token for management.azure.com)"
    try:
        token = credential.get_token(ARM_SCOPE)
    except ClientAuthenticationError as error:
        detail, fix = explain_auth_error(error)
        return CheckResult(name, False, detail, fix), None
    claims = token_claims(token.token)
    return CheckResult(name, True, f"signed in as {describe_principal(claims)}"), claims


# --- 2. Secure Score API ----------------------------------------------------------------------


def check_secure_score(arm: ArmClient, subscription_id: str, label: str, principal: str,
                       assignee: str = "<object id>") -> CheckResult:
    name = f"Secure Score API: {label}"
    try:
        items = list(arm.list(secure_scores_path(subscription_id), SECURITY_API_VERSION))
    except ArmError as error:
        return CheckResult(name, False, error.short(), secure_score_fix(error, subscription_id, principal, assignee))
    if not items:
        return CheckResult(name, False, "the API answered with no secure score",
                           register_fix(subscription_id))
    properties = items[0].get("properties") or {}
    score = properties.get("score") or {}
    percentage = score.get("percentage")
    shown = f"{percentage * 100:.1f}%" if isinstance(percentage, int | float) else "?"
    return CheckResult(name, True, f"{properties.get('displayName', 'score')} {shown} "
                       f"({score.get('current', '?')} of {score.get('max', '?')} points)")


def secure_score_fix(error: ArmError, subscription_id: str, principal: str, assignee: str = "<object id>") -> str:
    text = f"{error.code} {error.message}".lower()
    if error.status == 403:
        return (f"assign Reader or Security Reader on /subscriptions/{subscription_id} to {principal}, e.g. "
                f"az role assignment create --role \"Security Reader\" --assignee {assignee} "
                f"--scope /subscriptions/{subscription_id}")
    if error.status == 404 or "subscriptionnotfound" in text or "missingsubscriptionregistration" in text:
        return register_fix(subscription_id)
    if error.status == 401:
        return "the token was refused: is the subscription in the tenant you signed in to (AZURE_TENANT_ID)?"
    return "retry later; if it persists, check the Azure status page"


def register_fix(subscription_id: str) -> str:
    return ("the subscription is disabled or not registered with Microsoft.Security (Defender for Cloud): "
            f"az provider register -n Microsoft.Security --subscription {subscription_id}")


# --- 3. workspace -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceTarget:
    label: str
    resource_id: str  # query_resource when set
    workspace_id: str  # query_workspace (the workspace's customer id GUID) when set


def check_workspace(
    client: Any,
    target: WorkspaceTarget,
    settings: Settings,
    principal: str,
    now: datetime,
) -> CheckResult:
    name = f"Log Analytics workspace: {target.label}"
    try:
        if target.workspace_id:
            result = client.query_workspace(target.workspace_id, FRESHNESS_QUERY, timespan=None)
        else:
            result = client.query_resource(target.resource_id, FRESHNESS_QUERY, timespan=None)
    except HttpResponseError as error:
        return CheckResult(name, False, _http_error_text(error), workspace_fix(error, target, principal))
    except ClientAuthenticationError as error:
        detail, fix = explain_auth_error(error)
        return CheckResult(name, False, detail, fix)
    partial = ""
    if isinstance(result, LogsQueryPartialResult):
        tables = result.partial_data or []
        error = result.partial_error
        partial = f"partial result: {getattr(error, 'code', '')} {getattr(error, 'message', '')}".strip()
    else:
        tables = result.tables or []
    last_rows = _last_rows(tables)
    return judge_freshness(name, last_rows, settings, now, partial)


def _last_rows(tables: Sequence[Any]) -> dict[str, datetime]:
    rows: dict[str, datetime] = {}
    for table in tables[:1]:
        for row in table.rows:
            subscription, last = str(row["SubscriptionId"] or "").lower(), row["LastRow"]
            if isinstance(last, str):
                last = parse_time(last)
            if subscription and isinstance(last, datetime):
                rows[subscription] = last if last.tzinfo else last.replace(tzinfo=UTC)
    return rows


def judge_freshness(name: str, last_rows: Mapping[str, datetime], settings: Settings, now: datetime,
                    partial: str = "") -> CheckResult:
    if not last_rows:
        detail = "the SecureScores table has no rows" + (f" ({partial})" if partial else "")
        return CheckResult(name, False, detail, NO_ROWS_FIX)
    configured = settings.subscription_ids
    latest = max(last_rows.values())
    age = now - latest
    reporting = [s for s in configured if s in last_rows]
    missing = [s for s in configured if s not in last_rows]
    lookback = timedelta(days=settings.report.lookback_days)
    stale = [s for s in reporting if now - last_rows[s] > lookback]
    detail = (f"latest row {latest:%Y-%m-%d %H:%M} UTC ({_age(age)} ago); "
              f"{len(reporting)} of {len(configured)} subscriptions reporting")
    if partial:
        return CheckResult(name, False, f"{detail}; {partial}", "retry; if it persists, simplify or narrow the query")
    if missing:
        return CheckResult(name, False, f"{detail}; no rows from {', '.join(missing)}",
                           f"check the continuous export ({settings.export.automation_name} in "
                           f"{settings.export.resource_group_name}) of those subscriptions (pulumi up); "
                           + NO_ROWS_FIX)
    if stale:
        return CheckResult(name, False, f"{detail}; older than {settings.report.lookback_days} days: "
                           f"{', '.join(stale)}",
                           "the weekly snapshots are missing: set exportSnapshots: true and pulumi up, "
                           "then check the export automation in those subscriptions")
    return CheckResult(name, True, detail)


def workspace_fix(error: HttpResponseError, target: WorkspaceTarget, principal: str) -> str:
    scope = target.resource_id or f"the workspace {target.workspace_id}"
    if error.status_code == 403:
        return f"assign Log Analytics Reader on {scope} to {principal}"
    if error.status_code == 404:
        return "no such workspace: deploy the stack (pulumi up) or fix workspaceResourceId"
    if error.status_code == 400 and "SecureScores" in str(error):
        return ("the SecureScores table does not exist yet: continuous export creates it with the first "
                "rows (the workspace needs the SecurityCenterFree solution)")
    return "retry later; if it persists, check the workspace in the portal"


def _http_error_text(error: HttpResponseError) -> str:
    code = getattr(getattr(error, "error", None), "code", None) or ""
    message = str(getattr(error, "message", None) or error).splitlines()[0]
    status = f"HTTP {error.status_code} " if error.status_code else ""
    return f"{status}{code + ': ' if code and code not in message else ''}{message}"


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return f"{max(hours, 0):.0f} h"
    return f"{hours / 24:.0f} days"


# --- 4. connections, 5. last run --------------------------------------------------------------


def check_connection(arm: ArmClient, target: Target, stack: str = "<stack>") -> CheckResult:
    name = f"API connection: {target.name}"
    state = read_state(arm, target)
    if state.status == "NotFound":
        return CheckResult(name, False, "not found", "deploy the stack first (pulumi up)")
    if state.status == "Unreadable":
        return CheckResult(name, False, state.detail, "you need Reader on the connection's resource group")
    if state.managed_identity:
        return CheckResult(name, True, f"{state.status} (signs in with the Logic App's managed identity; "
                           "no consent needed)")
    if state.status == CONNECTED:
        return CheckResult(name, True, CONNECTED)
    detail = state.status + (f": {state.detail}" if state.detail else "")
    return CheckResult(name, False, detail, f"authorize it: python -m scripts.authorize --stack {stack}")


def check_last_run(arm: ArmClient, workflow: str, stack: str = "<stack>") -> CheckResult:
    name = f"Logic App last run: {workflow.rsplit('/', 1)[-1]}"
    try:
        runs = recent_runs(arm, workflow, 1)
    except ArmError as error:
        fix = "deploy the stack first (pulumi up)" if error.status == 404 else "you need Reader on the Logic App"
        return CheckResult(name, False, error.short(), fix)
    if not runs:
        return CheckResult(name, True, f"no runs yet (python -m scripts.run_now --stack {stack} runs it now)")
    run = runs[0]
    detail = f"{run.status}, started {run.start_time}"
    if run.status in ("Succeeded", "Running", "Waiting"):
        return CheckResult(name, True, detail)
    return CheckResult(name, False, _run_failure_detail(arm, workflow, run, detail),
                       f"fix the failed action, then python -m scripts.run_now --stack {stack}")


def _run_failure_detail(arm: ArmClient, workflow: str, run: Run, detail: str) -> str:
    parts = [detail + (f": {run.error}" if run.error else "")]
    with contextlib.suppress(ArmError):
        parts += [f"{a.name}: {a.message}" for a in failed_actions(arm, workflow, run.name)[:3]]
    return "; ".join(parts)


# --- running all checks -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.check",
        description="Check everything the report needs, as the identity you are signed in with: sign-in, "
        "Secure Score API, workspace data, connections, last run. Exit 0 only when all pass.",
    )
    add_stack_argument(parser)
    parser.add_argument("--workspace-id", help="query the workspace by its workspace (customer) id GUID instead "
                        "of the stack's resource id")
    parser.add_argument("--json", action="store_true", help="print a JSON list of {check, ok, detail, fix}")
    add_azure_arguments(parser)
    return parser


def run_checks(
    stack: str,
    settings: Settings,
    credential: TokenCredential,
    transport: HttpTransport | None,
    logs_client_factory: LogsClientFactory,
    workspace_id: str | None,
    now: datetime,
) -> list[CheckResult]:
    token_result, claims = check_token(credential)
    results = [token_result]
    if claims is None:
        return results + [CheckResult(name, False, "skipped: no token", "") for name in _later_checks(settings)]
    principal, assignee = describe_principal(claims), str(claims.get("oid") or "<object id>")
    names = {s.id: s.name for s in settings.subscriptions}
    with ArmClient(credential, transport) as arm:
        for sub in settings.subscription_ids:
            label = f"{names[sub]} ({sub})" if names[sub] != sub else sub
            results.append(check_secure_score(arm, sub, label, principal, assignee))
        target = WorkspaceTarget(settings.workspace.name, "" if workspace_id else settings.workspace.resource_id,
                                 workspace_id or "")
        results.append(check_workspace(logs_client_factory(credential), target, settings, principal, now))
        for conn in _connections(settings):
            results.append(check_connection(arm, conn, stack))
        wf = workflow_id(settings.deployment_subscription_id, settings.resource_group_name, settings.logic_app_name)
        results.append(check_last_run(arm, wf, stack))
    return results


def _connections(settings: Settings) -> list[Target]:
    sub, group = settings.deployment_subscription_id, settings.resource_group_name
    return [
        Target(settings.logs_connection_name, connection_id(sub, group, settings.logs_connection_name),
               settings.logs_auth == "managedIdentity"),
        Target(settings.office365_connection_name, connection_id(sub, group, settings.office365_connection_name)),
    ]


def _later_checks(settings: Settings) -> list[str]:
    return ([f"Secure Score API: {s}" for s in settings.subscription_ids]
            + [f"Log Analytics workspace: {settings.workspace.name}"]
            + [f"API connection: {c.name}" for c in _connections(settings)]
            + [f"Logic App last run: {settings.logic_app_name}"])


def print_results(console: Console, results: list[CheckResult], as_json: bool) -> None:
    if as_json:
        console.print(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
        return
    for result in results:
        console.print(f"{'[ok]  ' if result.ok else '[FAIL]'} {result.check}: {result.detail}")
        if not result.ok and result.fix:
            console.print(f"       fix: {result.fix}")
    failed = sum(not r.ok for r in results)
    console.print(f"\n{len(results) - failed} of {len(results)} checks passed." if failed
                  else f"\nAll {len(results)} checks passed.")


def default_logs_client(credential: TokenCredential) -> LogsQueryClient:
    return LogsQueryClient(credential)


def main(
    argv: Sequence[str] | None = None,
    *,
    credential: TokenCredential | None = None,
    transport: HttpTransport | None = None,
    logs_client_factory: LogsClientFactory = default_logs_client,
    console: Console | None = None,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    env, console, options = start_cli(args, env, console)
    try:
        settings = load_settings(args)
        workspace_id = check_guid(args.workspace_id, "--workspace-id") if args.workspace_id else None
    except (SettingsError, UsageError) as error:
        return report_usage_error(console, error)
    credential = credential or build_credential(options)
    results = run_checks(args.stack, settings, credential, transport, logs_client_factory, workspace_id,
                         now or datetime.now(UTC))
    print_results(console, results, args.json)
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
