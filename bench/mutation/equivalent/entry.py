"""One equivalent mutant: where it is, what its line holds before and after, and why it cannot matter."""

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
    removed: bool = False  # only the mutant that removes the line (an argument dropped)

    def matches(self, mutant: Mutant) -> bool:
        return (mutant.file == self.file and (not self.where or mutant.where == self.where)
                and self.before in mutant.before and self.after in mutant.after
                and (not self.removed or mutant.after == ""))
