"""``python -m bench [--quick] [--repeat N] [--json PATH] [--only ITEM ...]``: run the benchmarks, print markdown."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from bench import csv_preview, deploy, email_size, preview_time, queries, workflow
from bench.common import BenchConfig, ItemResult, quick_config
from bench.report import json_document, markdown, write_json
from securescore.datasources import translation
from securescore.datasources.translation import CACHE_ENV

ITEMS: dict[str, Callable[[BenchConfig], ItemResult]] = {
    "deploy": deploy.run,
    "workflow": workflow.run,
    "email_size": email_size.run,
    "preview_time": preview_time.run,
    "queries": queries.run,
    "csv_preview": csv_preview.run,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes (a smoke test)")
    parser.add_argument("--repeat", type=int, metavar="N", help="runs per measurement for every item "
                        "(default: 5; deploy 31/3/1 at 1/100/500 subscriptions)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the raw numbers as JSON")
    parser.add_argument("--only", nargs="+", choices=list(ITEMS), metavar="ITEM",
                        help=f"run only these items ({', '.join(ITEMS)})")
    return parser


@contextlib.contextmanager
def fresh_translation_cache() -> Iterator[None]:
    """An empty translation cache for the run (and its child processes): figures never depend on earlier runs."""
    saved = os.environ.get(CACHE_ENV)
    with tempfile.TemporaryDirectory(prefix="securescore-bench-cache-") as tmp:
        os.environ[CACHE_ENV] = tmp
        translation.reset_default_cache()
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop(CACHE_ENV, None)
            else:
                os.environ[CACHE_ENV] = saved
            translation.reset_default_cache()


def run_items(config: BenchConfig, names: Sequence[str]) -> list[ItemResult]:
    results: list[ItemResult] = []
    for name in names:
        start = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        result = ITEMS[name](config)
        result.seconds = time.perf_counter() - start
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    config = quick_config(args.repeat) if args.quick else BenchConfig(repeat=args.repeat)
    mode = "quick" if args.quick else "full"
    start = time.perf_counter()
    with fresh_translation_cache():
        results = run_items(config, args.only or list(ITEMS))
    total = time.perf_counter() - start
    print(markdown(results, total, mode), end="")
    if args.json:
        write_json(args.json, json_document(results, total, mode))
    return 1 if any(r.passed is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
