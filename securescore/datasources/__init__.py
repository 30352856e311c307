"""Where the preview's query answers come from: sample rows, portal CSV exports, a live workspace,
or the Secure Score REST API; one module per source.

Every source has ``run_query(kql) -> list[dict]`` (rows in the azuremonitorlogs connector's JSON
shape, see ``securescore.datasources.engine``), ``describe() -> str`` and ``warnings`` (things the caller
should show: partial results, subscriptions without a secure score). Problems the user must fix
raise ``SourceError`` saying what and how.

The sample data and the local engine are stand-ins for Log Analytics; the workspace and API sources
read real Azure.
"""

from __future__ import annotations

from typing import Any, Protocol

from securescore.datasources.engine import LocalEngine

REPORT_TABLES = ("SecureScores", "SecureScoreControls")
# The columns the report queries read; the others of kql/tables.json may be absent from a CSV.
REQUIRED_COLUMNS = {
    "SecureScores": ("TimeGenerated", "SecureScoresSubscriptionId", "DisplayName", "CurrentScore",
                     "MaxScore", "PercentageScore", "Weight"),
    "SecureScoreControls": ("TimeGenerated", "SecureScoresSubscriptionId", "ControlId", "ControlName",
                            "CurrentScore", "MaxScore", "HealthyResources", "UnhealthyResources"),
}


class SourceError(RuntimeError):
    """A data source cannot answer; the message says what is wrong and what to do."""


class DataSource(Protocol):
    warnings: list[str]

    def run_query(self, kql: str) -> list[dict[str, Any]]: ...

    def describe(self) -> str: ...


class EngineSource:
    """Shared by the sources that answer from rows held locally."""

    engine: LocalEngine
    warnings: list[str]

    def run_query(self, kql: str) -> list[dict[str, Any]]:
        return self.engine.run(kql)
