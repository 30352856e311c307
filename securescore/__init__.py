"""securescore-report: the weekly Defender for Cloud secure score email, deployed with Pulumi.

``__version__`` has one source, the ``version`` in pyproject.toml: the installed distribution's
metadata (``pip install``, or the editable install ``./tasks.sh`` makes), else, in a checkout that was
never installed, pyproject.toml itself.
"""

from __future__ import annotations

DISTRIBUTION = "securescore-report"


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}) if pyproject.is_file() else {}
        return str(project["version"]) if project.get("name") == DISTRIBUTION else "0+unknown"


__version__ = _version()
