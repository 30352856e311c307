"""Deterministic sample rows, shaped as Defender for Cloud continuous export writes them.

``generate_sample(settings, now)`` returns ``{"SecureScores": [...], "SecureScoreControls": [...]}`` and,
when the stack exports assessments, ``"SecurityRecommendation": [...]`` (see ``sample_assessments``),
every column of ``kql/tables.json`` present in every row with a Python value of its KQL type
(datetime -> tz-aware ``datetime`` in UTC, real -> float, int/long -> int, bool -> bool,
dynamic -> dict/list). Nothing reads the wall clock and every random draw comes from a
``random.Random`` seeded with the seed and the subscription id, so the same inputs give the same rows.

How rows are written (azure-facts.md, "When rows are written"):
- controls are recalculated every 8 hours; a control row is streamed only when its score changes by
  0.01 or more, and a SecureScores row is streamed at the same moment (the subscription's score
  moved with it);
- once a week per subscription, a snapshot of the full state: one SecureScores row and one row per
  control, ``IsSnapshot == true``;
- a control's score is ``MaxScore * healthy / (healthy + unhealthy)``; a subscription's CurrentScore
  and MaxScore are the sums over its controls and PercentageScore = CurrentScore / MaxScore.

Roles, by position ``i`` in ``settings.subscriptions`` (``n`` subscriptions):
- ``i == 0``: *improving*: unhealthy resources get fixed, its score rises week after week;
- ``i == 1``: *dropping*: quiet for the last 8 days except one event 3 days before ``now`` that
  drops its score by ``drop_alert_points + 3`` percentage points or more (as far as the controls
  allow when dropAlertPoints is near 100);
- ``i == n - 2`` when ``n >= 4``: *stale*: stops reporting ``max(25, lookback_days + 11)`` days
  before ``now``, i.e. older than the lookback window;
- ``i == n - 1`` when ``n >= 3``: *no data*: never appears in the tables;
- every other subscription: a random walk.

Also in the tables, all of which the queries must cope with:
- subscription ids in ``SecureScoresSubscriptionId`` in mixed case: ``i % 3 == 1`` upper-case in
  snapshot rows only, ``i % 3 == 2`` upper-case everywhere (the queries compare lower-case);
- ``UNCONFIGURED_SUBSCRIPTION_ID``, a subscription that is not configured (a shared workspace);
- SecureScores rows of a second initiative (``OTHER_INITIATIVE``), the newest row of every
  subscription, which only a filter on ``DisplayName`` keeps out;
- two controls with MaxScore 0 that still have unhealthy resources;
- control names with characters that need HTML escaping (``&``, ``<``, ``>``, ``"``);
- subscriptions with different Weight and, because some lack a control, different MaxScore.
"""

from __future__ import annotations

import gc
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from securescore.datasources.sample_assessments import generate_assessments
from securescore.settings import Settings

DEFAULT_SEED = 20261123
RECALC_PERIOD = timedelta(hours=8)
SNAPSHOT_PERIOD = timedelta(days=7)
UNCONFIGURED_SUBSCRIPTION_ID = "0badc0de-5eed-4000-8000-00000000beef"
OTHER_INITIATIVE = "CIS Microsoft Azure Foundations Benchmark v2.0.0"
DEFAULT_INITIATIVE_ID = "ascScore"
# Change probability of a control per 8-hour recalculation, for the random walk.
CHANGE_PROBABILITY = 0.06
_NAMESPACE = uuid.UUID("6d1f4a52-3c1e-4f0b-9c55-0e2f4b7a9d10")

IMPROVING, DROPPING, STALE, NO_DATA, RANDOM = "improving", "dropping", "stale", "no data", "random walk"


@dataclass(frozen=True)
class ControlDef:
    name: str
    max_score: int
    description: str

    @property
    def control_id(self) -> str:
        return _control_id(self.name)


@cache
def _control_id(name: str) -> str:
    # Stable GUID per name, like the REST API's control resource names (cached: uuid5 is slow).
    return str(uuid.uuid5(_NAMESPACE, name))


# Real Defender for Cloud control names and maxima, with two renamed to carry HTML specials.
# The order matters when fewer controls are asked for: the special ones come early.
CONTROL_CATALOG: tuple[ControlDef, ...] = (
    ControlDef("Enable MFA", 10, "Require multi-factor authentication for accounts with permissions."),
    ControlDef("Restrict unauthorized network access & <ports>", 4, "Limit inbound traffic."),
    ControlDef("Implement security best practices", 0, "Recommendations that do not affect the score."),
    ControlDef("Secure management ports", 8, "Close or protect management ports."),
    ControlDef('Enable auditing and logging ("diagnostic settings")', 1, "Keep logs for investigations."),
    ControlDef("Remediate vulnerabilities", 6, "Fix vulnerabilities found by assessment."),
    ControlDef("Apply system updates", 6, "Install missing system updates."),
    ControlDef("Enable encryption at rest", 4, "Encrypt stored data."),
    ControlDef("Encrypt data in transit", 4, "Require TLS."),
    ControlDef("Manage access and permissions", 4, "Least privilege."),
    ControlDef("Remediate security configurations", 4, "Harden OS and container configurations."),
    ControlDef("Apply adaptive application control", 3, "Allow-list applications."),
    ControlDef("Enable endpoint protection", 2, "Install endpoint protection."),
    ControlDef("Protect applications against DDoS attacks", 2, "Enable DDoS protection."),
    ControlDef("Enable enhanced security features", 0, "Enable Defender plans."),
)


def control_catalog(count: int) -> tuple[ControlDef, ...]:
    """The first ``count`` controls of the catalog, extended with generic ones when more are asked."""
    extra = tuple(
        ControlDef(f"Custom control {k} <{k}>", 1 + k % 3, f"Generated control {k}.")
        for k in range(len(CONTROL_CATALOG), count)
    )
    return (CONTROL_CATALOG + extra)[:count]


@dataclass(frozen=True)
class SampleMember:
    """A subscription under the sample management group, as Azure Resource Graph describes it."""

    id: str  # lower-case GUID
    name: str  # display name, from Azure: free text
    state: str  # Enabled, Warned, PastDue, Disabled, Deleted


# The sample management group (management-group mode): roles by position as in the module docstring,
# so the first reports and improves, the second drops, the one before the last enabled member stopped
# reporting, the last enabled member never reported (the policy has not remediated it yet), and a
# disabled one never reports either. Display names carry HTML specials: they reach the email as data.
_SAMPLE_MEMBER_NAMES = (
    "Platform (shared services)", 'Payments <PCI> & "Cards"', "Data & Analytics", "Web front ends",
    "Legacy lab", "New landing zone",
)
SAMPLE_DISABLED_MEMBER = SampleMember("c0ffee00-0000-4000-8000-0000000000d1", "Retired sandbox", "Disabled")


def sample_membership(count: int = len(_SAMPLE_MEMBER_NAMES)) -> tuple[SampleMember, ...]:
    """``count`` enabled subscriptions, then the disabled one (``count + 1`` in all)."""
    enabled = tuple(
        SampleMember(f"c0ffee00-0000-4000-8000-{k + 1:012x}",
                     _SAMPLE_MEMBER_NAMES[k] if k < len(_SAMPLE_MEMBER_NAMES) else f"Landing zone {k + 1}",
                     "Enabled")
        for k in range(count)
    )
    return (*enabled, SAMPLE_DISABLED_MEMBER)


def monitored_ids(settings: Settings, membership: tuple[SampleMember, ...] | None = None) -> list[str]:
    """The subscriptions the sample writes rows for: the configured ones, or the management group's."""
    if settings.scope is None:
        return list(settings.subscription_ids)
    return [m.id for m in (membership if membership is not None else sample_membership())]


def subscription_roles(settings: Settings, membership: tuple[SampleMember, ...] | None = None) -> dict[str, str]:
    """Role of each monitored subscription id (see the module docstring); in management-group mode a
    subscription that is not Enabled has no data."""
    members = {m.id: m for m in (membership if membership is not None else sample_membership())}
    ids = monitored_ids(settings, membership)
    active = [i for i in ids if settings.scope is None or members[i].state == "Enabled"]
    n = len(active)
    roles: dict[str, str] = {sub_id: NO_DATA for sub_id in ids}
    for i, sub_id in enumerate(active):
        role = RANDOM
        if i == 0:
            role = IMPROVING
        elif i == 1:
            role = DROPPING
        if n >= 3 and i == n - 1:
            role = NO_DATA
        elif n >= 4 and i == n - 2:
            role = STALE
        roles[sub_id] = role
    return roles


def stale_cutoff(settings: Settings, now: datetime) -> datetime:
    """When the stale subscription stopped reporting: always older than the lookback window."""
    return _utc(now) - timedelta(days=max(25, settings.report.lookback_days + 11))


def generate_sample(
    settings: Settings, now: datetime, days: int = 120, controls: int = 15, seed: int = DEFAULT_SEED,
    membership: tuple[SampleMember, ...] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Rows of SecureScores and SecureScoreControls written during the ``days`` before ``now`` (and of
    SecurityRecommendation, for a shorter history, when ``exportAssessments`` is on). In
    management-group mode the subscriptions are ``membership`` (default: ``sample_membership()``)."""
    now = _utc(now)
    catalog = control_catalog(controls)
    tenant_id = str(uuid.uuid5(_NAMESPACE, settings.workspace.resource_id.lower()))
    out: dict[str, list[dict[str, Any]]] = {"SecureScores": [], "SecureScoreControls": []}
    if settings.export.assessments:
        out["SecurityRecommendation"] = []
    roles = subscription_roles(settings, membership)
    subs = [(i, sub_id, roles[sub_id]) for i, sub_id in enumerate(monitored_ids(settings, membership))]
    if UNCONFIGURED_SUBSCRIPTION_ID not in roles:
        subs.append((len(subs), UNCONFIGURED_SUBSCRIPTION_ID, RANDOM))
    # Hundreds of thousands of small dicts and no cycles: the cyclic collector would only rescan
    # them again and again (it doubled the time at 500 subscriptions), so pause it meanwhile.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for index, sub_id, role in subs:
            if role == NO_DATA:
                continue
            generator = _SubscriptionGenerator(settings, now, days, catalog, seed, index, sub_id, role, tenant_id)
            generator.run(out)
            if "SecurityRecommendation" in out:
                out["SecurityRecommendation"] += generate_assessments(
                    settings, now, sub_id, role, index, generator.end, seed, tenant_id)
    finally:
        if was_enabled:
            gc.enable()
    return out


def _utc(moment: datetime) -> datetime:
    # A naive datetime is taken as UTC: Log Analytics has no other zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class _ControlState:
    definition: ControlDef
    total: int  # healthy + unhealthy resources
    unhealthy: int
    not_applicable: int
    resource_ids: list[str]
    score: float = field(init=False)

    def __post_init__(self) -> None:
        self.set_unhealthy(self.unhealthy)

    def set_unhealthy(self, unhealthy: int) -> None:
        # The score is stored, not derived on every read: rows are written far more often.
        self.unhealthy = unhealthy
        self.score = round(self.definition.max_score * (self.total - unhealthy) / self.total, 2)


class _SubscriptionGenerator:
    """Builds one subscription's rows: a change log per control, merged with weekly snapshots."""

    def __init__(
        self, settings: Settings, now: datetime, days: int, catalog: tuple[ControlDef, ...],
        seed: int, index: int, sub_id: str, role: str, tenant_id: str,
    ) -> None:
        self.settings, self.now, self.role, self.tenant_id = settings, now, role, tenant_id
        self.sub_id = sub_id
        self.rng = random.Random(f"{seed}:{sub_id}")
        self.start = now - timedelta(days=days)
        # A margin before the end, so that rows written just after a recalculation or a snapshot
        # (up to a minute later) are never newer than ``now``.
        self.end = (stale_cutoff(settings, now) if role == STALE else now) - timedelta(minutes=2)
        # Spread subscriptions over the 8-hour cycle so they do not all write at the same second.
        self.offset = timedelta(seconds=self.rng.randrange(int(RECALC_PERIOD.total_seconds())))
        self.n_slots = max(0, math.ceil((self.end - self.start - self.offset) / RECALC_PERIOD))
        self.weight = self.rng.randint(3, 400)
        self.upper_stream = index % 3 == 2
        self.upper_snapshot = index % 3 in (1, 2)
        # Every fourth subscription lacks a scored control, so MaxScore differs between subscriptions.
        skipped = catalog[-3].name if index % 4 == 3 and len(catalog) > 5 else None
        self.controls = [self._initial(c) for c in catalog if c.name != skipped]

    def _initial(self, definition: ControlDef) -> _ControlState:
        total = self.rng.randint(1, max(1, self.weight // 2))
        if self.role == IMPROVING:
            unhealthy = self.rng.randint(total * 3 // 4, total)
        elif self.role == DROPPING:
            unhealthy = self.rng.randint(0, total // 5)
        else:
            unhealthy = self.rng.randint(0, total)
        if definition.max_score == 0:
            unhealthy = max(1, unhealthy)  # unscored, yet with unhealthy resources
        ids = [
            f"/subscriptions/{self.sub_id}/providers/Microsoft.Security/assessments/"
            f"{uuid.uuid5(_NAMESPACE, definition.name + str(k))}"
            for k in range(1 + len(definition.name) % 3)
        ]
        return _ControlState(definition, total, unhealthy, self.rng.randint(0, 5), ids)

    # --- events -----------------------------------------------------------------------------

    def _slot_time(self, slot: int) -> datetime:
        return self.start + self.offset + slot * RECALC_PERIOD

    def _walk(self, c: int) -> list[tuple[int, int, int]]:
        """(slot, control index, new unhealthy count) for one control's score changes."""
        state = self.controls[c]
        if state.definition.max_score == 0:
            return []  # its score never changes, so only snapshots carry it
        p = CHANGE_PROBABILITY
        # Improvements in proportion to the control's size, so it keeps rising for months.
        fix = max(1, state.total // 40)
        quiet_from = self.n_slots
        if self.role == DROPPING:
            quiet_from = self._slot_at(self.now - timedelta(days=8))
        events, unhealthy, slot = [], state.unhealthy, -1
        log_q = math.log(1 - p)
        while True:
            # Geometric gap: the next recalculation whose result differs, without visiting every slot.
            slot += 1 + int(math.log(1.0 - self.rng.random()) / log_q)
            if slot >= min(self.n_slots, quiet_from):
                return events
            if self.role == IMPROVING:
                step = -self.rng.randint(1, fix) if self.rng.random() < 0.8 else 1
            else:
                step = self.rng.choice((-2, -1, 1, 2))
            new = min(state.total, max(0, unhealthy + step))
            if new != unhealthy:
                unhealthy = new
                events.append((slot, c, new))

    def _slot_at(self, moment: datetime) -> int:
        return max(0, math.ceil((moment - self.start - self.offset) / RECALC_PERIOD))

    def _drop_events(self) -> list[tuple[int, int, int]]:
        """One recalculation that turns the biggest controls fully unhealthy (the alert case)."""
        slot = self._slot_at(self.now - timedelta(days=3))
        if slot >= self.n_slots:
            return []
        max_points = sum(s.definition.max_score for s in self.controls)
        wanted = (self.settings.report.drop_alert_points + 3) / 100 * max_points
        # The state right before the drop is the initial one: this role is quiet for 8 days, and
        # its walk is replayed first, so take the last unhealthy count each control reached.
        last = {c: s.unhealthy for c, s in enumerate(self.controls)}
        for _, c, new in sorted(self._walked):
            last[c] = new
        events, lost = [], 0.0
        by_size = sorted(range(len(self.controls)), key=lambda c: -self.controls[c].definition.max_score)
        for c in by_size:
            if lost >= wanted:
                break
            s = self.controls[c]
            if s.definition.max_score == 0 or last[c] == s.total:
                continue
            lost += s.definition.max_score * (s.total - last[c]) / s.total
            events.append((slot, c, s.total))
        return events

    # --- rows -------------------------------------------------------------------------------

    def run(self, out: dict[str, list[dict[str, Any]]]) -> None:
        if self.n_slots == 0:
            return
        self._walked = [e for c in range(len(self.controls)) for e in self._walk(c)]
        events = self._walked + (self._drop_events() if self.role == DROPPING else [])
        by_slot: dict[int, list[tuple[int, int]]] = {}
        for slot, c, new in events:
            by_slot.setdefault(slot, []).append((c, new))
        first_snapshot = self.start + timedelta(seconds=self.rng.randrange(7 * 24 * 3600))
        snapshots = []
        moment = first_snapshot
        while moment <= self.end:
            snapshots.append(moment)
            moment += SNAPSHOT_PERIOD
        scores, controls = out["SecureScores"], out["SecureScoreControls"]
        snap_i = 0
        for slot in sorted(by_slot):
            at = self._slot_time(slot)
            while snap_i < len(snapshots) and snapshots[snap_i] < at:
                self._snapshot(snapshots[snap_i], scores, controls)
                snap_i += 1
            streamed = False
            for c, new in by_slot[slot]:
                before = self.controls[c].score
                self.controls[c].set_unhealthy(new)
                if abs(self.controls[c].score - before) < 0.01 - 1e-9:
                    continue  # a change of less than 0.01 points is not streamed
                # Control rows are written a little after the recalculation, each at its own second.
                controls.append(self._control_row(self.controls[c], at + timedelta(seconds=c), False))
                streamed = True
            if streamed:
                scores.append(self._score_row(at + timedelta(seconds=30), False))
        for moment in snapshots[snap_i:]:
            self._snapshot(moment, scores, controls)
        if self.role != STALE:
            # The other initiative's newest row, newer than anything else of this subscription.
            scores.append(self._other_initiative_row(self.now - timedelta(minutes=47)))

    def _snapshot(self, at: datetime, scores: list[dict[str, Any]], controls: list[dict[str, Any]]) -> None:
        for state in self.controls:
            controls.append(self._control_row(state, at, True))
        scores.append(self._score_row(at, True))
        scores.append(self._other_initiative_row(at + timedelta(minutes=1)))

    def _sub_column(self, snapshot: bool) -> str:
        upper = self.upper_snapshot if snapshot else self.upper_stream
        return self.sub_id.upper() if upper else self.sub_id

    def _common(self, at: datetime, snapshot: bool, resource_id: str, table: str) -> dict[str, Any]:
        return {
            "TenantId": self.tenant_id,
            "TimeGenerated": at,
            "SecureScoresSubscriptionId": self._sub_column(snapshot),
            "AssessedResourceId": resource_id,
            "IsSnapshot": snapshot,
            "Environment": "Azure",
            "SourceSystem": "Azure",
            "Type": table,
            "_ResourceId": resource_id.lower(),
            "_SubscriptionId": self.sub_id,
            "_IsBillable": "True",
        }

    def _score_row(self, at: datetime, snapshot: bool) -> dict[str, Any]:
        current = round(sum(s.score for s in self.controls), 2)
        maximum = sum(s.definition.max_score for s in self.controls)
        return self._initiative_row(at, snapshot, DEFAULT_INITIATIVE_ID, self.settings.report.initiative_name,
                                    current, maximum)

    def _other_initiative_row(self, at: datetime) -> dict[str, Any]:
        # Deliberately far from the real score, so counting it would show in every number.
        maximum = 50
        current = round(maximum * (0.05 + 0.9 * self.rng.random()), 2)
        return self._initiative_row(at, True, "cisBenchmark", OTHER_INITIATIVE, current, maximum)

    def _initiative_row(
        self, at: datetime, snapshot: bool, name: str, display: str, current: float, maximum: int
    ) -> dict[str, Any]:
        resource_id = f"/subscriptions/{self.sub_id}/providers/Microsoft.Security/secureScores/{name}"
        percentage = round(current / maximum, 4) if maximum else 0.0
        row = self._common(at, snapshot, resource_id, "SecureScores")
        row.update({
            "DisplayName": display,
            "CurrentScore": current,
            "MaxScore": maximum,
            "PercentageScore": percentage,
            "Weight": self.weight,
            "Properties": {
                "displayName": display,
                "score": {"max": maximum, "current": current, "percentage": percentage},
                "weight": self.weight,
            },
            "ResourceProviderType": "Microsoft.Security/secureScores",
            "_BilledSize": 640.0 + len(display),
        })
        return row

    def _control_row(self, state: _ControlState, at: datetime, snapshot: bool) -> dict[str, Any]:
        d = state.definition
        control_id = d.control_id
        resource_id = (
            f"/subscriptions/{self.sub_id}/providers/Microsoft.Security/secureScores/"
            f"{DEFAULT_INITIATIVE_ID}/secureScoreControls/{control_id}"
        )
        score = state.score
        healthy = state.total - state.unhealthy
        row = self._common(at, snapshot, resource_id, "SecureScoreControls")
        row.update({
            "ControlId": control_id,
            "ControlName": d.name,
            "ControlType": "BuiltIn",
            "Description": d.description,
            "CurrentScore": score,
            "MaxScore": d.max_score,
            "PercentageScore": round(score / d.max_score, 4) if d.max_score else 0.0,
            "Weight": state.total,
            "HealthyResources": healthy,
            "UnhealthyResources": state.unhealthy,
            "NotApplicableResources": state.not_applicable,
            "Properties": {
                "displayName": d.name,
                "healthyResourceCount": healthy,
                "unhealthyResourceCount": state.unhealthy,
                "notApplicableResourceCount": state.not_applicable,
            },
            "RecommendationResourceIds": state.resource_ids,
            "ResourceProviderType": "Microsoft.Security/secureScores/secureScoreControls",
            "_BilledSize": 900.0 + len(d.name),
        })
        return row
