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
