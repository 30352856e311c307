"""Alias: `python -m scripts.check` runs `securescore.cli.check`."""

from securescore.cli.check import main
from securescore.cli.common import run

if __name__ == "__main__":
    run(main)
