"""The definition area's equivalent mutants (securescore/logicapp/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

ENTRIES: tuple[Equivalent, ...] = (
)
