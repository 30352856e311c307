"""Alias: `python -m scripts.package` runs `securescore.cli.package`."""

from securescore.cli.common import run
from securescore.cli.package import main

if __name__ == "__main__":
    run(main)
