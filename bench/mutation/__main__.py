"""``python -m bench.mutation --area AREA [--area ...] [--engine ...] [--jobs N]``: measure the tests' kill rate.

Prints killed / survived / equivalent / timeout and the kill rate per area and engine, and writes
mutants/<area>/survivors.txt (every mutant not killed, with its diff, then the equivalent ones) and
mutants/<area>/results.json. See README "Development" > "Mutation testing".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime

from bench.mutation import model
from bench.mutation.areas import AREAS
from bench.mutation.run import ENGINES, AreaResult, recheck_survivors, reclassify, relative, run_area
from bench.mutation.staging import area_dir


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--area", action="append", choices=[*AREAS, "all"], required=True,
                        help="what to mutate (repeatable): " + "; ".join(f"{a.name}: {a.description}"
                                                                        for a in AREAS.values()))
    parser.add_argument("--engine", action="append", choices=ENGINES,
                        help="only these engines (default: all three; each runs where the area has code for it)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="parallel workers: mutmut's, and one project copy each for the other engines (default 2)")
    parser.add_argument("--only", default="", metavar="GLOB",
                        help="mutate only the area's files matching GLOB (e.g. 'securescore/config/modes.py')")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run a fixed random sample of N mutants per engine (an estimate, with its 95 %% interval)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help=f"draw the sample with this seed (default {model.SAMPLE_SEED}): a fresh sample, to "
                             "measure tests written for another sample's survivors")
    parser.add_argument("--keep", action="store_true",
                        help="keep the last run's results of the engines not chosen with --engine in the report")
    parser.add_argument("--recheck", action="store_true",
                        help="run the last run's mutmut survivors again, each with every test of the area")
    parser.add_argument("--reclassify", action="store_true",
                        help="run no test: apply bench/mutation/equivalent/ again to the last run's results")
    parser.add_argument("--markdown", action="store_true", help="also print the summary as a markdown table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.seed is not None:
        os.environ[model.SEED_VARIABLE] = str(args.seed)  # read by model.sample here and in the mutmut process
    names = list(AREAS) if "all" in args.area else list(dict.fromkeys(args.area))
    engines = tuple(args.engine or ENGINES)
    results: list[AreaResult] = []
    started = time.monotonic()
    for name in names:
        if args.reclassify:
            results.append(reclassify(AREAS[name]))
        elif args.recheck:
            results.append(recheck_survivors(AREAS[name], args.jobs))
        else:
            results.append(run_area(AREAS[name], engines, args.jobs, args.only, args.sample, args.keep))
    print()
    print(summary(results, markdown=False))
    if args.markdown:
        print()
        print(summary(results, markdown=True))
    seed = f", sample seed {model.current_seed()}" if args.sample else ""
    print(f"\n{datetime.now(UTC):%Y-%m-%d}, {time.monotonic() - started:.0f} s{seed}. Survivors: "
          + ", ".join(relative(area_dir(r.area) / "survivors.txt") for r in results))
    for result in results:
        if any(m.status == model.NOT_SAMPLED for m in result.mutants):
            # A sampled run leaves most entries' mutants out: one line, not a warning per entry.
            if result.unused_equivalents:
                print(f"{result.area}: {len(result.unused_equivalents)} equivalent entries matched no sampled "
                      "survivor (listed in survivors.txt)", file=sys.stderr)
            continue
        for entry in result.unused_equivalents:
            print(f"warning: equivalent entry matched nothing: {entry.file}: {entry.before!r}", file=sys.stderr)
    return 0


COLUMNS = ("mutants", model.NOT_SAMPLED, model.KILLED, model.TIMEOUT, model.SURVIVED, model.NO_TESTS, model.ERROR,
           model.EQUIVALENT)


def summary(results: list[AreaResult], markdown: bool) -> str:
    rows: list[list[str]] = []
    for result in results:
        engines = [e for e in ENGINES if any(m.engine == e for m in result.mutants)]
        for engine in [*engines, None]:
            if engine is None and len(engines) == 1:
                continue
            chosen = [m for m in result.mutants if engine is None or m.engine == engine]
            counts = result.counts(engine)
            rate = model.kill_rate(chosen)
            figure = "n/a" if rate is None else f"{100 * rate:.1f} %"
            if rate is not None and counts.get(model.NOT_SAMPLED):
                caught = sum(m.status in model.CAUGHT for m in chosen)
                low, high = model.wilson_interval(caught, sum(m.status in model.MISSED for m in chosen) + caught)
                figure += f" ({100 * low:.0f}–{100 * high:.0f} %)"
            seconds = sum(result.seconds.values()) if engine is None else result.seconds.get(engine, 0.0)
            rows.append([result.area, engine or "all", str(len(chosen)),
                         *(str(counts.get(c, 0)) for c in COLUMNS[1:]),
                         figure, f"{seconds / 60:.1f} min"])
    header = ["area", "engine", *COLUMNS, "kill rate", "time"]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in [header, *rows])


if __name__ == "__main__":
    sys.exit(main())
