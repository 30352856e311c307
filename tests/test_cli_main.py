"""The `securescore` command: dispatch, help texts named `securescore <cmd>`, exit codes, version,
init-stack, completion."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest
import yaml

from securescore import __version__
from securescore.cli import init_stack, main
from securescore.cli.completion import script
from securescore.cli.main import SUBCOMMANDS, Subcommand, register
from securescore.settings import PROJECT_ROOT, settings_from_stack

PYPROJECT_VERSION = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
SUB_A = "11111111-1111-4111-8111-111111111111"
SUB_B = "22222222-2222-4222-8222-222222222222"
WORKSPACE_ID = f"/subscriptions/{SUB_A}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law-a"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def fake_command(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A subcommand module registered the way another engineer would add one (e.g. `reconcile`)."""
    module = types.ModuleType("fake_reconcile")
    module.calls = []  # type: ignore[attr-defined]

    def build_parser():  # type: ignore[no-untyped-def]
        import argparse

        parser = argparse.ArgumentParser(prog="python -m scripts.reconcile")
        parser.add_argument("--code", type=int, default=0)
        parser.add_argument("--interrupt", action="store_true")
        return parser

    def main_(argv):  # type: ignore[no-untyped-def]
        module.calls.append(list(argv))  # type: ignore[attr-defined]
        args = build_parser().parse_args(argv)
        if args.interrupt:
            raise KeyboardInterrupt
        return args.code

    module.build_parser = build_parser  # type: ignore[attr-defined]
    module.main = main_  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_reconcile", module)
    monkeypatch.setattr(main, "SUBCOMMANDS", dict(SUBCOMMANDS))
    register(Subcommand("fake-extra", "fake_reconcile", "compare the deployment with the stack"))
    return module


def test_version_is_pyprojects(capsys: pytest.CaptureFixture[str]) -> None:
    assert __version__ == PYPROJECT_VERSION
    assert cli(capsys, "--version") == (0, f"securescore {PYPROJECT_VERSION}\n", "")


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0 and out.startswith("usage: securescore ")
    for name, command in SUBCOMMANDS.items():
        assert name in out and command.summary.split()[0] in out
    assert {"preview", "package", "authorize", "check", "run-now", "export-scores", "init-stack"} <= set(SUBCOMMANDS)


def test_no_command_and_unknown_commands_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys)
    assert code == 2 and out == "" and "COMMAND" in err
    code, _, err = cli(capsys, "chek")
    assert code == 2 and "unknown command 'chek'; did you mean 'check'?" in err
    code, _, err = cli(capsys, "--stack", "dev")
    assert code == 2 and "usage: securescore" in err


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_command_has_help_named_securescore(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, name, "--help")
    assert code == 0 and err == ""
    assert out.startswith(f"usage: securescore {name} ")
    assert "python -m scripts" not in out.split("\n\n", 1)[0]  # the usage line names the new command


def test_usage_errors_name_the_command_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "check", "--no-such-option")
    assert code == 2 and err.startswith("usage: securescore check ") and "unrecognized arguments" in err


def test_dispatch_passes_the_arguments_and_the_exit_code(
    fake_command: types.ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    for code in (0, 1, 2):
        assert cli(capsys, "fake-extra", "--code", str(code))[0] == code
    assert fake_command.calls == [["--code", "0"], ["--code", "1"], ["--code", "2"]]  # type: ignore[attr-defined]
    assert cli(capsys, "fake-extra", "--interrupt")[0] == 130
    code, _, err = cli(capsys, "fake-extra", "--code", "x")
    assert code == 2 and "usage: securescore fake-extra" in err
    assert fake_command.calls[-1] == ["--interrupt"]  # a usage error never reaches main  # type: ignore[attr-defined]
    assert "fake-extra" in cli(capsys, "--help")[1]
    with pytest.raises(ValueError, match="twice"):
        register(Subcommand("fake-extra", "fake_reconcile", "again"))


def test_package_through_the_command_is_the_helper(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from securescore.cli import package

    via_command, direct = tmp_path / "a.json", tmp_path / "b.json"
    assert cli(capsys, "package", "--stack", "prod", "--out", str(via_command))[0] == 0
    assert package.main(["--stack", "prod", "--out", str(direct)]) == 0
    assert via_command.read_bytes() == direct.read_bytes()


def test_preview_from_another_directory_writes_into_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: my-report\nruntime: python\n", encoding="utf-8")
    shutil.copy(PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml", project / "stacks" / "Pulumi.team.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "preview", "--project-dir", str(project), "--stack", "team",
                         "--now", "2026-11-23T07:00:00Z")
    assert code == 0, err
    assert out.strip() == str(project.resolve() / "out" / "team-weekly-report.html")
    assert Path(out.strip()).is_file()


def test_python_dash_m_securescore_is_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "securescore", "--version"], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, check=False)
    assert (done.returncode, done.stdout) == (0, f"securescore {PYPROJECT_VERSION}\n")


# --- init-stack ---------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: my-report\nruntime: python\n", encoding="utf-8")
    return tmp_path


def init(project: Path, *argv: str, answers: list[str] | None = None) -> tuple[int, str, str, list[str]]:
    """init-stack with scripted answers (interactive when ``answers`` is given); returns the prompts too."""
    out, err, prompts = io.StringIO(), io.StringIO(), []
    pending = list(answers or [])

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if not pending:
            raise EOFError
        return pending.pop(0)

    try:
        code = init_stack.main([*argv, "--project-dir", str(project)], ask=ask, interactive=answers is not None,
                               out=out, err=err)
    except SystemExit as usage_error:  # argparse's: exit code 2, as `securescore init-stack` returns it
        code = int(usage_error.code or 0)
    return code, out.getvalue(), err.getvalue(), prompts


FLAGS = ("--location", "West Europe", "--subscription", f"{SUB_A}=Platform: shared # 1", "--subscription", SUB_B,
         "--recipient", "secops@contoso.example", "--workspace-resource-id", WORKSPACE_ID)


def test_init_stack_from_flags_writes_a_valid_commented_stack(project: Path) -> None:
    code, out, err, prompts = init(project, "team", *FLAGS)
    assert code == 0, err
    path = project / "stacks" / "Pulumi.team.yaml"
    assert out.strip() == str(path) and prompts == []
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ") and "# securescore-report:scheduleHour: 7" in text  # optional keys, commented
    config = yaml.safe_load(text)["config"]
    assert config == {
        "securescore-report:location": "westeurope",
        "securescore-report:deploymentSubscriptionId": SUB_A,  # the first --subscription
        "securescore-report:subscriptions": [f"{SUB_A}=Platform: shared # 1", SUB_B],
        "securescore-report:recipients": ["secops@contoso.example"],
        "securescore-report:workspaceResourceId": WORKSPACE_ID,
    }
    settings = settings_from_stack("team", project)
    assert [s.name for s in settings.subscriptions] == ["Platform: shared # 1", SUB_B]
    assert settings.workspace.existing and settings.schedule.hour == 7


def test_init_stack_never_overwrites_without_force(project: Path) -> None:
    assert init(project, "team", *FLAGS)[0] == 0
    path = project / "stacks" / "Pulumi.team.yaml"
    path.write_text("# mine\n", encoding="utf-8")
    code, _, err, _ = init(project, "team", *FLAGS)
    assert code == 2 and "--force" in err and path.read_text(encoding="utf-8") == "# mine\n"
    assert init(project, "team", *FLAGS, "--force", "--workspace-name", "law-new")[0] == 2  # both workspaces
    assert init(project, "team", *FLAGS[:-2], "--force", "--workspace-name", "law-new")[0] == 0
    assert "securescore-report:workspaceName" in path.read_text(encoding="utf-8")


def test_init_stack_without_a_terminal_names_every_missing_flag(project: Path) -> None:
    code, out, err, prompts = init(project, "team", "--location", "westeurope")
    assert code == 2 and out == "" and prompts == []
    for flag in ("--subscription", "--recipient", "--workspace-resource-id or --workspace-name"):
        assert flag in err
    assert "--location" not in err.split("give", 1)[1]
    assert not (project / "stacks").exists()


def test_init_stack_rejects_bad_flags_naming_the_key(project: Path) -> None:
    code, _, err, _ = init(project, "team", *FLAGS[:-2], "--workspace-name", "x", "--recipient", "nope")
    assert code == 2
    assert "securescore-report:workspaceName" in err and "securescore-report:recipients" in err
    assert not (project / "stacks" / "Pulumi.team.yaml").exists()


def test_init_stack_asks_and_checks_each_answer(project: Path) -> None:
    answers = [
        "westeurope",
        "not-a-guid", f"{SUB_A}=Prod", SUB_A, "",  # a bad entry, a good one, a duplicate, then done
        "",  # deployment subscription: the default, the first monitored one
        "secops@", "secops@contoso.example", "",
        "/subscriptions/nope", "law-prod",  # a bad resource id, then a name to create
    ]
    code, _, err, prompts = init(project, "prod", answers=answers)
    assert code == 0, err
    assert "'not-a-guid' is not accepted" in err and "listed twice" in err and "'secops@' is not accepted" in err
    assert "workspaceResourceId: '/subscriptions/nope' is not accepted" in err
    assert f"[{SUB_A}]" in prompts[5]  # the default is shown
    settings = settings_from_stack("prod", project)
    assert settings.subscription_ids == (SUB_A,) and settings.deployment_subscription_id == SUB_A
    assert settings.workspace.name == "law-prod" and not settings.workspace.existing


def test_init_stack_only_asks_for_what_the_flags_left_out(project: Path) -> None:
    code, _, err, prompts = init(project, "prod", "--location", "westeurope", "--subscription", SUB_B,
                                 answers=["secops@contoso.example", "", "law-prod"])
    assert code == 0, err
    assert len(prompts) == 3 and "Recipient" in prompts[0] and "workspace" in prompts[2]
    assert settings_from_stack("prod", project).deployment_subscription_id == SUB_B


def test_init_stack_input_ending_early_writes_nothing(project: Path) -> None:
    code, _, err, _ = init(project, "prod", answers=["westeurope"])
    assert code == 2 and "nothing was written" in err and not (project / "stacks").exists()


@pytest.mark.parametrize("name", ["org/prod", "../prod", "-x"])
def test_init_stack_names(project: Path, name: str) -> None:
    assert init(project, name, *FLAGS)[0] == 2


# --- completion ---------------------------------------------------------------------------------


def complete_in_bash(words: list[str], cwd: Path) -> list[str]:
    """What bash offers for the last word, with the script `securescore completion bash` prints."""
    program = (f'source "$1"; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
               f"COMP_CWORD={len(words) - 1}; _shtab_securescore; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    with_script = cwd / ".completion.bash"
    with_script.write_text(script("bash"), encoding="utf-8")
    done = subprocess.run(["bash", "-c", program, "bash", str(with_script)], cwd=cwd, capture_output=True,
                          text=True, check=True)
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_offers_commands_options_and_stacks(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "stacks" / "sub").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: p\n", encoding="utf-8")
    for name in ("prod-eu", "dev"):
        (project / "stacks" / f"Pulumi.{name}.yaml").write_text("config: {}\n", encoding="utf-8")
    here = project / "stacks" / "sub"  # completes from below the project, too
    assert complete_in_bash(["securescore", "ru"], here) == ["run-now"]
    assert complete_in_bash(["securescore", "check", "--js"], here) == ["--json"]
    assert sorted(complete_in_bash(["securescore", "preview", "--stack", ""], here)) == ["dev", "prod-eu"]
    assert complete_in_bash(["securescore", "export-scores", "--stack", "p"], here) == ["prod-eu"]


def test_zsh_completion_script() -> None:
    text = script("zsh")
    assert text.startswith("#compdef securescore")
    assert ":NAME:_securescore_stacks" in text and "_securescore_stacks()" in text
    if shutil.which("zsh"):
        done = subprocess.run(["zsh", "-n"], input=text, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr


def test_completion_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "completion", "bash")
    assert code == 0 and "_shtab_securescore" in out
    assert cli(capsys, "completion", "fish")[0] == 2


def test_no_pulumi_cli_is_needed_for_help(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # nothing on PATH at all
    done = subprocess.run([sys.executable, "-m", "securescore", "check", "--help"], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, env=env, check=False)
    assert done.returncode == 0 and done.stdout.startswith("usage: securescore check")
