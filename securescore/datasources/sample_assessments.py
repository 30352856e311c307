"""Sample SecurityRecommendation rows, shaped as continuous export writes assessments (stand-in data).

Columns and types: ``kql/tables.json`` (from the Azure Monitor table reference, SecurityRecommendation).
Values follow Microsoft's published shapes: the assessment event schema in Azure/Microsoft-Defender-for-Cloud
("Workflow automation and export data types schemas/Recommendation.schema.json": ``name`` is the
assessment key, ``properties.status.code`` Healthy/Unhealthy/NotApplicable, ``metadata.severity``
High/Medium/Low, ``links.azurePortal``), and Microsoft's original report template, which joins
``RecommendationId`` with the last segment of an assessment id, i.e. the assessment key.
``RecommendationName`` is not described anywhere we found; it carries the key here too (a guess that
no query depends on).

Rows are written the way the other sample tables are: one row per (resource, recommendation) when its
state changes, plus a weekly snapshot of every pair (``IsSnapshot == true``). Assessments are exported
for ``history_days(settings)`` before ``now`` only: enough for both windows of the report.

Roles (``sample_data.subscription_roles``): *improving* fixes unhealthy pairs over time; *dropping*
turns several healthy pairs unhealthy 3 days before ``now`` (the "newly unhealthy" case); *stale* stops
with its other rows; *no data* has none. Every subscription also has a deleted resource whose pairs end
as "Removed" (which must never count as unhealthy). The subscription segment of ``AssessedResourceId``
is upper-case for every third subscription and resource group names are mixed case, as Azure keeps them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from securescore.settings import Settings

_NAMESPACE = uuid.UUID("0f6c3b1e-7d2a-4c55-9e1b-5a7d3c2e1f40")
SNAPSHOT_PERIOD = timedelta(days=7)
PORTAL_LINK = "https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/"


@dataclass(frozen=True)
class RecommendationDef:
    name: str
    severity: str
    key: str  # assessment key (GUID)
    resource_type: str


def _key(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


VM, STORAGE = "Microsoft.Compute/virtualMachines", "Microsoft.Storage/storageAccounts"
VAULT = "Microsoft.KeyVault/vaults"
# Keys of the first five as published on Microsoft Learn's Defender for Cloud recommendation pages; the
# others are generated. Two names carry characters that need HTML escaping.
RECOMMENDATION_CATALOG: tuple[RecommendationDef, ...] = (
    RecommendationDef("Vulnerabilities in your virtual machines should be remediated", "High",
                      "1195afff-c881-495e-9bc5-1486211ae03f", VM),
    RecommendationDef("Machines should be configured to periodically check for missing system updates", "Medium",
                      "bd876905-5b84-4f73-ab2d-2e7a7c4568d9", VM),
    RecommendationDef("Guest Configuration extension should be installed on machines", "Medium",
                      "6c99f570-2ce7-46bc-8175-cde013df43bc", VM),
    RecommendationDef("File integrity monitoring should be enabled on machines", "High",
                      "9b7d740f-c271-4bfd-88fb-515680c33440", VM),
    RecommendationDef("Endpoint protection should be installed on machines", "High",
                      "4fb67663-9ab9-475d-b026-8c544cced439", VM),
    RecommendationDef('Storage accounts should restrict network access using "virtual network rules" & <firewall>',
                      "Medium", _key("storage-network"), STORAGE),
    RecommendationDef("Secure transfer to storage accounts should be enabled", "High", _key("storage-https"), STORAGE),
    RecommendationDef("Storage account public access should be disallowed", "Medium", _key("storage-public"), STORAGE),
    RecommendationDef("Key Vault keys should have an expiration date", "Low", _key("kv-expiry"), VAULT),
    RecommendationDef("Azure Key Vault should have firewall <enabled>", "Medium", _key("kv-firewall"), VAULT),
)
HEALTHY, UNHEALTHY, NOT_APPLICABLE, REMOVED = "Healthy", "Unhealthy", "NotApplicable", "Removed"


def history_days(settings: Settings) -> int:
    """Days of assessments in the sample: both windows of the report (week ago and its lookback) plus 2 weeks."""
    return settings.report.lookback_days + 7 + 14


@dataclass
class _Pair:
    resource_id: str
    region: str
    definition: RecommendationDef
    state: str
    first_seen: datetime
    changed: datetime


def generate_assessments(
    settings: Settings, now: datetime, sub_id: str, role: str, index: int, end: datetime, seed: int,
    tenant_id: str,
) -> list[dict[str, Any]]:
    """One subscription's SecurityRecommendation rows up to ``end`` (its last moment of export)."""
    rng = random.Random(f"{seed}:{sub_id}:assessments")
    start = now - timedelta(days=history_days(settings))
    if end <= start:
        return []
    sub_segment = sub_id.upper() if index % 3 == 2 else sub_id
    pairs = _pairs(rng, sub_segment, role, start)
    deleted = [p for p in pairs if "/decommissioned-" in p.resource_id]
    events: list[tuple[datetime, int, str]] = []  # (moment, pair index, new state)
    for i, pair in enumerate(pairs):
        if pair in deleted:  # unhealthy until the resource is deleted, 5 days before now
            events.append((now - timedelta(days=5, minutes=i), i, REMOVED))
        elif role == "improving" and pair.state == UNHEALTHY and rng.random() < 0.6:
            events.append((start + (end - start) * rng.uniform(0.1, 0.95), i, HEALTHY))
        elif role == "dropping" and pair.state == HEALTHY and rng.random() < 0.5:
            events.append((now - timedelta(days=3, minutes=i), i, UNHEALTHY))
        elif role not in ("improving", "dropping") and rng.random() < 0.25:
            flipped = HEALTHY if pair.state == UNHEALTHY else UNHEALTHY
            events.append((start + (end - start) * rng.uniform(0.05, 0.98), i, flipped))
    events = [e for e in events if e[0] < end]
    snapshots = []
    moment = start + timedelta(seconds=rng.randrange(int(SNAPSHOT_PERIOD.total_seconds())))
    while moment < end:
        snapshots.append(moment)
        moment += SNAPSHOT_PERIOD
    rows: list[dict[str, Any]] = []
    timeline = sorted([(m, 1, i, s) for m, i, s in events] + [(m, 0, -1, "") for m in snapshots])
    for moment, kind, i, state in timeline:
        if kind == 0:
            rows.extend(_row(p, moment, True, sub_id, tenant_id) for p in pairs if p.state != REMOVED)
        else:
            pairs[i].state, pairs[i].changed = state, moment
            rows.append(_row(pairs[i], moment, False, sub_id, tenant_id))
    return rows


def _pairs(rng: random.Random, sub_segment: str, role: str, start: datetime) -> list[_Pair]:
    by_type: dict[str, list[RecommendationDef]] = {}
    for definition in RECOMMENDATION_CATALOG:
        by_type.setdefault(definition.resource_type, []).append(definition)
    group = rng.choice(("RG-Web", "rg-Data", "Rg-Shared"))
    resources = [(VM, f"vm-{k:02d}") for k in range(rng.randint(1, 4))]
    resources += [(STORAGE, f"st{k:02d}data") for k in range(rng.randint(1, 2))]
    resources += [(VAULT, "kv-main")]
    resources += [(VM, "decommissioned-vm")]
    unhealthy_p = {"improving": 0.8, "dropping": 0.1}.get(role, 0.45)
    pairs = []
    for resource_type, name in resources:
        resource_id = f"/subscriptions/{sub_segment}/resourceGroups/{group}/providers/{resource_type}/{name}"
        region = rng.choice(("westeurope", "northeurope"))
        for definition in by_type[resource_type]:
            if rng.random() < 0.2:
                continue  # not every recommendation applies to every resource
            roll = rng.random()
            state = UNHEALTHY if roll < unhealthy_p else (NOT_APPLICABLE if roll > 0.95 else HEALTHY)
            if name.startswith("decommissioned-"):
                state = UNHEALTHY
            first = start - timedelta(days=rng.randint(1, 200))
            pairs.append(_Pair(resource_id, region, definition, state, first, first))
    return pairs


def _row(pair: _Pair, at: datetime, snapshot: bool, sub_id: str, tenant_id: str) -> dict[str, Any]:
    d = pair.definition
    unhealthy = pair.state == UNHEALTHY
    properties = {
        "id": f"{pair.resource_id}/providers/Microsoft.Security/assessments/{d.key}",
        "name": d.key,
        "resourceDetails": {"source": "Azure", "id": pair.resource_id},
        "displayName": d.name,
        "status": {"code": pair.state, "firstEvaluationDate": _iso(pair.first_seen),
                   "statusChangeDate": _iso(pair.changed)},
        "metadata": {"displayName": d.name, "severity": d.severity, "assessmentType": "BuiltIn"},
        "links": {"azurePortal": PORTAL_LINK.removeprefix("https://") + d.key},
    }
    return {
        "TenantId": tenant_id,
        "TimeGenerated": at,
        "AssessedResourceId": pair.resource_id,
        "Description": f"{d.name}.",
        "DeviceId": "",
        "DiscoveredTimeUTC": pair.changed if unhealthy else None,
        "Environment": "Azure",
        "FirstEvaluationDate": pair.first_seen,
        "IsSnapshot": snapshot,
        "PolicyDefinitionId": f"/providers/Microsoft.Authorization/policyDefinitions/{_key('policy' + d.key)}",
        "Properties": properties,
        "ProviderName": "Defender for Cloud",
        "RecommendationAdditionalData": {},
        "RecommendationDisplayName": d.name,
        "RecommendationId": d.key,
        "RecommendationName": d.key,
        "RecommendationSeverity": d.severity,
        "RecommendationState": pair.state,
        "ResolvedTimeUTC": pair.changed if pair.state == HEALTHY and pair.changed > pair.first_seen else None,
        "ResourceRegion": pair.region,
        "StatusChangeDate": pair.changed,
        "SourceSystem": "Azure",
        "Type": "SecurityRecommendation",
        "_ResourceId": pair.resource_id.lower(),
        "_SubscriptionId": sub_id,
        "_BilledSize": 1800.0 + len(d.name),
        "_IsBillable": "True",
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
