"""The same bad configuration gives the same message, exit code 2 and no traceback, in every command and
in the Pulumi program; nothing reaches Azure and nothing is written."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi_mocks import ProgramRun, config_for, run_program

import securescore.settings
from securescore.cli import authorize, check, export_scores, package, preview, run_now
from securescore.cli.common import Console
from securescore.infra.config import ConfigurationError
from securescore.settings import SettingsError, read_stack_values, settings_from_stack
from tests.test_stack_file_reading import VALID_CONFIG, make_project

BAD_VALUES = VALID_CONFIG.replace("westeurope", "westeurop") + (
    "  securescore-report:scheduleHour: 24\n"
    "  securescore-report:recipients2: [x@contoso.com]\n"
    "  securescore-report:reportTitle: \"Weekly\\u2028report\"\n"
)
UNREADABLE = "config:\n  securescore-report:location: [westeurope\n"


class NoAzure:
    """A credential that fails the test if any command gets as far as signing in."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise AssertionError("a command with bad configuration tried to sign in")


def with_console(main: Callable[..., int]) -> Callable[[list[str]], tuple[int, str]]:
    def run(argv: list[str]) -> tuple[int, str]:
        err = io.StringIO()
        code = main(argv, credential=NoAzure(), console=Console(out=io.StringIO(), err=err), env={})
        return code, err.getvalue()
    return run


def with_stderr(
    main: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> Callable[[list[str]], tuple[int, str]]:
    def run(argv: list[str]) -> tuple[int, str]:
        code = main(argv)
        return code, capsys.readouterr().err
    return run


# Each command is pointed at the temporary project the way a user would: --project-dir.
COMMANDS = {
    "preview": lambda capsys, out, root: with_stderr(preview.main, capsys)(
        ["--stack", "t", "--project-dir", str(root), "--out", str(out), "--eml", str(out) + ".eml"]
    ),
    "package": lambda capsys, out, root: with_stderr(package.main, capsys)(
        ["--stack", "t", "--project-dir", str(root), "--out", str(out)]
    ),
    "check": lambda capsys, out, root: with_console(check.main)(["--stack", "t", "--project-dir", str(root)]),
    "authorize": lambda capsys, out, root: with_console(authorize.main)(["--stack", "t", "--project-dir", str(root)]),
    "run_now": lambda capsys, out, root: with_console(run_now.main)(["--stack", "t", "--project-dir", str(root)]),
    "export_scores": lambda capsys, out, root: with_console(export_scores.main)(
        ["--stack", "t", "--project-dir", str(root), "--out", str(out)]
    ),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Point every command at a temporary project holding stack 't' with the given text."""
    def make(text: str) -> Path:
        root = make_project(tmp_path / "project", "config:\n" + text if not text.startswith("config:") else text)
        monkeypatch.setattr(securescore.settings, "PROJECT_ROOT", root)
        return root
    return make


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("text", [BAD_VALUES, UNREADABLE], ids=["bad-values", "unreadable-yaml"])
def test_every_command_prints_the_same_message_and_exits_2(
    command: str, text: str, project: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(text)
    with pytest.raises(SettingsError) as expected:
        settings_from_stack("t", root)
    out = tmp_path / "written"
    code, stderr = COMMANDS[command](capsys, out, root)
    assert code == 2
    assert stderr == f"error: {expected.value}\n"
    assert "Traceback" not in stderr
    assert not out.exists() and not Path(str(out) + ".eml").exists()


def test_the_messages_are_one_line_per_problem_naming_each_key(project: Callable[[str], Path]) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_stack("t", project(BAD_VALUES))
    lines = str(caught.value).splitlines()
    assert lines[0] == "4 configuration problems in stacks/Pulumi.t.yaml:"
    assert [line.split(":")[1] for line in lines[1:]] == ["recipients2 is not a known key; did you mean recipients?",
                                                          "location", "scheduleHour", "reportTitle"]


def test_the_program_says_exactly_what_the_scripts_say(project: Callable[[str], Path]) -> None:
    root = project(BAD_VALUES)
    with pytest.raises(SettingsError) as scripts:
        settings_from_stack("t", root)
    run = ProgramRun()
    with pytest.raises(ConfigurationError) as program:
        run_program(config_for(read_stack_values("t", root)), stack="t", run=run)
    assert isinstance(program.value, pulumi.RunError)  # printed by the language host without a traceback
    assert str(program.value) == str(scripts.value)
    assert run.registrations == []


def test_main_raises_the_run_error_itself(project: Callable[[str], Path]) -> None:
    """__main__.py as the language host runs it: what escapes is a pulumi.RunError with the message."""
    import runpy

    root = project(BAD_VALUES)
    run = ProgramRun()

    def program() -> None:
        runpy.run_path(str(Path(securescore.settings.__file__).parent.parent / "__main__.py"), run_name="__main__")

    with pytest.raises(pulumi.RunError, match=r"^4 configuration problems in stacks/Pulumi\.t\.yaml:"):
        run_program(config_for(read_stack_values("t", root)), stack="t", program=program, run=run)
    assert run.registrations == []
