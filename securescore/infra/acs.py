"""Azure Communication Services Email for ``mailTransport: acs``: the sender the Logic App mails through.

Resources, all in the report's resource group (deleted with it on ``pulumi destroy``), all in the
``global`` location with the configured data location (REST spec Microsoft.Communication 2025-09-01
examples; the resource classes use api-version 2026-03-18):

- an Email Communication Service (``emailServices``);
- its Azure-managed domain (``domains/AzureManagedDomain``, ``domainManagement: AzureManaged``): a
  ``<guid>.azurecomm.net`` domain that needs no DNS and sends at once;
- with ``acsCustomDomain``, a customer-managed domain too (``CustomerManaged``): its DNS records
  (``verificationRecords``) are a stack output; once you have added them and verified the domain,
  ``pulumi up --refresh`` links it and the report is sent from it (until then from the managed one);
- the Communication Service (``communicationServices``) linked to the sending domain, with local
  (key) authentication disabled, so only Entra ID tokens (the Logic App's identity) can send.

The sender is the domain's default MailFrom ``DoNotReply@<fromSenderDomain>``: more sender usernames
cannot be enabled for Azure-managed domains or custom domains with default sending limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import communication

from securescore.config.modes import ACS_MANAGED_DOMAIN_NAME, ACS_SENDER_USERNAME
from securescore.infra.providers import Providers
from securescore.settings import Settings

ACS_LOCATION = "global"  # the only location these resources accept
MANAGED_DOMAIN_NAME = ACS_MANAGED_DOMAIN_NAME


@dataclass(frozen=True)
class EmailSender:
    communication_service: communication.CommunicationService
    managed_domain: communication.Domain
    custom_domain: communication.Domain | None
    endpoint: pulumi.Output[str]  # https://<name>.communication.azure.com
    sender_address: pulumi.Output[str]  # DoNotReply@<domain>
    sender_domain: pulumi.Output[str]
    dns_records: pulumi.Output[Any] | None  # the custom domain's verification records

    @property
    def resource_id(self) -> pulumi.Output[str]:
        return self.communication_service.id


def domain_verified(states: Any) -> bool:
    """Whether a Domains resource's ``verificationStates.Domain.status`` is Verified (sending needs that)."""
    domain = (states or {}).get("domain") if isinstance(states, dict) else getattr(states, "domain", None)
    status = domain.get("status") if isinstance(domain, dict) else getattr(domain, "status", None)
    return status == "Verified"


def email_sender(
    *, settings: Settings, resource_group_name: pulumi.Input[str], providers: Providers, parent: pulumi.Resource
) -> EmailSender:
    acs = settings.modes.acs
    if acs is None:
        raise ValueError("email_sender is only for mailTransport acs")
    opts = providers.opts(settings.deployment_subscription_id, parent)
    email_service = communication.EmailService(
        "email-service",
        resource_group_name=resource_group_name,
        email_service_name=acs.email_service_name,
        location=ACS_LOCATION,
        data_location=acs.data_location,
        opts=opts,
    )
    domain_opts = providers.opts(settings.deployment_subscription_id, parent, [email_service])

    def domain(logical: str, name: str, management: str) -> communication.Domain:
        return communication.Domain(
            logical,
            resource_group_name=resource_group_name,
            email_service_name=email_service.name,
            domain_name=name,
            domain_management=management,
            location=ACS_LOCATION,
            user_engagement_tracking="Disabled",  # no tracking pixels or rewritten links in a security report
            opts=domain_opts,
        )

    managed = domain("email-domain", MANAGED_DOMAIN_NAME, "AzureManaged")
    custom = domain("email-custom-domain", acs.custom_domain, "CustomerManaged") if acs.custom_domain else None

    if custom is None:
        linked: pulumi.Output[list[str]] = pulumi.Output.all(managed.id).apply(list)
        sender_domain = managed.from_sender_domain
    else:
        verified = custom.verification_states.apply(domain_verified)
        linked = pulumi.Output.all(managed.id, custom.id, verified).apply(
            lambda v: [v[0], v[1]] if v[2] else [v[0]])
        sender_domain = pulumi.Output.all(managed.from_sender_domain, custom.from_sender_domain, verified).apply(
            lambda v: v[1] if v[2] else v[0])

    service = communication.CommunicationService(
        "communication-service",
        resource_group_name=resource_group_name,
        communication_service_name=acs.communication_service_name,
        location=ACS_LOCATION,
        data_location=acs.data_location,
        linked_domains=linked,
        disable_local_auth=True,
        opts=providers.opts(settings.deployment_subscription_id, parent, [managed] + ([custom] if custom else [])),
    )
    return EmailSender(
        communication_service=service,
        managed_domain=managed,
        custom_domain=custom,
        endpoint=service.host_name.apply(lambda host: f"https://{host}"),
        sender_address=sender_domain.apply(lambda d: f"{ACS_SENDER_USERNAME}@{d}"),
        sender_domain=sender_domain,
        dns_records=custom.verification_records if custom is not None else None,
    )
