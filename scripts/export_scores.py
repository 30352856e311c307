"""Alias: `python -m scripts.export_scores` runs `securescore.cli.export_scores`."""

from securescore.cli.common import run
from securescore.cli.export_scores import main

if __name__ == "__main__":
    run(main)
