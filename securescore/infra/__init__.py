"""The Pulumi deployment: one SecureScoreReport component whose builders add the export, workspace,
connections, Logic App and roles.

Only this package (and ``__main__.py``) imports Pulumi; everything it deploys is decided by
``securescore.settings.Settings`` and ``logicapp.definition.build_definition``.
"""
