"""Reconcile the report with Defender for Cloud's own numbers: "does this match the portal?"

For the stack's subscriptions (in management-group mode the enabled ones under the group, discovered
with Resource Graph as the signed-in user: securescore.cli.covered), side by side:
  - Defender's current score, read from the Secure Score API (the score of the report's initiative,
    ``initiativeName``), and the overall score computed with Defender's weighted formula
    (100 * sum(percentage_s * weight_s) / sum(weight_s), Microsoft's "secure score" documentation);
  - the report's numbers: its own deployed queries (``subscriptions`` and ``overall``, rendered for
    this moment) run on the workspace through the Log Analytics query API; in management-group mode
    filtered on the group's subscriptions as the Logic App filters them (every GUID under the group,
    whatever its state, or no filter past ``maxFilteredSubscriptions``).
A difference above ``TOLERANCE`` points is flagged with its likely cause: no score in Defender, another
initiative, no snapshot in the workspace yet, a stale export, or a change the export has not caught up
with yet.

    securescore reconcile --stack prod [--workspace-id GUID] [--json]

Exit 0 when every subscription and the overall score agree within the tolerance, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Unpack

from securescore.arm import ArmClient, ArmError, NetworkLimits
from securescore.cli import covered
from securescore.cli.check import StandIns, WorkspaceRun, reading_scope, run_workspace_helper, secure_score_fix
from securescore.cli.checks_management_group import remediate_command
from securescore.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Console,
    add_azure_arguments,
    add_stack_argument,
    describe_principal,
)
from securescore.cli.runs import parse_time
from securescore.config.scope import POLICY_AUTOMATION_NAME
from securescore.datasources import SourceError
from securescore.datasources.membership import MembershipError
from securescore.datasources.secure_score_api import fetch_scores, no_score_fix
from securescore.logicapp import discovery
from securescore.queries import LOGIC_APP_REPORT_TIME, RUN_TIME, render_queries, render_query
from securescore.settings import Settings

TOLERANCE = 0.1  # points of the score (percentage points)
STALE_AFTER = timedelta(hours=24)  # an export row older than this, while the scores differ: stale


@dataclass(frozen=True)
class ApiScore:
    """Defender's current score of one subscription for the report's initiative."""

    subscription_id: str
    percent: float | None  # 0..100; None when there is none
    weight: float | None
    problem: str = ""  # why there is no score: "no score" / "another initiative: ..." / an error
    fix: str = ""


@dataclass(frozen=True)
class Row:
    """One line of the comparison."""

    subscription: str  # id, or "overall"
    name: str
    defender: float | None
    report: float | None
    difference: float | None
    ok: bool
    cause: str
    fix: str


def api_score(arm: ArmClient, settings: Settings, subscription_id: str, principal: str, assignee: str) -> ApiScore:
    try:
        answer = fetch_scores(arm, subscription_id, controls=False)
    except ArmError as error:
        return ApiScore(subscription_id, None, None, f"the Secure Score API failed: {error.short()}",
                        secure_score_fix(error, subscription_id, principal, assignee, reading_scope(settings)))
    if not answer.has_score:
        return ApiScore(subscription_id, None, None, "Defender for Cloud has no secure score for it",
                        no_score_fix(subscription_id))
    initiative = settings.report.initiative_name
    for item in answer.scores:
        properties = item.get("properties") or {}
        if properties.get("displayName") == initiative:
            percentage = (properties.get("score") or {}).get("percentage")
            weight = properties.get("weight")
            if not isinstance(percentage, int | float):
                return ApiScore(subscription_id, None, None, "the API's score has no percentage", "")
            return ApiScore(subscription_id, 100.0 * percentage, weight if isinstance(weight, int | float) else None)
    names = ", ".join(sorted({str((s.get("properties") or {}).get("displayName")) for s in answer.scores}))
    return ApiScore(subscription_id, None, None, f"another initiative: Defender's scores here are named {names}, "
                    f"the report counts {initiative!r}", "set initiativeName to the initiative to report on")


def weighted_overall(scores: Sequence[ApiScore]) -> float | None:
    """Defender's overall score of several subscriptions: the weighted average of their percentages."""
    weighted = [(s.percent, s.weight) for s in scores if s.percent is not None and s.weight]
    total = sum(w for _, w in weighted)
    return 100.0 * sum((p / 100.0) * w for p, w in weighted) / total if total else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def compare_subscription(settings: Settings, api: ApiScore, report: Mapping[str, Any] | None,
                         now: datetime, found: covered.Covered | None = None) -> Row:
    label = (found or covered.of_stack(settings)).label(api.subscription_id)
    reported = _number((report or {}).get("ScoreNow"))
    defender = None if api.percent is None else round(api.percent, 2)
    difference = None if reported is None or defender is None else round(reported - defender, 2)
    if difference is not None and abs(difference) <= TOLERANCE:
        return Row(api.subscription_id, label, defender, reported, difference, True, "", "")
    cause, fix = likely_cause(settings, api, report, now)
    return Row(api.subscription_id, label, defender, reported, difference, False, cause, fix)


def likely_cause(settings: Settings, api: ApiScore, report: Mapping[str, Any] | None,
                 now: datetime) -> tuple[str, str]:
    if api.percent is None:
        return api.problem, api.fix
    last_seen = parse_time(str((report or {}).get("LastSeen") or ""))
    if not report or not report.get("HasData"):
        seen = f" (latest row {last_seen:%Y-%m-%d %H:%M} UTC)" if last_seen else ""
        return (f"no snapshot yet: the workspace has no SecureScores row of this subscription in the last "
                f"{settings.report.lookback_days} days{seen}",
                f"{export_fix(settings)}; export has no backfill: rows arrive with the next score change or the "
                "weekly snapshot (exportSnapshots: true)")
    if last_seen is not None and now - last_seen > STALE_AFTER:
        age = now - last_seen
        return (f"the export is stale: its latest row is {age.days} days {age.seconds // 3600} h old, and "
                "Defender's score changed since",
                f"check the export automation ({automation_name(settings)} in "
                f"{settings.export.resource_group_name}) of this subscription; it writes on every change")
    return ("a recent change the export has not written yet (Defender recalculates about every 8 hours and "
            "the export follows within hours)", "run the reconciliation again later")


def automation_name(settings: Settings) -> str:
    """The export automation of each subscription: the stack's, or the one Microsoft's policy deploys."""
    return POLICY_AUTOMATION_NAME if settings.scope is not None else settings.export.automation_name


def export_fix(settings: Settings) -> str:
    if settings.scope is None:
        return "check the continuous export of this subscription (pulumi up)"
    return ("the policy deploys the export to each subscription under the group: `securescore check` shows the "
            f"assignment's compliance; remediate with {remediate_command(settings)}")


def compare_overall(settings: Settings, scores: Sequence[ApiScore], overall: Mapping[str, Any] | None,
                    rows: Sequence[Row], unasked: Sequence[str] = ()) -> Row:
    """``unasked``: subscriptions the report counts that the Secure Score API was not asked about (under
    the group but not enabled), by label."""
    defender_value = weighted_overall(scores)
    defender = None if defender_value is None else round(defender_value, 2)
    reported = _number((overall or {}).get("ScoreNow"))
    difference = None if reported is None or defender is None else round(reported - defender, 2)
    name = f"Overall ({len(scores)} subscriptions, weighted)"
    if difference is not None and abs(difference) <= TOLERANCE:
        return Row("overall", name, defender, reported, difference, True, "", "")
    differing = [r for r in rows if not r.ok]
    if differing:
        cause = f"{len(differing)} subscription(s) differ (see above)"
        fix = "fix those subscriptions first"
    elif unasked:
        cause = (f"the report also counts {len(unasked)} subscription(s) under the group that are not enabled, "
                 f"which Defender's side leaves out: {', '.join(unasked[:covered.SHOWN])}"
                 + (f" and {len(unasked) - covered.SHOWN} more" if len(unasked) > covered.SHOWN else ""))
        fix = "none needed: their rows leave the report once they are older than lookbackDays"
    elif defender is None or reported is None:
        cause, fix = "one side has no score at all", "see the subscriptions above"
    else:
        cause = ("every subscription agrees, so the weights differ: the export's Weight column is not the "
                 "API's weight")
        fix = "wait for the next weekly snapshot (it rewrites every row with the current weight)"
    return Row("overall", name, defender, reported, difference, False, cause, fix)


def report_membership(settings: Settings, found: covered.Covered) -> Sequence[str] | object | None:
    """The subscription filter the deployed queries get: in management-group mode what the Logic App's
    Compose_subscription_filter makes of the group's list (every GUID, or no filter past
    ``maxFilteredSubscriptions``); the stack's list otherwise (RUN_TIME: the template's own)."""
    if settings.scope is None:
        return RUN_TIME
    limit = discovery.max_filtered_subscriptions(render_queries(settings, LOGIC_APP_REPORT_TIME))
    return [s.id for s in found.members] if len(found.members) <= limit else None


def reconcile(settings: Settings, arm: ArmClient, source: Any, now: datetime, principal: str,
              assignee: str, found: covered.Covered | None = None) -> list[Row]:
    found = found or covered.of_stack(settings)
    scores = [api_score(arm, settings, sub, principal, assignee) for sub in found.ids]
    report_time = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    membership = report_membership(settings, found)
    per_subscription = {str(r.get("SubscriptionId") or "").lower(): r for r in source.run_query(
        render_query("subscriptions", settings, report_time, membership=membership))}
    overall_rows = source.run_query(render_query("overall", settings, report_time, membership=membership))
    rows = [compare_subscription(settings, api, per_subscription.get(api.subscription_id), now, found)
            for api in scores]
    unasked = [found.label(s.id) for s, _ in found.not_enabled if (per_subscription.get(s.id) or {}).get("HasData")]
    return [*rows, compare_overall(settings, scores, overall_rows[0] if overall_rows else None, rows, unasked)]


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def discovery_document(found: covered.Covered) -> dict[str, Any]:
    """Management-group mode in --json: what was discovered under which group."""
    return {"id": found.management_group_id, "discovered": len(found.members) + found.ignored,
            "compared": found.ids,
            "notEnabled": [{"subscription": s.id, "name": s.name, "state": state} for s, state in found.not_enabled],
            "ignored": found.ignored}


def print_rows(console: Console, rows: Sequence[Row], as_json: bool, warnings: Sequence[str],
               found: covered.Covered | None = None) -> None:
    group = found if found is not None and found.management_group_id is not None else None
    if as_json:
        document: dict[str, Any] = {"ok": all(r.ok for r in rows), "tolerance": TOLERANCE,
                                    "rows": [asdict(r) for r in rows], "warnings": list(warnings)}
        if group is not None:
            document["managementGroup"] = discovery_document(group)
        console.print(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if group is not None:
        console.print(f"{group.summary()}\n")
    width = max(len(r.name) for r in rows)
    console.print(f"{'':{width}}  {'Defender':>9}  {'Report':>9}  {'Diff':>7}")
    for row in rows:
        flag = "ok" if row.ok else "DIFFERS"
        diff = "-" if row.difference is None else f"{row.difference:+.2f}"
        console.print(f"{row.name:{width}}  {_shown(row.defender):>9}  {_shown(row.report):>9}  {diff:>7}  {flag}")
        if not row.ok:
            console.print(f"    likely cause: {row.cause}")
            if row.fix:
                console.print(f"    fix: {row.fix}")
    for warning in warnings:
        console.print(f"warning: {warning}")
    failed = sum(not r.ok for r in rows)
    console.print(f"\nAll scores agree within {TOLERANCE} points." if not failed
                  else f"\n{failed} of {len(rows)} differ by more than {TOLERANCE} points.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.reconcile",
        description="Compare the report's numbers (its own queries on the workspace) with Defender for Cloud's "
        "(the Secure Score API), per subscription and overall; flag differences above "
        f"{TOLERANCE} points with their likely cause. Exit 0 when all agree.",
    )
    add_stack_argument(parser)
    parser.add_argument("--workspace-id", help="query the workspace by its workspace (customer) id GUID instead "
                        "of the stack's resource id")
    parser.add_argument("--json", action="store_true", help="print {ok, tolerance, rows, warnings} as JSON")
    add_azure_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None, *, console: Console | None = None, env: Mapping[str, str] | None = None,
         limits: NetworkLimits | None = None, **stand_ins: Unpack[StandIns]) -> int:
    return run_workspace_helper(build_parser(), _reconcile, argv, console, env, limits, stand_ins)


def _reconcile(run: WorkspaceRun) -> int:
    session, settings = run.session, run.settings
    claims = session.sign_in(run.credential)
    principal, assignee = describe_principal(claims), str(claims.get("oid") or "")
    source = run.logs_source()
    with run.arm() as arm:
        try:
            found = covered.discover(arm, settings, assignee or "<you>")
        except MembershipError as error:
            session.console.error(f"error: the subscriptions under the management group are unknown: {error}")
            return EXIT_FAILED
        try:
            rows = reconcile(settings, arm, source, run.now, principal, assignee, found)
        except SourceError as error:
            session.console.error(f"error: the report's queries failed on the workspace: {error}")
            return EXIT_FAILED
    print_rows(session.console, rows, run.args.json, source.warnings, found)
    return EXIT_OK if all(r.ok for r in rows) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
