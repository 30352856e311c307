"""Microsoft.Communication (ARM), api-version 2025-09-01: a Communication Service and an email domain.

Spec: azure-rest-api-specs specification/communication/resource-manager/Microsoft.Communication/stable/
2025-09-01/examples/communicationServices/get.json (properties dataLocation, disableLocalAuth,
provisioningState, publicNetworkAccess, hostName, version; location "Global") and domains/get.json
(dataLocation, provisioningState, fromSenderDomain, mailFromSenderDomain, domainManagement,
verificationStates.Domain.{status, errorCode}, verificationRecords, userEngagementTracking).
``linkedDomains`` is CommunicationServiceProperties' list of domain resource ids (the spec's
definition; pulumi-azure-native 3.29.0 CommunicationService ``linked_domains``: "List of email Domain
resource Ids"), absent from the get example. The examples' provisioningState is "Running" (a value of
the spec's enum, with Creating, Updating, Succeeded, Failed...): a healthy resource answers
"Succeeded", and the tests use both.
"""

from __future__ import annotations

from typing import Any


def communication_service_body(resource_id: str, *, linked: list[str] | None = None, state: str = "Succeeded",
                               local_auth_disabled: bool = True) -> dict[str, Any]:
    name = resource_id.rsplit("/", 1)[-1]
    properties: dict[str, Any] = {
        "dataLocation": "Europe", "disableLocalAuth": local_auth_disabled, "provisioningState": state,
        "publicNetworkAccess": "Enabled", "hostName": f"{name}.europe.communication.azure.com", "version": "0.2.0",
    }
    if linked is not None:
        properties["linkedDomains"] = linked
    return {"id": resource_id, "name": name, "type": "Microsoft.Communication/CommunicationServices",
            "location": "Global", "properties": properties}


def domain_body(resource_id: str, *, sender_domain: str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.azurecomm.net",
                managed: bool = True, status: str = "Verified", state: str = "Succeeded",
                other_states: dict[str, str] | None = None) -> dict[str, Any]:
    name = resource_id.rsplit("/", 1)[-1]
    states: dict[str, Any] = {"Domain": {"status": status, "errorCode": ""}}
    for key, value in (other_states or {}).items():
        states[key] = {"status": value, "errorCode": ""}
    properties: dict[str, Any] = {
        "dataLocation": "Europe", "provisioningState": state, "fromSenderDomain": sender_domain,
        "mailFromSenderDomain": sender_domain, "domainManagement": "AzureManaged" if managed else "CustomerManaged",
        "verificationStates": states,
        "verificationRecords": {"Domain": {"type": "TXT", "name": "recordName", "value": "recordValue", "ttl": 3600}},
        "userEngagementTracking": "Disabled",
    }
    return {"id": resource_id, "name": name, "type": "Microsoft.Communication/EmailServices/Domains",
            "location": "Global", "properties": properties}
