"""Write a new stack file, stacks/Pulumi.NAME.yaml, with the required keys and every other key commented.

    securescore init-stack dev                 # asks for each value, checking it as you go
    securescore init-stack prod --location westeurope \\
        --subscription 11111111-1111-4111-8111-111111111111=Production \\
        --recipient secops@contoso.com --workspace-name law-securescore

Each answer is checked with the same validation `pulumi up` runs (securescore.settings); the file is
written only when the whole stack is valid, and never over an existing one without --force. Without a
terminal (CI, a pipe), missing values are not asked for: the command exits 2 naming the flags to give.

Exit codes: 0 written, 2 bad or missing values, or the file exists.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from securescore.cli.common import EXIT_OK, EXIT_USAGE
from securescore.project import ProjectError, find_project_dir, stack_name
from securescore.settings import PROJECT, SettingsError, declarations, parse_settings, stack_file

Ask = Callable[[str], str]

# The keys the stack file sets (every other key is written commented out, with its default).
WORKSPACE_KEYS = ("workspaceResourceId", "workspaceName")
WRITTEN_KEYS = ("location", "deploymentSubscriptionId", "subscriptions", "recipients", *WORKSPACE_KEYS)


@dataclass(frozen=True)
class Answers:
    values: dict[str, Any]
    missing: list[str]  # flags a non-interactive run lacks


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m securescore.cli.init_stack",
        description="Write a commented stacks/Pulumi.NAME.yaml with the required keys, asking for missing "
        "values when run in a terminal; every value is validated before the file is written.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("name", metavar="NAME", help="the stack name (letters, digits, '-', '_', '.')")
    parser.add_argument("--location", metavar="REGION", help="Azure region, e.g. westeurope")
    parser.add_argument("--subscription", action="append", metavar="GUID[=NAME]",
                        help="a monitored subscription, optionally with the name the email shows (repeatable)")
    parser.add_argument("--deployment-subscription", metavar="GUID",
                        help="subscription of the Logic App and its connections (default: the first --subscription)")
    parser.add_argument("--recipient", action="append", metavar="EMAIL", help="who receives the report (repeatable)")
    workspace = parser.add_mutually_exclusive_group()
    workspace.add_argument("--workspace-resource-id", metavar="ID",
                           help="an existing Log Analytics workspace (only read, never changed or deleted)")
    workspace.add_argument("--workspace-name", metavar="NAME", help="a workspace the stack creates")
    parser.add_argument("--project-dir", metavar="DIR",
                        help="the Pulumi project (default: the nearest folder at or above the current one with "
                        "Pulumi.yaml)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing stack file")
    return parser


# --- validation, one key at a time -----------------------------------------------------------


def problems_of(key: str, values: Mapping[str, Any], root: Path) -> list[str]:
    """What parse_settings says about ``key`` given the values so far (other keys' problems left out)."""
    try:
        parse_settings(values, root=root)
    except SettingsError as error:
        prefix = f"{PROJECT}:{key}"
        return [p for p in error.problems if p.startswith(prefix) and p[len(prefix):len(prefix) + 1] in (":", " ")]
    return []


def _flag(key: str) -> str:
    return {
        "location": "--location", "deploymentSubscriptionId": "--deployment-subscription",
        "subscriptions": "--subscription", "recipients": "--recipient",
        "workspaceResourceId": "--workspace-resource-id", "workspaceName": "--workspace-name",
    }[key]


def collect(args: argparse.Namespace, root: Path, ask: Ask | None, err: TextIO) -> Answers:
    """The values from the flags, asking (when ``ask`` is given) for each one missing, until it is valid."""
    values: dict[str, Any] = {}
    missing: list[str] = []

    def one(key: str, given: Any, prompt: str, default: str = "") -> None:
        if given is not None:
            values[key] = given
            return
        if ask is None:
            missing.append(_flag(key))
            return
        while True:
            answer = ask(f"{prompt}{f' [{default}]' if default else ''}: ").strip() or default
            if not answer:
                err.write("  a value is needed\n")
                continue
            problems = problems_of(key, {**values, key: answer}, root)
            if not problems:
                values[key] = answer
                return
            err.writelines(f"  {p}\n" for p in problems)

    def many(key: str, given: list[str] | None, prompt: str) -> None:
        if given:
            values[key] = given
            return
        if ask is None:
            missing.append(_flag(key) + " (repeatable)")
            return
        entries: list[str] = []
        while True:
            answer = ask(f"{prompt} {len(entries) + 1}{' (empty to finish)' if entries else ''}: ").strip()
            if not answer:
                if entries:
                    values[key] = entries
                    return
                err.write("  at least one is needed\n")
                continue
            problems = problems_of(key, {**values, key: [*entries, answer]}, root)
            if problems:
                err.writelines(f"  {p}\n" for p in problems)
            else:
                entries.append(answer)

    one("location", args.location, "Azure region of the Logic App (e.g. westeurope)")
    many("subscriptions", args.subscription, "Monitored subscription (GUID, or GUID=name shown in the email)")
    first = str(values.get("subscriptions", [""])[0]).partition("=")[0].strip()
    if args.deployment_subscription or first or ask is not None:  # without subscriptions it would default to one
        one("deploymentSubscriptionId", args.deployment_subscription or (first if args.subscription else None),
            "Subscription that holds the Logic App and its connections", default=first)
    many("recipients", args.recipient, "Recipient email address")
    if args.workspace_resource_id or args.workspace_name:
        key = "workspaceResourceId" if args.workspace_resource_id else "workspaceName"
        values[key] = args.workspace_resource_id or args.workspace_name
    elif ask is None:
        missing.append("--workspace-resource-id or --workspace-name")
    else:
        _ask_workspace(values, root, ask, err)
    return Answers(values, missing)


def _ask_workspace(values: dict[str, Any], root: Path, ask: Ask, err: TextIO) -> None:
    while True:
        answer = ask("Log Analytics workspace: the resource id of an existing one (/subscriptions/...), "
                     "or a name for one the stack creates: ").strip()
        if not answer:
            err.write("  a value is needed\n")
            continue
        key = "workspaceResourceId" if answer.startswith("/") else "workspaceName"
        problems = problems_of(key, {**values, key: answer}, root)
        if not problems:
            values[key] = answer
            return
        err.writelines(f"  {p}\n" for p in problems)


# --- the file ---------------------------------------------------------------------------------


def render(name: str, values: Mapping[str, Any], root: Path) -> str:
    """The stack file: the given keys, then every other declared key commented out with its default."""
    decls = declarations(root)
    lines = [
        f"# Stack {name} of {PROJECT}, written by `securescore init-stack {name}`.",
        f"# Every key, its type and its default: the README's Configuration table ({PROJECT}'s Pulumi.yaml).",
        f"# Preview the email: securescore preview --stack {name}; deploy: pulumi stack init {name}, pulumi up.",
        "config:",
    ]
    for key in WRITTEN_KEYS:
        if key in values:
            lines += _comment(decls[key].description)
            lines += _entry(key, values[key])
    lines += ["", "  # --- optional: uncomment a key to change its default -------------------------------"]
    for key, decl in decls.items():
        if key in WRITTEN_KEYS or decl.required:
            continue
        lines += _comment(decl.description)
        lines += [f"  # {line}" for line in _entry(key, decl.default, indent="")]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    return [f"  # {line}" for line in textwrap.wrap(text, width=96)]


def _entry(key: str, value: Any, indent: str = "  ") -> list[str]:
    # JSON scalars are valid YAML, and quoting every string keeps "=", ":" and "#" in names literal.
    full_key = f"{PROJECT}:{key}"
    if isinstance(value, list):
        if not value:
            return [f"{indent}{full_key}: []"]
        return [f"{indent}{full_key}:", *(f"{indent}  - {json.dumps(v, ensure_ascii=False)}" for v in value)]
    return [f"{indent}{full_key}: {json.dumps(value, ensure_ascii=False)}"]


def write_stack(path: Path, text: str) -> None:
    """All or nothing: a temporary file beside the target, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


# --- running ------------------------------------------------------------------------------------


def main(
    argv: Sequence[str] | None = None,
    *,
    ask: Ask | None = None,
    interactive: bool | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    out, err = out or sys.stdout, err or sys.stderr
    if interactive is None:
        interactive = sys.stdin.isatty()
    try:
        if "/" in args.name:
            raise ProjectError(f"stack name {args.name!r}: give the stack's own name, without org/project/")
        name = stack_name(args.name)
        root = find_project_dir(args.project_dir)
    except ProjectError as error:
        err.write(f"error: {error}\n")
        return EXIT_USAGE
    path = stack_file(name, root)
    if path.exists() and not args.force:
        err.write(f"error: {path} exists; give --force to overwrite it\n")
        return EXIT_USAGE
    try:
        answers = collect(args, root, (ask or input) if interactive else None, err)
    except EOFError:
        err.write("error: the input ended before every value was given; nothing was written\n")
        return EXIT_USAGE
    if answers.missing:
        err.write(f"error: not a terminal, so nothing is asked; give {', '.join(answers.missing)}\n")
        return EXIT_USAGE
    try:
        # The region as Azure spells it ("West Europe" -> westeurope), then the file as written must be
        # a valid stack: the same check `pulumi up` runs first.
        values = {**answers.values, "location": parse_settings(answers.values, root=root).location}
        text = render(name, values, root)
        written = yaml.safe_load(text)["config"]
        parse_settings({k.partition(":")[2]: v for k, v in written.items()}, source=str(path), root=root)
    except SettingsError as error:
        err.write(f"error: {error}\n")
        return EXIT_USAGE
    write_stack(path, text)
    out.write(f"{path}\n")
    err.write(f"Next: securescore preview --stack {name}   (the email from sample data)\n"
              f"      pulumi stack init {name} (or select), then pulumi up\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
