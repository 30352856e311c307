"""A stack's configuration as frozen dataclasses, validated all at once.

Pure Python: no Pulumi engine. The same parser serves the Pulumi program (values from
``pulumi.Config``, which arrive as text) and the scripts (``Pulumi.yaml`` defaults plus
``stacks/Pulumi.<stack>.yaml`` read directly, the way the Pulumi CLI reads it), so ``--stack NAME``
works without the CLI and a bad value gets the same message everywhere.

Defaults live in one place: the typed ``config:`` declarations of ``Pulumi.yaml``. They are applied
here too, because the Pulumi mocks (and the scripts) do not apply them.

The rules themselves are in ``securescore.config`` (Azure names, regions, addresses, YAML, keys,
resource group ownership), each with its source.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from tzlocal.windows_tz import win_tz

from securescore.config import azure_names, fields
from securescore.config.azure_names import NameRule
from securescore.config.fields import WEEK_DAYS as WEEK_DAYS  # re-exported: it was defined here
from securescore.config.fields import Problems, connection_names
from securescore.config.keys import missing_namespace_problem, namespace_problems, unknown_key_problem
from securescore.config.modes import DEFAULT_MODES, Modes, parse_modes
from securescore.config.ownership import ownership_problems
from securescore.config.pulumi_yaml import load as load_yaml
from securescore.config.scope import ManagementGroupScope, parse_scope, scope_problems
from securescore.config.stack_file import read_stack_document
from securescore.config.values import ACCEPTED, Undecodable, decode, file_value_problem

PROJECT = "securescore-report"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOGS_AUTH_CHOICES = ("managedIdentity", "oauth")
ROLE_CHOICES = ("Reader", "SecurityReader")

_WORKSPACE_ID = re.compile(
    r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.OperationalInsights/workspaces/(?P<name>[^/]+)",
    re.IGNORECASE,
)
_WORKSPACE_ID_FORM = (
    "/subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>"
)
# Keys that only mean something for a workspace the stack creates (workspaceName).
_CREATED_WORKSPACE_KEYS = ("workspaceResourceGroupName", "workspaceSubscriptionId", "workspaceRetentionDays")


class SettingsError(ValueError):
    """Every problem found in a stack's configuration; raised before anything is created."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        noun = "problem" if len(problems) == 1 else "problems"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} configuration {noun}{where}:\n{lines}")


@dataclass(frozen=True)
class Subscription:
    id: str  # lower-case GUID
    name: str  # friendly name; the id when none was configured


@dataclass(frozen=True)
class Workspace:
    subscription_id: str
    resource_group_name: str
    name: str
    existing: bool  # True: read only, never changed or deleted by the stack
    retention_days: int

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group_name}"
            f"/providers/Microsoft.OperationalInsights/workspaces/{self.name}"
        )


@dataclass(frozen=True)
class Schedule:
    week_days: tuple[str, ...]
    hour: int
    minute: int
    time_zone: str  # Windows id, e.g. "W. Europe Standard Time"

    @property
    def iana_time_zone(self) -> str:
        return win_tz[self.time_zone]


@dataclass(frozen=True)
class ReportOptions:
    title: str
    initiative_name: str
    top_controls: int
    trend_weeks: int
    lookback_days: int
    drop_alert_points: int
    max_subscription_rows: int


@dataclass(frozen=True)
class ExportOptions:
    snapshots: bool
    assessments: bool
    resource_group_name: str
    automation_name: str


@dataclass(frozen=True)
class Settings:
    location: str
    deployment_subscription_id: str
    resource_group_name: str
    logic_app_name: str
    subscriptions: tuple[Subscription, ...]
    workspace: Workspace
    recipients: tuple[str, ...]
    schedule: Schedule
    report: ReportOptions
    logs_auth: Literal["managedIdentity", "oauth"]
    subscription_role: Literal["Reader", "SecurityReader"]
    export: ExportOptions
    modes: Modes = DEFAULT_MODES  # query and mail transports (securescore.config.modes)
    # managementGroupId: the subscriptions are those under it (securescore.config.scope); then
    # `subscriptions` is empty (nothing is created per subscription) and friendly names are in scope.names.
    scope: ManagementGroupScope | None = None

    @property
    def logs_connection_name(self) -> str:
        return connection_names(self.logic_app_name)[0]

    @property
    def office365_connection_name(self) -> str:
        return connection_names(self.logic_app_name)[1]

    @property
    def subscription_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.subscriptions)


# --- Pulumi.yaml declarations ---------------------------------------------------------------


@dataclass(frozen=True)
class KeyDeclaration:
    key: str  # without the project namespace
    type: str  # string | integer | boolean | array
    item_type: str | None
    description: str
    default: Any  # None when the key is required

    @property
    def required(self) -> bool:
        return self.default is None


def _root(root: Path | None) -> Path:
    return PROJECT_ROOT if root is None else root  # looked up when called, so tests can point elsewhere


# The package's copy of this repository's Pulumi.yaml: a symlink to ../Pulumi.yaml, which the wheel
# build copies as a file (see docs/design.md, "Packaging"), so an installed package has the defaults too.
PACKAGED_DECLARATIONS = Path(__file__).resolve().parent / "declarations.yaml"


def declarations(root: Path | None = None) -> dict[str, KeyDeclaration]:
    """The project's typed config keys, as Pulumi.yaml declares them (the one home of defaults).

    The package's declarations, overridden by those ``root``'s own Pulumi.yaml makes (the Pulumi CLI
    applies those): ``root`` may be a copy of this project, or a team's own project that declares none.
    """
    return _declarations(_root(root))


@cache
def _declarations(root: Path) -> dict[str, KeyDeclaration]:
    own = root / "Pulumi.yaml"
    return {**_declared_keys(PACKAGED_DECLARATIONS), **(_declared_keys(own) if own.is_file() else {})}


def _declared_keys(path: Path) -> dict[str, KeyDeclaration]:
    try:
        project, _, _ = load_yaml(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError([f"{path}: cannot be read as the project file: {error}"]) from None
    if not isinstance(project, dict):  # e.g. a checkout without symlinks: the link's target path as text
        return {}
    result: dict[str, KeyDeclaration] = {}
    for full_key, decl in (project.get("config") or {}).items():
        namespace, _, key = full_key.partition(":")
        if namespace != PROJECT or not isinstance(decl, dict) or "type" not in decl:
            continue
        result[key] = KeyDeclaration(
            key=key,
            type=decl["type"],
            item_type=(decl.get("items") or {}).get("type"),
            description=decl.get("description", ""),
            default=decl.get("default"),
        )
    return result


# --- reading a stack -------------------------------------------------------------------------


def stack_file(stack: str, root: Path | None = None) -> Path:
    return _root(root) / "stacks" / f"Pulumi.{stack}.yaml"


def stack_source(stack: str, root: Path | None = None) -> str:
    """How messages name a stack's file: relative to the project, as `pulumi` users see it."""
    path = stack_file(stack, root)
    try:
        return path.relative_to(_root(root)).as_posix()
    except ValueError:
        return str(path)


def available_stacks(root: Path | None = None) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (_root(root) / "stacks").glob("Pulumi.*.yaml"))


@dataclass
class _StackRead:
    source: str
    values: dict[str, Any] = field(default_factory=dict)  # project keys, without the namespace
    readable: bool = True  # False: the file could not be read at all; only its problems count
    present: set[str] = field(default_factory=set)  # project keys set but unreadable (reported in problems)
    other_keys: list[str] = field(default_factory=list)  # full keys in other namespaces
    problems: list[str] = field(default_factory=list)


def _read_stack(stack: str, root: Path | None) -> _StackRead:
    path = stack_file(stack, root)
    if not path.is_file():
        known = ", ".join(available_stacks(root)) or "none"
        raise SettingsError([f"stack '{stack}': no file {stack_source(stack, root)}; stacks available: {known}"])
    read = _StackRead(stack_source(stack, root))
    document = read_stack_document(path, read.source)
    read.problems += document.problems
    read.readable = document.readable
    decls = declarations(root)
    for entry in document.entries:
        namespace, sep, key = entry.full_key.partition(":")
        where = f"{read.source}:{entry.line}"
        if not sep:
            read.problems.append(f"{where}: {missing_namespace_problem(PROJECT, entry.full_key, decls)}")
        elif namespace != PROJECT:
            read.other_keys.append(entry.full_key)
        elif key in decls and (problem := file_value_problem(decls[key].type, entry.value, entry.node)):
            read.problems.append(f"{where}: {entry.full_key}: {problem}")
            read.present.add(key)
        else:
            read.values[key] = entry.value
    return read


def read_stack_values(stack: str, root: Path | None = None) -> dict[str, Any]:
    """The project-namespace values of a stack file, keyed without the namespace.

    Raises SettingsError when the file itself is wrong (YAML, layout, a value the CLI would misread).
    """
    read = _read_stack(stack, root)
    if read.problems:
        raise SettingsError(read.problems, read.source)
    return read.values


def settings_from_stack(stack: str, root: Path | None = None) -> Settings:
    """Settings of ``stacks/Pulumi.<stack>.yaml`` with the Pulumi.yaml defaults, without the CLI."""
    read = _read_stack(stack, root)
    if not read.readable:
        raise SettingsError(read.problems, read.source)
    return parse_settings(
        read.values, source=read.source, root=root,
        other_keys=read.other_keys, problems=read.problems, present=read.present,
    )


# --- parsing and validation ------------------------------------------------------------------


def parse_settings(
    values: Mapping[str, Any],
    source: str = "",
    root: Path | None = None,
    *,
    other_keys: Collection[str] = (),
    problems: Sequence[str] = (),
    present: Collection[str] = (),
) -> Settings:
    """Validate a stack's values (keys without the namespace) and build Settings.

    ``values`` are YAML values or the text pulumi.Config gives. ``other_keys`` are the stack's full
    keys in other namespaces (checked for near-misses of this project's), ``problems`` those already
    found in the stack file, ``present`` keys it sets that could not be read. Raises SettingsError
    listing every problem, each naming the key, the value and what is accepted.
    """
    decls = declarations(root)
    errors = Problems(PROJECT, problems)
    errors.problems += [unknown_key_problem(PROJECT, key, decls) for key in values if key not in decls]
    errors.problems += namespace_problems(PROJECT, other_keys, decls)

    v: dict[str, Any] = {}
    defaults = {key: decode(decl.type, decl.default) for key, decl in decls.items() if not decl.required}
    for key, decl in decls.items():
        v[key] = None
        if values.get(key) is not None:  # None: not set (a stack file's null is refused before this)
            try:
                v[key] = decode(decl.type, values[key])
            except Undecodable:
                errors.add(key, values[key], ACCEPTED[decl.type])
        elif key not in present:
            if decl.required:
                errors.problems.append(f"{PROJECT}:{key} is required: {decl.description}")
            else:
                v[key] = defaults[key]

    def is_set(key: str) -> bool:
        """Set to something else than its default (the CLI hands the program the defaults too)."""
        return key in present or (v[key] is not None and v[key] != defaults.get(key))

    location = fields.location(v["location"], errors)
    deploy_sub = fields.guid("deploymentSubscriptionId", v["deploymentSubscriptionId"], errors)
    rg = fields.resource_name("resourceGroupName", v["resourceGroupName"], azure_names.RESOURCE_GROUP, errors)
    logic_app = fields.logic_app_name(v["logicAppName"], errors)
    monitored, scope = parse_scope(v, errors, is_set=is_set, given=lambda key: values.get(key) is not None,
                                   logic_app_name=logic_app)
    subscriptions = tuple(Subscription(id_, name) for id_, name in monitored)
    workspace = _workspace(v, is_set, deploy_sub, rg, errors)
    recipients = fields.recipients(v["recipients"], errors)
    schedule = Schedule(
        week_days=fields.week_days(v["scheduleWeekDays"], errors),
        hour=fields.int_range("scheduleHour", v["scheduleHour"], 0, 23, errors),
        minute=fields.int_range("scheduleMinute", v["scheduleMinute"], 0, 59, errors),
        time_zone=fields.time_zone(v["scheduleTimeZone"], errors),
    )
    report = ReportOptions(
        title=fields.text("reportTitle", v["reportTitle"], errors),
        initiative_name=fields.text("initiativeName", v["initiativeName"], errors),
        top_controls=fields.int_range("topControls", v["topControls"], 1, 20, errors),
        trend_weeks=fields.int_range("trendWeeks", v["trendWeeks"], 2, 52, errors),
        lookback_days=fields.int_range("lookbackDays", v["lookbackDays"], 7, 90, errors),
        drop_alert_points=fields.int_range("dropAlertPoints", v["dropAlertPoints"], 1, 100, errors),
        max_subscription_rows=fields.int_range("maxSubscriptionRows", v["maxSubscriptionRows"], 1, 500, errors),
    )
    logs_auth = fields.choice("logsConnectionAuth", v["logsConnectionAuth"], LOGS_AUTH_CHOICES, errors)
    role = fields.choice("subscriptionRole", v["subscriptionRole"], ROLE_CHOICES, errors)
    export = ExportOptions(
        snapshots=bool(v["exportSnapshots"]),
        assessments=bool(v["exportAssessments"]),
        resource_group_name=fields.resource_name(
            "exportResourceGroupName", v["exportResourceGroupName"], azure_names.RESOURCE_GROUP, errors
        ),
        automation_name=fields.resource_name(
            "exportAutomationName", v["exportAutomationName"], azure_names.SECURITY_AUTOMATION, errors
        ),
    )
    modes = parse_modes(v, errors, recipients=recipients, deployment_subscription_id=deploy_sub,
                        resource_group_name=rg, logic_app_name=logic_app)
    settings = Settings(
        location=location,
        deployment_subscription_id=deploy_sub,
        resource_group_name=rg,
        logic_app_name=logic_app,
        subscriptions=subscriptions,
        workspace=workspace,
        recipients=recipients,
        schedule=schedule,
        report=report,
        logs_auth=logs_auth,  # type: ignore[arg-type]
        subscription_role=role,  # type: ignore[arg-type]
        export=export,
        modes=modes,
        scope=scope,
    )
    errors.problems += ownership_problems(PROJECT, settings)
    errors.problems += scope_problems(PROJECT, settings)
    if errors.problems:
        raise SettingsError(errors.problems, source)
    return settings


def _workspace(v: dict[str, Any], is_set: Any, deploy_sub: str, rg: str, errors: Problems) -> Workspace:
    existing_id, name = v["workspaceResourceId"] or "", v["workspaceName"] or ""
    if existing_id and name:
        errors.problems.append(
            f"{PROJECT}:workspaceResourceId and {PROJECT}:workspaceName are both set; "
            "set workspaceResourceId to use an existing workspace, or workspaceName to create one"
        )
    if existing_id:
        for key in _CREATED_WORKSPACE_KEYS:
            if is_set(key):
                errors.problems.append(
                    f"{PROJECT}:{key} is set, but it applies only to a workspace the stack creates "
                    f"({PROJECT}:workspaceName); {PROJECT}:workspaceResourceId names an existing one, "
                    f"used as it is: remove {PROJECT}:{key}"
                )
        return _existing_workspace(existing_id, errors)
    retention = fields.int_range("workspaceRetentionDays", v["workspaceRetentionDays"], 30, 730, errors)
    if not name:
        errors.problems.append(
            f"{PROJECT}:workspaceResourceId or {PROJECT}:workspaceName is required: "
            "an existing workspace's resource id, or the name of one the stack creates"
        )
        return Workspace("", "", "", False, retention)
    name = fields.resource_name("workspaceName", name, azure_names.LOG_ANALYTICS_WORKSPACE, errors)
    ws_rg = rg
    if v["workspaceResourceGroupName"]:
        ws_rg = fields.resource_name(
            "workspaceResourceGroupName", v["workspaceResourceGroupName"], azure_names.RESOURCE_GROUP, errors
        )
    ws_sub = deploy_sub
    if v["workspaceSubscriptionId"]:
        ws_sub = fields.guid("workspaceSubscriptionId", v["workspaceSubscriptionId"], errors)
    return Workspace(ws_sub, ws_rg, name, False, retention)


def _existing_workspace(existing_id: str, errors: Problems) -> Workspace:
    match = _WORKSPACE_ID.fullmatch(existing_id)
    problem = "" if match else "not in this form"
    if match:
        problem = (
            ("" if fields.is_guid(match["sub"]) else f"the subscription {match['sub']!r} is not a GUID")
            or _part_problem("resource group", azure_names.RESOURCE_GROUP, match["rg"])
            or _part_problem("workspace name", azure_names.LOG_ANALYTICS_WORKSPACE, match["name"])
        )
    if match and not problem:
        return Workspace(match["sub"].lower(), match["rg"], match["name"], True, 0)
    errors.add("workspaceResourceId", existing_id, f"{_WORKSPACE_ID_FORM} ({problem})")
    return Workspace("", "", "", True, 0)


def _part_problem(what: str, rule: NameRule, value: str) -> str:
    problem = rule.problem(value)
    return f"the {what} {value!r}: {problem}" if problem else ""
