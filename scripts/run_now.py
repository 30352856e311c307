"""Alias: `python -m scripts.run_now` runs `securescore.cli.run_now`."""

from securescore.cli.common import run
from securescore.cli.run_now import main

if __name__ == "__main__":
    run(main)
