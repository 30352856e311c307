"""Surviving mutants that cannot change what the code does, each with the reason.

A survivor matches an entry when it is in that file (and function, if given), its original line
contains ``before`` and its mutated line contains ``after``. Equivalent mutants are left out of the
kill rate and listed apart. An entry that no longer matches anything is reported, so the list
cannot rot. Nothing goes here to make a figure look better: a survivor that a test could catch
gets a test.

One module per area holds that area's entries (ENTRIES).
"""

from __future__ import annotations

from bench.mutation.equivalent import definition, emulator, infra, kql, scripts, settings
from bench.mutation.equivalent.entry import Equivalent

EQUIVALENT: tuple[Equivalent, ...] = (
    settings.ENTRIES + kql.ENTRIES + definition.ENTRIES + infra.ENTRIES + scripts.ENTRIES + emulator.ENTRIES
)

__all__ = ["EQUIVALENT", "Equivalent"]
