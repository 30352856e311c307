"""The infra area's equivalent mutants (securescore/infra/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

ENTRIES: tuple[Equivalent, ...] = (
)
