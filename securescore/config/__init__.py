"""The rules a stack's configuration is checked against, one module per kind of rule.

Pure Python (no Pulumi engine): ``securescore.settings`` applies them for the Pulumi program and for
every helper script alike, so the same bad value gets the same message everywhere.
"""
