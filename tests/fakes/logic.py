"""Microsoft.Logic 2016-06-01: workflow runs, run actions, trigger run.

Spec: azure-rest-api-specs specification/logic/resource-manager/Microsoft.Logic/stable/2016-06-01/
logic.json (WorkflowRun, WorkflowRunAction, the WorkflowStatus enum) and examples WorkflowRunsList.json,
WorkflowRunActionsList.json, WorkflowTriggersRun.json (the trigger's ``run`` answers ``"default": {}``:
no documented body or header). Run names are client tracking ids like the example's
"08586676746934337772206998657CU22".
"""

from __future__ import annotations

from typing import Any

# logic.json 2016-06-01, definitions.WorkflowStatus.enum, verbatim.
WORKFLOW_STATUSES = ("NotSpecified", "Paused", "Running", "Waiting", "Succeeded", "Skipped", "Suspended",
                     "Cancelled", "Failed", "Faulted", "TimedOut", "Aborted", "Ignored")


def run_body(name: str, status: str, start: str, error: dict[str, Any] | None = None,
             trigger: str = "Weekly_schedule", end: str | None = None, workflow: str = "/subscriptions/x/w") -> dict:
    """A WorkflowRun as in WorkflowRunsList.json (properties first, as the example lists them)."""
    properties: dict[str, Any] = {"waitEndTime": start, "startTime": start}
    if end:
        properties["endTime"] = end
    properties.update({
        "status": status,
        "correlation": {"clientTrackingId": name},
        "workflow": {"id": f"{workflow}/versions/08586676754160363885", "name": "08586676754160363885",
                     "type": "Microsoft.Logic/workflows/versions"},
        "trigger": {"name": trigger, "startTime": start, "endTime": start, "scheduledTime": start,
                    "correlation": {"clientTrackingId": name}, "code": "OK", "status": "Succeeded"},
        "outputs": {},
    })
    if error:
        properties["error"] = error
    return {"properties": properties, "id": f"{workflow}/runs/{name}", "name": name,
            "type": "Microsoft.Logic/workflows/runs"}


def action_body(name: str, status: str, error: dict[str, Any] | None = None) -> dict[str, Any]:
    """A WorkflowRunAction as in WorkflowRunActionsList.json."""
    properties: dict[str, Any] = {
        "startTime": "2026-11-23T07:00:01.305236Z", "endTime": "2026-11-23T07:00:05.5450625Z",
        "correlation": {"actionTrackingId": "56063357-45dd-4278-9be5-8220ce0cc9ca", "clientTrackingId": "c"},
        "status": status, "code": "OK" if status == "Succeeded" else "BadRequest",
    }
    if error:
        properties["error"] = error
    return {"properties": properties, "id": f"/x/actions/{name}", "name": name,
            "type": "Microsoft.Logic/workflows/runs/actions"}
