"""A stack's configuration as frozen dataclasses, validated all at once.

Pure Python: no Pulumi engine. The same parser serves the Pulumi program (values from
``pulumi.Config``, which arrive as strings) and the scripts (``Pulumi.yaml`` defaults plus
``stacks/Pulumi.<stack>.yaml`` read directly), so ``--stack NAME`` works without the CLI.

Defaults live in one place: the typed ``config:`` declarations of ``Pulumi.yaml``. They are applied
here too, because the Pulumi mocks (and the scripts) do not apply them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from tzlocal.windows_tz import tz_win, win_tz

from securescore.settings_modes import DEFAULT_MODES, Modes, parse_modes

PROJECT = "securescore-report"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LOGS_AUTH_CHOICES = ("managedIdentity", "oauth")
ROLE_CHOICES = ("Reader", "SecurityReader")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_WORKSPACE_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.OperationalInsights/workspaces/(?P<name>[^/]+)$",
    re.IGNORECASE,
)
# Azure naming rules (Microsoft.Resources, Microsoft.Logic, Microsoft.OperationalInsights).
_RESOURCE_GROUP = re.compile(r"^[-\w.()]{0,89}[-\w()]$")
_LOGIC_APP = re.compile(r"^[-\w.()]{1,80}$")
_WORKSPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$")
_AUTOMATION_NAME = re.compile(r"^[-\w.]{1,100}$")
_LOCATION = re.compile(r"^[a-z][a-z0-9]{2,40}$")
# Deliberately strict: no ';' or ',' (the To field is ';'-separated), no quotes or angle brackets.
_EMAIL_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&*+/=?^_`{{|}}~-]+@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})+$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class SettingsError(ValueError):
    """Every problem found in a stack's configuration; raised before anything is created."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} configuration problem(s){where}:\n{lines}")


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
    modes: Modes = DEFAULT_MODES  # query and mail transports (securescore.settings_modes)

    @property
    def logs_connection_name(self) -> str:
        return f"{self.logic_app_name}-azuremonitorlogs"

    @property
    def office365_connection_name(self) -> str:
        return f"{self.logic_app_name}-office365"

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


# The package's copy of this repository's Pulumi.yaml: a symlink to ../Pulumi.yaml, which the wheel
# build copies as a file (see docs/design.md, "Packaging"), so an installed package has the defaults too.
PACKAGED_DECLARATIONS = Path(__file__).resolve().parent / "declarations.yaml"


@cache
def declarations(root: Path = PROJECT_ROOT) -> dict[str, KeyDeclaration]:
    """The project's typed config keys, as Pulumi.yaml declares them (the one home of defaults).

    The package's declarations, overridden by those ``root``'s own Pulumi.yaml makes (the Pulumi CLI
    applies those): ``root`` may be a copy of this project, or a team's own project that declares none.
    """
    own = root / "Pulumi.yaml"
    return {**_declared_keys(PACKAGED_DECLARATIONS), **(_declared_keys(own) if own.is_file() else {})}


def _declared_keys(path: Path) -> dict[str, KeyDeclaration]:
    project = yaml.safe_load(path.read_text(encoding="utf-8"))
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


def stack_file(stack: str, root: Path = PROJECT_ROOT) -> Path:
    return root / "stacks" / f"Pulumi.{stack}.yaml"


def available_stacks(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (root / "stacks").glob("Pulumi.*.yaml"))


def read_stack_values(stack: str, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The project-namespace values of a stack file, keyed without the namespace."""
    path = stack_file(stack, root)
    if not path.is_file():
        known = ", ".join(available_stacks(root)) or "none"
        raise SettingsError([f"stack '{stack}': no file {path}; stacks available: {known}"])
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    values: dict[str, Any] = {}
    for full_key, value in (document.get("config") or {}).items():
        namespace, _, key = str(full_key).partition(":")
        if namespace == PROJECT:
            values[key] = value
    return values


def settings_from_stack(stack: str, root: Path = PROJECT_ROOT) -> Settings:
    """Settings of ``stacks/Pulumi.<stack>.yaml`` with the Pulumi.yaml defaults, without the CLI."""
    return parse_settings(read_stack_values(stack, root), source=str(stack_file(stack, root)), root=root)


# --- parsing and validation ------------------------------------------------------------------


class _Collector:
    """Collects every problem so the user sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, key: str, value: Any, accepted: str) -> None:
        self.problems.append(f"{PROJECT}:{key}: {_show(value)} is not accepted; expected {accepted}")


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _coerce(decl: KeyDeclaration, raw: Any, errors: _Collector) -> Any:
    """Values from pulumi.Config arrive as strings (arrays as JSON); YAML gives native types."""
    if decl.type == "string":
        if isinstance(raw, str):
            return raw.strip()
        errors.add(decl.key, raw, "a string")
    elif decl.type == "integer":
        if isinstance(raw, bool):
            errors.add(decl.key, raw, "a whole number")
        elif isinstance(raw, int):
            return raw
        elif (isinstance(raw, float) and raw.is_integer()) or (
            isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw)
        ):
            return int(raw)
        else:
            errors.add(decl.key, raw, "a whole number")
    elif decl.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        errors.add(decl.key, raw, "true or false")
    elif decl.type == "array":
        value = raw
        if isinstance(raw, str):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                errors.add(decl.key, raw, "a list (a YAML sequence, or a JSON array via pulumi config)")
                return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value]
        errors.add(decl.key, raw, "a list of strings")
    return None


def parse_settings(values: Mapping[str, Any], source: str = "", root: Path = PROJECT_ROOT) -> Settings:
    """Validate a stack's values (keys without the namespace) and build Settings.

    Raises SettingsError listing every problem, each naming the key, the value and what is accepted.
    """
    decls = declarations(root)
    errors = _Collector()
    for key in values:
        if key not in decls:
            errors.problems.append(
                f"{PROJECT}:{key} is not a known key; known keys: {', '.join(sorted(decls))}"
            )

    v: dict[str, Any] = {}
    for key, decl in decls.items():
        raw = values.get(key)
        if raw is None:
            if decl.required:
                errors.problems.append(f"{PROJECT}:{key} is required: {decl.description}")
            v[key] = decl.default
        else:
            v[key] = _coerce(decl, raw, errors)

    location = _location(v["location"], errors)
    deploy_sub = _guid("deploymentSubscriptionId", v["deploymentSubscriptionId"], errors)
    rg = _name("resourceGroupName", v["resourceGroupName"], _RESOURCE_GROUP, "a resource group name", errors)
    logic_app = _name(
        "logicAppName", v["logicAppName"], _LOGIC_APP,
        "1-80 letters, digits, '-', '_', '.', '(' or ')'", errors,
    )
    subscriptions = _subscriptions(v["subscriptions"], errors)
    workspace = _workspace(v, deploy_sub, rg, errors)
    recipients = _recipients(v["recipients"], errors)
    schedule = Schedule(
        week_days=_week_days(v["scheduleWeekDays"], errors),
        hour=_int_range("scheduleHour", v["scheduleHour"], 0, 23, errors),
        minute=_int_range("scheduleMinute", v["scheduleMinute"], 0, 59, errors),
        time_zone=_time_zone(v["scheduleTimeZone"], errors),
    )
    report = ReportOptions(
        title=_text("reportTitle", v["reportTitle"], 100, errors),
        initiative_name=_text("initiativeName", v["initiativeName"], 100, errors),
        top_controls=_int_range("topControls", v["topControls"], 1, 20, errors),
        trend_weeks=_int_range("trendWeeks", v["trendWeeks"], 2, 52, errors),
        lookback_days=_int_range("lookbackDays", v["lookbackDays"], 7, 90, errors),
        drop_alert_points=_int_range("dropAlertPoints", v["dropAlertPoints"], 1, 100, errors),
        max_subscription_rows=_int_range("maxSubscriptionRows", v["maxSubscriptionRows"], 1, 500, errors),
    )
    logs_auth = _choice("logsConnectionAuth", v["logsConnectionAuth"], LOGS_AUTH_CHOICES, errors)
    role = _choice("subscriptionRole", v["subscriptionRole"], ROLE_CHOICES, errors)
    export = ExportOptions(
        snapshots=bool(v["exportSnapshots"]),
        assessments=bool(v["exportAssessments"]),
        resource_group_name=_name(
            "exportResourceGroupName", v["exportResourceGroupName"], _RESOURCE_GROUP,
            "a resource group name", errors,
        ),
        automation_name=_name(
            "exportAutomationName", v["exportAutomationName"], _AUTOMATION_NAME,
            "1-100 letters, digits, '-', '_' or '.'", errors,
        ),
    )
    modes = parse_modes(v, errors, choice=_choice, recipients=recipients, deployment_subscription_id=deploy_sub,
                        resource_group_name=rg, logic_app_name=logic_app)
    if errors.problems:
        raise SettingsError(errors.problems, source)
    return Settings(
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
    )


def _guid(key: str, value: Any, errors: _Collector) -> str:
    if isinstance(value, str) and _GUID.match(value):
        return value.lower()
    if value is not None:
        errors.add(key, value, "a subscription id (GUID like 00000000-0000-0000-0000-000000000000)")
    return ""


def _name(key: str, value: Any, pattern: re.Pattern[str], accepted: str, errors: _Collector) -> str:
    if isinstance(value, str) and pattern.match(value):
        return value
    if value is not None:
        errors.add(key, value, accepted)
    return ""


def _text(key: str, value: Any, max_len: int, errors: _Collector) -> str:
    if isinstance(value, str) and 0 < len(value) <= max_len and not _CONTROL_CHARS.search(value):
        return value
    if value is not None:
        errors.add(key, value, f"1 to {max_len} characters without control characters")
    return ""


def _int_range(key: str, value: Any, low: int, high: int, errors: _Collector) -> int:
    if isinstance(value, int) and low <= value <= high:
        return value
    if value is not None:
        errors.add(key, value, f"a whole number from {low} to {high}")
    return low


def _choice(key: str, value: Any, choices: tuple[str, ...], errors: _Collector) -> str:
    for choice in choices:
        if isinstance(value, str) and value.lower() == choice.lower():
            return choice
    if value is not None:
        errors.add(key, value, "one of " + ", ".join(f'"{c}"' for c in choices))
    return choices[0]


def _location(value: Any, errors: _Collector) -> str:
    if isinstance(value, str):
        normalized = value.replace(" ", "").lower()
        if _LOCATION.match(normalized):
            return normalized
    if value is not None:
        errors.add("location", value, "an Azure region name such as westeurope or eastus2")
    return ""


def _subscriptions(value: Any, errors: _Collector) -> tuple[Subscription, ...]:
    if value is None:
        return ()
    if not value:
        errors.add("subscriptions", value, 'at least one "<subscription GUID>" or "<GUID>=<friendly name>"')
        return ()
    result: list[Subscription] = []
    seen: set[str] = set()
    for entry in value:
        sub_id, sep, name = entry.partition("=")
        sub_id, name = sub_id.strip(), name.strip()
        if not _GUID.match(sub_id):
            errors.add("subscriptions", entry, 'entries "<subscription GUID>" or "<GUID>=<friendly name>"')
            continue
        if (sep and not 0 < len(name) <= 100) or _CONTROL_CHARS.search(name):
            errors.add("subscriptions", entry, "a friendly name of 1 to 100 characters after '='")
            continue
        sub_id = sub_id.lower()
        if sub_id in seen:
            errors.add("subscriptions", entry, "each subscription once (this GUID is listed twice)")
            continue
        seen.add(sub_id)
        result.append(Subscription(id=sub_id, name=name or sub_id))
    return tuple(result)


def _recipients(value: Any, errors: _Collector) -> tuple[str, ...]:
    if value is None:
        return ()
    if not value:
        errors.add("recipients", value, "at least one email address")
        return ()
    result: list[str] = []
    for address in value:
        if not _EMAIL.match(address) or len(address) > 254:
            errors.add("recipients", address, "email addresses like secops@contoso.com")
        elif address.lower() in (r.lower() for r in result):
            errors.add("recipients", address, "each address once (this one is listed twice)")
        else:
            result.append(address)
    return tuple(result)


def _week_days(value: Any, errors: _Collector) -> tuple[str, ...]:
    if value is None:
        return ()
    days: list[str] = []
    for entry in value:
        day = entry.strip().capitalize()
        if day not in WEEK_DAYS or day in days:
            errors.add("scheduleWeekDays", entry, "distinct week days from " + ", ".join(WEEK_DAYS))
        else:
            days.append(day)
    if not value:
        errors.add("scheduleWeekDays", value, "at least one week day")
    return tuple(sorted(days, key=WEEK_DAYS.index))


def _time_zone(value: Any, errors: _Collector) -> str:
    if isinstance(value, str) and value in win_tz:
        return value
    if isinstance(value, str):
        hint = f' (the Windows id of {value} is "{tz_win[value]}")' if value in tz_win else ""
        errors.add("scheduleTimeZone", value, f'a Windows time zone id such as "W. Europe Standard Time"{hint}')
    return "UTC"


def _workspace(v: dict[str, Any], deploy_sub: str, rg: str, errors: _Collector) -> Workspace:
    existing_id, name = v["workspaceResourceId"] or "", v["workspaceName"] or ""
    retention = _int_range("workspaceRetentionDays", v["workspaceRetentionDays"], 30, 730, errors)
    if existing_id and name:
        errors.problems.append(
            f"{PROJECT}:workspaceResourceId and {PROJECT}:workspaceName are both set; "
            "set workspaceResourceId to use an existing workspace, or workspaceName to create one"
        )
    if existing_id:
        match = _WORKSPACE_ID.match(existing_id)
        if not match or not _GUID.match(match["sub"]) or not _RESOURCE_GROUP.match(match["rg"]) \
                or not _WORKSPACE_NAME.match(match["name"]):
            errors.add(
                "workspaceResourceId", existing_id,
                "/subscriptions/<GUID>/resourceGroups/<group>/providers/"
                "Microsoft.OperationalInsights/workspaces/<name>",
            )
            return Workspace("", "", "", True, retention)
        return Workspace(match["sub"].lower(), match["rg"], match["name"], True, retention)
    if not name:
        errors.problems.append(
            f"{PROJECT}:workspaceResourceId or {PROJECT}:workspaceName is required: "
            "an existing workspace's resource id, or the name of one the stack creates"
        )
        return Workspace("", "", "", False, retention)
    name = _name("workspaceName", name, _WORKSPACE_NAME, "4-63 letters, digits or '-', not at the ends", errors)
    ws_rg = _name(
        "workspaceResourceGroupName", v["workspaceResourceGroupName"] or rg, _RESOURCE_GROUP,
        "a resource group name", errors,
    )
    ws_sub = deploy_sub
    if v["workspaceSubscriptionId"]:
        ws_sub = _guid("workspaceSubscriptionId", v["workspaceSubscriptionId"], errors)
    return Workspace(ws_sub, ws_rg, name, False, retention)
