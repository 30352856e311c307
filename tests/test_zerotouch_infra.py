"""The program under mocks in every mode: which connections, ACS resources, roles and lookups register."""

from __future__ import annotations

import json

import pytest
from pulumi_mocks import (
    ProgramRun,
    managed_sender_domain,
    run_program,
    stack_config,
    workspace_customer_id,
)

from securescore.infra.config import ConfigurationError
from securescore.settings import PROJECT, settings_from_stack

CONNECTION = "azure-native:web:Connection"
GENERIC = "azure-native:resources:Resource"
WORKFLOW = "azure-native:logic:Workflow"
ROLE = "azure-native:authorization:RoleAssignment"
EMAIL_SERVICE = "azure-native:communication:EmailService"
DOMAIN = "azure-native:communication:Domain"
ACS_SERVICE = "azure-native:communication:CommunicationService"
GET_WORKSPACE = "azure-native:operationalinsights:getWorkspace"
# Built-in role ids (Azure built-in roles reference).
LOG_ANALYTICS_READER = "73c42c96-874c-492b-b04d-ab87d138a893"
COMMUNICATION_AND_EMAIL_SERVICE_OWNER = "09976791-48a7-449e-bb21-39d1a415f350"
ACS = {"mailTransport": "acs", "acsDataLocation": "Europe"}

# (logsQuery, mailTransport, logsConnectionAuth) -> the connection resources registered (logical names)
COMBINATIONS = {
    ("connector", "office365", "managedIdentity"): {"azuremonitorlogs", "office365"},
    ("connector", "office365", "oauth"): {"azuremonitorlogs", "office365"},
    ("http", "office365", "managedIdentity"): {"office365"},
    ("http", "office365", "oauth"): {"office365"},
    ("connector", "acs", "managedIdentity"): {"azuremonitorlogs"},
    ("connector", "acs", "oauth"): {"azuremonitorlogs"},
    ("http", "acs", "managedIdentity"): set(),
    ("http", "acs", "oauth"): set(),
}


def program(stack: str = "example", verified: frozenset[str] = frozenset(), **overrides: str) -> ProgramRun:
    return run_program(stack_config(stack, **overrides), stack=stack, verified_domains=verified)


def web_connections(run: ProgramRun) -> list[str]:
    """Every Microsoft.Web/connections resource, typed or generic."""
    typed = [r.name for r in run.of_type(CONNECTION)]
    generic = [r.name for r in run.of_type(GENERIC) if r.inputs.get("resourceProviderNamespace") == "Microsoft.Web"]
    return typed + generic


@pytest.mark.parametrize(("logs", "mail", "auth"), list(COMBINATIONS))
def test_only_the_connections_a_mode_uses_are_created(logs: str, mail: str, auth: str) -> None:
    extra = {"acsDataLocation": "Europe"} if mail == "acs" else {}
    run = program(logsQuery=logs, mailTransport=mail, logsConnectionAuth=auth, **extra)
    assert set(web_connections(run)) == COMBINATIONS[(logs, mail, auth)]
    assert len(web_connections(run)) == len(COMBINATIONS[(logs, mail, auth)])
    assert set(run.outputs["connectionIds"]) == COMBINATIONS[(logs, mail, auth)]
    parameters = run.one(WORKFLOW).inputs["parameters"]
    if COMBINATIONS[(logs, mail, auth)]:
        assert set(parameters["$connections"]["value"]) == COMBINATIONS[(logs, mail, auth)]
    else:
        assert "$connections" not in parameters
    assert bool(run.of_type(ACS_SERVICE)) == (mail == "acs")


def test_zero_touch_has_no_connection_and_nothing_to_authorize() -> None:
    run = program("zerotouch")
    assert web_connections(run) == [] and run.of_type(CONNECTION) == [] and run.of_type(GENERIC) == []
    assert run.outputs["authorizeCommand"].startswith("nothing to authorize")


def test_acs_resources_follow_the_rest_spec_shapes() -> None:
    s = settings_from_stack("zerotouch")
    run = program("zerotouch")
    acs = s.modes.acs
    email = run.one(EMAIL_SERVICE)
    # REST spec Microsoft.Communication 2025-09-01 examples: location "Global", a dataLocation.
    assert email.inputs == {"resourceGroupName": s.resource_group_name, "emailServiceName": acs.email_service_name,
                            "location": "global", "dataLocation": "Europe"}
    domain = run.one(DOMAIN)
    assert domain.inputs == {"resourceGroupName": s.resource_group_name, "emailServiceName": acs.email_service_name,
                             "domainName": "AzureManagedDomain", "domainManagement": "AzureManaged",
                             "location": "global", "userEngagementTracking": "Disabled"}
    service = run.one(ACS_SERVICE)
    assert service.inputs == {
        "resourceGroupName": s.resource_group_name, "communicationServiceName": acs.communication_service_name,
        "location": "global", "dataLocation": "Europe", "disableLocalAuth": True, "linkedDomains": [domain.id],
    }
    for r in (email, domain, service):
        assert run.subscription_of(r) == s.deployment_subscription_id


def test_deploy_time_values_reach_the_workflow_as_parameter_values() -> None:
    s = settings_from_stack("zerotouch")
    run = program("zerotouch")
    parameters = run.one(WORKFLOW).inputs["parameters"]
    sender = f"DoNotReply@{managed_sender_domain(s.modes.acs.email_service_name)}"
    host = f"{s.modes.acs.communication_service_name}.communications.azure.com"
    assert parameters == {
        "workspaceCustomerId": {"value": workspace_customer_id(s.workspace.name)},
        "acsEndpoint": {"value": f"https://{host}"},
        "senderAddress": {"value": sender},
    }
    out = run.outputs
    assert (out["senderAddress"], out["communicationServiceEndpoint"]) == (sender, f"https://{host}")
    assert out["senderDomain"] == sender.split("@")[1]
    assert out["workspaceCustomerId"] == workspace_customer_id(s.workspace.name)
    assert out["communicationServiceId"] == run.one(ACS_SERVICE).id


def test_an_existing_workspace_is_looked_up_in_its_subscription_and_never_owned() -> None:
    s = settings_from_stack("zerotouch")
    run = program("zerotouch")
    assert run.invokes == [GET_WORKSPACE]
    assert not any(r.type.startswith("azure-native:operationalinsights") for r in run.registrations)
    provider = {p.inputs["subscriptionId"] for p in run.of_type("pulumi:providers:azure-native")}
    assert s.workspace.subscription_id in provider


def test_a_created_workspace_gives_its_own_customer_id_without_a_lookup() -> None:
    run = program("prod", logsQuery="http")
    assert run.invokes == []
    workspace = run.one("azure-native:operationalinsights:Workspace")
    assert run.one(WORKFLOW).inputs["parameters"]["workspaceCustomerId"] == {
        "value": workspace_customer_id(workspace.inputs["workspaceName"])}


def test_the_identity_gets_reader_on_the_workspace_and_the_sender_role_on_the_service() -> None:
    s = settings_from_stack("zerotouch")
    run = program("zerotouch")
    principal = run.outputs["principalId"]
    by_role = {a.inputs["roleDefinitionId"].rsplit("/", 1)[-1]: a for a in run.of_type(ROLE)}
    assert by_role[LOG_ANALYTICS_READER].inputs["scope"] == s.workspace.resource_id
    acs_role = by_role[COMMUNICATION_AND_EMAIL_SERVICE_OWNER]
    assert acs_role.inputs["scope"] == run.one(ACS_SERVICE).id
    assert acs_role.inputs["principalId"] == principal and acs_role.inputs["principalType"] == "ServicePrincipal"


def test_http_queries_grant_log_analytics_reader_even_with_oauth_connection_setting() -> None:
    run = program("dev", logsQuery="http")  # dev has logsConnectionAuth oauth: irrelevant without the connection
    assert LOG_ANALYTICS_READER in {a.inputs["roleDefinitionId"].rsplit("/", 1)[-1] for a in run.of_type(ROLE)}


def test_an_unverified_custom_domain_is_created_but_the_report_sends_from_the_managed_one() -> None:
    run = program("zerotouch", acsCustomDomain="reports.contoso.example")
    managed, custom = (run.one(DOMAIN, name) for name in ("email-domain", "email-custom-domain"))
    assert custom.inputs["domainManagement"] == "CustomerManaged"
    assert custom.inputs["domainName"] == "reports.contoso.example"
    assert run.one(ACS_SERVICE).inputs["linkedDomains"] == [managed.id]
    assert run.outputs["senderAddress"].endswith(".azurecomm.net")
    records = run.outputs["customDomainDnsRecords"]  # the SDK's typed output: snake_case properties
    assert {"domain", "s_pf", "d_kim", "d_kim2"} <= set(records)
    assert records["domain"]["type"] == "TXT" and records["d_kim"]["type"] == "CNAME"


def test_a_verified_custom_domain_is_linked_and_sends_the_report() -> None:
    run = program("zerotouch", verified=frozenset({"reports.contoso.example"}),
                  acsCustomDomain="reports.contoso.example", recipients=json.dumps(["a@contoso.example"]))
    managed, custom = (run.one(DOMAIN, name) for name in ("email-domain", "email-custom-domain"))
    assert run.one(ACS_SERVICE).inputs["linkedDomains"] == [managed.id, custom.id]
    assert run.outputs["senderAddress"] == "DoNotReply@reports.contoso.example"
    assert run.one(WORKFLOW).inputs["parameters"]["senderAddress"] == {"value": "DoNotReply@reports.contoso.example"}


@pytest.mark.parametrize(("key", "value"), [
    ("acsDataLocation", ""),
    ("recipients", json.dumps([f"team{i}@contoso.example" for i in range(11)])),
    ("logsQuery", "graph"),
    ("acsName", "-bad-"),
])
def test_bad_zero_touch_config_registers_nothing(key: str, value: str) -> None:
    config = stack_config("zerotouch")
    config[f"{PROJECT}:{key}"] = value
    run = ProgramRun()
    with pytest.raises(ConfigurationError) as caught:  # a pulumi.RunError: the message, no traceback
        run_program(config, stack="zerotouch", run=run)
    assert f"{PROJECT}:{key}" in str(caught.value)
    assert run.registrations == [] and run.invokes == []


@pytest.mark.parametrize("count", [1, 40])
def test_registrations_grow_only_with_the_exports(count: int) -> None:
    subs = json.dumps([f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(1, count + 1)])
    run = program("zerotouch", subscriptions=subs)
    per_subscription = {"azure-native:security:Automation", "azure-native:resources:ResourceGroup", ROLE,
                        "pulumi:providers:azure-native"}
    fixed = [r for r in run.registrations if r.type not in per_subscription]
    assert len(fixed) == 5  # the component, the email service, its domain, the Communication Service, the Logic App
