"""What every command needs before it talks to Azure: exit codes, usage errors, ``--stack`` and
``--project-dir``, and the stack's settings.

Kept free of the Azure SDK so the preview starts fast (its start-up time is a bench target);
``securescore.cli.common`` re-exports all of it for the helpers.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence

from securescore.project import ProjectError, find_project_dir, resolve_stack, selected_stack
from securescore.settings import Settings, settings_from_stack

EXIT_OK = 0
EXIT_FAILED = 1  # a check or an Azure call failed
EXIT_USAGE = 2  # bad arguments or configuration

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


class UsageError(Exception):
    """A problem with the arguments or the environment the user can fix; exit code 2."""


# Shell completion (shtab) of --stack: the stacks of the nearest project (securescore.cli.completion).
STACK_COMPLETION = {"bash": "_securescore_stacks_compgen", "zsh": "_securescore_stacks"}


def add_stack_argument(
    parser: argparse.ArgumentParser,
    *,
    group: argparse._ActionsContainer | None = None,
    fallback: str | None = None,
    required: bool = False,
) -> None:
    """``--stack NAME`` and ``--project-dir DIR``, the same in every helper; ``load_settings`` resolves them.

    ``group``: put ``--stack`` there (a mutually exclusive group) instead of on the parser.
    ``fallback``: the stack used when none is given or selected (the preview's ``example``).
    ``required`` is kept for callers written before stacks were resolved: a stack is always resolved now.
    """
    del required
    default = "the stack `pulumi stack select` chose" + (f", else {fallback}" if fallback else "")
    stack = (group or parser).add_argument(
        "--stack", metavar="NAME", help=f"read the settings from stacks/Pulumi.NAME.yaml (default: {default})",
    )
    stack.complete = STACK_COMPLETION  # type: ignore[attr-defined]
    parser.add_argument(
        "--project-dir", metavar="DIR",
        help="the Pulumi project (default: the nearest folder at or above the current one with Pulumi.yaml)",
    )
    parser.set_defaults(stack_fallback=fallback)


def check_guid(value: str, what: str) -> str:
    if not _GUID.match(value or ""):
        raise UsageError(f"{what} must be a GUID like 00000000-0000-0000-0000-000000000000, not {value!r}")
    return value.lower()


def load_settings(args: argparse.Namespace | str) -> Settings:
    """The settings of the project's stack (see securescore.project for how both are found).

    Records what it resolved in ``args.project_dir`` (a Path) and ``args.stack``, for the helper's
    later use (output paths, messages). A bare stack name (older callers) means that stack of the
    project found from the current directory. Raises SettingsError (ProjectError is one).
    """
    if isinstance(args, str):
        args = argparse.Namespace(stack=args)
    root = find_project_dir(getattr(args, "project_dir", None))
    stack = resolve_stack(root, getattr(args, "stack", None), fallback=getattr(args, "stack_fallback", None))
    args.project_dir, args.stack = root, stack
    return settings_from_stack(stack, root)


def optional_settings(args: argparse.Namespace, unless: Sequence[str] = ()) -> Settings | None:
    """For helpers that also work without a stack: the stack's settings, or None.

    ``--stack`` given: its settings. One of the ``unless`` arguments given (the helper is pointed at
    resources directly, e.g. ``subscription``): None. Else the stack the Pulumi CLI has selected for
    the project, when there is a project and a selection; None otherwise.
    """
    if getattr(args, "stack", None):
        return load_settings(args)
    if any(getattr(args, name, None) for name in unless):
        return None
    try:
        root = find_project_dir(getattr(args, "project_dir", None))
    except ProjectError:
        if getattr(args, "project_dir", None):
            raise  # a wrong --project-dir is an error, not "no stack"
        return None
    selection = selected_stack(root)
    if selection.stack is None:
        return None
    args.stack = selection.stack
    return load_settings(args)


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> None:
    """Entry point wrapper for ``if __name__ == "__main__"``."""
    sys.exit(main(argv))
