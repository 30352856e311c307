"""The README's command reference, generated from the real `--help` texts (tests/test_readme.py checks it).

    python -m securescore.cli.reference --write README.md   # after changing a command's options
    python -m securescore.cli.reference                     # print it

The text sits between two markers in README.md; everything else in the file is left as it is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from securescore.cli.main import PROG, SUBCOMMANDS, build_parser

START = "<!-- command-reference:start (generated: python -m securescore.cli.reference --write README.md) -->"
END = "<!-- command-reference:end -->"
WIDTH = 100  # the help texts' line width, fixed so the reference does not depend on the terminal


def fixed_width(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    formatter = parser.formatter_class
    parser.formatter_class = lambda prog: formatter(prog, width=WIDTH)  # type: ignore[assignment,misc,call-arg]
    return parser


def help_text(name: str | None = None) -> str:
    """`securescore --help`, or `securescore NAME --help`, as printed at WIDTH columns."""
    parser = build_parser() if name is None else SUBCOMMANDS[name].parser()
    return fixed_width(parser).format_help()


def markdown() -> str:
    parts = [START, "", "```text", f"$ {PROG} --help", help_text().rstrip(), "```", ""]
    for name, command in SUBCOMMANDS.items():
        parts += [
            f"<details><summary><code>{PROG} {name}</code>: {command.summary}</summary>",
            "",
            "```text",
            f"$ {PROG} {name} --help",
            help_text(name).rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join([*parts, END])


def replace_block(text: str, block: str) -> str:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the markers {START!r} and {END!r} are missing")
    return text[:start] + block + text[end + len(END):]


def current_block(text: str) -> str:
    start, end = text.find(START), text.find(END)
    return text[start:end + len(END)] if 0 <= start < end else ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m securescore.cli.reference", description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, metavar="README", help="replace the reference in this file")
    args = parser.parse_args(argv)
    if args.write is None:
        sys.stdout.write(markdown() + "\n")
        return 0
    args.write.write_text(replace_block(args.write.read_text(encoding="utf-8"), markdown()), encoding="utf-8")
    print(args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
