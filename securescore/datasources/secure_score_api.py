"""The Secure Score REST API (current state only), its answers loaded into the local engine."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from securescore.arm import (
    SECURITY_API_VERSION,
    ArmClient,
    ArmError,
    secure_score_controls_path,
    secure_scores_path,
)
from securescore.datasources import REPORT_TABLES, EngineSource, SourceError
from securescore.datasources.engine import LocalEngine
from securescore.settings import Settings

HISTORY_NOTE = "The Secure Score API returns only the current state: no week-ago or trend history."


class ApiSource(EngineSource):
    history_note = HISTORY_NOTE

    def __init__(
        self, settings: Settings, credential: Any, now: datetime, transport: Any = None, retry_total: int = 3
    ) -> None:
        self.settings, self.now = settings, now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
        self.warnings = []
        self.client = ArmClient(credential, transport, retry_total)
        self.tables: dict[str, list[dict[str, Any]]] = {t: [] for t in REPORT_TABLES}
        for sub in settings.subscriptions:
            self._load_subscription(sub.id)
        self.engine = LocalEngine(self.tables)

    def describe(self) -> str:
        return (f"Secure Score API (api-version {SECURITY_API_VERSION}) for "
                f"{len(self.settings.subscriptions)} subscription(s), read at {self.now:%Y-%m-%d %H:%M} UTC")

    def _load_subscription(self, sub_id: str) -> None:
        try:
            scores = self._fetch(secure_scores_path(sub_id), sub_id)
        except _NoSecureScore:
            self.warnings.append(f"subscription {sub_id}: no secure score (Defender for Cloud not enabled, "
                                 "or the subscription is disabled); it is reported without data")
            return
        controls = self._fetch(secure_score_controls_path(sub_id), sub_id, {"$expand": "definition"})
        self.tables["SecureScores"].extend(self._score_row(sub_id, s) for s in scores)
        self.tables["SecureScoreControls"].extend(self._control_row(sub_id, c) for c in controls)

    def _fetch(self, path: str, sub_id: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of a Secure Score list (pages followed), with ARM errors told per subscription."""
        try:
            return list(self.client.list(path, SECURITY_API_VERSION, params=params))
        except ArmError as error:
            raise _explain(error, sub_id) from error

    def _common(self, sub_id: str, resource: Mapping[str, Any], table: str) -> dict[str, Any]:
        resource_id = resource.get("id", "")
        return {"TimeGenerated": self.now, "SecureScoresSubscriptionId": sub_id, "IsSnapshot": True,
                "AssessedResourceId": resource_id, "_ResourceId": resource_id.lower(), "_SubscriptionId": sub_id,
                "Environment": "Azure", "Type": table, "Properties": resource.get("properties")}

    def _score_row(self, sub_id: str, resource: Mapping[str, Any]) -> dict[str, Any]:
        props = resource.get("properties", {})
        score = props.get("score", {})
        return {**self._common(sub_id, resource, "SecureScores"),
                "DisplayName": props.get("displayName"), "CurrentScore": _number(score.get("current")),
                "MaxScore": _whole(score.get("max")), "PercentageScore": _number(score.get("percentage")),
                "Weight": _whole(props.get("weight"))}

    def _control_row(self, sub_id: str, resource: Mapping[str, Any]) -> dict[str, Any]:
        props = resource.get("properties", {})
        score = props.get("score", {})
        definition = props.get("definition") or {}
        return {**self._common(sub_id, resource, "SecureScoreControls"),
                "ControlId": resource.get("name"), "ControlName": props.get("displayName"),
                "ControlType": (definition.get("properties") or {}).get("source", {}).get("sourceType"),
                "Description": (definition.get("properties") or {}).get("description"),
                "CurrentScore": _number(score.get("current")), "MaxScore": _whole(score.get("max")),
                "PercentageScore": _number(score.get("percentage")), "Weight": _whole(props.get("weight")),
                "HealthyResources": _whole(props.get("healthyResourceCount")),
                "UnhealthyResources": _whole(props.get("unhealthyResourceCount")),
                "NotApplicableResources": _whole(props.get("notApplicableResourceCount")),
                "RecommendationResourceIds": [a.get("id") for a in
                                              (definition.get("properties") or {}).get("assessmentDefinitions", [])]}


def _explain(error: ArmError, sub_id: str) -> Exception:
    if error.status == 404 and "does not exist" in error.message:
        return _NoSecureScore(error.message)
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


class _NoSecureScore(Exception):
    """404 "Secure score 'ascScore' does not exist": the subscription has no score to report."""


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _whole(value: Any) -> int | None:
    return None if value is None else int(value)
