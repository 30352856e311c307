"""How the report queries and mails: the connector mode (the default) or the zero-touch transports.

Parsed from the stack's values by ``settings.parse_settings`` (through `parse_modes`), in the same
error style (``securescore.config.fields``): every problem names the key, the value and what is accepted.

- ``logsQuery``: ``connector`` (the azuremonitorlogs API connection, as the original) or ``http``
  (HTTP actions to the Log Analytics query API with the Logic App's managed identity: no connection).
- ``mailTransport``: ``office365`` (the Office 365 Outlook connection, which a user must authorize)
  or ``acs`` (Azure Communication Services Email, sent with the managed identity: no connection).
- ``acs*``: the Communication Services resources the stack creates in ``acs`` mode.

Limits checked here (Microsoft Learn, "Service limits for Azure Communication Services", Email):
50 recipients per email; an Azure-managed domain sends 5 emails a minute and 10 an hour per
subscription. Whether one message to several recipients counts once against the hourly limit is
not documented, so with an Azure-managed domain at most 10 recipients are accepted: one run then
stays inside the limit however Azure counts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal

from securescore.config import fields
from securescore.config.fields import Problems

LOGS_QUERY_CHOICES = ("connector", "http")
MAIL_TRANSPORT_CHOICES = ("office365", "acs")
ACS_MAX_RECIPIENTS = 50  # "Number of recipients in Email"
ACS_MANAGED_DOMAIN_MAX_RECIPIENTS = 10  # "Send Email, Azure Managed Domains, per subscription, 60 minutes: 10"
ACS_KEYS = ("acsDataLocation", "acsCustomDomain", "acsName")
# Every domain has this MailFrom address; more sender usernames "cannot be enabled for Azure Managed
# Domains or custom domains with default sending limits" (Learn, "add multiple sender addresses").
ACS_SENDER_USERNAME = "DoNotReply"
ACS_MANAGED_DOMAIN_NAME = "AzureManagedDomain"  # the name an Azure-managed domain resource must have

# Communication Services names become <name>.communication.azure.com: letters, digits, '-', 1-63.
# Patterns are used with fullmatch: a value followed by a line break must not pass.
_ACS_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_DATA_LOCATION = re.compile(r"[A-Za-z][A-Za-z ]{1,39}")
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+")


@dataclass(frozen=True)
class AcsOptions:
    data_location: str  # e.g. "Europe", "United States": where ACS keeps the data at rest
    custom_domain: str  # "" = the Azure-managed domain (<guid>.azurecomm.net)
    communication_service_name: str
    email_service_name: str

    @property
    def managed_domain_only(self) -> bool:
        return not self.custom_domain

    def resource_id(self, subscription_id: str, resource_group_name: str) -> str:
        """The Communication Service's resource id (the stack creates it in the report's group)."""
        return (
            f"/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}"
            f"/providers/Microsoft.Communication/communicationServices/{self.communication_service_name}"
        )


@dataclass(frozen=True)
class Modes:
    logs_query: Literal["connector", "http"] = "connector"
    mail_transport: Literal["office365", "acs"] = "office365"
    acs: AcsOptions | None = None  # set exactly when mail_transport == "acs"

    @property
    def logs_http(self) -> bool:
        return self.logs_query == "http"

    @property
    def mail_acs(self) -> bool:
        return self.mail_transport == "acs"

    @property
    def zero_touch(self) -> bool:
        """No API connection at all: nothing for a person to authorize."""
        return self.logs_http and self.mail_acs


DEFAULT_MODES = Modes()  # the connector mode of the original


def default_acs_name(deployment_subscription_id: str, resource_group_name: str, logic_app_name: str) -> str:
    """A Communication Services name that is stable for the stack and unlikely to be taken elsewhere.

    The name is global (it is the endpoint's host name), so the Logic App's name alone would collide
    between tenants that keep the defaults: a short hash of subscription, group and name is appended.
    """
    base = re.sub(r"[^A-Za-z0-9-]+", "-", logic_app_name).strip("-")[:50] or "securescore"
    digest = hashlib.sha256(
        f"{deployment_subscription_id}|{resource_group_name}|{logic_app_name}".lower().encode()
    ).hexdigest()[:8]
    return f"{base}-{digest}".lower()


def parse_modes(
    v: dict[str, Any],
    errors: Problems,
    *,
    recipients: tuple[str, ...],
    deployment_subscription_id: str,
    resource_group_name: str,
    logic_app_name: str,
) -> Modes:
    """The transports and their options; problems go to ``errors`` (nothing is raised here)."""
    logs_query = fields.choice("logsQuery", v.get("logsQuery"), LOGS_QUERY_CHOICES, errors)
    mail = fields.choice("mailTransport", v.get("mailTransport"), MAIL_TRANSPORT_CHOICES, errors)
    if mail != "acs":
        for key in ACS_KEYS:
            if v.get(key):
                errors.add(key, v[key], 'to be left empty unless mailTransport is "acs"')
        return Modes(logs_query, mail)  # type: ignore[arg-type]

    data_location = v.get("acsDataLocation") or ""
    if not data_location:
        errors.problems.append(
            "securescore-report:acsDataLocation is required with mailTransport \"acs\": where Communication "
            'Services keeps the data at rest, e.g. "Europe" or "United States"'
        )
    elif not _DATA_LOCATION.fullmatch(data_location):
        errors.add("acsDataLocation", data_location, 'a data location name such as "Europe" or "United States"')

    custom_domain = (v.get("acsCustomDomain") or "").lower()
    if custom_domain and (not _DOMAIN.fullmatch(custom_domain) or len(custom_domain) > 253):
        errors.add("acsCustomDomain", custom_domain, "a domain name you own, like reports.contoso.com")
        custom_domain = ""

    name = v.get("acsName") or ""
    if name and not _ACS_NAME.fullmatch(name):
        errors.add("acsName", name, "1-63 letters, digits or '-', not starting or ending with '-'")
        name = ""
    name = name.lower() or default_acs_name(deployment_subscription_id, resource_group_name, logic_app_name)

    limit = ACS_MAX_RECIPIENTS if v.get("acsCustomDomain") else ACS_MANAGED_DOMAIN_MAX_RECIPIENTS
    if len(recipients) > limit:
        where = "per email" if limit == ACS_MAX_RECIPIENTS else (
            "with the Azure-managed domain (it sends 10 emails an hour per subscription, and Microsoft does "
            "not say whether each recipient counts; set acsCustomDomain for up to 50)")
        errors.problems.append(
            f"securescore-report:recipients: {len(recipients)} addresses are not accepted with mailTransport "
            f'"acs"; expected at most {limit} {where}, or one distribution list address')
    return Modes(
        logs_query,  # type: ignore[arg-type]
        "acs",
        AcsOptions(
            data_location=data_location,
            custom_domain=custom_domain,
            communication_service_name=name,
            email_service_name=f"{name[:57]}-email",
        ),
    )
