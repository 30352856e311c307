"""A checklist: small check functions, run in order, one line each with a fix when it fails.

``check`` (after deploying) and ``check --before-deploy`` (readiness) are both lists of ``Check``.
A deployment mode that needs more (another data path, another scope) adds its own functions to the
list for its settings; nothing else changes:

    def my_check(ctx: CheckContext) -> list[CheckResult]: ...
    checks = [*post_deploy_checks(settings), Check("My thing", my_check)]

A check that meets a dead network raises AzureUnreachable: the list stops there (every later
request would wait as long) and the helper ends with one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from azure.core.credentials import TokenCredential

from securescore.arm import ArmClient, AzureUnreachable
from securescore.cli.common import Console, Session, describe_principal
from securescore.settings import Settings


@dataclass(frozen=True)
class CheckResult:
    check: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass
class CheckContext:
    """What a check can use: the stack, the signed-in identity, an ARM client, the run's clock."""

    stack: str
    settings: Settings
    session: Session
    credential: TokenCredential
    arm: ArmClient
    claims: dict[str, Any]
    now: datetime
    options: dict[str, Any]  # per-command extras (e.g. "workspace_id", "logs_factory")

    @property
    def principal(self) -> str:
        return describe_principal(self.claims)

    @property
    def assignee(self) -> str:
        return str(self.claims.get("oid") or "<object id>")


@dataclass(frozen=True)
class Check:
    """One item: its name (used for the "skipped" line when sign-in failed) and its function."""

    name: str
    run: Callable[[CheckContext], list[CheckResult]]


def run_checklist(ctx: CheckContext, checks: Sequence[Check],
                  on_result: Callable[[CheckResult], None] = lambda result: None) -> list[CheckResult]:
    results: list[CheckResult] = []
    for check in checks:
        for result in check.run(ctx):
            results.append(result)
            on_result(result)
    return results


def skipped(checks: Sequence[Check], reason: str) -> list[CheckResult]:
    return [CheckResult(check.name, False, f"skipped: {reason}") for check in checks]


class Printer:
    """Text: each result as it comes (a slow network shows progress); JSON: the list at the end."""

    def __init__(self, console: Console, as_json: bool) -> None:
        self.console, self.as_json = console, as_json

    def result(self, result: CheckResult) -> None:
        if self.as_json:
            return
        self.console.print(f"{'[ok]  ' if result.ok else '[FAIL]'} {result.check}: {result.detail}")
        if not result.ok and result.fix:
            self.console.print(f"       fix: {result.fix}")

    def finish(self, results: list[CheckResult], stopped: AzureUnreachable | None = None) -> None:
        if self.as_json:
            shown = [*results]
            if stopped is not None:
                shown.append(CheckResult("Azure network", False, stopped.one_line().split("; fix: ")[0],
                                         stopped.one_line().split("; fix: ", 1)[1]))
            self.console.print(json.dumps([asdict(r) for r in shown], indent=2, ensure_ascii=False))
            return
        if stopped is not None:
            return  # the helper's one-line error follows
        failed = sum(not r.ok for r in results)
        self.console.print(f"\n{len(results) - failed} of {len(results)} checks passed." if failed
                           else f"\nAll {len(results)} checks passed.")


def run_and_print(session: Session, printer: Printer, first: list[CheckResult], ctx: CheckContext | None,
                  checks: Sequence[Check]) -> list[CheckResult]:
    """``first`` (already run: sign-in) then the checks; on a dead network, what ran is printed and
    AzureUnreachable goes on to the helper's one-line error."""
    results = list(first)
    for result in first:
        printer.result(result)
    if ctx is None:
        rest = skipped(checks, "no token")
        for result in rest:
            printer.result(result)
        results += rest
        printer.finish(results)
        return results
    def collect(result: CheckResult) -> None:
        results.append(result)
        printer.result(result)

    try:
        run_checklist(ctx, checks, collect)
    except AzureUnreachable as error:
        printer.finish(results, error)
        raise
    printer.finish(results)
    return results
