"""The emulator area's equivalent mutants (securescore/emulator/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

ENTRIES: tuple[Equivalent, ...] = (
)
