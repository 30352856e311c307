"""`securescore`: one command for every helper, e.g. `securescore preview`, `securescore check --stack prod`.

Each subcommand is a module of this package with ``build_parser()`` and ``main(argv) -> int`` (the
same module `python -m scripts.<name>` runs). The dispatcher imports only the module it runs, so
`securescore --help` stays fast, and sets the parser's ``prog`` so that usage and help say
`securescore <name>`. To add a subcommand, add one line to ``SUBCOMMANDS`` below (or call
``register`` from a plugin module).

Exit codes, for every subcommand: 0 done / all checks passed, 1 a check, the data source or an
Azure call failed, 2 bad arguments or configuration; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from securescore import __version__
from securescore.cli.common import EXIT_FAILED, EXIT_USAGE

PROG = "securescore"
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Subcommand:
    name: str  # what the user types: `securescore <name>`
    module: str  # importable module with build_parser() and main(argv) -> int
    summary: str  # one line for `securescore --help`

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    def parser(self) -> argparse.ArgumentParser:
        """The module's own parser, named `securescore <name>` in its usage and help."""
        parser: argparse.ArgumentParser = self.load().build_parser()
        parser.prog = f"{PROG} {self.name}"
        return parser

    def run(self, argv: Sequence[str]) -> int:
        # Parsed here first, with this command's name in the text: --help (exit 0) and usage
        # errors (exit 2) read `securescore <name>`. The module's main then parses the same
        # arguments again, which cannot fail any more; the cost is microseconds.
        self.parser().parse_args(list(argv))
        return int(self.load().main(list(argv)))


SUBCOMMANDS: dict[str, Subcommand] = {}


def register(command: Subcommand) -> None:
    if command.name in SUBCOMMANDS:
        raise ValueError(f"subcommand {command.name!r} is registered twice")
    SUBCOMMANDS[command.name] = command


for _command in (
    Subcommand("preview", "securescore.cli.preview", "render the weekly email locally (sample data, CSV, or live)"),
    Subcommand("package", "securescore.cli.package", "write the stack's Logic App definition for review and diff"),
    Subcommand("init-stack", "securescore.cli.init_stack", "write a commented stacks/Pulumi.NAME.yaml, validated"),
    Subcommand("authorize", "securescore.cli.authorize", "show and authorize the Logic App's API connections"),
    Subcommand("check", "securescore.cli.check", "check sign-in, Secure Score API, workspace, connections, last run"),
    Subcommand("run-now", "securescore.cli.run_now", "run the report Logic App now and follow the run"),
    Subcommand("reconcile", "securescore.cli.reconcile", "the report's numbers beside Defender's own"),
    Subcommand("export-scores", "securescore.cli.export_scores", "write the current secure scores as JSON lines"),
    Subcommand("completion", "securescore.cli.completion", "print the bash or zsh completion script"),
):
    register(_command)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser: --help, --version and the list of subcommands (their own options are
    on their own parsers, loaded only when one runs)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The weekly Defender for Cloud secure score report: preview, package, operate.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `securescore COMMAND --help` for a command's options.\n"
        "Exit codes: 0 ok, 1 a check or an Azure call failed, 2 bad arguments or configuration.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for command in SUBCOMMANDS.values():
        commands.add_parser(command.name, help=command.summary, add_help=False)
    return parser


def full_parser() -> argparse.ArgumentParser:
    """Every subcommand with its real options, for shell completion (imports every module)."""
    parser = argparse.ArgumentParser(prog=PROG, description=build_parser().description)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for command in SUBCOMMANDS.values():
        own = command.parser()
        commands.add_parser(command.name, help=command.summary, description=command.summary,
                            parents=[own], add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(args)
    except SystemExit as done:  # argparse's --help, --version and usage errors
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_FAILED)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _dispatch(args: list[str]) -> int:
    parser = build_parser()
    if not args:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    name, rest = args[0], args[1:]
    if name.startswith("-"):
        parser.parse_args(args)  # --help / --version exit here; anything else is a usage error
        parser.error("give a COMMAND")
    command = SUBCOMMANDS.get(name)
    if command is None:
        close = difflib.get_close_matches(name, SUBCOMMANDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; commands: {', '.join(SUBCOMMANDS)}"
        parser.error(f"unknown command {name!r}{hint}")
    return command.run(rest)


def run() -> None:
    """The console script's entry point (pyproject [project.scripts])."""
    sys.exit(main())


if __name__ == "__main__":
    run()
