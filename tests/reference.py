"""An independent, plain-Python computation of every report query (docs/design.md, "Query contracts").

No SQL and no KQL: dicts and loops over the raw rows (as ``securescore.sample_data`` produces them,
datetimes as ``datetime`` or ISO text). Written from the contract, not from the queries, so that
the two can be compared.

Interpretations where the contract leaves room (each one named in the test report):
- *LastSeen* of a subscription and *LatestTimeGenerated*: its newest SecureScores row (configured
  subscription, the configured initiative) at or before ReportTime, however old;
- *UnhealthyResources* of a subscription without control rows now: None (no data, not zero);
- ``top_controls``: every sum runs over the rows kept by the filter (MaxScore > 0, potential > 0,
  subscription with data now), so UnhealthyResources counts only rows with a potential;
- ``overall`` CurrentPoints/MaxPoints with no subscription reporting: 0 (a sum over nothing);
- rounding to 2 decimals is applied to the final value (Change from the unrounded scores).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from securescore.settings import Settings

Row = Mapping[str, Any]


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def iso(moment: datetime) -> str:
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def r2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class Reference:
    def __init__(self, tables: Mapping[str, Iterable[Row]], settings: Settings, report_time: str) -> None:
        self.settings = settings
        self.report_time = parse_time(report_time)
        self.lookback = timedelta(days=settings.report.lookback_days)
        self.configured = list(settings.subscription_ids)
        wanted = set(self.configured)
        initiative = settings.report.initiative_name
        # (subscription, time, row) of the rows that count; ids compared lower-case.
        self.scores: dict[str, list[tuple[datetime, Row]]] = defaultdict(list)
        for row in tables.get("SecureScores", ()):
            sub = str(row["SecureScoresSubscriptionId"]).lower()
            if sub in wanted and row["DisplayName"] == initiative:
                self.scores[sub].append((parse_time(row["TimeGenerated"]), row))
        self.controls: dict[tuple[str, str], list[tuple[datetime, Row]]] = defaultdict(list)
        for row in tables.get("SecureScoreControls", ()):
            sub = str(row["SecureScoresSubscriptionId"]).lower()
            if sub in wanted:
                self.controls[(sub, row["ControlId"])].append((parse_time(row["TimeGenerated"]), row))

    # --- definitions ------------------------------------------------------------------------

    def _latest(self, rows: list[tuple[datetime, Row]], at: datetime) -> Row | None:
        best: tuple[datetime, Row] | None = None
        for moment, row in rows:
            if at - self.lookback < moment <= at and (best is None or moment > best[0]):
                best = (moment, row)
        return None if best is None else best[1]

    def latest_scores(self, at: datetime) -> dict[str, Row]:
        result = {}
        for sub in self.configured:
            row = self._latest(self.scores.get(sub, []), at)
            if row is not None:
                result[sub] = row
        return result

    def latest_controls(self, at: datetime) -> dict[tuple[str, str], Row]:
        result = {}
        for key, rows in self.controls.items():
            row = self._latest(rows, at)
            if row is not None:
                result[key] = row
        return result

    @staticmethod
    def overall_score(latest: Mapping[str, Row]) -> float | None:
        weight = sum(r["Weight"] for r in latest.values())
        if not latest or weight == 0:
            return None
        return 100 * sum(r["PercentageScore"] * r["Weight"] for r in latest.values()) / weight

    # --- per subscription --------------------------------------------------------------------

    def _per_subscription(self) -> list[dict[str, Any]]:
        now, before = self.latest_scores(self.report_time), self.latest_scores(self.report_time - timedelta(days=7))
        controls_now = self.latest_controls(self.report_time)
        out = []
        for sub in self.configured:
            row_now, row_before = now.get(sub), before.get(sub)
            score_now = None if row_now is None else 100 * row_now["PercentageScore"]
            score_before = None if row_before is None else 100 * row_before["PercentageScore"]
            change = None if score_now is None or score_before is None else score_now - score_before
            unhealthy = [r["UnhealthyResources"] for (s, _), r in controls_now.items() if s == sub]
            seen = [m for m, _ in self.scores.get(sub, []) if m <= self.report_time]
            out.append({
                "SubscriptionId": sub,
                "ScoreNow": score_now,
                "ScoreWeekAgo": score_before,
                "Change": change,
                "CurrentPoints": None if row_now is None else row_now["CurrentScore"],
                "MaxPoints": None if row_now is None else row_now["MaxScore"],
                "UnhealthyResources": sum(unhealthy) if unhealthy else None,
                "HasData": row_now is not None,
                "Dropped": change is not None and change < -self.settings.report.drop_alert_points,
                "LastSeen": iso(max(seen)) if seen else None,
            })
        return out

    # --- the queries -------------------------------------------------------------------------

    def overall(self) -> list[dict[str, Any]]:
        now = self.latest_scores(self.report_time)
        score_now = self.overall_score(now)
        score_before = self.overall_score(self.latest_scores(self.report_time - timedelta(days=7)))
        change = None if score_now is None or score_before is None else score_now - score_before
        return [{
            "ScoreNow": r2(score_now),
            "ScoreWeekAgo": r2(score_before),
            "Change": r2(change),
            # A sum over no subscription is 0 (ScoreNow, a ratio, is the one that becomes null).
            "CurrentPoints": r2(sum(r["CurrentScore"] for r in now.values())),
            "MaxPoints": sum(r["MaxScore"] for r in now.values()),
            "SubscriptionsReporting": len(now),
            "SubscriptionsDropped": sum(1 for s in self._per_subscription() if s["Dropped"]),
        }]

    def subscriptions(self) -> list[dict[str, Any]]:
        rows = self._per_subscription()

        def order(s: dict[str, Any]) -> tuple[Any, ...]:
            if s["Dropped"]:
                return (0, s["Change"], s["ScoreNow"], s["SubscriptionId"])
            if not s["HasData"]:
                return (1, 0.0, 0.0, s["SubscriptionId"])
            return (2, 0.0, s["ScoreNow"], s["SubscriptionId"])

        result = []
        for s in sorted(rows, key=order):
            result.append({**s, "ScoreNow": r2(s["ScoreNow"]), "ScoreWeekAgo": r2(s["ScoreWeekAgo"]),
                           "Change": r2(s["Change"]), "CurrentPoints": r2(s["CurrentPoints"])})
        return result

    def trend(self) -> list[dict[str, Any]]:
        out = []
        for k in range(self.settings.report.trend_weeks - 1, -1, -1):
            week_end = self.report_time - timedelta(days=7 * k)
            latest = self.latest_scores(week_end)
            out.append({"WeekEnd": iso(week_end), "Score": r2(self.overall_score(latest)),
                        "Subscriptions": len(latest)})
        return out

    def top_controls(self) -> list[dict[str, Any]]:
        now = self.latest_scores(self.report_time)
        total_weight = sum(r["Weight"] for r in now.values())
        per: dict[str, dict[str, Any]] = {}
        for (sub, control_id), row in self.latest_controls(self.report_time).items():
            sub_row = now.get(sub)
            gap = row["MaxScore"] - row["CurrentScore"]
            if sub_row is None or row["MaxScore"] <= 0 or gap <= 0 or sub_row["MaxScore"] <= 0:
                continue
            acc = per.setdefault(control_id, {"ControlId": control_id, "ControlName": row["ControlName"],
                                              "weighted": 0.0, "PotentialPoints": 0.0,
                                              "UnhealthyResources": 0, "Subscriptions": 0})
            acc["weighted"] += sub_row["Weight"] * gap / sub_row["MaxScore"]
            acc["PotentialPoints"] += gap
            acc["UnhealthyResources"] += row["UnhealthyResources"]
            acc["Subscriptions"] += 1
        result = [{
            "ControlId": a["ControlId"],
            "ControlName": a["ControlName"],
            "PotentialIncrease": round(100 * a["weighted"] / total_weight, 2),
            "PotentialPoints": round(a["PotentialPoints"], 2),
            "UnhealthyResources": a["UnhealthyResources"],
            "Subscriptions": a["Subscriptions"],
        } for a in per.values()]
        result.sort(key=lambda r: (-r["PotentialIncrease"], r["ControlName"]))
        return result[: self.settings.report.top_controls]

    def unhealthy_controls(self) -> list[dict[str, Any]]:
        per: dict[str, dict[str, Any]] = {}
        for (_, control_id), row in self.latest_controls(self.report_time).items():
            if row["UnhealthyResources"] <= 0:
                continue
            acc = per.setdefault(control_id, {"ControlId": control_id, "ControlName": row["ControlName"],
                                              "UnhealthyResources": 0, "HealthyResources": 0,
                                              "Subscriptions": 0})
            acc["UnhealthyResources"] += row["UnhealthyResources"]
            acc["HealthyResources"] += row["HealthyResources"]
            acc["Subscriptions"] += 1
        return sorted(per.values(), key=lambda r: (-r["UnhealthyResources"], r["ControlName"]))

    def freshness(self) -> list[dict[str, Any]]:
        now = self.latest_scores(self.report_time)
        seen = [m for rows in self.scores.values() for m, _ in rows if m <= self.report_time]
        missing = sorted(s for s in self.configured if s not in now)
        return [{
            "LatestTimeGenerated": iso(max(seen)) if seen else None,
            "SubscriptionsConfigured": len(self.configured),
            "SubscriptionsReporting": len(now),
            "SubscriptionsMissing": len(missing),
            "MissingSubscriptionIds": ",".join(missing),
        }]

    def all(self) -> dict[str, list[dict[str, Any]]]:
        return {name: getattr(self, name)() for name in
                ("overall", "subscriptions", "trend", "top_controls", "unhealthy_controls", "freshness")}
