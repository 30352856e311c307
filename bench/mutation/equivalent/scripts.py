"""The scripts area's equivalent mutants (the helpers: securescore/cli/, arm.py, project.py, the Azure data sources)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

ENTRIES: tuple[Equivalent, ...] = (
)
