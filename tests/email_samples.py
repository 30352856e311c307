"""Emails rendered by executing the deployed definition, shared by the tests/test_email_*.py files.

`run_canned` answers every query with rows given by the test (query name -> rows, shaped as the
connector returns them), so a test states the numbers and checks the words and markup they become.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from securescore.datasources.sample import SampleSource
from securescore.emulator.local_run import LOCAL_CONNECTION_IDS, run_locally
from securescore.emulator.runner import RunResult, run_workflow
from securescore.logicapp.connections import LOGS_API, OFFICE365_API, connections_value
from securescore.logicapp.definition import build_definition
from securescore.settings import Settings, parse_settings, read_stack_values, settings_from_stack
from tests.conftest import REPORT_NOW

# What Logic Apps' workflow() returns during a run (its documented shape: id, name, type, run{id, name, type}).
WORKFLOW = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-securescore-example" \
    "/providers/Microsoft.Logic/workflows/securescore-example"
RUN_NAME = "08584737551867954143243946780CU57"
WORKFLOW_INFO = {
    "id": WORKFLOW, "name": "securescore-example", "type": "Microsoft.Logic/workflows",
    "run": {"id": f"{WORKFLOW}/runs/{RUN_NAME}", "name": RUN_NAME, "type": "Microsoft.Logic/workflows/runs"},
}


@dataclass(frozen=True)
class Mail:
    subject: str
    html: str
    importance: str
    action: str


@dataclass(frozen=True)
class CannedRun:
    run: RunResult
    mail: Mail
    queries: tuple[str, ...]  # the query actions the run called


def example(**overrides: Any) -> Settings:
    values = read_stack_values("example")
    values.update(overrides)
    return parse_settings(values)


@cache
def sample_email(assessments: bool = True) -> str:
    """The example stack's report from the embedded sample data."""
    settings = settings_from_stack("example") if assessments else example(exportAssessments=False)
    return run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW).email.html


def run_canned(
    settings: Settings, answers: dict[str, Any], *, workflow_info: dict[str, Any] | None = None
) -> CannedRun:
    """Run the definition; each query action answered by ``answers[name]``: a list of rows, or a
    (statusCode, body) pair for an error. A query not in ``answers`` returns no rows."""
    mails: list[Mail] = []
    called: list[str] = []

    def connector(action: str, inputs: dict[str, Any]) -> dict[str, Any]:
        if inputs["path"] == "/queryData":
            name = action.removeprefix("Query_")
            called.append(name)
            answer = answers.get(name, [])
            if isinstance(answer, tuple):
                return {"statusCode": answer[0], "body": answer[1]}
            return {"statusCode": 200, "body": {"value": answer}}
        body = inputs["body"]
        mails.append(Mail(body["Subject"], body["Body"], body.get("Importance", "Normal"), action))
        return {"statusCode": 200, "body": None}

    parameters = {"$connections": connections_value(
        settings, logs_connection_id=LOCAL_CONNECTION_IDS[LOGS_API],
        office365_connection_id=LOCAL_CONNECTION_IDS[OFFICE365_API])}
    run = run_workflow(build_definition(settings), parameters, connector, REPORT_NOW,
                       workflow_info=workflow_info or WORKFLOW_INFO)
    assert len(mails) == 1, f"{len(mails)} mails sent"
    return CannedRun(run, mails[0], tuple(sorted(called)))


def section(html: str, section_id: str) -> str:
    """The HTML of one section (the <td> with that id, up to the next section)."""
    start = html.index(f'id="{section_id}"')
    following = re.compile(r'<tr><td class="(section|footer)[^"]*"').search(html, start)
    return html[start: following.start() if following else len(html)]
