"""The Pulumi deployment: one SecureScoreReport component whose builders add the export, workspace,
connections, Logic App and roles.

Only this package (and ``__main__.py``) imports Pulumi; everything it deploys is decided by
``securescore.settings.Settings`` and ``logicapp.definition.build_definition``.

What another Pulumi program needs to reuse the report (see examples/)::

    from securescore.infra import SecureScoreReport, parse_settings
    report = SecureScoreReport("weekly-report", parse_settings({...}))
"""

from securescore.infra.config import config_values, load_settings
from securescore.infra.stack import SecureScoreReport
from securescore.settings import Settings, SettingsError, parse_settings

__all__ = ["SecureScoreReport", "Settings", "SettingsError", "config_values", "load_settings", "parse_settings"]
