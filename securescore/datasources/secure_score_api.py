"""The Secure Score REST API (current state only), its answers loaded into the local engine.

Shapes: Microsoft.Security 2020-01-01 (azure-rest-api-specs specification/security/resource-manager/
Microsoft.Security/stable/2020-01-01, examples secureScores/ListSecureScores_example.json and
ListSecureScoreControlsForNameWithExpand_builtin_example.json).

A subscription without Defender for Cloud data answers the **list** with ``{"value": []}`` (issue 10,
observed); ``GET .../secureScores/ascScore`` answers 404 "Secure score 'ascScore' does not exist in
scope ..." (Azure/Microsoft-Defender-for-Cloud issues #202 and #720, whose bodies spell the keys
``Error`` / ``Code`` / ``Message``). Either way the subscription is named, with the fix, in
``warnings`` and in every helper that reads the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import ClientAuthenticationError

from securescore.arm import (
    DEFAULT_LIMITS,
    PUBLIC_AZURE,
    SECURITY_API_VERSION,
    ArmClient,
    ArmError,
    AzureEndpoints,
    NetworkLimits,
    secure_score_controls_path,
    secure_scores_path,
)
from securescore.cli.signin import explain_sign_in_error
from securescore.datasources import REPORT_TABLES, EngineSource, SourceError
from securescore.datasources.engine import LocalEngine
from securescore.settings import Settings

HISTORY_NOTE = "The Secure Score API returns only the current state: no week-ago or trend history."


def no_score_fix(subscription_id: str) -> str:
    """What to do when Defender for Cloud has no secure score for a subscription."""
    return ("open Microsoft Defender for Cloud for this subscription in the portal once (the first visit "
            "starts the assessment; the score appears within a day) and make sure Microsoft.Security is "
            f"registered: az provider register -n Microsoft.Security --subscription {subscription_id}")


def no_score_message(subscription_id: str) -> str:
    return (f"subscription {subscription_id}: Defender for Cloud has no secure score for it (the Secure Score "
            f"API lists none); fix: {no_score_fix(subscription_id)}")


@dataclass(frozen=True)
class SubscriptionScores:
    """What the Secure Score API says about one subscription; ``scores`` is empty when it has none."""

    subscription_id: str
    scores: list[dict[str, Any]] = field(default_factory=list)
    controls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_score(self) -> bool:
        return bool(self.scores)


def is_no_score_error(error: ArmError) -> bool:
    """The 404 a subscription without a secure score answers (see the module docstring)."""
    return error.status == 404 and "does not exist" in error.message.lower()


def fetch_scores(arm: ArmClient, subscription_id: str, *, controls: bool = True) -> SubscriptionScores:
    """The subscription's secure scores (every initiative) and, when asked, its controls with their
    definitions. Raises ArmError for anything but "no score" (an empty list, or that 404)."""
    try:
        scores = list(arm.list(secure_scores_path(subscription_id), SECURITY_API_VERSION))
    except ArmError as error:
        if is_no_score_error(error):
            return SubscriptionScores(subscription_id)
        raise
    if not scores or not controls:
        return SubscriptionScores(subscription_id, scores)
    control_items = list(arm.list(secure_score_controls_path(subscription_id), SECURITY_API_VERSION,
                                  params={"$expand": "definition"}))
    return SubscriptionScores(subscription_id, scores, control_items)


class ApiSource(EngineSource):
    history_note = HISTORY_NOTE

    def __init__(
        self,
        settings: Settings,
        credential: Any,
        now: datetime,
        transport: Any = None,
        retry_total: int | None = None,
        *,
        limits: NetworkLimits = DEFAULT_LIMITS,
        endpoints: AzureEndpoints = PUBLIC_AZURE,
    ) -> None:
        if retry_total is not None:
            limits = NetworkLimits(**{**limits.__dict__, "retry_total": retry_total})
        self.settings, self.now = settings, now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
        self.warnings: list[str] = []
        self.client = ArmClient(credential, transport, limits, endpoints)
        self.tables: dict[str, list[dict[str, Any]]] = {t: [] for t in REPORT_TABLES}
        try:
            for sub in settings.subscriptions:
                self._load_subscription(sub.id)
        finally:
            self.client.close()
        self.engine = LocalEngine(self.tables)

    def describe(self) -> str:
        return (f"Secure Score API (api-version {SECURITY_API_VERSION}) for "
                f"{len(self.settings.subscriptions)} subscription(s), read at {self.now:%Y-%m-%d %H:%M} UTC")

    def _load_subscription(self, sub_id: str) -> None:
        try:
            answer = fetch_scores(self.client, sub_id)
        except ArmError as error:
            raise _explain(error, sub_id) from error
        except ClientAuthenticationError as error:
            raise SourceError(explain_sign_in_error(error, self.client.limits).one_line()) from error
        if not answer.has_score:
            self.warnings.append(no_score_message(sub_id) + "; it is reported without data")
            return
        self.tables["SecureScores"].extend(self._score_row(sub_id, s) for s in answer.scores)
        self.tables["SecureScoreControls"].extend(self._control_row(sub_id, c) for c in answer.controls)

    # Only the columns the report's queries read (datasources.REQUIRED_COLUMNS): one dict per API
    # item, nothing computed per row that the report does not use.
    def _score_row(self, sub_id: str, resource: Mapping[str, Any]) -> dict[str, Any]:
        props = resource.get("properties") or {}
        score = props.get("score") or {}
        return {"TimeGenerated": self.now, "SecureScoresSubscriptionId": sub_id,
                "DisplayName": props.get("displayName"), "CurrentScore": score.get("current"),
                "MaxScore": score.get("max"), "PercentageScore": score.get("percentage"),
                "Weight": props.get("weight")}

    def _control_row(self, sub_id: str, resource: Mapping[str, Any]) -> dict[str, Any]:
        props = resource.get("properties") or {}
        score = props.get("score") or {}
        return {"TimeGenerated": self.now, "SecureScoresSubscriptionId": sub_id,
                "ControlId": resource.get("name"), "ControlName": props.get("displayName"),
                "CurrentScore": score.get("current"), "MaxScore": score.get("max"),
                "HealthyResources": props.get("healthyResourceCount"),
                "UnhealthyResources": props.get("unhealthyResourceCount")}


def _explain(error: ArmError, sub_id: str) -> SourceError:
    if error.status == 403:
        return SourceError(
            f"subscription {sub_id}: access denied (HTTP 403: {error.code}); give your "
            "account Reader or Security Reader on the subscription")
    if error.status == 401:
        return SourceError(f"subscription {sub_id}: not signed in (HTTP 401): {error.message}")
    if error.status == 429:
        return SourceError(f"subscription {sub_id}: throttled by Azure Resource Manager (HTTP 429); "
                           "wait a minute and run again")
    return SourceError(f"subscription {sub_id}: Secure Score API failed (HTTP {error.status}): {error.message}")
