"""`python -m securescore` is the `securescore` command."""

from securescore.cli.main import run

if __name__ == "__main__":
    run()
