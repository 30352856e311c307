"""The Secure Score API as a feed: JSON lines, one per secure score and one per control.

Each line is the API's item (id, name, type, properties; controls with their ``definition``) plus
``subscriptionId`` and ``kind`` ("secureScore" or "secureScoreControl"). Pages are followed via
nextLink. A subscription that fails is reported on stderr and the others are still exported.

    python -m scripts.export_scores --stack prod --out scores.jsonl
    python -m scripts.export_scores --subscription SUB [--subscription SUB ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.transport import HttpTransport

from securescore.arm import SECURITY_API_VERSION, ArmClient, ArmError, secure_score_controls_path, secure_scores_path
from securescore.cli.check import secure_score_fix
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
    describe_principal,
    explain_auth_error,
    optional_settings,
    report_usage_error,
    start_cli,
    token_claims,
)
from securescore.settings import SettingsError

KIND_SCORE = "secureScore"
KIND_CONTROL = "secureScoreControl"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.export_scores",
        description="Write the current secure scores and secure score controls (with their definitions) "
        "of subscriptions as JSON lines, straight from the Secure Score API.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--subscription", action="append", metavar="ID",
                        help="a subscription id (repeatable; default: $AZURE_SUBSCRIPTION_ID)")
    add_stack_argument(parser, group=source)
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    add_azure_arguments(parser)
    return parser


def resolve_subscriptions(args: argparse.Namespace, env: Mapping[str, str]) -> list[str]:
    if settings := optional_settings(args, unless=("subscription",)):
        return list(settings.subscription_ids)
    given = args.subscription or [s for s in [default_subscription(None, env)] if s]
    if not given:
        raise UsageError("give --subscription ID (repeatable), --stack NAME, or set AZURE_SUBSCRIPTION_ID")
    subscriptions: list[str] = []
    for value in given:
        sub = check_guid(value, "--subscription")
        if sub not in subscriptions:
            subscriptions.append(sub)
    return subscriptions


def records(arm: ArmClient, subscription_id: str) -> Iterator[dict[str, Any]]:
    """The subscription's secure scores, then its controls, each tagged with kind and subscription."""
    for item in arm.list(secure_scores_path(subscription_id), SECURITY_API_VERSION):
        yield {"kind": KIND_SCORE, "subscriptionId": subscription_id, **item}
    controls = arm.list(secure_score_controls_path(subscription_id), SECURITY_API_VERSION,
                        params={"$expand": "definition"})
    for item in controls:
        yield {"kind": KIND_CONTROL, "subscriptionId": subscription_id, **item}


def export(arm: ArmClient, subscriptions: Sequence[str], out: TextIO, console: Console, principal: str,
           assignee: str = "<object id>") -> int:
    failures = 0
    for sub in subscriptions:
        count = 0
        try:
            for record in records(arm, sub):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        except ArmError as error:
            failures += 1
            console.error(f"{sub}: {error.short()}\n  fix: {secure_score_fix(error, sub, principal, assignee)}")
            continue
        console.error(f"{sub}: {count} records")
    out.flush()
    return EXIT_FAILED if failures else EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    *,
    credential: TokenCredential | None = None,
    transport: HttpTransport | None = None,
    console: Console | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    env, console, options = start_cli(args, env, console)
    try:
        subscriptions = resolve_subscriptions(args, env)
    except (SettingsError, UsageError) as error:
        return report_usage_error(console, error)
    credential = credential or build_credential(options)
    try:
        claims = token_claims(credential.get_token(ARM_SCOPE).token)
    except ClientAuthenticationError as error:
        detail, fix = explain_auth_error(error)
        console.error(f"error: could not sign in to Azure: {detail}\n  fix: {fix}")
        return EXIT_FAILED
    who = (describe_principal(claims), str(claims.get("oid") or "<object id>"))
    with ArmClient(credential, transport) as arm:
        if not args.out:
            return export(arm, subscriptions, sys.stdout, console, *who)
        with Path(args.out).open("w", encoding="utf-8", newline="\n") as out:
            return export(arm, subscriptions, out, console, *who)


if __name__ == "__main__":
    sys.exit(main())
