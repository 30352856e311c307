"""Microsoft.Logic 2016-06-01: workflow runs, run actions, trigger run.

Spec: azure-rest-api-specs specification/logic/resource-manager/Microsoft.Logic/stable/2016-06-01/
logic.json (WorkflowRun, WorkflowRunAction, the WorkflowStatus enum) and examples WorkflowRunsList.json,
WorkflowRunActionsList.json, WorkflowTriggersRun.json (the trigger's ``run`` answers ``"default": {}``:
no documented body or header). Run names are client tracking ids like the example's
"08586676746934337772206998657CU22".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.fakes.transport import Canned, FakeResponse

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


def action_body(name: str, status: str, error: dict[str, Any] | None = None, *, code: str | None = None,
                outputs_uri: str | None = None) -> dict[str, Any]:
    """A WorkflowRunAction as in WorkflowRunActionsList.json; with ``outputs_uri`` its outputsLink
    (a ContentLink: uri, contentVersion, contentSize, contentHash, as in that example)."""
    properties: dict[str, Any] = {}
    if outputs_uri:
        properties["outputsLink"] = {"uri": outputs_uri, "contentVersion": "6X6KRrevI6AAxEvo9FeBYQ==",
                                     "contentSize": 11873,
                                     "contentHash": {"algorithm": "md5", "value": "XX6KRrevI6AAxEvo9FeBYQ=="}}
    properties.update({
        "startTime": "2026-11-23T07:00:01.305236Z", "endTime": "2026-11-23T07:00:05.5450625Z",
        "correlation": {"actionTrackingId": "56063357-45dd-4278-9be5-8220ce0cc9ca", "clientTrackingId": "c"},
        "status": status, "code": code or ("OK" if status == "Succeeded" else "BadRequest"),
    })
    if error:
        properties["error"] = error
    return {"properties": properties, "id": f"/x/actions/{name}", "name": name,
            "type": "Microsoft.Logic/workflows/runs/actions"}


# The spec's example writes the link as https://tempuri.org; these carry a signature parameter so
# the tests can prove the address is never shown (it authorizes whoever holds it).
CONTENT_HOST = "prod-27.westeurope.logic.azure.com"


def outputs_uri(action: str, run: str = "08585000000000000000000000000CU33") -> str:
    return (f"https://{CONTENT_HOST}/workflows/5a6b1c2d/runs/{run}/actions/{action}/contents/ActionOutputs"
            f"?api-version=2016-06-01&sp=%2Fruns%2F{run}%2Factions%2F{action}%2Fcontents%2FActionOutputs%2Fread"
            "&sv=1.0&sig=SIGNATURE-that-must-never-show-0123456789")


def action_outputs(status_code: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """What an outputsLink answers for an Http or ApiConnection action: its outputs, statusCode, headers
    and body (Learn, "Schema reference guide for trigger and action types", HTTP action outputs)."""
    return {"statusCode": status_code, "headers": headers or {"Content-Type": "application/json; charset=utf-8"},
            "body": body}


def workflow_body(workflow: str, principal_id: str | None = "6f4a9c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
                  changed: str = "2026-11-20T09:00:00.0000000Z") -> dict[str, Any]:
    """Workflows_Get.json (2019-05-01) with the identity Learn's managed-identity page shows on the
    resource ({type: SystemAssigned, principalId, tenantId}); without ``principal_id``, no identity."""
    body: dict[str, Any] = {
        "properties": {"provisioningState": "Succeeded", "createdTime": "2026-11-01T08:00:00.0000000Z",
                       "changedTime": changed, "state": "Enabled", "version": "08586677515911718341",
                       "definition": {"$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/"
                                                 "schemas/2016-06-01/workflowdefinition.json#",
                                      "contentVersion": "1.0.0.0", "parameters": {}, "triggers": {},
                                      "actions": {}, "outputs": {}},
                       "parameters": {}},
        "id": workflow, "name": workflow.rsplit("/", 1)[-1], "type": "Microsoft.Logic/workflows",
        "location": "westeurope", "tags": {},
    }
    if principal_id:
        body["identity"] = {"type": "SystemAssigned", "principalId": principal_id,
                            "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
    return body


class FakeContentTransport:
    """The host of outputsLink addresses. It refuses a request that carries a bearer token (the ARM
    token must never go there) and answers by path; unknown paths 404 like an expired link."""

    def __init__(self, answers: dict[str, Canned] | None = None) -> None:
        self.answers = {urlsplit(uri).path: canned for uri, canned in (answers or {}).items()}
        self.urls: list[str] = []

    def send(self, request: Any, **kwargs: Any) -> FakeResponse:
        parts = urlsplit(request.url)
        assert parts.netloc == CONTENT_HOST, request.url
        assert "Authorization" not in request.headers, "a token was sent to the content host"
        self.urls.append(request.url)
        canned = self.answers.get(parts.path, Canned(404, {"error": {"code": "ContentNotFound"}}))
        return FakeResponse(request, canned.status, canned.body, canned.headers)

    def open(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> FakeContentTransport:
        return self

    def __exit__(self, *args: Any) -> None: ...
    def sleep(self, duration: float) -> None: ...
