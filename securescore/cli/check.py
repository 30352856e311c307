"""The "test connection" checklist, run after deploying a stack (or, with --before-deploy, before).

After deploying, as the identity you are signed in with (not the Logic App's managed identity):
  1. a token for Azure Resource Manager can be acquired;
  2. the Secure Score API has a score for every monitored subscription, for the report's initiative
     (in management-group mode every enabled one under the group, discovered first: securescore.cli.covered);
  3. the Log Analytics workspace answers a query and holds recent SecureScores rows (with
     ``logsQuery: http`` through the query API the Logic App calls, by the workspace's customer id);
  4. each API connection the workflow uses (OAuth: Connected; managed identity: Ready); none in
     zero-touch mode;
  5. the Logic App identity's roles, and the mode's resources (securescore.cli.mode_checks);
  6. the Logic App's last run, each failed action diagnosed from its outputs (securescore.cli.runs).
Before deploying (``--before-deploy``), as the deployer: see ``securescore.cli.readiness``.
Every failure comes with a one-line fix. Exit 0 only when every check passes.

    securescore check --stack dev [--json] [--before-deploy]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, Unpack

from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import HttpTransport

from securescore.arm import ArmClient, ArmError, NetworkLimits, connection_id, workflow_id
from securescore.cli import checks_management_group, covered
from securescore.cli.authorize import READY, Target, read_state
from securescore.cli.checklist import (
    Check,
    CheckContext,
    CheckResult,
    Printer,
    run_and_print,
)
from securescore.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Console,
    Session,
    SignInFailed,
    add_azure_arguments,
    add_stack_argument,
    check_guid,
    describe_principal,
    load_settings,
)
from securescore.cli.mode_checks import mode_checks, query_api_host, query_api_target
from securescore.cli.mode_facts import connections_to_check
from securescore.cli.runs import Diagnoser, OutputsReader, Run, all_runs, changed_at, parse_time
from securescore.datasources import SourceError
from securescore.datasources.secure_score_api import fetch_scores, no_score_fix
from securescore.datasources.workspace import WorkspaceQueryError, WorkspaceSource
from securescore.settings import Settings

FRESHNESS_QUERY = """SecureScores
| summarize LastRow = max(TimeGenerated) by SubscriptionId = tolower(SecureScoresSubscriptionId)"""
NO_ROWS_FIX = ("no rows yet: continuous export writes within hours of a change; snapshots weekly. "
               "Check again later (export only covers data produced after it was enabled)")
SIGN_IN = "Azure sign-in (token for Azure Resource Manager)"
LAST_ROWS_KEY = "last_rows"  # CheckContext.options: each subscription's newest SecureScores row
# A query source for a workspace (a customer id GUID or a resource id): run_query(kql) -> rows.
LogsFactory = Callable[[str], Any]


# --- 1. sign-in -------------------------------------------------------------------------------


def check_sign_in(session: Session, credential: TokenCredential) -> tuple[CheckResult, dict[str, Any] | None]:
    """The first check; its claims name the principal in every later fix. A dead network is not a
    failed check but the end of the run (SignInFailed with ``unreachable`` is re-raised)."""
    try:
        claims = session.sign_in(credential)
    except SignInFailed as failure:
        if failure.problem.unreachable is not None:
            raise
        return CheckResult(SIGN_IN, False, failure.problem.detail, failure.problem.fix), None
    return CheckResult(SIGN_IN, True, f"signed in as {describe_principal(claims)}"), claims


# --- 2. Secure Score API ----------------------------------------------------------------------


def secure_score_fix(error: ArmError, subscription_id: str, principal: str, assignee: str = "<object id>",
                     scope: str | None = None) -> str:
    """``scope``: where to assign the reading role (default the subscription; in management-group mode
    the group, where one assignment covers every subscription under it)."""
    text = f"{error.code} {error.message}".lower()
    if error.status == 403:
        scope = scope or f"/subscriptions/{subscription_id}"
        return (f"assign Reader or Security Reader on {scope} to {principal}, e.g. "
                f"az role assignment create --role \"Security Reader\" --assignee {assignee} "
                f"--scope {scope}")
    if "missingsubscriptionregistration" in text:
        return register_fix(subscription_id)
    if "subscriptionnotfound" in text or (error.status == 404 and "subscription" in text):
        return ("no such subscription in the tenant you signed in to: check the id, and AZURE_TENANT_ID "
                "(or az login --tenant) for its tenant")
    if error.status == 404:
        return no_score_fix(subscription_id)
    if error.status == 401:
        return "the token was refused: is the subscription in the tenant you signed in to (AZURE_TENANT_ID)?"
    return "retry later; if it persists, check the Azure status page"


def register_fix(subscription_id: str) -> str:
    return ("register the Microsoft.Security resource provider (Defender for Cloud) in the subscription: "
            f"az provider register -n Microsoft.Security --subscription {subscription_id}")


def reading_scope(settings: Settings) -> str | None:
    """Where the reading role is assigned in management-group mode (None: on each subscription)."""
    return settings.scope.resource_id if settings.scope is not None else None


def check_secure_scores(ctx: CheckContext) -> list[CheckResult]:
    """Each subscription the report covers: the stack's, or in management-group mode the enabled ones
    under the group, after one line saying how many were discovered there."""
    found, line = checks_management_group.discovery(ctx)
    results = [line] if line is not None else []
    if found is None:
        return results
    return results + [check_secure_score(ctx, sub.id, found) for sub in found.subscriptions]


def check_secure_score(ctx: CheckContext, subscription_id: str, found: covered.Covered | None = None) -> CheckResult:
    found = found or covered.of_stack(ctx.settings)
    name = f"Secure Score API: {found.label(subscription_id)}"
    try:
        answer = fetch_scores(ctx.arm, subscription_id, controls=False)
    except ArmError as error:
        return CheckResult(name, False, error.short(), secure_score_fix(
            error, subscription_id, ctx.principal, ctx.assignee, reading_scope(ctx.settings)))
    if not answer.has_score:
        return CheckResult(name, False, "Defender for Cloud has no secure score for this subscription (the API "
                           "lists none)", no_score_fix(subscription_id))
    initiative = ctx.settings.report.initiative_name
    item = next((s for s in answer.scores if (s.get("properties") or {}).get("displayName") == initiative), None)
    if item is None:
        names = ", ".join(sorted({str((s.get("properties") or {}).get("displayName")) for s in answer.scores}))
        return CheckResult(name, False, f"no secure score named {initiative!r}; the API has: {names}",
                           "set initiativeName in the stack to the initiative the report should follow")
    properties = item.get("properties") or {}
    score = properties.get("score") or {}
    percentage = score.get("percentage")
    shown = f"{percentage * 100:.1f}%" if isinstance(percentage, int | float) else "?"
    return CheckResult(name, True, f"{properties.get('displayName', 'score')} {shown} "
                       f"({score.get('current', '?')} of {score.get('max', '?')} points)")


# --- 3. workspace -----------------------------------------------------------------------------


def workspace_target(ctx: CheckContext) -> str:
    """The workspace id GUID given with --workspace-id, else the stack's workspace resource id."""
    return ctx.options.get("workspace_id") or ctx.settings.workspace.resource_id


def check_workspace(ctx: CheckContext) -> list[CheckResult]:
    target = workspace_target(ctx)
    name = f"Log Analytics workspace: {ctx.settings.workspace.name}"
    fact, customer = query_api_target(ctx)
    if fact is not None:  # logsQuery http: the query API, by customer id, as the Logic App calls it
        target = customer
        name += " (query API, as the Logic App calls it)"
        source = ctx.options["query_api_factory"](customer, query_api_host(fact, ctx.session.endpoints.logs),
                                                  fact.audience)
    elif customer:  # http mode, but the customer id could not be read
        return [CheckResult(name + " (query API)", False, customer,
                            "check workspaceResourceId, or pass --workspace-id with the workspace id (a GUID)")]
    else:
        source = ctx.options["logs_factory"](target)
    try:
        rows = source.run_query(FRESHNESS_QUERY)
    except WorkspaceQueryError as error:
        return [CheckResult(name, False, str(error).split(": ", 1)[-1], workspace_fix(error, target, ctx.principal))]
    except SourceError as error:
        return [CheckResult(name, False, str(error), "check the sign-in for Log Analytics (api.loganalytics.io)")]
    partial = "; ".join(getattr(source, "warnings", []))
    last = last_rows(rows)
    ctx.options[LAST_ROWS_KEY] = last  # the coverage check of management-group mode reads them again
    return [judge_freshness(name, last, ctx.settings, ctx.now, partial)]


def last_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, datetime]:
    result: dict[str, datetime] = {}
    for row in rows:
        subscription = str(row.get("SubscriptionId") or "").lower()
        last = row.get("LastRow")
        when = parse_time(last) if isinstance(last, str) else last
        if subscription and isinstance(when, datetime):
            result[subscription] = when if when.tzinfo else when.replace(tzinfo=UTC)
    return result


def judge_freshness(name: str, last: Mapping[str, datetime], settings: Settings, now: datetime,
                    partial: str = "") -> CheckResult:
    """The stack's subscriptions against their newest rows. In management-group mode only the
    workspace's answer: each subscription under the group is judged by the coverage check."""
    if not last:
        detail = "the SecureScores table has no rows" + (f" ({partial})" if partial else "")
        return CheckResult(name, False, detail, NO_ROWS_FIX)
    configured = settings.subscription_ids
    latest = max(last.values())
    reporting = [s for s in configured if s in last]
    missing = [s for s in configured if s not in last]
    lookback = timedelta(days=settings.report.lookback_days)
    stale = [s for s in reporting if now - last[s] > lookback]
    detail = f"latest row {latest:%Y-%m-%d %H:%M} UTC ({_age(now - latest)} ago); "
    if settings.scope is not None:
        detail += (f"rows from {len(last)} subscription{'' if len(last) == 1 else 's'}; those under management "
                   f"group {settings.scope.management_group_id} are judged by the coverage check")
    else:
        detail += f"{len(reporting)} of {len(configured)} subscriptions reporting"
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


def workspace_fix(error: WorkspaceQueryError, target: str, principal: str) -> str:
    scope = target if target.startswith("/") else f"the workspace {target}"
    if error.status == 403:
        return f"assign Log Analytics Reader on {scope} to {principal}"
    if error.status == 404:
        return "no such workspace: deploy the stack (pulumi up) or fix workspaceResourceId"
    if error.status == 400 and "securescores" in f"{error.code} {error.detail}".lower():
        return ("the SecureScores table does not exist yet: continuous export creates it with the first "
                "rows (the workspace needs the SecurityCenterFree solution)")
    return "retry later; if it persists, check the workspace in the portal"


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return f"{max(hours, 0):.0f} h"
    return f"{hours / 24:.0f} days"


# --- 4. connections ---------------------------------------------------------------------------


def connection_targets(settings: Settings) -> list[Target]:
    """The connections the workflow uses (mode_facts): none in zero-touch mode."""
    sub, group = settings.deployment_subscription_id, settings.resource_group_name
    return [Target(c.name, connection_id(sub, group, c.name), c.managed_identity)
            for c in connections_to_check(settings)]


def check_connections(ctx: CheckContext) -> list[CheckResult]:
    return [check_connection(ctx.arm, target, ctx.stack) for target in connection_targets(ctx.settings)]


def check_connection(arm: ArmClient, target: Target, stack: str = "<stack>") -> CheckResult:
    name = f"API connection: {target.name}"
    state = read_state(arm, target)
    if state.status == "NotFound":
        return CheckResult(name, False, "not found", "deploy the stack first (pulumi up)")
    if state.status == "Unreadable":
        return CheckResult(name, False, state.detail, "you need Reader on the connection's resource group")
    detail = state.status + (f": {state.detail}" if state.detail else "")
    if state.managed_identity:
        if state.usable:
            return CheckResult(name, True, f"{READY} (signs in with the Logic App's managed identity; no consent "
                               "needed)")
        return CheckResult(name, False, f"{detail} (managed identity)",
                           "re-deploy the connection (pulumi up); check that the Logic App has its system-assigned "
                           "identity and that identity has Log Analytics Reader on the workspace")
    if state.usable:
        return CheckResult(name, True, state.status)
    return CheckResult(name, False, detail, f"authorize it: securescore authorize --stack {stack}")


# --- 5. last run ------------------------------------------------------------------------------


def check_last_run(ctx: CheckContext) -> list[CheckResult]:
    settings = ctx.settings
    workflow = workflow_id(settings.deployment_subscription_id, settings.resource_group_name, settings.logic_app_name)
    diagnoser = Diagnoser(ctx.stack, settings.modes, ctx.options.get("outputs_reader"), changed_at(ctx.arm, workflow),
                          lambda: ctx.now)
    return [judge_last_run(ctx.arm, workflow, ctx.stack, diagnoser)]


def judge_last_run(arm: ArmClient, workflow: str, stack: str = "<stack>",
                   diagnoser: Diagnoser | None = None) -> CheckResult:
    """Judged by the run outcomes of securescore.cli.runs (the same table run_now uses); a failed run's
    actions are diagnosed (securescore.cli.failure_signatures) and the known fixes given."""
    name = f"Logic App last run: {workflow.rsplit('/', 1)[-1]}"
    try:
        runs = all_runs(arm, workflow)
    except ArmError as error:
        fix = "deploy the stack first (pulumi up)" if error.status == 404 else "you need Reader on the Logic App"
        return CheckResult(name, False, error.short(), fix)
    if not runs:
        return CheckResult(name, True, f"no runs yet (securescore run-now --stack {stack} runs it now)")
    newest = runs[0]
    prefix = ""
    if newest.outcome == "in progress":
        finished = next((r for r in runs if r.outcome in ("succeeded", "failed", "not run")), None)
        if finished is None:
            return CheckResult(name, True, f"{newest.status} (in progress), started {newest.start_time}")
        prefix = f"{newest.status} (in progress) since {newest.start_time}; before it: "
        newest = finished
    detail = f"{prefix}{newest.status}, started {newest.start_time}"
    run_again = f"securescore run-now --stack {stack}"
    if newest.outcome == "succeeded":
        return CheckResult(name, True, detail)
    if newest.outcome == "not run":
        return CheckResult(name, False, f"{detail}: the run did not execute its actions, so no report was sent",
                           f"check the trigger's conditions and the run history, then {run_again}")
    if newest.outcome == "unknown":
        return CheckResult(name, False, f"{detail}: a status the Logic Apps API does not document",
                           "look at the run in the portal (Logic App > Run history)")
    text, fixes = _run_failure(arm, workflow, newest, detail, diagnoser or Diagnoser(stack))
    fix = "; ".join(dict.fromkeys(fixes)) if fixes else f"fix the failed action, then {run_again}"
    return CheckResult(name, False, text, fix)


def _run_failure(arm: ArmClient, workflow: str, run: Run, detail: str, diagnoser: Diagnoser) -> tuple[str, list[str]]:
    """The run's error and its first failed actions (with the problem a known signature names), and
    the fixes of the recognised ones."""
    parts = [detail + (f": {run.error}" if run.error else "")]
    actions = []
    with contextlib.suppress(ArmError):
        actions = diagnoser.actions(arm, workflow, run)[:3]
    parts += [f"{a.name}: {a.message}" + (f" ({a.problem})" if a.problem else "") for a in actions]
    return "; ".join(parts), [a.fix for a in actions if a.fix]


# --- the lists --------------------------------------------------------------------------------


def post_deploy_checks(settings: Settings) -> list[Check]:
    """After `pulumi up`. A mode with more to check appends its own Check here for its settings."""
    return [
        Check("Secure Score API", check_secure_scores),
        Check(f"Log Analytics workspace: {settings.workspace.name}", check_workspace),
        *([Check("API connections", check_connections)] if connections_to_check(settings) else []),
        *mode_checks(settings),
        Check(f"Logic App last run: {settings.logic_app_name}", check_last_run),
        *checks_management_group.post_deploy_checks(settings),
    ]


def build_query_api_client(credential: TokenCredential, limits: NetworkLimits, host: str, audience: str,
                           transport: HttpTransport | None = None) -> Any:
    """azure-monitor-query's client for another host than its default: its ``audience`` defaults to the
    endpoint, and the query API's tokens are for https://api.loganalytics.io whatever the host
    (docs/design.md, "Zero-touch mode": token audience)."""
    from azure.monitor.query import LogsQueryClient

    kwargs: dict[str, Any] = {"endpoint": host, "audience": audience, **limits.transport_kwargs()}
    if transport is not None:
        kwargs["transport"] = transport
    return LogsQueryClient(credential, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.check",
        description="Check everything the report needs, as the identity you are signed in with: sign-in, "
        "Secure Score API, workspace data, connections, last run. With --before-deploy: whether the stack "
        "can be deployed (resource groups, role assignment rights, resource providers, workspace). "
        "Exit 0 only when all pass.",
    )
    add_stack_argument(parser)
    parser.add_argument("--before-deploy", action="store_true",
                        help="the readiness check for a first `pulumi up`, as the deployer")
    parser.add_argument("--workspace-id", help="query the workspace by its workspace (customer) id GUID instead "
                        "of the stack's resource id")
    parser.add_argument("--json", action="store_true", help="print a JSON list of {check, ok, detail, fix}")
    add_azure_arguments(parser)
    return parser


class StandIns(TypedDict, total=False):
    """What tests put in Azure's place (absent: the real thing). ``logs_transport`` carries the Log
    Analytics queries; ``content_transport`` the reads of failed actions' outputs (their outputsLink)."""

    credential: TokenCredential
    transport: HttpTransport
    logs_transport: HttpTransport
    content_transport: HttpTransport
    now: datetime


@dataclass(frozen=True)
class WorkspaceRun:
    """A helper that reads the stack and queries its workspace (check, reconcile), once its arguments
    are parsed: the session, the settings, the workspace to query (``--workspace-id`` or the stack's),
    the credential and the stand-ins."""

    session: Session
    args: argparse.Namespace
    settings: Settings
    workspace_id: str | None  # the --workspace-id GUID, lower-cased
    credential: TokenCredential
    stand_ins: StandIns

    @property
    def now(self) -> datetime:
        return self.stand_ins.get("now") or datetime.now(UTC)

    @property
    def workspace(self) -> str:
        return self.workspace_id or self.settings.workspace.resource_id

    def logs_source(self, workspace: str | None = None) -> WorkspaceSource:
        return WorkspaceSource(workspace or self.workspace, self.credential, limits=self.session.limits,
                               endpoint=self.session.endpoints.logs, transport=self.stand_ins.get("logs_transport"))

    def arm(self) -> ArmClient:
        return ArmClient(self.credential, self.stand_ins.get("transport"), self.session.limits, self.session.endpoints)


def run_workspace_helper(parser: argparse.ArgumentParser, body: Callable[[WorkspaceRun], int],
                         argv: Sequence[str] | None, console: Console | None, env: Mapping[str, str] | None,
                         limits: NetworkLimits | None, stand_ins: StandIns) -> int:
    """Parse, start the session, read the stack and ``--workspace-id``, then ``body`` (check, reconcile)."""
    args = parser.parse_args(argv)
    session = Session.start(args, env, console, limits)

    def start() -> int:
        settings = load_settings(args)
        workspace_id = check_guid(args.workspace_id, "--workspace-id") if args.workspace_id else None
        credential = session.credential(stand_ins.get("credential"))
        return body(WorkspaceRun(session, args, settings, workspace_id, credential, stand_ins))
    return session.run(start)


def main(argv: Sequence[str] | None = None, *, console: Console | None = None, env: Mapping[str, str] | None = None,
         limits: NetworkLimits | None = None, **stand_ins: Unpack[StandIns]) -> int:
    return run_workspace_helper(build_parser(), _check, argv, console, env, limits, stand_ins)


def _check(run: WorkspaceRun) -> int:
    from securescore.cli.readiness import READINESS_SIGN_IN, readiness_checks

    session, args, settings, credential = run.session, run.args, run.settings, run.credential
    checks = readiness_checks(settings) if args.before_deploy else post_deploy_checks(settings)
    printer = Printer(session.console, args.json)
    sign_in_name = READINESS_SIGN_IN if args.before_deploy else SIGN_IN
    try:
        first, claims = check_sign_in(session, credential)
    except SignInFailed as failure:  # a dead network: --json still gets its list, then the one line
        if args.json:
            printer.finish([CheckResult(sign_in_name, False, failure.problem.detail, failure.problem.fix)])
        raise
    first = CheckResult(sign_in_name, first.ok, first.detail, first.fix)
    logs_transport = run.stand_ins.get("logs_transport")
    with run.arm() as arm:
        ctx = None
        if claims is not None:
            def query_api_factory(customer_id: str, host: str, audience: str) -> WorkspaceSource:
                client = build_query_api_client(credential, session.limits, host, audience, logs_transport)
                return WorkspaceSource(customer_id, credential, client, limits=session.limits)

            outputs = OutputsReader(run.stand_ins.get("content_transport"), session.limits,
                                    session.console.redactor.add)
            ctx = CheckContext(args.stack, settings, session, credential, arm, claims, run.now, {
                "workspace_id": run.workspace_id, "logs_factory": run.logs_source,
                "query_api_factory": query_api_factory, "outputs_reader": outputs})
        results = run_and_print(session, printer, [first], ctx, checks)
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
