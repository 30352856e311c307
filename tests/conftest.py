"""Shared fixtures. Time is pinned: nothing in the suite reads the wall clock."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.settings import Settings, parse_settings, read_stack_values

# A developer's own Pulumi CLI must not choose the stack for the helpers under test (securescore.project).
os.environ["SECURESCORE_PULUMI"] = ""

REPORT_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
REPORT_TIME = "2026-11-23T07:00:00.0000000Z"


def make_settings(count: int = 3, **overrides: Any) -> Settings:
    """A valid configuration with N generated subscriptions, plus overrides (config keys)."""
    values: dict[str, Any] = {
        "location": "westeurope",
        "deploymentSubscriptionId": "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
        "subscriptions": [f"{i:08x}-0000-4000-8000-{i:012x}=Subscription {i}" for i in range(1, count + 1)],
        "workspaceResourceId": (
            "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-mon"
            "/providers/Microsoft.OperationalInsights/workspaces/law-test"
        ),
        "recipients": ["secops@contoso.example"],
    }
    values.update(overrides)
    return parse_settings(values)


def settings_problems(**overrides: Any) -> list[str]:
    """Every problem make_settings(**overrides) reports (it must refuse them)."""
    from securescore.settings import SettingsError

    with pytest.raises(SettingsError) as caught:
        make_settings(**overrides)
    return caught.value.problems


def refused(key: str, **overrides: Any) -> str:
    """The one problem the overrides cause, which must start with ``key`` (``namespace:key: ...`` or
    ``namespace:key is set ...``; not a longer key that begins the same)."""
    from securescore.settings import PROJECT

    found = settings_problems(**overrides)
    assert len(found) == 1, found
    assert re.match(rf"{re.escape(PROJECT)}:{re.escape(key)}[: ]", found[0]), found
    return found[0]


def stack_values(stack: str) -> dict[str, Any]:
    return read_stack_values(stack)


@pytest.fixture
def example_settings() -> Settings:
    from securescore.settings import settings_from_stack

    return settings_from_stack("example")


def require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


@pytest.fixture(autouse=True, scope="session")
def _translation_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The local engine's KQL translation cache in a temporary folder: the suite never writes to ~/.cache."""
    from securescore.datasources import translation

    saved = os.environ.get(translation.CACHE_ENV)
    os.environ[translation.CACHE_ENV] = str(tmp_path_factory.mktemp("kql-translations"))
    translation.reset_default_cache()
    yield
    if saved is None:
        os.environ.pop(translation.CACHE_ENV, None)
    else:
        os.environ[translation.CACHE_ENV] = saved
    translation.reset_default_cache()
