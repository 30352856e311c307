"""The whole deployment as one component, and the stack outputs.

Other Pulumi programs reuse it (see examples/): ``SecureScoreReport(name, settings)`` with a
``Settings`` from ``parse_settings(values)``, or ``SecureScoreReport.from_config(name, config)`` with
the keys Pulumi.yaml declares under any config namespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from securescore.infra.acs import EmailSender, email_sender
from securescore.infra.config import config_values, load_settings
from securescore.infra.connections import api_connections
from securescore.infra.export import continuous_export
from securescore.infra.logic_app import principal_id_of, report_logic_app
from securescore.infra.policy import PolicyExport, policy_export
from securescore.infra.providers import Providers
from securescore.infra.resource_groups import ResourceGroups
from securescore.infra.roles import role_assignments
from securescore.infra.workspace import CreatedWorkspace, created_workspace, workspace_customer_id
from securescore.logicapp import logs_http, mail_acs
from securescore.logicapp.connections import connections_needing_consent
from securescore.settings import PROJECT, Settings, parse_settings


class SecureScoreReport(pulumi.ComponentResource):
    """Providers, export per monitored subscription, workspace, connections, Logic App, roles.

    The only ComponentResource: every resource is its direct child. Under the Python SDK a component
    costs about as much as a resource to register, so one component per subscription would add a
    quarter to the program's run time (bench item 1) without changing what gets deployed.

    ``settings`` is the typed argument: a ``Settings`` (build one with ``parse_settings(values)``,
    which validates and applies the declared defaults), or the values themselves, keyed like the
    config keys without namespace (``{"location": "westeurope", ...}``). The children's logical names
    do not include ``name``, so a stack holds one report (several reports are several stacks).
    """

    def __init__(
        self, name: str, settings: Settings | Mapping[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if not isinstance(settings, Settings):
            if not isinstance(settings, Mapping):
                raise TypeError("SecureScoreReport takes a securescore.settings.Settings (from parse_settings) "
                                f"or a mapping of config keys, not {type(settings).__name__}")
            settings = parse_settings(settings, source=f"SecureScoreReport {name!r}")
        super().__init__("securescore:index:SecureScoreReport", name, None, opts)
        self.settings = settings
        providers = Providers(settings, parent=self)
        groups = ResourceGroups.for_settings(providers, settings)
        # The report's own group: on destroy, deleting it removes the connections and the Logic App.
        report_group = groups.get_or_create(
            "report-rg", settings.deployment_subscription_id, settings.resource_group_name, parent=self
        )

        ws = settings.workspace
        # The id is known from the settings either way: an existing workspace is only referenced.
        self.workspace_resource_id = ws.resource_id
        workspace_deps: list[pulumi.Resource] = []
        created: CreatedWorkspace | None = None
        if not ws.existing:
            created = created_workspace("workspace", settings=settings, providers=providers, groups=groups, parent=self)
            workspace_deps = [created.workspace, created.solution]

        # Management-group mode: Microsoft's policy exports every subscription under the group.
        self.policy: PolicyExport | None = None
        if settings.scope is not None:
            self.policy = policy_export("policy", settings=settings, providers=providers, parent=self,
                                        depends_on=workspace_deps)
        for sub in settings.subscriptions:  # none in management-group mode
            continuous_export(
                f"export-{sub.id}",
                settings=settings,
                subscription=sub,
                workspace_resource_id=ws.resource_id,
                providers=providers,
                groups=groups,
                parent=self,
                depends_on=workspace_deps,
            )

        connections = api_connections(
            settings=settings, resource_group_name=report_group.name, providers=providers, parent=self
        )
        # Values the zero-touch workflow gets as parameter values, known only once Azure has them.
        deploy_time: dict[str, pulumi.Input[str]] = {}
        self.workspace_customer_id: pulumi.Output[str] | None = None
        if settings.modes.logs_http:
            self.workspace_customer_id = workspace_customer_id(settings, providers, created)
            deploy_time[logs_http.WORKSPACE_PARAMETER] = self.workspace_customer_id
        self.email_sender: EmailSender | None = None
        if settings.modes.mail_acs:
            self.email_sender = email_sender(
                settings=settings, resource_group_name=report_group.name, providers=providers, parent=self)
            deploy_time[mail_acs.ENDPOINT_PARAMETER] = self.email_sender.endpoint
            deploy_time[mail_acs.SENDER_PARAMETER] = self.email_sender.sender_address
        self.connection_ids = connections.ids()
        self.workflow = report_logic_app(
            "logic-app",
            settings=settings,
            resource_group_name=report_group.name,
            connection_ids=self.connection_ids,
            deploy_time_values=deploy_time,
            providers=providers,
            parent=self,
        )
        self.principal_id = principal_id_of(self.workflow)
        role_deps = workspace_deps + ([self.email_sender.communication_service] if self.email_sender else [])
        role_assignments(
            "roles",
            settings=settings,
            principal_id=self.principal_id,
            providers=providers,
            parent=self,
            depends_on=role_deps,
        )
        self.register_outputs({"logicAppId": self.workflow.id, "principalId": self.principal_id})

    @classmethod
    def from_config(
        cls, name: str, config: pulumi.Config | None = None, opts: pulumi.ResourceOptions | None = None
    ) -> SecureScoreReport:
        """The component with its settings read from ``config`` (default: the ``securescore-report:``
        namespace, whose undeclared keys are rejected as typos; another namespace may hold the program's
        own keys too, so there only the declared keys are read)."""
        if config is None or config.name == PROJECT:
            settings = load_settings()
        else:
            settings = parse_settings(config_values(config), source=f"stack {pulumi.get_stack()} ({config.name}:)")
        return cls(name, settings, opts)

    def authorize_command(self) -> str:
        """How to authorize the connections afterwards: by stack in this project (its stack files hold
        the settings), else by the connections' names, which work from any directory. Zero-touch mode
        has nothing to authorize, and says so."""
        s = self.settings
        needs_consent = connections_needing_consent(s)
        if not needs_consent:
            return "nothing to authorize: no connection needs a person's consent in this mode"
        if pulumi.get_project() == PROJECT:
            return f"securescore authorize --stack {pulumi.get_stack()}"
        return (f"securescore authorize --subscription {s.deployment_subscription_id} --resource-group "
                f"{s.resource_group_name}" + "".join(f" --connection {c}" for c in needs_consent))

    def stack_outputs(self) -> dict[str, Any]:
        """The stack outputs (nothing secret: ids, names and the next command to run)."""
        workflow_id = self.workflow.id
        return {
            "logicAppName": self.settings.logic_app_name,
            "logicAppId": workflow_id,
            "principalId": self.principal_id,
            "portalUrl": workflow_id.apply(lambda i: f"https://portal.azure.com/#@/resource{i}"),
            "connectionIds": self.connection_ids,
            "authorizeCommand": self.authorize_command(),
            "subscriptionsCovered": self._subscriptions_covered(),
            "workspaceResourceId": self.workspace_resource_id,
            **self._mode_outputs(),
        }

    def _subscriptions_covered(self) -> list[str] | str:
        """The subscriptions the report covers: the configured ones, or (management-group mode) all
        under the group, which the Logic App discovers at each run and the stack cannot list."""
        scope = self.settings.scope
        if scope is not None:
            return f"every subscription under management group {scope.management_group_id} (discovered at each run)"
        return list(self.settings.subscription_ids)

    def _mode_outputs(self) -> dict[str, Any]:
        """Zero-touch outputs: the query API's workspace id; the ACS sender, its endpoint and DNS records.
        Management-group mode: the group, the policy assignment and its identity, the remediation."""
        outputs: dict[str, Any] = {}
        if self.policy is not None and self.settings.scope is not None:
            outputs["managementGroupId"] = self.settings.scope.management_group_id
            outputs["policyAssignmentId"] = self.policy.assignment.id
            outputs["policyPrincipalId"] = self.policy.principal_id
            outputs["remediationId"] = self.policy.remediation.id
        if self.workspace_customer_id is not None:
            outputs["workspaceCustomerId"] = self.workspace_customer_id
        sender = self.email_sender
        if sender is not None:
            outputs["senderAddress"] = sender.sender_address
            outputs["senderDomain"] = sender.sender_domain
            outputs["communicationServiceEndpoint"] = sender.endpoint
            outputs["communicationServiceId"] = sender.resource_id
            if sender.dns_records is not None:
                outputs["customDomainDnsRecords"] = sender.dns_records
        return outputs
