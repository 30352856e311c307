"""A local stand-in for Azure Logic Apps: evaluates workflow expressions and runs a definition.

Not part of what gets deployed. The preview uses it to execute the very definition `pulumi up`
deploys (see `securescore.emulator.local_run`).
"""
