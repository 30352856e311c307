"""Resource groups the stack creates, one Pulumi resource per Azure group.

The deployment group, a created workspace's group and each subscription's export group may be the
same Azure group (same subscription, same name, case-insensitively); registering it twice would make
two resources fight over one group, so the first caller that asks creates it and the others
reuse it.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources

from securescore.infra.providers import Providers


class ResourceGroups:
    def __init__(self, providers: Providers, location: str) -> None:
        self._providers = providers
        self._location = location
        self._groups: dict[tuple[str, str], resources.ResourceGroup] = {}

    def get_or_create(
        self, logical_name: str, subscription_id: str, name: str, parent: pulumi.Resource
    ) -> resources.ResourceGroup:
        key = (subscription_id.lower(), name.lower())
        if key not in self._groups:
            self._groups[key] = resources.ResourceGroup(
                logical_name,
                resource_group_name=name,
                location=self._location,
                opts=self._providers.opts(subscription_id, parent),
            )
        return self._groups[key]
