"""Run the Pulumi program under ``pulumi.runtime.set_mocks`` and record every registration.

No CLI and no Azure: a MockMonitor subclass records what goes on the wire (type, name, parent,
provider reference, deserialized camelCase inputs, protect / retainOnDelete), and the mocks answer
with ARM-shaped ids in the subscription of the resource's provider, like Azure would.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from securescore.settings import PROJECT, read_stack_values

PROVIDER_TYPE = "pulumi:providers:azure-native"
PROVIDER_ID_PREFIX = "provider-"
TENANT_ID = "00000000-0000-4000-8000-0000000000aa"


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    id: str
    parent: str
    provider: str  # "<provider urn>::<provider id>", "" when none
    custom: bool
    protect: bool
    retain_on_delete: bool
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)  # URNs of depends_on (and of input resources)

    @property
    def ref(self) -> str:
        return f"{self.urn}::{self.id}"


@dataclass
class ProgramRun:
    registrations: list[Registration] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    invokes: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_} {name or ''}, got {[r.name for r in found]}"
        return found[0]

    @property
    def providers(self) -> dict[str, Registration]:
        return {r.ref: r for r in self.of_type(PROVIDER_TYPE)}

    def subscription_of(self, registration: Registration) -> str:
        """The subscriptionId input of the provider this registration names."""
        provider = self.providers.get(registration.provider)
        assert provider is not None, f"{registration.type} {registration.name} names no known provider"
        return provider.inputs["subscriptionId"]

    def by_urn(self, urn: str) -> Registration | None:
        return next((r for r in self.registrations if r.urn == urn), None)


def _principal_id(workflow_name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"principal:{workflow_name}"))


def workspace_customer_id(workspace_name: str) -> str:
    """The customerId the mocks give a workspace (created or looked up): a GUID, as Azure's."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, workspace_name))


def managed_sender_domain(email_service_name: str) -> str:
    """An Azure-managed domain's fromSenderDomain: <guid>.azurecomm.net (Learn, "add multiple senders")."""
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, 'domain:' + email_service_name)}.azurecomm.net"


def _verification(status: str) -> dict[str, Any]:
    # Domains resource shape, REST spec Microsoft.Communication 2025-09-01 examples/domains/get.json.
    return {kind: {"status": status, "errorCode": ""} for kind in ("domain", "sPF", "dKIM", "dKIM2", "dMARC")}


def _verification_records(domain: str) -> dict[str, Any]:
    return {
        "domain": {"type": "TXT", "name": domain, "ttl": 3600,
                   "value": f"ms-domain-verification={uuid.uuid5(uuid.NAMESPACE_URL, domain)}"},
        "sPF": {"type": "TXT", "name": domain, "value": "v=spf1 include:spf.protection.outlook.com -all", "ttl": 3600},
        "dKIM": {"type": "CNAME", "name": "selector1-azurecomm-prod-net._domainkey",
                 "value": "selector1-azurecomm-prod-net._domainkey.azurecomm.net", "ttl": 3600},
        "dKIM2": {"type": "CNAME", "name": "selector2-azurecomm-prod-net._domainkey",
                  "value": "selector2-azurecomm-prod-net._domainkey.azurecomm.net", "ttl": 3600},
    }


class AzureMocks(Mocks):
    """ARM-shaped ids and the outputs the program reads, in camelCase as the provider returns them.

    In preview, like a first ``pulumi preview``: no id and no computed output is known yet.
    ``verified_domains``: customer-managed email domains whose DNS verification Azure reports done.
    """

    def __init__(self, preview: bool = False, verified_domains: frozenset[str] = frozenset()) -> None:
        self.preview = preview
        self.verified_domains = verified_domains

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ == PROVIDER_TYPE:
            return PROVIDER_ID_PREFIX + inputs["subscriptionId"], inputs
        if not args.custom or self.preview:
            return "", {}
        provider_id = (args.provider or "").rsplit("::", 1)[-1]
        sub = provider_id.removeprefix(PROVIDER_ID_PREFIX)
        rg_path = f"/subscriptions/{sub}/resourceGroups/{inputs.get('resourceGroupName')}/providers"
        t = args.typ
        if t == "azure-native:resources:ResourceGroup":
            name = inputs["resourceGroupName"]
            return f"/subscriptions/{sub}/resourceGroups/{name}", {**inputs, "name": name}
        if t == "azure-native:security:Automation":
            name = inputs["automationName"]
            return f"{rg_path}/Microsoft.Security/automations/{name}", {**inputs, "name": name}
        if t == "azure-native:operationalinsights:Workspace":
            name = inputs["workspaceName"]
            return f"{rg_path}/Microsoft.OperationalInsights/workspaces/{name}", {
                **inputs, "name": name, "customerId": workspace_customer_id(name),
            }
        if t == "azure-native:operationsmanagement:Solution":
            name = inputs["solutionName"]
            return f"{rg_path}/Microsoft.OperationsManagement/solutions/{name}", {**inputs, "name": name}
        if t == "azure-native:web:Connection":
            name = inputs["connectionName"]
            return f"{rg_path}/Microsoft.Web/connections/{name}", {**inputs, "name": name}
        if t == "azure-native:resources:Resource":
            name = inputs["resourceName"]
            path = f"{inputs['resourceProviderNamespace']}/{inputs['resourceType']}/{name}"
            return f"{rg_path}/{path}", {**inputs, "name": name}
        if t == "azure-native:logic:Workflow":
            name = inputs["workflowName"]
            identity = {"type": "SystemAssigned", "principalId": _principal_id(name), "tenantId": TENANT_ID}
            return f"{rg_path}/Microsoft.Logic/workflows/{name}", {**inputs, "name": name, "identity": identity}
        if t == "azure-native:communication:EmailService":
            name = inputs["emailServiceName"]
            return f"{rg_path}/Microsoft.Communication/emailServices/{name}", {**inputs, "name": name}
        if t == "azure-native:communication:Domain":
            name, service = inputs["domainName"], inputs["emailServiceName"]
            managed = inputs["domainManagement"] == "AzureManaged"
            sender = managed_sender_domain(service) if managed else name
            status = "Verified" if managed or name in self.verified_domains else "NotStarted"
            outputs = {**inputs, "name": name, "fromSenderDomain": sender, "mailFromSenderDomain": sender,
                       "verificationStates": _verification(status)}
            if not managed:
                outputs["verificationRecords"] = _verification_records(name)
            return f"{rg_path}/Microsoft.Communication/emailServices/{service}/domains/{name}", outputs
        if t == "azure-native:communication:CommunicationService":
            name = inputs["communicationServiceName"]
            # hostName as in the REST spec's example (createOrUpdateWithDisableLocalAuth.json).
            return f"{rg_path}/Microsoft.Communication/communicationServices/{name}", {
                **inputs, "name": name, "hostName": f"{name.lower()}.communications.azure.com",
            }
        if t == "azure-native:authorization:PolicyAssignment":
            # REST spec Microsoft.Authorization policyAssignments (2025-01-01): the id under its scope; a
            # system-assigned identity answers with principalId and tenantId.
            name = inputs["policyAssignmentName"]
            identity = {"type": "SystemAssigned", "principalId": _principal_id(f"policy:{name}"),
                        "tenantId": TENANT_ID}
            return f"{inputs['scope']}/providers/Microsoft.Authorization/policyAssignments/{name}", {
                **inputs, "name": name, "identity": identity}
        if t == "azure-native:policyinsights:RemediationAtManagementGroup":
            name = inputs["remediationName"]
            group = f"/providers/Microsoft.Management/managementGroups/{inputs['managementGroupId']}"
            return f"{group}/providers/Microsoft.PolicyInsights/remediations/{name}", {
                **inputs, "name": name, "provisioningState": "Accepted"}
        if t == "azure-native:authorization:RoleAssignment":
            name = inputs["roleAssignmentName"]
            return f"{inputs['scope']}/providers/Microsoft.Authorization/roleAssignments/{name}", {
                **inputs, "name": name,
            }
        raise AssertionError(f"the mocks do not know {t}")

    def call(self, args: Any) -> dict[str, Any]:
        # Only the deploy-time lookup of an existing workspace (logsQuery http) is expected.
        if args.token == "azure-native:operationalinsights:getWorkspace":
            name = args.args["workspaceName"]
            return {"name": name, "customerId": workspace_customer_id(name)}
        raise AssertionError(f"the program must not invoke anything else, got {args.token}")


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Mocks, run: ProgramRun) -> None:
        super().__init__(mocks)
        self.run = run

    def RegisterResource(self, request: Any) -> Any:  # gRPC method names, as MockMonitor has them
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.run.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    id=response.id,
                    parent=request.parent,
                    provider=request.provider,
                    custom=request.custom,
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    inputs=rpc.deserialize_properties(request.object),
                    dependencies=list(request.dependencies),
                )
            )
        return response

    def ReadResource(self, request: Any) -> Any:
        self.run.reads.append(f"{request.type} {request.name}")
        return super().ReadResource(request)

    def Invoke(self, request: Any) -> Any:
        self.run.invokes.append(request.tok)
        return super().Invoke(request)


def config_for(values: Mapping[str, Any]) -> dict[str, str]:
    """Stack-file values (native YAML types) as the CLI hands them to the program: strings, JSON arrays."""
    result: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            text = json.dumps(value)
        else:
            text = str(value)
        result[f"{PROJECT}:{key}"] = text
    return result


def stack_config(stack: str, **overrides: Any) -> dict[str, str]:
    values = {**read_stack_values(stack), **overrides}
    return config_for({k: v for k, v in values.items() if v is not None})


def default_program() -> dict[str, Any]:
    """What __main__.py does, returning the outputs instead of exporting them."""
    from securescore.infra.config import load_settings
    from securescore.infra.stack import SecureScoreReport

    settings = load_settings()
    return SecureScoreReport("securescore-report", settings).stack_outputs()


def run_program(
    config: Mapping[str, str],
    stack: str = "test",
    program: Callable[[], Any] = default_program,
    run: ProgramRun | None = None,
    preview: bool = False,
    project: str = PROJECT,
    verified_domains: frozenset[str] = frozenset(),
) -> ProgramRun:
    """Run ``program`` under mocks with exactly ``config``; resolve what it returns into ``outputs``.

    Exceptions from the program propagate (after the runtime has settled); pass ``run`` to inspect
    what was registered before one.
    """
    # A fresh loop per run: pulumi's sync helpers need one on this thread (3.12+ has none by default).
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    run = run if run is not None else ProgramRun()
    pulumi.runtime.set_all_config(dict(config))  # replaces, so nothing leaks from an earlier test
    mocks = AzureMocks(preview, verified_domains)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview,
                             monitor=RecordingMonitor(mocks, run))

    def body() -> None:
        outputs = program()
        if outputs is not None:
            run.outputs = _sync_await(pulumi.Output.from_input(outputs).future()) or {}

    try:
        _sync_await(run_pulumi_func(body))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return run
