"""`check --before-deploy`: resource groups, resource providers, the deployer's rights, the workspace;
and that it asks about exactly what the Pulumi program creates (run under mocks)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from securescore.cli import check
from securescore.cli.readiness import readiness_checks, role_scopes, stack_resource_groups, subscription_needs
from securescore.settings import parse_settings, read_stack_values
from tests.fakes.resources import (
    CONTRIBUTOR,
    OWNER,
    RBAC_ADMINISTRATOR,
    READER,
    provider_body,
    role_assignment_body,
    role_definition_body,
    role_definition_id,
    workspace_body,
)
from tests.fakes.transport import DEV_SUB, DEV_WORKSPACE, USER_OID, Canned, FakeArmTransport, FakeCredential, Sent
from tests.pulumi_mocks import run_program, stack_config

DEV_SCOPE = f"/subscriptions/{DEV_SUB}"
# stacks/Pulumi.dev.yaml and the Pulumi.yaml defaults: the groups `pulumi up` creates.
DEV_GROUPS = [f"{DEV_SCOPE}/resourceGroups/rg-securescore-dev", f"{DEV_SCOPE}/resourceGroups/rg-securescore-export"]
ROLES_PATH = f"{DEV_SCOPE}/providers/Microsoft.Authorization/roleAssignments"


def dev_transport(roles: list[str] | None = None, existing_groups: tuple[str, ...] = (),
                  states: dict[str, str] | None = None, condition: str | None = None) -> FakeArmTransport:
    roles = [OWNER] if roles is None else roles
    transport = FakeArmTransport()
    for group in DEV_GROUPS:
        transport.add("HEAD", group, Canned(204 if group in existing_groups else 404))
    for namespace in ("Microsoft.Web", "Microsoft.Logic", "Microsoft.Security"):
        state = (states or {}).get(namespace, "Registered")
        transport.add("GET", f"{DEV_SCOPE}/providers/{namespace}",
                      Canned(200, provider_body(DEV_SUB, namespace, state)))
    assignments = [role_assignment_body(DEV_SCOPE, role, USER_OID, DEV_SUB, condition if role == RBAC_ADMINISTRATOR
                                        else None, name=f"a{i}") for i, role in enumerate(roles)]
    transport.add("GET", ROLES_PATH, Canned(200, {"value": assignments}))
    for role in (OWNER, CONTRIBUTOR, READER, RBAC_ADMINISTRATOR):
        transport.add("GET", role_definition_id(role, DEV_SUB), Canned(200, role_definition_body(role, DEV_SUB)))
    transport.add("GET", DEV_WORKSPACE, Canned(200, workspace_body(DEV_WORKSPACE)))
    return transport


def results(capsys: pytest.CaptureFixture[str], transport: FakeArmTransport, stack: str = "dev") -> tuple[int, list]:
    code = check.main(["--stack", stack, "--before-deploy", "--json"], credential=FakeCredential(),
                      transport=transport, env={})
    return code, json.loads(capsys.readouterr().out)


def named(items: list[dict], prefix: str) -> list[dict]:
    return [i for i in items if i["check"].startswith(prefix)]


def test_a_ready_subscription(capsys: pytest.CaptureFixture[str]) -> None:
    transport = dev_transport()
    code, items = results(capsys, transport)
    assert code == 0, items
    assert items[0]["check"] == "Deployer sign-in"
    assert [i["check"] for i in named(items, "Resource group")] == [
        f"Resource group rg-securescore-dev in {DEV_SUB} (resourceGroupName)",
        f"Resource group rg-securescore-export in {DEV_SUB} (exportResourceGroupName)"]
    assert sorted(i["check"] for i in named(items, "Resource provider")) == [
        f"Resource provider {n} in {DEV_SUB}" for n in ("Microsoft.Logic", "Microsoft.Security", "Microsoft.Web")]
    rights = named(items, "Deployer rights")
    assert len(rights) == 1 and rights[0]["detail"] == "allowed (roles held: Owner)"
    assert named(items, "Workspace law-dev")[0]["detail"].startswith("reachable (workspace id bc089d7b-")
    # The requests, as the specs spell them.
    heads = transport.requests_to("HEAD", "rg-securescore-dev")
    assert heads and heads[0].query["api-version"] == ["2021-04-01"]
    listing = transport.requests_to("GET", "/roleAssignments")[0]
    assert listing.query == {"api-version": ["2022-04-01"], "$filter": [f"atScope() and assignedTo('{USER_OID}')"]}


def test_an_existing_group_is_refused_with_both_ways_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, items = results(capsys, dev_transport(existing_groups=(DEV_GROUPS[1],)))
    item = named(items, "Resource group rg-securescore-export")[0]
    assert code == 1 and not item["ok"] and "deletes it" in item["detail"]
    assert "exportResourceGroupName" in item["fix"] and "without --before-deploy" in item["fix"]


@pytest.mark.parametrize(("state", "fix"), [
    ("NotRegistered", "az provider register --namespace Microsoft.Security --subscription"),
    ("Unregistered", "az provider register --namespace Microsoft.Security"),
    ("Registering", "wait a few minutes"),
])
def test_an_unregistered_provider(state: str, fix: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, items = results(capsys, dev_transport(states={"Microsoft.Security": state}))
    item = named(items, "Resource provider Microsoft.Security")[0]
    assert code == 1 and not item["ok"] and fix in item["fix"]


@pytest.mark.parametrize(("roles", "ok", "missing"), [
    ([OWNER], True, ""),
    ([CONTRIBUTOR, RBAC_ADMINISTRATOR], True, ""),
    ([CONTRIBUTOR], False, "Microsoft.Authorization/roleAssignments/write"),  # Contributor's notActions
    ([READER], False, "Microsoft.Resources/subscriptions/resourceGroups/write"),
    ([], False, "Microsoft.Security/automations/write"),
])
def test_the_deployers_rights(roles: list[str], ok: bool, missing: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, items = results(capsys, dev_transport(roles=roles))
    item = named(items, "Deployer rights")[0]
    assert item["ok"] is ok, item
    if not ok:
        assert missing in item["detail"] and "Owner" in item["fix"]


def test_a_condition_on_the_assignment_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    condition = ("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
                 "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
                 "{39bc4728-0917-49c7-9d2c-d95423bc2eb4}))")
    _, items = results(capsys, dev_transport(roles=[CONTRIBUTOR, RBAC_ADMINISTRATOR], condition=condition))
    item = named(items, "Deployer rights")[0]
    assert item["ok"] and "with a condition (not evaluated here): Role Based Access Control Administrator" in \
        item["detail"]


def test_role_definitions_are_read_once(capsys: pytest.CaptureFixture[str]) -> None:
    transport = dev_transport(roles=[OWNER, OWNER])
    results(capsys, transport)
    assert len(transport.requests_to("GET", f"/roleDefinitions/{OWNER}")) == 1


@pytest.mark.parametrize(("answer", "text"), [
    (Canned(404, {"error": {"code": "ResourceNotFound", "message": "not found"}}), "fix workspaceResourceId"),
    (Canned(403, {"error": {"code": "AuthorizationFailed", "message": "no"}}), "needs at least Reader"),
    (Canned(200, workspace_body(DEV_WORKSPACE, state="Deleting")), "wait until the workspace is ready"),
    (Canned(200, workspace_body(DEV_WORKSPACE, query_access="Disabled")), "enable public network access"),
])
def test_an_unreachable_workspace(answer: Canned, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    transport = dev_transport()
    transport.add("GET", DEV_WORKSPACE, answer)
    code, items = results(capsys, transport)
    assert code == 1 and text in named(items, "Workspace law-dev")[0]["fix"]


def test_text_output_is_one_line_per_check_with_a_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main(["--stack", "dev", "--before-deploy"], credential=FakeCredential(),
                      transport=dev_transport(roles=[CONTRIBUTOR]), env={}) == 1
    out = capsys.readouterr().out
    assert "[ok]   Deployer sign-in: signed in as alice@contoso.example" in out
    assert f"[FAIL] Deployer rights at /subscriptions/{DEV_SUB} (" in out
    assert "       fix: ask for Owner, or Contributor plus Role Based Access Control Administrator" in out


def test_the_sign_in_failing_skips_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    credential = FakeCredential(error=ClientAuthenticationError(message="AADSTS7000215: Invalid client secret."))
    code = check.main(["--stack", "dev", "--before-deploy", "--json"], credential=credential,
                      transport=FakeArmTransport(), env={})
    items = json.loads(capsys.readouterr().out)
    assert code == 1 and items[0]["check"] == "Deployer sign-in" and not items[0]["ok"]
    assert [i["detail"] for i in items[1:]] == ["skipped: no token"] * len(readiness_checks(_settings("dev")))


# --- the readiness check asks about what the program creates -----------------------------------

OTHER_SUB = "99999999-9999-4999-8999-999999999999"
VARIANTS = {
    "dev": ("dev", {}),
    "example": ("example", {}),  # managed identity: a role on the existing workspace too
    "created workspace elsewhere": ("dev", {"workspaceResourceId": None, "workspaceName": "law-new",
                                           "workspaceSubscriptionId": OTHER_SUB,
                                           "workspaceResourceGroupName": "rg-law", "logsConnectionAuth":
                                               "managedIdentity"}),
    "zerotouch": ("zerotouch", {}),  # no connection; Communication Services; roles on the workspace and ACS
    "queries over http, Office 365 mail": ("dev", {"logsQuery": "http"}),
    "connector queries, ACS mail": ("example", {"mailTransport": "acs", "acsDataLocation": "Europe"}),
}
# azure-native module -> ARM namespace (pulumi-azure-native's module names are the providers' names).
NAMESPACES = {"security": "Microsoft.Security", "logic": "Microsoft.Logic", "web": "Microsoft.Web",
              "operationalinsights": "Microsoft.OperationalInsights",
              "operationsmanagement": "Microsoft.OperationsManagement", "authorization": "Microsoft.Authorization",
              "resources": "Microsoft.Resources", "communication": "Microsoft.Communication"}


def _settings(stack: str, **overrides: Any) -> Any:
    values = {**read_stack_values(stack), **overrides}
    return parse_settings({k: v for k, v in values.items() if v is not None})


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_it_checks_what_the_program_creates(variant: str) -> None:
    stack, overrides = VARIANTS[variant]
    program = run_program(stack_config(stack, **overrides), stack=stack)
    settings = _settings(stack, **overrides)
    custom = [r for r in program.registrations if r.custom and not r.type.startswith("pulumi:providers:")]
    groups = {(program.subscription_of(r), r.inputs["resourceGroupName"].lower())
              for r in custom if r.type == "azure-native:resources:ResourceGroup"}
    assert groups == {(g.subscription_id, g.name.lower()) for g in stack_resource_groups(settings)}
    namespaces: dict[str, set[str]] = {}
    for r in custom:
        module = r.type.split(":")[1]
        namespace = r.inputs.get("resourceProviderNamespace") if r.type == "azure-native:resources:Resource" \
            else NAMESPACES[module]
        namespaces.setdefault(program.subscription_of(r), set()).add(namespace)
    expected = {sub: found - {"Microsoft.Resources", "Microsoft.Authorization"} for sub, found in namespaces.items()}
    assert expected == {n.subscription_id: set(n.providers) for n in subscription_needs(settings)}
    scopes = {r.inputs["scope"] for r in custom if r.type == "azure-native:authorization:RoleAssignment"}
    assert scopes == set(role_scopes(settings))


def test_a_created_workspaces_role_is_checked_at_its_subscription(capsys: pytest.CaptureFixture[str],
                                                                  mocker: Any) -> None:
    """The workspace does not exist before `pulumi up`: the right to assign its role is asked where it
    will inherit from."""
    settings = _settings("dev", **VARIANTS["created workspace elsewhere"][1])
    from securescore.cli.readiness import rights_to_check

    rights = rights_to_check(settings)
    assert "Microsoft.Authorization/roleAssignments/write" in rights[f"/subscriptions/{OTHER_SUB}"][0]
    assert "Microsoft.OperationalInsights/workspaces/write" in rights[f"/subscriptions/{OTHER_SUB}"][0]
    assert all(scope.count("/") == 2 for scope in rights)


def test_an_existing_workspaces_role_is_checked_on_the_workspace() -> None:
    from securescore.cli.readiness import rights_to_check

    settings = _settings("example")
    workspace = settings.workspace.resource_id
    assert rights_to_check(settings)[workspace] == (["Microsoft.Authorization/roleAssignments/write"],
                                                    ["role assignments"])


def test_the_requests_all_go_where_the_settings_say(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[Sent] = []
    transport = dev_transport()
    original = transport.send

    def spy(request: Any, **kwargs: Any) -> Any:
        response = original(request, **kwargs)
        seen.append(transport.sent[-1])
        return response

    transport.send = spy  # type: ignore[method-assign]
    results(capsys, transport)
    assert all(s.path.lower().startswith(f"/subscriptions/{DEV_SUB}") for s in seen)


def test_zero_touch_needs_communication_services_and_no_connection() -> None:
    from securescore.cli.readiness import rights_to_check

    settings = _settings("zerotouch")
    deploy = next(n for n in subscription_needs(settings) if n.subscription_id == settings.deployment_subscription_id)
    assert "Microsoft.Communication" in deploy.providers and "Microsoft.Web" not in deploy.providers
    # Learn, "Azure permissions" (Microsoft.Communication): the write operations of what the stack creates.
    assert {"Microsoft.Communication/CommunicationServices/Write", "Microsoft.Communication/EmailServices/write",
            "Microsoft.Communication/EmailServices/Domains/write"} <= set(deploy.actions)
    # The Communication Service does not exist before `pulumi up`: its role is asked at the subscription.
    service = settings.modes.acs.resource_id(settings.deployment_subscription_id, settings.resource_group_name)
    rights = rights_to_check(settings)
    assert service not in rights and service.lower() not in {scope.lower() for scope in rights}
    assert "Microsoft.Authorization/roleAssignments/write" in \
        rights[f"/subscriptions/{settings.deployment_subscription_id}"][0]
    # The existing workspace is there already: the right to assign Log Analytics Reader is asked on it.
    assert rights[settings.workspace.resource_id] == (["Microsoft.Authorization/roleAssignments/write"],
                                                      ["role assignments"])


def test_zero_touch_before_deploy_asks_for_the_communication_provider(capsys: pytest.CaptureFixture[str]) -> None:
    settings = _settings("zerotouch")
    sub = settings.deployment_subscription_id
    transport = FakeArmTransport()
    for namespace in ("Microsoft.Logic", "Microsoft.Security", "Microsoft.Communication"):
        state = "NotRegistered" if namespace == "Microsoft.Communication" else "Registered"
        for other in settings.subscription_ids:
            transport.add("GET", f"/subscriptions/{other}/providers/{namespace}",
                          Canned(200, provider_body(other, namespace, state)))
    for other in settings.subscription_ids:
        scope = f"/subscriptions/{other}"
        transport.add("HEAD", f"{scope}/resourceGroups/rg-securescore-zerotouch", Canned(404))
        transport.add("HEAD", f"{scope}/resourceGroups/rg-securescore-export", Canned(404))
        transport.add("GET", f"{scope}/providers/Microsoft.Authorization/roleAssignments", Canned(200, {"value": [
            role_assignment_body(scope, OWNER, USER_OID, other)]}))
        transport.add("GET", role_definition_id(OWNER, other), Canned(200, role_definition_body(OWNER, other)))
    workspace = settings.workspace.resource_id
    transport.add("GET", f"{workspace}/providers/Microsoft.Authorization/roleAssignments", Canned(200, {"value": [
        role_assignment_body(f"/subscriptions/{sub}", OWNER, USER_OID, sub)]}))
    transport.add("GET", workspace, Canned(200, workspace_body(workspace)))
    code, items = results(capsys, transport, stack="zerotouch")
    failed = [i for i in items if not i["ok"]]
    assert code == 1 and [i["check"] for i in failed] == [f"Resource provider Microsoft.Communication in {sub}"]
    assert f"az provider register --namespace Microsoft.Communication --subscription {sub}" in failed[0]["fix"]
    assert not named(items, "Resource provider Microsoft.Web")
