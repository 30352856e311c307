"""Render the weekly email on this machine, by executing the stack's Logic App definition locally.

    securescore preview                      # embedded sample data, example stack
    securescore preview --stack prod --now 2026-11-23T07:00:00Z --eml out/report.eml
    securescore preview --data ./exported-csv            # SecureScores.csv + SecureScoreControls.csv
    securescore preview --workspace-id <workspace GUID>  # live, with DefaultAzureCredential
    securescore preview --source api                     # live Secure Score API (no history)
    securescore preview --fail-query trend               # preview the failure notice
    securescore preview --stack mgmt --data ./csv --subscriptions-from members.json   # management group

Exit codes: 0 rendered, 1 the data source or the run failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import email.policy
import json
import sys
import webbrowser
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from securescore.cli.stack_args import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, add_stack_argument, load_settings
from securescore.emulator.local_run import CapturedEmail, DataSource, LocalRun, run_locally
from securescore.queries import ALL_QUERY_NAMES, MANAGEMENT_GROUP_QUERIES, QUERY_NAMES
from securescore.settings import Settings, SettingsError, Subscription

DEFAULT_STACK = "example"
SOURCES = ("sample", "csv", "workspace", "api")


def parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--now {text!r}: expected an ISO 8601 time such as 2026-11-23T07:00:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.preview",
        description="Render the weekly secure score email locally by executing the deployed workflow definition.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    add_stack_argument(parser, fallback=DEFAULT_STACK)
    parser.add_argument(
        "--source", choices=SOURCES, help="data source (default: sample; implied by --data or --workspace-id)"
    )
    parser.add_argument(
        "--data", type=Path, metavar="DIR",
        help="folder with SecureScores.csv and SecureScoreControls.csv (and SecurityRecommendation.csv when exported)",
    )
    parser.add_argument("--workspace-id", metavar="ID", help="Log Analytics workspace (customer) id to query live")
    parser.add_argument("--now", metavar="TIME", help="pin the clock, e.g. 2026-11-23T07:00:00Z (default: now)")
    parser.add_argument("--out", type=Path, help="HTML file to write (default: out/<stack>-weekly-report.html)")
    parser.add_argument("--eml", type=Path, metavar="PATH", help="also write the message as .eml for a mail client")
    parser.add_argument("--results-json", type=Path, metavar="PATH", help="also write every query's KQL and rows")
    parser.add_argument("--fail-query", choices=ALL_QUERY_NAMES, metavar="NAME",
                        help=f"make one query fail, to preview the failure notice ({', '.join(ALL_QUERY_NAMES)})")
    parser.add_argument("--subscriptions-from", type=Path, metavar="FILE",
                        help="management-group mode: Resource Graph's answer saved as JSON (az graph query -o json) "
                        "instead of asking Resource Graph as you (live sources) or reading the data (--data)")
    parser.add_argument("--open", action="store_true", help="open the HTML in the default browser, when there is one")
    return parser


def choose_source(args: argparse.Namespace) -> str:
    implied = [name for name, given in (("csv", args.data), ("workspace", args.workspace_id)) if given]
    if len(implied) > 1:
        raise UsageError("--data and --workspace-id cannot be combined: choose one data source")
    source = args.source or (implied[0] if implied else "sample")
    if implied and implied[0] != source:
        raise UsageError(f"--source {source} contradicts --{'data' if implied[0] == 'csv' else 'workspace-id'}")
    if source == "csv" and not args.data:
        raise UsageError("--source csv needs --data DIR")
    if source == "workspace" and not args.workspace_id:
        raise UsageError("--source workspace needs --workspace-id ID")
    return source


def live_membership(settings: Settings) -> list[dict[str, Any]]:
    """Management-group mode, live sources: Resource Graph asked as the signed-in user."""
    from securescore.arm import ArmClient
    from securescore.cli.common import default_credential
    from securescore.datasources import membership

    assert settings.scope is not None
    with ArmClient(default_credential()) as arm:
        return membership.fetch_membership(arm, settings.scope.management_group_id)


def membership_rows(source_name: str, args: argparse.Namespace, settings: Settings, source: DataSource | None,
                    warnings: list[str]) -> list[dict[str, Any]] | None:
    """The subscriptions under the management group for this preview (None outside that mode): the
    file, else the sample's own group, else Resource Graph (live sources), else the data's."""
    if settings.scope is None:
        return None
    from securescore.datasources import membership

    if args.subscriptions_from:
        return membership.read_membership_file(args.subscriptions_from)
    if source is not None and getattr(source, "membership_rows", None) is not None:
        return source.membership_rows  # type: ignore[attr-defined]
    if source_name in ("workspace", "api"):
        return live_membership(settings)
    if source is None:
        return None
    warnings.append(membership.FROM_DATA_WARNING)
    return membership.from_data(source.run_query)


def settings_for_source(settings: Settings, rows: list[dict[str, Any]] | None) -> Settings:
    """The Secure Score API source reads the subscriptions of the settings: in management-group mode
    the enabled ones under the group (only GUIDs, as the workflow would take them; securescore.cli.covered)."""
    if settings.scope is None or rows is None:
        return settings
    import dataclasses

    from securescore.cli.covered import from_rows

    ids = from_rows(settings, rows).ids
    return dataclasses.replace(settings, subscriptions=tuple(Subscription(i, i) for i in ids))


def open_source(name: str, args: argparse.Namespace, settings: Settings, now: datetime) -> tuple[DataSource, str]:
    """The data source, and a note for the email when the source lacks something."""
    # Each source imported only when chosen: the live ones pull in the Azure SDK, and the preview's
    # start-up time is a benchmark target.
    if name == "sample":
        from securescore.datasources import sample

        return sample.SampleSource(settings, now), ""
    if name == "csv":
        from securescore.datasources import csv_export

        return csv_export.CsvSource(args.data), ""
    from securescore.cli.common import default_credential  # DefaultAzureCredential with the network limits

    if name == "workspace":
        from securescore.datasources import workspace

        return workspace.WorkspaceSource(args.workspace_id, default_credential()), ""
    from securescore.datasources import secure_score_api

    api = secure_score_api.ApiSource(settings, default_credential(), now)
    return api, api.history_note


def write_eml(captured: CapturedEmail, path: Path, now: datetime) -> None:
    """The message as an .eml file (RFC 5322, CRLF): any valid title and recipient list round-trips.

    The email package's default policy writes non-ASCII text as RFC 2047 encoded words, but writes
    ASCII text as is, so a subject containing "=?...?=" would be decoded by the reader into something
    else; such a subject is written entirely as encoded words instead (checked by reading it back).
    """
    # SMTP allows 998-character lines; the default 78 folds a long subject right after "Subject:".
    policy = email.policy.SMTP.clone(max_line_length=998)
    message = _eml_message(captured, now, captured.subject, policy)
    if (_read_back_subject(message) or "").strip() != captured.subject.strip():  # unfolding may keep a space
        message = _eml_message(captured, now, _EncodedHeader("Subject", captured.subject), policy)
    path.write_bytes(bytes(message))


class _EncodedHeader(str):
    """A header value the email package folds as RFC 2047 encoded words (email.header.Header), always."""

    def __new__(cls, name: str, text: str) -> _EncodedHeader:
        header = super().__new__(cls, text)
        header.name = name
        return header

    def fold(self, *, policy: email.policy.Policy) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def _eml_message(captured: CapturedEmail, now: datetime, subject: str, policy: email.policy.Policy) -> EmailMessage:
    message = EmailMessage(policy=policy)
    message["From"] = Address("Secure score report (preview)", addr_spec="preview@localhost")
    message["To"] = [Address(addr_spec=address) for address in captured.to]
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Importance"] = captured.importance
    if captured.importance == "High":
        message["X-Priority"] = "1"
    message.set_content("This message is HTML; open it in a mail client that shows HTML.")
    message.add_alternative(captured.html, subtype="html")
    return message


def _read_back_subject(message: EmailMessage) -> str | None:
    return email.message_from_bytes(bytes(message), policy=email.policy.default)["Subject"]


def results_document(result: LocalRun) -> dict[str, Any]:
    return {
        "run_status": result.run.status,
        "actions": {name: action.status for name, action in result.run.actions.items()},
        "queries": {
            name: {"kql": result.query_texts.get(name), "rows": result.query_results.get(name)}
            for name in QUERY_NAMES + tuple(q for q in MANAGEMENT_GROUP_QUERIES if q in result.query_texts)
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        now = parse_now(args.now)
        source_name = choose_source(args)
        settings = load_settings(args)
    except (UsageError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    notes: list[str] = []
    try:
        # The Secure Score API source needs the group's subscriptions before it can read their scores.
        members = (membership_rows(source_name, args, settings, None, notes) if source_name == "api" else None)
        source, note = open_source(source_name, args, settings_for_source(settings, members), now)
        if members is None:
            members = membership_rows(source_name, args, settings, source, notes)
        result = run_locally(settings, source, now, fail_query=args.fail_query, data_note=note, membership=members)
    except Exception as error:  # a data source or the run failed: say which, never a traceback
        print(f"error: the {source_name} data source failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    for warning in [*getattr(source, "warnings", []), *notes]:
        print(f"warning: {warning}", file=sys.stderr)
    email = result.email
    out: Path = args.out or args.project_dir / "out" / f"{args.stack}-weekly-report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(email.html, encoding="utf-8")
    for path, writer in ((args.eml, lambda p: write_eml(email, p, now)),
                         (args.results_json, lambda p: p.write_text(
                             json.dumps(results_document(result), indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8"))):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer(path)
    print(f"Subject:    {email.subject}", file=sys.stderr)
    print(f"Importance: {email.importance}   To: {'; '.join(email.to)}   Source: {source.describe()}", file=sys.stderr)
    if email.action != "Send_report":
        print("The run failed and sent its failure notice instead of the report.", file=sys.stderr)
    print(out)
    if args.open and not _open_in_browser(out):
        print("note: no browser available here; open the file above yourself", file=sys.stderr)
    return EXIT_OK


def _open_in_browser(path: Path) -> bool:
    try:
        return webbrowser.get().open(path.resolve().as_uri())
    except webbrowser.Error:
        return False


if __name__ == "__main__":
    sys.exit(main())
