"""One mutant, whichever engine made it, and the verdicts a run gives."""

from __future__ import annotations

import math
import os
import random
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
SAMPLE_SEED = 20261202  # fixed: a sampled run picks the same mutants of the same code every time
SAMPLE_VARIABLE = "SECURESCORE_MUTATION_SAMPLE"  # tells the mutmut process (mutmut_patched) the sample size
# --seed N: another sample. Tests written for one sample's survivors are measured on a fresh one, so a
# figure is not raised just by fixing the very mutants that were drawn.
SEED_VARIABLE = "SECURESCORE_MUTATION_SEED"

KILLED = "killed"
SURVIVED = "survived"
NO_TESTS = "no tests"  # no test of the area reaches the mutated code: counted as survived
TIMEOUT = "timeout"  # counted as killed (a hang is noticed), shown apart
EQUIVALENT = "equivalent"  # a survivor that cannot change behaviour (bench/mutation/equivalent/): left out
ERROR = "error"  # the run itself failed (not a verdict on the tests): counted as survived
NOT_SAMPLED = "not sampled"  # left out of a sampled run (--sample): in neither count

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
    verdict: str = ""  # the tests' verdict, kept when status becomes "equivalent"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        notes = f"  [{'; '.join(self.notes)}]" if self.notes else ""
        return (f"{self.status:<10} {self.engine:<9} {place} ({self.where}, {self.operator}){notes}\n"
                f"    - {self.before}\n    + {self.after}")


def current_seed() -> int:
    return int(os.environ.get(SEED_VARIABLE) or SAMPLE_SEED)


def sample(items: list[T], size: int | None, seed: int | None = None) -> list[T]:
    """A uniform random sample of ``size`` items (all of them when ``size`` is None or not smaller), the same
    for the same items and seed, in their original order. The seed: ``seed``, else --seed's (the
    environment, so the mutmut process draws with it too), else SAMPLE_SEED."""
    if size is None or size >= len(items):
        return list(items)
    seed = current_seed() if seed is None else seed
    chosen = set(random.Random(seed).sample(range(len(items)), size))
    return [item for index, item in enumerate(items) if index in chosen]


def wilson_interval(caught: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion: what a sampled kill rate says about the whole area."""
    if total == 0:
        return (0.0, 1.0)
    p = caught / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


def kill_rate(mutants: list[Mutant]) -> float | None:
    caught = sum(m.status in CAUGHT for m in mutants)
    missed = sum(m.status in MISSED for m in mutants)
    return None if caught + missed == 0 else caught / (caught + missed)
