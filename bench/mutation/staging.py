"""A private copy of the project for a mutation run (under mutants/, which git ignores).

Both engines change files, so they work on a copy: the checkout is never touched, and a run that is
interrupted leaves nothing behind but its copy. The copy has every file git would commit (tracked,
or new and not ignored); node_modules stays outside: Node finds the checkout's from the copy,
which lies below it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "mutants"


def project_files(root: Path = ROOT) -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=root, capture_output=True, check=True).stdout.decode("utf-8")
    return sorted(p for p in listed.split("\0") if p and not p.startswith("mutants/"))


def copy_project(dest: Path, root: Path = ROOT) -> Path:
    """A fresh copy of the project at ``dest`` (removed first). Symlinks stay symlinks."""
    if dest.exists():
        shutil.rmtree(dest)
    for name in project_files(root):
        source = root / name
        if not source.exists() and not source.is_symlink():  # deleted but not yet committed
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
    return dest


def area_dir(area: str) -> Path:
    return WORK / area
