"""What a run produces: one ActionRun per action, and the RunResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = Any

# The statuses an action can end with that runAfter can name ("Handle errors and exceptions in Azure
# Logic Apps", Customize "run after" behavior). Logic Apps reads them case-insensitively: published
# templates write "SUCCEEDED", "FAILED", "SKIPPED", "TIMEDOUT" (see docs/design.md).
RUN_AFTER_STATUSES = ("Succeeded", "Failed", "Skipped", "TimedOut")
_CANONICAL = {status.lower(): status for status in RUN_AFTER_STATUSES}


def canonical_status(status: Json) -> str | None:
    """The documented spelling of a runAfter status, whatever its case; None if it is not one."""
    return _CANONICAL.get(status.lower()) if isinstance(status, str) else None


@dataclass
class ActionRun:
    name: str
    type: str
    status: str
    inputs: Json = None
    outputs: Json = None
    error: dict[str, Json] | None = None
    code: str | None = None
    scope: str | None = None  # the enclosing Scope, If, Foreach or Until; None at the top level
    attempts: int = 1  # calls made, retries included (Http and ApiConnection)

    def as_result(self, timestamp: str) -> dict[str, Json]:
        """The object `actions(name)` and each `result(scope)` entry return."""
        return {
            "name": self.name,
            "status": self.status,
            "code": self.code,
            "startTime": timestamp,
            "endTime": timestamp,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "error": self.error,
        }


@dataclass
class RunResult:
    status: str  # Succeeded, Failed or Cancelled
    actions: dict[str, ActionRun] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    error: dict[str, Json] | None = None  # a Terminate action's runError
