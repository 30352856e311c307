"""One mutant, whichever engine made it, and the verdicts a run gives."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KILLED = "killed"
SURVIVED = "survived"
NO_TESTS = "no tests"  # no test of the area reaches the mutated code: counted as survived
TIMEOUT = "timeout"  # counted as killed (a hang is noticed), shown apart
EQUIVALENT = "equivalent"  # a survivor that cannot change behaviour (bench/mutation/equivalent.py): left out
ERROR = "error"  # the run itself failed (not a verdict on the tests): counted as survived

# Statuses that count as caught by the tests, and those that do not; equivalent ones are in neither.
CAUGHT = (KILLED, TIMEOUT)
MISSED = (SURVIVED, NO_TESTS, ERROR)


@dataclass
class Mutant:
    engine: str  # "mutmut" (function bodies), "constants" (module-level values), "kql" (templates)
    id: str  # unique in a run: mutmut's name, or file:line:operator:n for ours
    file: str  # path relative to the project root
    where: str  # function, "module" or the template's name
    operator: str
    before: str  # the changed line(s), stripped
    after: str
    line: int | None = None
    status: str = ""
    notes: list[str] = field(default_factory=list)  # e.g. "Kusto-invalid"; the reason when equivalent

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        notes = f"  [{'; '.join(self.notes)}]" if self.notes else ""
        return (f"{self.status:<10} {self.engine:<9} {place} ({self.where}, {self.operator}){notes}\n"
                f"    - {self.before}\n    + {self.after}")


def kill_rate(mutants: list[Mutant]) -> float | None:
    caught = sum(m.status in CAUGHT for m in mutants)
    missed = sum(m.status in MISSED for m in mutants)
    return None if caught + missed == 0 else caught / (caught + missed)
