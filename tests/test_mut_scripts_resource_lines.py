"""A zero-touch stack's resource lines when Azure fails to answer, and a run error's one-line text: rules the
scripts area's mutation run (seed 4) found untested."""

from __future__ import annotations

import pytest

from securescore.cli.runs import error_text
from tests.fakes.transport import Canned, arm_error
from tests.test_scripts_check_modes import WORKSPACE, results, zero_touch_transport


def test_a_resource_azure_fails_to_read_is_a_failed_line_to_retry(capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a 5xx on a resource the stack deployed fails that resource's line (it is not known to be there),
    with Azure's words and the fix to retry; the line is named after the resource."""
    transport = zero_touch_transport()
    transport.add("GET", WORKSPACE, Canned(500, arm_error("InternalServerError", "down here")))
    _, items = results(capsys, transport)
    failed = [item for item in items if item["detail"] == "HTTP 500 InternalServerError: down here"]
    assert failed, items
    assert all(not item["ok"] and item["fix"] == "retry later" for item in failed)
    assert all(str(item["check"]).endswith(WORKSPACE.rsplit("/", 1)[-1]) for item in failed)


@pytest.mark.parametrize(("error", "text"), [
    ({"code": "ActionFailed", "message": "An action failed."}, "ActionFailed: An action failed."),
    ({"code": "ActionFailed"}, "ActionFailed"),  # only a code
    ({"message": "An action failed."}, "An action failed."),  # only a message
    ({"error": {"code": "BadRequest", "message": "no"}}, "BadRequest: no"),  # nested, as ARM's error bodies
    (None, ""),
])
def test_a_run_error_is_one_line_of_what_it_has(error: object, text: str) -> None:
    # Microsoft.Logic 2019-05-01 WorkflowRun.properties.error: an object; run histories give {code, message}.
    assert error_text(error) == text
