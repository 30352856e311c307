"""README.md stays true to the code: its set-up commands, the config table, the CI command."""

from __future__ import annotations

import re

from securescore.settings import PROJECT_ROOT, declarations

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def config_table() -> dict[str, list[str]]:
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", README, re.M)
    return {key: [cell.strip() for cell in cells] for key, *cells in rows}


def test_every_config_key_is_documented_with_its_type_and_default() -> None:
    table = config_table()
    assert set(declarations()) <= set(table)
    for key, decl in declarations().items():
        kind, default, meaning = table[key]
        assert kind.startswith(decl.type.replace("array", "list")), key
        assert meaning == decl.description
        if decl.default is None:
            assert default == "**required**"
        elif isinstance(decl.default, (int, str)) and not isinstance(decl.default, bool) and decl.default != "":
            assert str(decl.default) in default, key


def test_ci_runs_the_readme_test_command() -> None:
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "./tasks.sh test" in README and "./tasks.sh test" in ci
    assert "./tasks.sh preview" in README


def test_documented_scripts_exist() -> None:
    for name in set(re.findall(r"python -m scripts\.(\w+)", README)):
        assert (PROJECT_ROOT / "scripts" / f"{name}.py").is_file(), name


# --- the securescore command ----------------------------------------------------------------------


def _options(name: str) -> set[str]:
    from securescore.cli.main import SUBCOMMANDS

    return {o for action in SUBCOMMANDS[name].parser()._actions for o in action.option_strings}


def test_the_two_set_up_commands_come_first() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["./tasks.sh preview", "./tasks.sh test"]
    assert README.index("./tasks.sh preview") < README.index("## The securescore command")


def test_command_reference_is_the_real_help() -> None:
    from securescore.cli import reference

    assert reference.current_block(README) == reference.markdown(), (
        "README's command reference is stale: run .venv/bin/python -m securescore.cli.reference --write README.md"
    )


def test_every_securescore_command_in_the_readme_exists_with_its_options() -> None:
    from securescore.cli import reference
    from securescore.cli.main import SUBCOMMANDS

    text = README.replace(reference.current_block(README), "")
    # Commands as the README shows them: inline code, and the lines of code blocks.
    code = re.findall(r"`([^`\n]+)`", text) + re.findall(r"^(?: {4}|\s*\.venv/bin/)(.+)$", text, re.M)
    code += [line for block in re.findall(r"```\w*\n(.*?)```", text, re.S) for line in block.splitlines()]
    uses = [m for snippet in code for m in re.findall(r"(?:^|[\s/(])securescore ([a-z][a-z-]*)([^`#]*)", snippet)]
    assert len(uses) >= 10
    for name, rest in uses:
        assert name in SUBCOMMANDS, f"README names `securescore {name}`, which is no command"
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", rest):
            assert option in _options(name), f"`securescore {name}` has no option {option}"


def test_every_script_alias_is_a_securescore_command() -> None:
    from securescore.cli.main import SUBCOMMANDS

    modules = {command.module for command in SUBCOMMANDS.values()}
    for alias in (PROJECT_ROOT / "scripts").glob("*.py"):
        if alias.stem != "__init__":
            assert f"securescore.cli.{alias.stem}" in modules, f"scripts/{alias.name} has no securescore subcommand"
