"""The fake ARM refuses an api-version its spec has no folder for, as ARM does (tests/fakes/api_versions.py)."""

from __future__ import annotations

import pytest

from securescore.arm import ArmClient, ArmError
from tests.fakes.api_versions import resource_type
from tests.fakes.transport import Canned, FakeArmTransport, FakeCredential

WORKSPACE = ("/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/"
             "Microsoft.OperationalInsights/workspaces/law")


@pytest.mark.parametrize(("path", "kind"), [
    (WORKSPACE, "microsoft.operationalinsights/workspaces"),
    ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic/workflows/w/runs/r/actions",
     "microsoft.logic/workflows"),
    ("/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleAssignments",
     "microsoft.authorization/roleassignments"),
    ("/subscriptions/s/providers/Microsoft.Security", "microsoft.resources"),  # a provider's registration
    ("/subscriptions/s/resourcegroups/rg", "microsoft.resources"),
])
def test_the_type_is_the_last_provider_and_type_of_the_path(path: str, kind: str) -> None:
    assert resource_type(path) == kind


def _get(api_version: str) -> object:
    transport = FakeArmTransport({("GET", WORKSPACE): Canned(200, {"id": WORKSPACE})})
    return ArmClient(FakeCredential(), transport).get(WORKSPACE, api_version)


def test_a_version_with_a_spec_is_answered() -> None:
    assert _get("2022-10-01") == {"id": WORKSPACE}


@pytest.mark.parametrize("version", ["2022-10-02", "2022-10-01-preview", "XX2022-10-01XX"])
def test_any_other_version_is_no_registered_provider(version: str) -> None:
    """ARM's answer (Azure/azure-sdk-for-js#4097): 400 NoRegisteredProviderFound, naming the version and the type."""
    with pytest.raises(ArmError) as caught:
        _get(version)
    assert (caught.value.status, caught.value.code) == (400, "NoRegisteredProviderFound")
    assert f"API version '{version}' for type 'workspaces'" in caught.value.message


def test_an_empty_version_is_a_missing_one() -> None:
    """ARM: 400 MissingApiVersionParameter, "The api-version query parameter (?api-version=) is required"."""
    with pytest.raises(ArmError) as caught:
        _get("")
    assert (caught.value.status, caught.value.code) == (400, "MissingApiVersionParameter")
