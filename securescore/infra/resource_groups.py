"""Resource groups the stack creates, one Pulumi resource per Azure group.

The deployment group, a created workspace's group and each subscription's export group may be the
same Azure group (same subscription, same name, case-insensitively); registering it twice would make
two resources fight over one group, so the first caller that asks creates it and the others
reuse it.

A group holding something the stack only references is never registered (the settings refuse such
a configuration; this is the last guard), and a group holding a workspace the stack creates is
registered with ``retain_on_delete`` so that `pulumi destroy` leaves it and its data in place
(``config.ownership``).
"""

from __future__ import annotations

from collections.abc import Collection

import pulumi
from pulumi_azure_native import resources

from securescore.config import ownership
from securescore.infra.providers import Providers
from securescore.settings import Settings


class ResourceGroups:
    def __init__(
        self,
        providers: Providers,
        location: str,
        *,
        retained: Collection[tuple[str, str]] = (),
        referenced: Collection[tuple[str, str]] = (),
    ) -> None:
        self._providers = providers
        self._location = location
        self._retained = {(s.lower(), n.lower()) for s, n in retained}
        self._referenced = {(s.lower(), n.lower()) for s, n in referenced}
        self._groups: dict[tuple[str, str], resources.ResourceGroup] = {}

    @classmethod
    def for_settings(cls, providers: Providers, settings: Settings) -> ResourceGroups:
        return cls(
            providers,
            settings.location,
            retained=ownership.retained_groups(settings),
            referenced=[g.identity for g in ownership.referenced_groups(settings)],
        )

    def get_or_create(
        self, logical_name: str, subscription_id: str, name: str, parent: pulumi.Resource
    ) -> resources.ResourceGroup:
        key = (subscription_id.lower(), name.lower())
        if key in self._referenced:
            raise ValueError(f"resource group {name} in {subscription_id} holds a referenced resource; not owned")
        if key not in self._groups:
            opts = self._providers.opts(subscription_id, parent)
            if key in self._retained:
                opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(retain_on_delete=True))
            self._groups[key] = resources.ResourceGroup(
                logical_name,
                resource_group_name=name,
                location=self._location,
                opts=opts,
            )
        return self._groups[key]
