"""Write a stack's Logic App package: the workflow definition and its parameters, for review and diff.

    securescore package --stack prod [--out build/prod/logicapp.json]

The definition is exactly what `pulumi up` deploys (logicapp.definition.build_definition); the
connection ids are the ones the stack's connections get, derived from their names.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from securescore.arm import connection_id
from securescore.cli.common import EXIT_OK, EXIT_USAGE, add_stack_argument, load_settings
from securescore.logicapp.connections import connections_value
from securescore.logicapp.definition import build_definition, uses_connections
from securescore.settings import Settings, SettingsError


def build_package(settings: Settings) -> dict[str, Any]:
    def deployed_id(name: str) -> str:
        return connection_id(settings.deployment_subscription_id, settings.resource_group_name, name)

    connections = connections_value(
        settings,
        logs_connection_id=deployed_id(settings.logs_connection_name),
        office365_connection_id=deployed_id(settings.office365_connection_name),
    )
    # Zero-touch mode uses no connection; its deploy-time values (workspace customer id, ACS endpoint,
    # sender address) are given by `pulumi up` and are not known here.
    parameters = {"$connections": {"value": connections}} if uses_connections(settings) else {}
    return {"definition": build_definition(settings), "parameters": parameters}


def package_json(settings: Settings) -> str:
    """Canonical text (sorted keys): the same settings give the same bytes, so diffs show real changes."""
    return json.dumps(build_package(settings), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.package", description=__doc__.splitlines()[0])
    add_stack_argument(parser)
    parser.add_argument("--out", type=Path, help="output file (default: build/<stack>/logicapp.json)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)  # the same text as every other command
        return EXIT_USAGE
    out: Path = args.out or args.project_dir / "build" / args.stack / "logicapp.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(package_json(settings), encoding="utf-8")
    print(out)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
