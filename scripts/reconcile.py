"""Alias: `python -m scripts.reconcile` runs `securescore.cli.reconcile`."""

from securescore.cli.common import run
from securescore.cli.reconcile import main

if __name__ == "__main__":
    run(main)
