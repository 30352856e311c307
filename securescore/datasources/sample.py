"""The embedded sample data set, answered by the local engine (a stand-in for Log Analytics)."""

from __future__ import annotations

from datetime import datetime

from securescore.datasources import EngineSource
from securescore.datasources.engine import LocalEngine
from securescore.datasources.sample_data import generate_sample, sample_membership
from securescore.settings import Settings


class SampleSource(EngineSource):
    def __init__(self, settings: Settings, now: datetime) -> None:
        self.now = now
        self.tables = generate_sample(settings, now)
        self.engine = LocalEngine(self.tables)
        self.warnings = []
        # Management-group mode: the sample group's subscriptions, as Resource Graph answers them.
        self.membership_rows = None
        if settings.scope is not None:
            from securescore.emulator.resource_graph import subscription_row

            self.membership_rows = [subscription_row(m.id, m.name, m.state) for m in sample_membership()]

    def describe(self) -> str:
        counts = ", ".join(f"{len(rows)} {name} rows" for name, rows in self.tables.items())
        return f"sample data generated for {self.now:%Y-%m-%d %H:%M} UTC ({counts})"
