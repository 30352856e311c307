"""The Secure Score API as a feed: JSON lines, one per secure score and one per control.

Each line is the API's item (id, name, type, properties; controls with their ``definition``) plus
``subscriptionId`` and ``kind`` ("secureScore" or "secureScoreControl"). Pages are followed via
nextLink. A subscription that fails is reported on stderr and the others are still exported.
With ``--stack`` in management-group mode the subscriptions are the enabled ones under the group,
discovered with Resource Graph as the signed-in user (securescore.cli.covered); stderr says how many
were found under which group and which were left out (not enabled).

    securescore export-scores --stack prod --out scores.jsonl
    securescore export-scores --subscription SUB [--subscription SUB ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import HttpTransport

from securescore.arm import SECURITY_API_VERSION, ArmClient, ArmError, NetworkLimits, secure_score_controls_path
from securescore.cli import covered
from securescore.cli.check import reading_scope, secure_score_fix
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
    describe_principal,
    optional_settings,
)
from securescore.datasources.membership import MembershipError
from securescore.datasources.secure_score_api import fetch_scores, no_score_message
from securescore.settings import Settings

KIND_SCORE = "secureScore"
KIND_CONTROL = "secureScoreControl"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.export_scores",
        description="Write the current secure scores and secure score controls (with their definitions) "
        "of subscriptions as JSON lines, straight from the Secure Score API. Exit 1 when a subscription "
        "could not be read or has no secure score (the others are still written).",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--subscription", action="append", metavar="ID",
                        help="a subscription id (repeatable; default: $AZURE_SUBSCRIPTION_ID)")
    add_stack_argument(parser, group=source)
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    add_azure_arguments(parser)
    return parser


def resolve_subscriptions(args: argparse.Namespace, env: Mapping[str, str]) -> Settings | list[str]:
    """The stack whose subscriptions to export (its list, or in management-group mode those under the
    group, known after sign-in), or the subscriptions given."""
    if settings := optional_settings(args, unless=("subscription",)):
        return settings
    given = args.subscription or [s for s in [default_subscription(None, env)] if s]
    if not given:
        raise UsageError("give --subscription ID (repeatable), --stack NAME, or set AZURE_SUBSCRIPTION_ID")
    subscriptions: list[str] = []
    for value in given:
        sub = check_guid(value, "--subscription")
        if sub not in subscriptions:
            subscriptions.append(sub)
    return subscriptions


class NoSecureScore(Exception):
    """The subscription has no secure score (an empty list, or the 404 "does not exist")."""


def records(arm: ArmClient, subscription_id: str) -> Iterator[dict[str, Any]]:
    """The subscription's secure scores, then its controls, each tagged with kind and subscription.

    Raises NoSecureScore for a subscription without Defender for Cloud data: an empty list would
    otherwise look like a successful export of nothing.
    """
    answer = fetch_scores(arm, subscription_id, controls=False)
    if not answer.has_score:
        raise NoSecureScore(no_score_message(subscription_id))
    for item in answer.scores:
        yield {"kind": KIND_SCORE, "subscriptionId": subscription_id, **item}
    controls = arm.list(secure_score_controls_path(subscription_id), SECURITY_API_VERSION,
                        params={"$expand": "definition"})
    for item in controls:
        yield {"kind": KIND_CONTROL, "subscriptionId": subscription_id, **item}


def export(arm: ArmClient, subscriptions: Sequence[str], out: TextIO, console: Console, principal: str,
           assignee: str = "<object id>", scope: str | None = None) -> int:
    """``scope``: where the fix for a refused read assigns the role (default: the subscription)."""
    failures = 0
    for sub in subscriptions:
        count = 0
        try:
            for record in records(arm, sub):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        except NoSecureScore as problem:
            failures += 1
            console.error(str(problem))
            continue
        except ArmError as error:
            failures += 1
            console.error(f"{sub}: {error.short()}\n  fix: {secure_score_fix(error, sub, principal, assignee, scope)}")
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
    limits: NetworkLimits | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    session = Session.start(args, env, console, limits)
    return session.run(lambda: _export(session, args, credential, transport))


def _export(session: Session, args: argparse.Namespace, credential: TokenCredential | None,
            transport: HttpTransport | None) -> int:
    target = resolve_subscriptions(args, session.env)
    credential = session.credential(credential)
    claims = session.sign_in(credential)
    principal, assignee = describe_principal(claims), str(claims.get("oid") or "<object id>")
    scope = reading_scope(target) if isinstance(target, Settings) else None
    with ArmClient(credential, transport, session.limits, session.endpoints) as arm:
        if isinstance(target, Settings):
            try:
                found = covered.discover(arm, target, assignee)
            except MembershipError as error:
                session.console.error(f"error: {error}")
                return EXIT_FAILED
            if found.management_group_id is not None:
                session.console.error(found.summary())
                if not found.subscriptions:  # nothing to export is a failure, not an empty success
                    session.console.error(f"error: nothing to export; fix: {covered.none_found_fix(target, principal)}")
                    return EXIT_FAILED
            subscriptions = found.ids
        else:
            subscriptions = target
        if not args.out:
            return export(arm, subscriptions, sys.stdout, session.console, principal, assignee, scope)
        with Path(args.out).open("w", encoding="utf-8", newline="\n") as out:
            return export(arm, subscriptions, out, session.console, principal, assignee, scope)


if __name__ == "__main__":
    sys.exit(main())
