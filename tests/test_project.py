"""securescore.project and the helpers' --stack/--project-dir: which project and stack, from any directory.

The Pulumi CLI cannot be installed here: a fake `pulumi` executable on PATH plays it, recording how
it was called, and answers like `pulumi stack --show-name` (the stack name on stdout, or an error on
stderr and a non-zero exit code).
"""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

import pytest

from securescore.cli.common import add_stack_argument, load_settings, optional_settings
from securescore.project import (
    ProjectError,
    find_project_dir,
    resolve_stack,
    selected_stack,
    stack_name,
)
from securescore.settings import PROJECT_ROOT, SettingsError, declarations, settings_from_stack

STACK = (PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")
# The variable the README names ("Which project, which stack"): another Pulumi CLI, or empty for none.
PULUMI_ENV = "SECURESCORE_PULUMI"
DEV_LOGIC_APP = "securescore-dev"  # stacks/Pulumi.dev.yaml's logicAppName


def make_project(root: Path, stacks: tuple[str, ...] = ("alpha", "beta"), pulumi_yaml: str = "name: mine\n") -> Path:
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text(pulumi_yaml, encoding="utf-8")
    for name in stacks:
        (root / "stacks" / f"Pulumi.{name}.yaml").write_text(
            STACK.replace(DEV_LOGIC_APP, f"report-{name}"), encoding="utf-8")
    return root


def fake_pulumi(bin_dir: Path, script: str) -> Path:
    """A `pulumi` on PATH that appends "<cwd> <args>" to bin_dir/calls, then runs ``script``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "pulumi"
    exe.write_text(f'#!/bin/sh\necho "$PWD $*" >> "{bin_dir}/calls"\n{script}\n', encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def calls(bin_dir: Path) -> list[str]:
    log = bin_dir / "calls"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def path_env(bin_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"}
    env.pop(PULUMI_ENV, None)  # conftest switches the CLI off for every other test
    return env


@pytest.fixture(autouse=True)
def pulumi_from_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PULUMI_ENV, raising=False)


@pytest.fixture
def no_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", f"{empty}{os.pathsep}/usr/bin:/bin")
    return empty


# --- the project directory --------------------------------------------------------------------


def test_nearest_pulumi_yaml_at_or_above_the_current_directory(tmp_path: Path) -> None:
    outer = make_project(tmp_path / "outer")
    inner = make_project(outer / "nested" / "inner")
    deep = inner / "a" / "b"
    deep.mkdir(parents=True)
    assert find_project_dir(cwd=deep) == inner.resolve()
    assert find_project_dir(cwd=inner) == inner.resolve()  # "at": the folder itself counts
    assert find_project_dir(cwd=outer / "nested") == outer.resolve()


def test_explicit_project_dir_wins_and_must_hold_pulumi_yaml(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    elsewhere = make_project(tmp_path / "q")
    assert find_project_dir(project, cwd=elsewhere) == project.resolve()
    with pytest.raises(ProjectError, match="no such directory"):
        find_project_dir(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    with pytest.raises(ProjectError, match=r"holds no Pulumi\.yaml"):
        find_project_dir(tmp_path / "plain")


def test_no_project_anywhere_says_where_it_looked(tmp_path: Path) -> None:
    start = tmp_path / "x" / "y"
    start.mkdir(parents=True)
    if any((folder / "Pulumi.yaml").exists() for folder in start.parents):
        pytest.skip("a Pulumi.yaml above the temporary directory")
    with pytest.raises(ProjectError) as caught:
        find_project_dir(cwd=start)
    assert str(start.resolve()) in str(caught.value) and "--project-dir" in str(caught.value)
    assert isinstance(caught.value, SettingsError)  # the helpers' usage-error path (exit 2) catches it


# --- stack names and Pulumi's selection -------------------------------------------------------


@pytest.mark.parametrize(("text", "name"), [("prod", "prod"), ("org/prod", "prod"), ("org/proj/prod", "prod"),
                                            ("dev_2.eu-west", "dev_2.eu-west"), (" prod \n", "prod")])
def test_stack_names_as_pulumi_writes_them(text: str, name: str) -> None:
    assert stack_name(text) == name


@pytest.mark.parametrize("text", ["", "..", "../etc", "a/b/c/d", "pr od", "prod;rm", "stacks/../x", "-h", ".hidden"])
def test_stack_names_that_could_name_another_file_are_refused(text: str) -> None:
    with pytest.raises(ProjectError, match="stack name"):
        stack_name(text)


def test_no_cli_on_path_means_no_selection(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    empty = tmp_path / "bin"
    empty.mkdir()
    selection = selected_stack(project, env={"PATH": str(empty)})
    assert selection.stack is None and "not on PATH" in selection.reason


def test_the_cli_is_asked_in_the_project_directory(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    bin_dir = fake_pulumi(tmp_path / "bin", 'echo "beta"')
    assert selected_stack(project, env=path_env(bin_dir)).stack == "beta"
    assert calls(bin_dir) == [f"{project} stack --show-name --non-interactive"]


def test_the_cli_can_be_named_or_switched_off(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    bin_dir = fake_pulumi(tmp_path / "elsewhere", 'echo "alpha"')
    named = {"PATH": "/usr/bin:/bin", PULUMI_ENV: str(bin_dir / "pulumi")}
    assert selected_stack(project, env=named).stack == "alpha"
    off = {**path_env(bin_dir), PULUMI_ENV: ""}
    selection = selected_stack(project, env=off)
    assert selection.stack is None and PULUMI_ENV in selection.reason
    assert len(calls(bin_dir)) == 1  # switched off: not even started


def test_a_qualified_name_from_the_cli_is_the_stack_name(tmp_path: Path) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", 'echo "contoso/securescore-report/prod"')
    assert selected_stack(make_project(tmp_path / "p"), env=path_env(bin_dir)).stack == "prod"


def test_cli_errors_mean_no_selection_and_say_why(tmp_path: Path) -> None:
    error = 'echo "error: no stack selected; please use pulumi stack select" >&2\nexit 255'
    bin_dir = fake_pulumi(tmp_path / "bin", error)
    selection = selected_stack(make_project(tmp_path / "p"), env=path_env(bin_dir))
    assert selection.stack is None and "no stack selected" in selection.reason


def test_cli_printing_something_else_is_not_taken_for_a_stack(tmp_path: Path) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", 'echo "Current stack is dev:"')
    selection = selected_stack(make_project(tmp_path / "p"), env=path_env(bin_dir))
    assert selection.stack is None and "not a stack name" in selection.reason


def test_a_cli_that_hangs_is_given_up_on(tmp_path: Path) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", "exec sleep 30")
    selection = selected_stack(make_project(tmp_path / "p"), env=path_env(bin_dir), timeout=0.3)
    assert selection.stack is None and "did not answer within 0.3 s" in selection.reason


def test_given_then_selected_then_fallback(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", stacks=("alpha", "beta", "example"))
    selecting = fake_pulumi(tmp_path / "sel", 'echo "beta"')
    assert resolve_stack(project, "alpha", env=path_env(selecting)) == "alpha"
    assert calls(selecting) == []  # --stack given: the CLI is not even asked
    assert resolve_stack(project, None, fallback="example", env=path_env(selecting)) == "beta"
    none = fake_pulumi(tmp_path / "none", "exit 1")
    assert resolve_stack(project, None, fallback="example", env=path_env(none)) == "example"


def test_without_any_stack_the_error_lists_the_stacks(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", stacks=("beta", "alpha"))
    empty = tmp_path / "bin"
    empty.mkdir()
    with pytest.raises(ProjectError) as caught:
        resolve_stack(project, None, fallback="example", env={"PATH": str(empty)})  # no example here
    message = str(caught.value)
    assert "alpha, beta" in message and "--stack NAME" in message and "not on PATH" in message
    empty_project = make_project(tmp_path / "e", stacks=())
    with pytest.raises(ProjectError, match="init-stack"):
        resolve_stack(empty_project, None, env={"PATH": str(empty)})


# --- the helpers' arguments ---------------------------------------------------------------------


def parse(argv: list[str], fallback: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_stack_argument(parser, fallback=fallback)
    parser.add_argument("--subscription")
    return parser.parse_args(argv)


def test_load_settings_from_a_subfolder_records_project_and_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_pulumi: Path
) -> None:
    project = make_project(tmp_path / "p")
    (project / "deep").mkdir()
    monkeypatch.chdir(project / "deep")
    args = parse(["--stack", "beta"])
    assert load_settings(args).logic_app_name == "report-beta"
    assert args.project_dir == project.resolve() and args.stack == "beta"
    assert load_settings("alpha").logic_app_name == "report-alpha"  # a bare name: older callers


def test_load_settings_with_project_dir_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      no_pulumi: Path) -> None:
    project = make_project(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    assert load_settings(parse(["--project-dir", str(project), "--stack", "alpha"])).logic_app_name == "report-alpha"


def test_load_settings_uses_the_selected_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p")
    monkeypatch.setenv("PATH", str(fake_pulumi(tmp_path / "bin", 'echo "alpha"')))
    args = parse(["--project-dir", str(project)], fallback="beta")
    assert load_settings(args).logic_app_name == "report-alpha" and args.stack == "alpha"


def test_load_settings_without_stack_or_selection_fails_listing_stacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_pulumi: Path
) -> None:
    project = make_project(tmp_path / "p")
    with pytest.raises(ProjectError, match="alpha, beta"):
        load_settings(parse(["--project-dir", str(project)]))
    assert load_settings(parse(["--project-dir", str(project)], fallback="beta")).logic_app_name == "report-beta"


def test_optional_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PATH", str(fake_pulumi(tmp_path / "bin", 'echo "alpha"')))
    unless = ("subscription",)
    assert optional_settings(parse(["--stack", "beta"]), unless).logic_app_name == "report-beta"
    assert optional_settings(parse([]), unless).logic_app_name == "report-alpha"  # selected
    assert optional_settings(parse(["--subscription", "x"]), unless) is None  # pointed at resources
    assert optional_settings(parse(["--stack", "beta", "--subscription", "x"]), unless) is not None  # explicit
    monkeypatch.setenv("PATH", str(fake_pulumi(tmp_path / "none", "exit 1")))
    assert optional_settings(parse([]), unless) is None  # nothing selected: the helper's own flags
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectError):
        optional_settings(parse(["--project-dir", str(tmp_path / "missing")]), unless)


def test_every_helper_takes_stack_and_project_dir() -> None:
    from securescore.cli.main import SUBCOMMANDS

    for name in ("preview", "package", "authorize", "check", "run-now", "export-scores"):
        options = {o for action in SUBCOMMANDS[name].parser()._actions for o in action.option_strings}
        assert {"--stack", "--project-dir"} <= options, name


# --- declarations for a project that is not this repository -------------------------------------


def test_a_project_without_declarations_gets_the_packaged_ones(tmp_path: Path, no_pulumi: Path) -> None:
    project = make_project(tmp_path / "p")
    assert declarations(project) == declarations()
    assert declarations(project)["scheduleMinute"].default == 0  # Pulumi.yaml's default
    assert settings_from_stack("alpha", project).schedule.minute == 0


def test_a_project_that_declares_a_default_overrides_it(tmp_path: Path) -> None:
    pulumi_yaml = "name: mine\nconfig:\n  securescore-report:scheduleMinute:\n    type: integer\n    default: 45\n"
    project = make_project(tmp_path / "p", pulumi_yaml=pulumi_yaml)
    assert declarations(project)["scheduleMinute"].default == 45
    assert set(declarations(project)) == set(declarations())
    assert settings_from_stack("alpha", project).schedule.minute == 45
