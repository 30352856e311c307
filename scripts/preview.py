"""Alias: `python -m scripts.preview` runs `securescore.cli.preview`."""

from securescore.cli.common import run
from securescore.cli.preview import main

if __name__ == "__main__":
    run(main)
