"""Alias: `python -m scripts.authorize` runs `securescore.cli.authorize`."""

from securescore.cli.authorize import main
from securescore.cli.common import run

if __name__ == "__main__":
    run(main)
