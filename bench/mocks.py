"""A minimal Pulumi Mocks class shared by the project program and the baseline, and a fresh-setup runner.

The mocks count registrations by type (custom resources and components apart) and can record each
custom resource's inputs, to prove that both programs register the same resources.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockResourceArgs, Mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

PROJECT = "securescore-report"
STACK = "bench"
PROVIDER_TYPE = "pulumi:providers:azure-native"
WORKFLOW_TYPE = "azure-native:logic:Workflow"
TENANT_ID = "00000000-0000-4000-8000-0000000000aa"


@dataclass(frozen=True)
class Recorded:
    type: str
    name: str
    provider: str  # "<urn>::<id>" of the provider, "" for none
    inputs: Mapping[str, Any]


@dataclass
class CountingMocks(Mocks):
    """Ids derived from names; the Logic App comes back with a system-assigned principal, the zero-touch
    resources with the outputs the program reads (an ACS domain's fromSenderDomain, a Communication
    Service's hostName, a looked-up workspace's customerId: REST spec Microsoft.Communication 2025-09-01
    domains/get.json, communicationServices/get.json; OperationalInsights 2023-09-01 WorkspacesGet.json)."""

    record: bool = False
    custom: Counter[str] = field(default_factory=Counter)
    components: Counter[str] = field(default_factory=Counter)
    recorded: list[Recorded] = field(default_factory=list)

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        (self.custom if args.custom else self.components)[args.typ] += 1
        if self.record and args.custom:
            self.recorded.append(Recorded(args.typ, args.name, args.provider or "", dict(args.inputs)))
        if not args.custom:
            return "", {}
        outputs = dict(args.inputs)
        if args.typ == WORKFLOW_TYPE or (outputs.get("identity") or {}).get("type") == "SystemAssigned":
            principal = str(uuid.uuid5(uuid.NAMESPACE_URL, f"principal:{args.name}"))
            outputs["identity"] = {"type": "SystemAssigned", "principalId": principal, "tenantId": TENANT_ID}
        elif args.typ == "azure-native:communication:Domain":
            sender = f"{uuid.uuid5(uuid.NAMESPACE_URL, args.name)}.azurecomm.net"
            outputs.update(fromSenderDomain=sender, verificationStates={"domain": {"status": "Verified"}})
        elif args.typ == "azure-native:communication:CommunicationService":
            outputs["hostName"] = f"{args.name}.communications.azure.com"
        return f"id-{args.typ}-{args.name}", outputs

    def call(self, args: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "azure-native:operationalinsights:getWorkspace":  # logsQuery http, existing workspace
            return {"customerId": str(uuid.uuid5(uuid.NAMESPACE_URL, str(args.args.get("workspaceName"))))}, []
        raise AssertionError(f"no invokes expected, got {args.token}")

    @property
    def custom_total(self) -> int:
        return sum(self.custom.values())

    @property
    def component_total(self) -> int:
        return sum(self.components.values())


def run_under_mocks(program: Callable[[], None], config: Mapping[str, str], record: bool = False) -> CountingMocks:
    """Run ``program`` in a fresh mocks setup (new event loop, config, mocks, root stack); wait for every RPC."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config(dict(config))
    mocks = CountingMocks(record=record)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=STACK, preview=False)
    try:
        _sync_await(run_pulumi_func(program))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return mocks
