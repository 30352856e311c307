"""One explicit azure-native provider per subscription the stack touches.

Pulumi.yaml disables the default provider, so every Azure resource names the provider of the
subscription it lives in; a forgotten ``provider=`` fails at deploy time instead of landing in
whatever subscription the CLI happens to be logged in to.
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure_native

from securescore.settings import Settings


def needed_subscriptions(settings: Settings) -> list[str]:
    """Distinct subscriptions that get a provider, in a stable order (deployment, monitored, workspace).

    The workspace's subscription is only needed when the stack creates the workspace or grants the
    Logic App's identity Log Analytics Reader on it (managed identity auth, or logsQuery http, which
    also looks up an existing workspace's customer id there).
    """
    subs = [settings.deployment_subscription_id, *settings.subscription_ids]
    if (not settings.workspace.existing or settings.logs_auth == "managedIdentity" or settings.modes.logs_http
            or settings.scope is not None):  # management-group mode: the policy identity's role on it
        subs.append(settings.workspace.subscription_id)
    return list(dict.fromkeys(subs))


class Providers:
    """The providers by subscription id; ``opts(sub, parent)`` gives a child's ResourceOptions."""

    def __init__(self, settings: Settings, parent: pulumi.Resource) -> None:
        self.by_subscription: dict[str, azure_native.Provider] = {
            sub: azure_native.Provider(
                f"azure-{sub}",
                subscription_id=sub,
                opts=pulumi.ResourceOptions(parent=parent),
            )
            for sub in needed_subscriptions(settings)
        }

    def __getitem__(self, subscription_id: str) -> azure_native.Provider:
        return self.by_subscription[subscription_id]

    def opts(
        self,
        subscription_id: str,
        parent: pulumi.Resource,
        depends_on: list[pulumi.Resource] | None = None,
    ) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=parent, provider=self.by_subscription[subscription_id], depends_on=depends_on
        )
