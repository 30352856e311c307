"""Sample data runs of the workflow (``run_locally``), shared by the workflow and email size items."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from bench.common import REPORT_NOW, make_settings, timed
from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample, sample_membership
from securescore.emulator.local_run import LocalRun, run_locally
from securescore.emulator.resource_graph import subscription_row
from securescore.settings import Settings


class EngineSource:
    """A data source answering every query from a LocalEngine (what SampleSource does, timed apart)."""

    def __init__(self, engine: LocalEngine) -> None:
        self.engine = engine

    def run_query(self, kql: str) -> list[dict[str, Any]]:
        return self.engine.run(kql)

    def describe(self) -> str:
        return "bench sample data"


def every_section(subscriptions: int, variant: str = "default") -> Settings:
    """The variant's settings with every section of the report (assessments exported)."""
    return make_settings(subscriptions, variant, exportAssessments=True)


@dataclass(frozen=True)
class SampleRun:
    subscriptions: int
    controls: int
    rows: int
    load_s: float
    run_s: float
    local: LocalRun


def sample_run(subscriptions: int, controls: int = 15, fail_query: str | None = None,
               variant: str = "default") -> SampleRun:
    """generate_sample (default 120 days, so every trend week has data) + load + one run of the variant's
    definition with every section (exported assessments: the recommendations too), cached per size and
    variant: the workflow and email_size items share the runs."""
    return _sample_run(subscriptions, controls, fail_query, variant)


@cache
def _sample_run(subscriptions: int, controls: int, fail_query: str | None, variant: str) -> SampleRun:
    settings = every_section(subscriptions, variant)
    # Management-group mode: the group holds `subscriptions` members (one of them disabled), answered
    # for the Resource Graph action the way the preview's sample source answers it.
    members = sample_membership(max(subscriptions - 1, 1)) if settings.scope is not None else None
    tables = generate_sample(settings, REPORT_NOW, controls=controls, membership=members)
    membership = [subscription_row(m.id, m.name, m.state) for m in members] if members else None
    load_s, engine = timed(lambda: LocalEngine(tables))
    rows = sum(len(r) for r in tables.values())
    tables.clear()  # the engine holds its own copy; the row dicts would only slow the collections in timed()
    try:
        run_s, local = timed(lambda: run_locally(settings, EngineSource(engine), REPORT_NOW, fail_query=fail_query,
                                                       membership=membership))
    finally:
        engine.close()
    return SampleRun(subscriptions, controls, rows, load_s, run_s, local)
