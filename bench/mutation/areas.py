"""The areas a mutation run covers: which code is mutated, and which tests may kill a mutant.

Each area names its own test files. A mutant counts as killed when one of them fails, so the figure
is a lower bound on what the whole suite catches; it keeps a run to minutes, where running the whole
suite for every surviving mutant would take hours. Browser tests never run in a mutation run (they
need Chromium and check the layout, which no mutated module changes by itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path


@dataclass(frozen=True)
class Area:
    name: str
    python: tuple[str, ...]  # globs of the Python files mutated (mutmut for functions, ours for module constants)
    tests: tuple[str, ...]  # globs of the test files that run against the mutants
    kql: tuple[str, ...] = ()  # globs of the KQL templates mutated (our own operators, bench.mutation.kql_mutants)
    skip_tests: tuple[str, ...] = ()  # test files the globs match that run in another area
    description: str = ""

    def python_files(self, root: Path, only: str = "") -> list[str]:
        return [f for f in _expand(root, self.python, ".py") if not only or fnmatch(f, only)]

    def test_files(self, root: Path) -> list[str]:
        return [f for f in _expand(root, self.tests, ".py") if f not in self.skip_tests]

    def kql_files(self, root: Path, only: str = "") -> list[str]:
        return [f for f in _expand(root, self.kql, ".kql") if not only or fnmatch(f, only)]


def _expand(root: Path, globs: tuple[str, ...], suffix: str) -> list[str]:
    found: set[str] = set()
    for pattern in globs:
        found.update(str(p.relative_to(root)) for p in root.glob(pattern) if p.is_file() and p.suffix == suffix)
    return sorted(found)


AREAS: dict[str, Area] = {
    area.name: area
    for area in (
        Area(
            "settings",
            python=("securescore/settings.py", "securescore/config/**/*.py"),
            # test_config_kql.py (config values rendered into KQL, through Kusto's parser: 7 of the 10
            # seconds these tests take) runs in the kql area.
            tests=("tests/test_settings*.py", "tests/test_config_*.py", "tests/test_stack_file_*.py",
                   "tests/test_zerotouch_settings.py", "tests/test_mut_settings*.py",
                   "tests/test_mgmt_settings.py"),  # config/scope.py's rules
            skip_tests=("tests/test_config_kql.py",),
            description="stack files and pulumi.Config to Settings, every validation rule",
        ),
        Area(
            "kql",
            python=("securescore/queries.py",),
            kql=("securescore/kql/*.kql",),
            # test_mgmt_kql.py: the management-group membership filter (queries.membership_text, its GUID check).
            tests=("tests/test_queries.py", "tests/test_query_results.py", "tests/test_kql_*.py",
                   "tests/test_mgmt_kql.py", "tests/test_config_kql.py", "tests/test_local_engine.py",
                   "tests/test_mut_kql*.py"),
            description="the report queries: templates, rendering, the values put into them",
        ),
        Area(
            "emulator",
            python=("securescore/emulator/**/*.py",),
            tests=("tests/test_emulator_*.py", "tests/test_expressions.py", "tests/test_runner.py",
                   "tests/emulator/**/test_*.py", "tests/test_local_run.py", "tests/test_zerotouch_local_run.py",
                   "tests/test_mut_emulator*.py"),
            description="the Logic Apps stand-in: expressions, functions, actions, the local run",
        ),
        Area(
            "definition",
            python=("securescore/logicapp/**/*.py",),
            tests=("tests/test_definition.py", "tests/test_zerotouch_definition.py", "tests/test_email_*.py",
                   "tests/test_config_eml.py", "tests/test_local_run.py", "tests/test_zerotouch_local_run.py",
                   "tests/test_mgmt_workflow.py", "tests/test_mgmt_email.py", "tests/test_failure_notice.py",
                   "tests/test_mut_definition*.py"),
            description="what gets deployed as the workflow: definition, expressions, email, connections",
        ),
        Area(
            "infra",
            python=("securescore/infra/**/*.py",),
            # The settings area's tests of the program's configuration errors (infra/config.py) run here too.
            tests=("tests/test_infra_*.py", "tests/test_zerotouch_infra.py", "tests/test_mgmt_infra.py",
                   "tests/test_example_program.py", "tests/test_config_ownership.py", "tests/test_config_keys.py",
                   "tests/test_config_errors_everywhere.py", "tests/test_stack_file_cli_forms.py",
                   "tests/test_mut_infra*.py"),
            description="the Pulumi program (under mocks)",
        ),
        Area(
            "scripts",
            # The Azure-facing data sources (Log Analytics, Secure Score API, Resource Graph membership) are
            # the helpers' and the preview's clients of Azure: here, with the tests that fake Azure for them.
            python=("securescore/cli/**/*.py", "securescore/arm.py", "securescore/project.py", "scripts/*.py",
                    "securescore/datasources/workspace.py", "securescore/datasources/secure_score_api.py",
                    "securescore/datasources/membership.py"),
            tests=("tests/test_scripts_*.py", "tests/test_cli_main.py", "tests/test_preview_cli.py",
                   "tests/test_network.py", "tests/test_reconcile*.py", "tests/test_zerotouch_cli_facts.py",
                   "tests/test_project.py", "tests/test_package.py", "tests/test_mgmt_checks.py",
                   "tests/test_mgmt_helpers.py", "tests/test_mgmt_preview.py", "tests/test_sources.py",
                   "tests/test_config_errors_everywhere.py", "tests/test_mut_scripts*.py",
                   # Also the helpers' tests kept elsewhere: the README's command reference is the
                   # commands' own --help (metavars, choices), the preview's .eml, the CLI's stack forms.
                   "tests/test_readme.py", "tests/test_config_eml.py", "tests/test_stack_file_cli_forms.py"),
            description="the helpers: securescore command, ARM client, project lookup, the Azure data sources",
        ),
    )
}

# Never run in a mutation run: pytest marker expression added to every test command.
EXCLUDED_MARKERS = "not browser"
