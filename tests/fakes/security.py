"""Microsoft.Security 2020-01-01: secureScores and secureScoreControls.

Spec: azure-rest-api-specs specification/security/resource-manager/Microsoft.Security/stable/
2020-01-01/examples/secureScores/ListSecureScores_example.json (the list, ``weight`` beside ``score``)
and ListSecureScoreControlsForNameWithExpand_builtin_example.json (controls with ``definition``).
Real responses: a subscription without Defender for Cloud data lists ``{"value": []}`` (issue 10);
``GET .../secureScores/ascScore`` answers 404 with capitalised keys (Azure/Microsoft-Defender-for-Cloud
issues #202, #720).
"""

from __future__ import annotations

from typing import Any

# ListSecureScores_example.json, verbatim: the expected check line is computed from it by hand
# (23.53 of 39 points, percentage 0.6033 -> "60.3%").
SPEC_EXAMPLE_SUB = "20ff7fc3-e762-44dd-bd96-b71116dcdc23"
SPEC_LIST_EXAMPLE = {"value": [{
    "id": f"/subscriptions/{SPEC_EXAMPLE_SUB}/providers/Microsoft.Security/secureScores/ascScore",
    "name": "ascScore",
    "type": "Microsoft.Security/secureScores",
    "properties": {"displayName": "ASC score", "score": {"max": 39, "current": 23.53, "percentage": 0.6033},
                   "weight": 67},
}]}
NO_SCORES = {"value": []}  # a subscription without Defender for Cloud data (issue 10)


def no_score_404(sub: str) -> dict[str, Any]:
    """The real body of the 404 (issues #202 and #720): "Error" / "Code" / "Message", capitalised."""
    return {"Error": {"Code": "ResourceNotFound",
                      "Message": f"Secure score 'ascScore' does not exist in scope '{sub}'"}}


def secure_score_body(sub: str, current: float = 31.5, maximum: int = 58, weight: int = 120,
                      percentage: float | None = None, display: str = "ASC score",
                      name: str = "ascScore") -> dict[str, Any]:
    """One item of the list, key order as in the spec example; ``percentage`` as the API rounds it
    (4 decimals) unless given."""
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/secureScores/{name}",
        "name": name,
        "type": "Microsoft.Security/secureScores",
        "properties": {
            "displayName": display,
            "score": {"max": maximum, "current": current,
                      "percentage": round(current / maximum, 4) if percentage is None else percentage},
            "weight": weight,
        },
    }


def secure_score_control_body(sub: str, control: str, unhealthy: int = 3, display: str | None = None,
                              current: float = 2.5, maximum: int = 6) -> dict[str, Any]:
    """A control with $expand=definition (ListSecureScoreControlsForNameWithExpand_builtin_example)."""
    display = display or f"Control {control}"
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/secureScores/ascScore/"
              f"secureScoreControls/{control}",
        "name": control,
        "type": "Microsoft.Security/secureScores/secureScoreControls",
        "properties": {
            "displayName": display,
            "healthyResourceCount": 4,
            "unhealthyResourceCount": unhealthy,
            "notApplicableResourceCount": 1,
            "score": {"max": maximum, "current": current, "percentage": round(current / maximum, 4) if maximum else 0},
            "definition": {
                "id": f"/providers/Microsoft.Security/secureScoreControlDefinitions/{control}",
                "name": control,
                "type": "Microsoft.Security/secureScoreControlDefinitions",
                "properties": {
                    "source": {"sourceType": "BuiltIn"},
                    "displayName": display,
                    "maxScore": maximum,
                    "assessmentDefinitions": [{"id": "/providers/Microsoft.Security/assessmentMetadata/a1"}],
                },
            },
            "weight": 12,
        },
    }


def scores_path(sub: str) -> str:
    return f"/subscriptions/{sub}/providers/Microsoft.Security/secureScores"


def controls_path(sub: str) -> str:
    return f"/subscriptions/{sub}/providers/Microsoft.Security/secureScoreControls"
