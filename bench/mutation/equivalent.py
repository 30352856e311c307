"""Surviving mutants that cannot change what the code does, each with the reason.

A survivor matches an entry when it is in that file (and function, if given), its original line
contains ``before`` and its mutated line contains ``after``. Equivalent mutants are left out of the
kill rate and listed apart. An entry that no longer matches anything is reported, so the list
cannot rot. Nothing goes here to make a figure look better: a survivor that a test could catch
gets a test.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.mutation.model import Mutant


@dataclass(frozen=True)
class Equivalent:
    file: str
    before: str
    after: str
    reason: str
    where: str = ""  # function (Class.method) or "module"; empty: anywhere in the file

    def matches(self, mutant: Mutant) -> bool:
        return (mutant.file == self.file and (not self.where or mutant.where == self.where)
                and self.before in mutant.before and self.after in mutant.after)


EQUIVALENT: tuple[Equivalent, ...] = ()
