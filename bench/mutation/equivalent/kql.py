"""The kql area's equivalent mutants (securescore/queries.py and the KQL templates)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

ENTRIES: tuple[Equivalent, ...] = (
)
