"""The api-versions ARM accepts for each resource type the helpers call, as FakeArmTransport checks them.

ARM refuses a request whose api-version its provider does not register: 400 NoRegisteredProviderFound,
"No registered resource provider found for location '<location>' and API version '<version>' for type
'<type>'. The supported api-versions are '...'" (real answers quoted in Azure/azure-sdk-for-js#4097 and
Azure/azure-cli#28496), and a request without one: 400 MissingApiVersionParameter, "The api-version query
parameter (?api-version=) is required for all requests." So a fake that ignored the api-version would
pass code sending a wrong one.

Each entry lists the versions the helpers use, each a folder of Azure/azure-rest-api-specs (the file
named beside it): only versions whose spec exists, not every version Azure registers.
"""

from __future__ import annotations

import re

_RESOURCES = frozenset({"2021-04-01"})  # resources/…/Microsoft.Resources/stable/2021-04-01/resources.json

SPEC_VERSIONS: dict[str, frozenset[str]] = {
    # subscriptions, resourceGroups, resource providers (no provider segment in the path)
    "microsoft.resources": _RESOURCES,
    # security/…/Microsoft.Security/stable/2020-01-01/secureScores.json
    "microsoft.security/securescores": frozenset({"2020-01-01"}),
    "microsoft.security/securescorecontrols": frozenset({"2020-01-01"}),
    # authorization/…/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json,
    # authorization-RoleDefinitionsCalls.json
    "microsoft.authorization/roleassignments": frozenset({"2022-04-01"}),
    "microsoft.authorization/roledefinitions": frozenset({"2022-04-01"}),
    # resources/…/Microsoft.Authorization/stable/2025-01-01/policyAssignments.json
    "microsoft.authorization/policyassignments": frozenset({"2025-01-01"}),
    # logic/…/Microsoft.Logic/stable/2016-06-01/logic.json and stable/2019-05-01/logic.json
    "microsoft.logic/workflows": frozenset({"2016-06-01", "2019-05-01"}),
    # web/…/Microsoft.Web/stable/2016-06-01/connections.json
    "microsoft.web/connections": frozenset({"2016-06-01"}),
    # operationalinsights/…/Microsoft.OperationalInsights/stable/2022-10-01/Workspaces.json and 2023-09-01
    "microsoft.operationalinsights/workspaces": frozenset({"2022-10-01", "2023-09-01"}),
    # communication/…/Microsoft.Communication/stable/2025-09-01/CommunicationServices.json, EmailServices.json
    "microsoft.communication/communicationservices": frozenset({"2025-09-01"}),
    "microsoft.communication/emailservices": frozenset({"2025-09-01"}),
    # resourcegraph/…/Microsoft.ResourceGraph/stable/2024-04-01/resourcegraph.json
    "microsoft.resourcegraph/resources": frozenset({"2024-04-01"}),
    # policyinsights/…/Microsoft.PolicyInsights/stable/2024-10-01/remediations.json, policyStates.json
    "microsoft.policyinsights/remediations": frozenset({"2024-10-01"}),
    "microsoft.policyinsights/policystates": frozenset({"2024-10-01"}),
    # managementgroups/…/Microsoft.Management/stable/2023-04-01/management.json
    "microsoft.management/managementgroups": frozenset({"2023-04-01"}),
}

_PROVIDER_TYPE = re.compile(r"/providers/([^/]+)/([^/]+)", re.IGNORECASE)


def resource_type(path: str) -> str:
    """The type ARM routes ``path`` by: its last provider namespace and type ("microsoft.logic/workflows"
    for a workflow's runs); "microsoft.resources" for subscriptions, resource groups and providers."""
    found = _PROVIDER_TYPE.findall(path)
    return f"{found[-1][0]}/{found[-1][1]}".lower() if found else "microsoft.resources"


def refusal(path: str, api_version: str | None) -> tuple[str, str] | None:
    """ARM's (code, message) for an api-version it would refuse on ``path``, else None. A type not
    listed above is not checked."""
    kind = resource_type(path)
    if api_version is None:
        return ("MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.")
    versions = SPEC_VERSIONS.get(kind)
    if versions is None or api_version in versions:
        return None
    return ("NoRegisteredProviderFound",
            f"No registered resource provider found for location 'westeurope' and API version '{api_version}' "
            f"for type '{kind.split('/')[-1]}'. The supported api-versions are '{', '.join(sorted(versions))}'.")
