"""Pulumi program: the weekly secure score report (settings -> resources -> outputs).

Settings are validated first: bad configuration stops here, naming the key, before any resource
is registered.
"""

import pulumi

from securescore.infra.config import load_settings
from securescore.infra.stack import SecureScoreReport

settings = load_settings()
report = SecureScoreReport("securescore-report", settings)
for output_name, value in report.stack_outputs().items():
    pulumi.export(output_name, value)
