"""`run-now` when the trigger call itself is refused: only an unknown trigger brings the list of the
Logic App's triggers; any other refusal is Azure's own. ARM faked at the transport: POST
{workflow}/triggers/{trigger}/run (Microsoft.Logic 2016-06-01 WorkflowTriggersRun.json), refusals as
ARM's ErrorResponse (common-types/resource-management v2 types.json)."""

from __future__ import annotations

import pytest

from tests.fakes.transport import DEV_WORKFLOW, Canned, FakeArmTransport, arm_error
from tests.test_scripts_run_now import RUNS, TRIGGER, run


def test_a_logic_app_gone_at_trigger_time_is_not_an_unknown_trigger(capsys: pytest.CaptureFixture[str]) -> None:
    transport = FakeArmTransport({
        ("GET", RUNS): Canned(200, {"value": []}),
        ("POST", TRIGGER): Canned(404, arm_error(
            "ResourceNotFound", "The Resource 'Microsoft.Logic/workflows/securescore-dev' under resource group "
            "'rg-securescore-dev' was not found.")),
        ("GET", DEV_WORKFLOW + "/triggers"): Canned(200, {"value": [
            {"name": "Weekly_schedule", "type": "Microsoft.Logic/workflows/triggers", "properties": {}}]}),
    })
    assert run(["--stack", "dev"], transport) == 1
    err = capsys.readouterr().err
    assert "was not found" in err and "triggers of this Logic App" not in err
    assert transport.requests_to("GET", "/triggers") == []
