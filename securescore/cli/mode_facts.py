"""What a stack's mode means for the helpers: what to authorize, what `check` must look at (pure).

`authorize`, `check` and `run_now` read these facts instead of assuming the connector mode:

- `to_authorize(settings)`: the connections a person must consent to (none in zero-touch mode), and
  `authorize_message(settings)` says so when there are none;
- `connections_to_check(settings)`: the connections the workflow uses, and whether each signs in as
  the Logic App's identity (then "Connected" is not the question: it needs no consent);
- `identity_roles(settings)`: every role the Logic App's identity must hold, where, and why (but the
  one at a management group, which management-group mode's own check asks about);
- `resources_to_check(settings)`: the Azure resources of the mode to read and what to expect of them
  (the Communication Service and its domain with ACS; the workspace that answers the query API);
- `query_api_check(settings)`: with ``logsQuery: http``, how to query the workspace the way the
  Logic App does (endpoint, audience), as the signed-in user.
"""

from __future__ import annotations

from dataclasses import dataclass

from securescore.config.modes import ACS_MANAGED_DOMAIN_NAME
from securescore.infra.roles import (
    COMMUNICATION_AND_EMAIL_SERVICE_OWNER,
    LOG_ANALYTICS_READER,
    READER,
    SECURITY_READER,
    grants,
)
from securescore.logicapp import logs_http
from securescore.logicapp.connections import LOGS_API, connections_needing_consent, used_apis
from securescore.settings import Settings

# ARM api-versions to read the mode's resources with (stable REST specs).
COMMUNICATION_API_VERSION = "2025-09-01"  # Microsoft.Communication communicationServices, emailServices/domains
WORKSPACE_API_VERSION = "2023-09-01"  # Microsoft.OperationalInsights workspaces (properties.customerId)

ROLE_NAMES = {
    READER: "Reader",
    SECURITY_READER: "Security Reader",
    LOG_ANALYTICS_READER: "Log Analytics Reader",
    COMMUNICATION_AND_EMAIL_SERVICE_OWNER: "Communication and Email Service Owner",
}
ROLE_REASONS = {
    READER: "reads the subscription's secure score",
    SECURITY_READER: "reads the subscription's secure score",
    LOG_ANALYTICS_READER: "queries the workspace",
    COMMUNICATION_AND_EMAIL_SERVICE_OWNER: "sends the report through Communication Services",
}


@dataclass(frozen=True)
class ConnectionFact:
    name: str
    api: str  # azuremonitorlogs | office365
    managed_identity: bool  # signs in as the Logic App's identity: no consent, no "Connected" status


@dataclass(frozen=True)
class RoleFact:
    role_name: str
    role_definition_guid: str
    scope: str
    subscription_id: str
    reason: str


@dataclass(frozen=True)
class ResourceFact:
    kind: str  # "Communication Service", "Email domain", "Log Analytics workspace"
    resource_id: str
    api_version: str
    expect: str  # what `check` must find, in words
    fix: str  # what to do when it is not so


@dataclass(frozen=True)
class QueryApiFact:
    workspace_resource_id: str  # read properties.customerId from ARM first
    endpoint: str  # POST {endpoint}/{customerId}/query
    audience: str  # the token's audience (scope "<audience>/.default")


def to_authorize(settings: Settings) -> list[str]:
    return connections_needing_consent(settings)


def authorize_message(settings: Settings) -> str:
    """What `authorize` prints when there is nothing to authorize ("" when there is something)."""
    if to_authorize(settings):
        return ""
    if not used_apis(settings):
        return ("nothing to authorize: with logsQuery http and mailTransport acs the Logic App uses no API "
                "connection; it signs in to Log Analytics and Communication Services with its managed identity")
    return ("nothing to authorize: the azuremonitorlogs connection signs in with the Logic App's managed "
            "identity, and the mail goes through Communication Services")


def connections_to_check(settings: Settings) -> list[ConnectionFact]:
    names = {LOGS_API: settings.logs_connection_name}
    return [
        ConnectionFact(names.get(api, settings.office365_connection_name), api,
                       api == LOGS_API and settings.logs_auth == "managedIdentity")
        for api in used_apis(settings)
    ]


def identity_roles(settings: Settings) -> list[RoleFact]:
    """Every grant of ``infra.roles`` but the one at the management group: management-group mode checks
    that one with the policy identity's (``checks_management_group.check_identity_roles``, which also
    counts a role inherited from a parent group), so it is not asked twice."""
    return [
        RoleFact(ROLE_NAMES[g.role_guid], g.role_guid, g.scope, g.subscription_id, ROLE_REASONS[g.role_guid])
        for g in grants(settings) if not at_management_group(g.scope)
    ]


def at_management_group(scope: str) -> bool:
    return scope.lower().startswith("/providers/microsoft.management/managementgroups/")


def resources_to_check(settings: Settings) -> list[ResourceFact]:
    facts: list[ResourceFact] = []
    acs = settings.modes.acs
    if acs is not None:
        service_id = acs.resource_id(settings.deployment_subscription_id, settings.resource_group_name)
        email_service = (f"/subscriptions/{settings.deployment_subscription_id}/resourceGroups/"
                         f"{settings.resource_group_name}/providers/Microsoft.Communication/emailServices/"
                         f"{acs.email_service_name}")
        facts.append(ResourceFact(
            "Communication Service", service_id, COMMUNICATION_API_VERSION,
            "provisioningState Succeeded, disableLocalAuth true, linkedDomains holds the sending domain",
            "run `pulumi up` (it creates and links it)",
        ))
        facts.append(ResourceFact(
            "Email domain", f"{email_service}/domains/{ACS_MANAGED_DOMAIN_NAME}", COMMUNICATION_API_VERSION,
            "provisioningState Succeeded; properties.fromSenderDomain is the sender's domain",
            "run `pulumi up` (it creates the Azure-managed domain)",
        ))
        if acs.custom_domain:
            facts.append(ResourceFact(
                "Email domain", f"{email_service}/domains/{acs.custom_domain}", COMMUNICATION_API_VERSION,
                "verificationStates.Domain.status Verified (SPF, DKIM and DKIM2 Verified for good delivery)",
                "add the DNS records of the stack output customDomainDnsRecords, verify the domain in the portal "
                "(or az communication email domain initiate-verification), then `pulumi up --refresh`",
            ))
    if settings.modes.logs_http:
        facts.append(ResourceFact(
            "Log Analytics workspace", settings.workspace.resource_id, WORKSPACE_API_VERSION,
            "exists; properties.customerId is the id the query API is called with (stack output "
            "workspaceCustomerId)",
            "check workspaceResourceId in the stack file; `pulumi up --refresh` after the workspace was re-created",
        ))
    return facts


def query_api_check(settings: Settings) -> QueryApiFact | None:
    if not settings.modes.logs_http:
        return None
    return QueryApiFact(settings.workspace.resource_id, logs_http.QUERY_API, logs_http.QUERY_AUDIENCE)
