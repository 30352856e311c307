"""Which project and which stack a command works on, whatever the current directory.

The project is ``--project-dir DIR``, else the nearest folder at or above the current one that holds
``Pulumi.yaml`` (where the Pulumi CLI would look). The stack is ``--stack NAME``, else the stack the
Pulumi CLI has selected for that project (``pulumi stack --show-name``, when the CLI is installed),
else the command's fallback (the preview's ``example``), else an error that lists the project's stacks.

Pure Python apart from that one optional subprocess; no Pulumi SDK.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from securescore.settings import SettingsError, available_stacks, stack_file

PROJECT_FILE = "Pulumi.yaml"
# The Pulumi CLI to ask for the selected stack; unset: `pulumi` on PATH; empty: never ask.
PULUMI_ENV = "SECURESCORE_PULUMI"
# `pulumi stack --show-name` reads the workspace and may ask the backend; a CLI that does not answer
# quickly must not hang every helper, so after this long the stack counts as not selected.
PULUMI_TIMEOUT_SECONDS = 5.0
# Pulumi's stack names (letters, digits, '-', '_', '.'), optionally qualified as org/project/stack;
# no part starts with '.' or '-' (so never "..", nor something that reads as an option).
_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_STACK_NAME = re.compile(rf"^(?:{_PART}/){{0,2}}(?P<name>{_PART})$")


class ProjectError(SettingsError):
    """No project, or no stack, could be determined: a usage error (exit code 2), said in one sentence."""

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, message)
        self.problems = [message]


def find_project_dir(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """``explicit`` (``--project-dir``) when given, else the nearest folder at or above ``cwd`` with Pulumi.yaml."""
    if explicit is not None and str(explicit) != "":
        folder = Path(explicit).expanduser().resolve()
        if not folder.is_dir():
            raise ProjectError(f"--project-dir {explicit}: no such directory")
        if not (folder / PROJECT_FILE).is_file():
            raise ProjectError(f"--project-dir {explicit}: {folder} holds no {PROJECT_FILE}")
        return folder
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    raise ProjectError(
        f"no {PROJECT_FILE} in {start} or any folder above it: run the command inside your Pulumi project, "
        "or give --project-dir DIR"
    )


def stack_name(text: str) -> str:
    """The stack's own name from ``NAME`` or ``org/project/NAME``; its file is stacks/Pulumi.NAME.yaml."""
    match = _STACK_NAME.match(text.strip())
    if not match:
        raise ProjectError(
            f"--stack {text!r}: a stack name has only letters, digits, '-', '_' and '.' (optionally org/project/NAME)"
        )
    return match["name"]


@dataclass(frozen=True)
class Selection:
    """The stack the Pulumi CLI has selected, or None with the reason (for the error message)."""

    stack: str | None
    reason: str = ""


def selected_stack(
    project_dir: Path, *, env: Mapping[str, str] | None = None, timeout: float = PULUMI_TIMEOUT_SECONDS
) -> Selection:
    """Ask the Pulumi CLI (when it is on PATH) which stack is selected for ``project_dir``."""
    env = os.environ if env is None else env
    if env.get(PULUMI_ENV) == "":
        return Selection(None, f"{PULUMI_ENV} is empty, so the Pulumi CLI is not asked")
    executable = shutil.which(env.get(PULUMI_ENV) or "pulumi", path=env.get("PATH", os.defpath))
    if executable is None:
        return Selection(None, "the Pulumi CLI is not on PATH, so no stack is selected")
    command = [executable, "stack", "--show-name", "--non-interactive"]
    try:
        done = subprocess.run(
            command, cwd=project_dir, env=dict(env), stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return Selection(None, f"`pulumi stack --show-name` did not answer within {timeout:g} s")
    except OSError as error:
        return Selection(None, f"`pulumi stack --show-name` could not run: {error.strerror or error}")
    output = done.stdout.strip().splitlines()
    if done.returncode != 0 or not output:
        said = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "")
        return Selection(None, f"`pulumi stack --show-name` selected none ({_shorten(said or 'no output')})")
    try:
        return Selection(stack_name(output[-1]))
    except ProjectError:
        return Selection(None, f"`pulumi stack --show-name` printed {_shorten(output[-1])!r}, not a stack name")


def resolve_stack(
    project_dir: Path,
    given: str | None,
    *,
    fallback: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = PULUMI_TIMEOUT_SECONDS,
) -> str:
    """``given`` (``--stack``), else the Pulumi CLI's selected stack, else ``fallback``, else ProjectError."""
    if given:
        return stack_name(given)
    selection = selected_stack(project_dir, env=env, timeout=timeout)
    if selection.stack:
        return selection.stack
    if fallback and stack_file(fallback, project_dir).is_file():
        return fallback
    stacks = available_stacks(project_dir)
    listed = ", ".join(stacks) if stacks else "none yet (create one with `securescore init-stack NAME`)"
    raise ProjectError(
        f"no stack given: use --stack NAME, or `pulumi stack select NAME` ({selection.reason}); "
        f"stacks in {project_dir / 'stacks'}: {listed}"
    )


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
