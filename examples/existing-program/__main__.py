"""A team's own Pulumi program that adds the weekly secure score report to what it already deploys.

The report's settings are this project's own config key `securescore` (see Pulumi.dev.yaml):
``parse_settings`` validates them (every problem at once, naming the key) and applies the report's
declared defaults before anything is registered. ``SecureScoreReport.from_config(name, pulumi.Config("x"))``
reads the same keys when they are flat keys of a namespace instead.
"""

import pulumi

from securescore.infra import SecureScoreReport, parse_settings

config = pulumi.Config()
environment = config.require("environment")

settings = parse_settings(config.require_object("securescore"), source=f"{pulumi.get_project()}:securescore")
report = SecureScoreReport("weekly-report", settings)

# ... the team's other resources would be here ...

outputs = report.stack_outputs()
pulumi.export("securescoreLogicAppId", outputs["logicAppId"])
pulumi.export("securescorePrincipalId", outputs["principalId"])
pulumi.export("securescoreAuthorizeCommand", outputs["authorizeCommand"])
pulumi.export("environment", environment)
