"""`python -m scripts.<name>`: aliases of the commands in `securescore.cli`, kept for the design card.

Not installed with the package; the installed command is `securescore` (see README).
"""
