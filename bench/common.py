"""Shared pieces: bench configuration, settings with N subscriptions, timing, item results."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from securescore.settings import Settings, parse_settings

T = TypeVar("T")

REPORT_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
REPORT_NOW_TEXT = "2026-11-23T07:00:00Z"
DEPLOYMENT_SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
WORKSPACE_ID = (
    f"/subscriptions/{DEPLOYMENT_SUBSCRIPTION}/resourceGroups/rg-mon"
    "/providers/Microsoft.OperationalInsights/workspaces/law-bench"
)


@dataclass
class BenchConfig:
    """Sizes and repeats of every item. ``repeat`` (when set) overrides every per-item default."""

    deploy_sizes: Sequence[int] = (1, 100, 500)
    # A 1-subscription run takes ~40 ms, so it can afford enough runs for a steady median.
    deploy_repeats: dict[int, int] = field(default_factory=lambda: {1: 31, 100: 3, 500: 1})
    variants: Sequence[str] | None = None  # None: every entry of SETTINGS_VARIANTS (deploy, workflow, email_size)
    workflow_sizes: Sequence[int] = (1, 500)
    email_sizes: Sequence[int] = (1, 100, 500)
    email_controls: int = 15
    preview_repeats: int = 5
    query_subscriptions: int = 500
    query_days: int = 90
    query_controls: int = 15
    query_repeats: int = 5
    csv_sizes: Sequence[int] = (100, 500)
    csv_days: int = 90
    # Fresh processes: a preview of 500 subscriptions takes seconds, DuckDB's read of its 1.4 GB as well.
    csv_repeats: dict[int, int] = field(default_factory=lambda: {100: 3, 500: 1})
    repeat: int | None = None
    quick: bool = False

    def repeats(self, default: int) -> int:
        return self.repeat if self.repeat is not None else default


def quick_config(repeat: int | None = None) -> BenchConfig:
    """Fewer repeats and smaller sizes: a smoke test of every item in well under a minute."""
    return BenchConfig(
        deploy_sizes=(1, 10),
        deploy_repeats={1: 1, 10: 1},
        workflow_sizes=(1, 10),
        email_sizes=(1, 10),
        preview_repeats=1,
        query_subscriptions=10,
        query_days=30,
        query_repeats=1,
        csv_sizes=(10,),
        csv_days=30,
        csv_repeats={10: 1},
        repeat=repeat,
        quick=True,
    )


def subscription_entries(count: int) -> list[str]:
    """N valid monitored subscriptions, "<GUID>=<name>" (the same idea as tests/conftest.py)."""
    return [f"{i:08x}-0000-4000-8000-{i:012x}=Subscription {i}" for i in range(1, count + 1)]


def config_values(count: int) -> dict[str, Any]:
    """Stack values (keys without the namespace) of a valid stack with N subscriptions."""
    return {
        "location": "westeurope",
        "deploymentSubscriptionId": DEPLOYMENT_SUBSCRIPTION,
        "subscriptions": subscription_entries(count),
        "workspaceResourceId": WORKSPACE_ID,
        "recipients": ["secops@contoso.example"],
    }


def zero_touch_values(count: int) -> dict[str, Any]:
    """The zero-touch mode (logsQuery http, mailTransport acs; stacks/Pulumi.zerotouch.yaml)."""
    return {**config_values(count), "logsQuery": "http", "mailTransport": "acs", "acsDataLocation": "Europe"}


# The settings variants: name -> stack values (keys without the namespace) for N subscriptions. A mode
# that changes what gets deployed or run is one more entry (one line); the deploy item reports the
# resources registered, the workflow item the actions run and the email_size item the email, per variant.
SETTINGS_VARIANTS: dict[str, Callable[[int], dict[str, Any]]] = {
    "default": config_values,
    "zero-touch": zero_touch_values,
    # managementGroupId: the N entries only name subscriptions; the policy exports them (infra.policy).
    "management group": lambda count: {**config_values(count), "managementGroupId": "bench-landing-zones"},
}


def make_settings(count: int, variant: str = "default", **extra: Any) -> Settings:
    return parse_settings({**SETTINGS_VARIANTS[variant](count), **extra})


def timed(func: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``func()`` (after a full garbage collection), and its result."""
    gc.collect()
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


@dataclass
class ItemResult:
    """One benchmark item: a table (header + rows), its target, whether it passed, notes, raw numbers."""

    key: str
    title: str
    target: str
    header: list[str]
    rows: list[list[str]]
    passed: bool | None  # None: a measurement without a target
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    # More tables after the main one: (title, header, rows).
    extra_tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "n/a"
        return "PASS" if self.passed else "MISS"
