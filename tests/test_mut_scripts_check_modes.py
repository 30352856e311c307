"""`check` in zero-touch mode when a resource the stack deploys is gone: the line says so and how to get
it back. ARM answers a missing resource with HTTP 404 and its ErrorResponse, code ResourceNotFound
(common-types/resource-management v2 types.json; Learn "Resolve resource not found errors")."""

from __future__ import annotations

import pytest

from tests.fakes.transport import Canned, arm_error
from tests.test_scripts_check_modes import MANAGED_DOMAIN, SERVICE, named, results, zero_touch_transport


@pytest.mark.parametrize(("resource", "line"), [(SERVICE, "Communication Service"), (MANAGED_DOMAIN, "Email domain")])
def test_a_deployed_resource_that_is_gone_is_not_found(resource: str, line: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    transport = zero_touch_transport()
    name = resource.rsplit("/", 1)[-1]
    transport.add("GET", resource, Canned(404, arm_error(
        "ResourceNotFound", f"The Resource '{name}' under resource group 'rg-securescore-zerotouch' was not found.")))
    code, items = results(capsys, transport)
    [item] = named(items, f"{line} {name}")
    assert code == 1 and not item["ok"]
    assert item["detail"] == "not found" and "pulumi up" in item["fix"]
