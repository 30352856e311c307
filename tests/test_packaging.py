"""The wheel: one import package, every file the code reads at run time, and a `securescore` command
that works from a directory outside the repository.

The wheel is built from a copy of the checkout's files (as git lists them), with the pinned
setuptools and no network, then installed into a fresh virtual environment whose only other
packages are the project's pinned dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from securescore.settings import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
DIST_INFO = f"securescore_report-{VERSION}.dist-info"
GENERIC = {"scripts", "infra", "tests", "bench", "examples", "kql", "logicapp", "stacks", "docs"}
SUB = "11111111-1111-4111-8111-111111111111"
WORKSPACE_ID = f"/subscriptions/{SUB}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law-a"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the checkout's files")


def checkout_files() -> list[str]:
    done = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return [name for name in done.stdout.split("\0") if name and os.path.lexists(PROJECT_ROOT / name)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in checkout_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target, follow_symlinks=False)  # symlinks stay symlinks
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--no-index", "--wheel-dir", str(dist), str(source)],
                   check=True, capture_output=True, text=True)
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_installs_one_import_package(names: set[str]) -> None:
    top_level = {name.split("/", 1)[0] for name in names}
    assert top_level == {"securescore", DIST_INFO}
    assert not top_level & GENERIC
    assert "securescore/cli/main.py" in names and "securescore/infra/stack.py" in names


def test_wheel_carries_every_file_read_at_run_time(wheel: Path, names: set[str]) -> None:
    package = PROJECT_ROOT / "securescore"
    data = [*package.glob("kql/*.kql"), package / "kql" / "tables.json", *package.glob("logicapp/templates/*")]
    assert len(data) >= 10
    for path in data:
        assert f"securescore/{path.relative_to(package).as_posix()}" in names, path
    with zipfile.ZipFile(wheel) as archive:
        # The symlink's target, as a file: the declarations and defaults the Pulumi CLI uses.
        packaged = archive.read("securescore/declarations.yaml")
        assert packaged == (PROJECT_ROOT / "Pulumi.yaml").read_bytes()
        assert "securescore-report:location" in yaml.safe_load(packaged)["config"]


def test_wheel_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
        licenses = [n for n in archive.namelist() if n.startswith(f"{DIST_INFO}/licenses/")]
    assert f"\nVersion: {VERSION}\n" in metadata
    assert "License-Expression: MIT" in metadata
    assert [Path(n).name for n in licenses] == ["LICENSE"]
    assert "securescore = securescore.cli.main:run" in entry_points
    for requirement in PYPROJECT["project"]["dependencies"]:
        assert f"Requires-Dist: {requirement}" in metadata


def test_build_backend_pin_is_the_locked_setuptools() -> None:
    (requirement,) = PYPROJECT["build-system"]["requires"]
    lock = (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    assert requirement.startswith("setuptools==") and requirement in lock


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel; the dependencies come from this environment's site-packages (a
    plain path entry: its .pth files, the editable install of this checkout among them, are not run)."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--disable-pip-version-check", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return venv


def run_in(venv: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin"
    return subprocess.run(list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, check=False, timeout=120)


def test_installed_command_imports_the_wheel_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    done = run_in(installed, tmp_path, "python", "-c", "import securescore; print(securescore.__file__)")
    assert done.returncode == 0 and done.stdout.startswith(str(installed)), done.stderr
    for generic in ("scripts", "infra", "bench"):
        probe = run_in(installed, tmp_path, "python", "-c", f"import {generic}")
        assert probe.returncode == 1 and "ModuleNotFoundError" in probe.stderr
    version = run_in(installed, tmp_path, "securescore", "--version")
    assert version.stdout == f"securescore {VERSION}\n"
    help_text = run_in(installed, tmp_path, "securescore", "--help")
    assert help_text.returncode == 0 and "init-stack" in help_text.stdout and "export-scores" in help_text.stdout


def test_installed_command_scaffolds_and_previews_a_project_of_its_own(installed: Path, tmp_path: Path) -> None:
    project = tmp_path / "team-project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: team-report\nruntime: python\nstackConfigDir: stacks\n",
                                         encoding="utf-8")
    created = run_in(installed, project, "securescore", "init-stack", "team", "--location", "northeurope",
                     "--subscription", f"{SUB}=Team platform", "--recipient", "team@contoso.example",
                     "--workspace-resource-id", WORKSPACE_ID)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == str(project / "stacks" / "Pulumi.team.yaml")

    somewhere = project / "docs" / "notes"
    somewhere.mkdir(parents=True)
    preview = run_in(installed, somewhere, "securescore", "preview", "--stack", "team",
                     "--now", "2026-11-23T07:00:00Z")
    assert preview.returncode == 0, preview.stderr
    out = project / "out" / "team-weekly-report.html"
    assert preview.stdout.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert "Team platform" in html and "To: team@contoso.example" in preview.stderr

    no_stack = run_in(installed, somewhere, "securescore", "package")
    assert no_stack.returncode == 2 and "stacks in" in no_stack.stderr and "team" in no_stack.stderr
