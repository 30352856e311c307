"""``python -m scripts.preview --data DIR`` for a stack of N subscriptions, in this (fresh) process.

    python -m bench.csv_preview_run --subscriptions 100 --data DIR --now 2026-11-23T07:00:00Z --out OUT

The preview's own ``main()`` does everything (arguments, opening the CSV source, the local run, the
HTML file); only the stack's settings are replaced by ``bench.common.make_settings(N)``, because the
stack files in stacks/ have a handful of subscriptions.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.csv_preview_run")
    parser.add_argument("--subscriptions", type=int, required=True)
    known, rest = parser.parse_known_args(argv)

    import securescore.cli.preview as preview
    from bench.common import make_settings

    settings = make_settings(known.subscriptions)
    preview.settings_from_stack = lambda stack: settings  # type: ignore[assignment]
    return preview.main(rest)


if __name__ == "__main__":
    sys.exit(main())
