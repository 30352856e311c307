"""An independent, plain-Python computation of every report query (docs/design.md, "Query contracts").

No SQL and no KQL: dicts and loops over the raw rows (as ``securescore.sample_data`` produces them,
datetimes as ``datetime`` or ISO text). Written from the contract, not from the queries, so that
the two can be compared.

Interpretations where the contract leaves room (each one named in the test report):
- *LastSeen* of a subscription and *LatestTimeGenerated*: its newest SecureScores row (configured
  subscription, the configured initiative) in the history window (ReportTime - history, ReportTime],
  history = (trendWeeks - 1) weeks + lookbackDays, as docs/design.md says;
- *UnhealthyResources* of a subscription without control rows now: None (no data, not zero);
- ``top_controls``: every sum runs over the rows kept by the filter (MaxScore > 0, potential > 0,
  subscription with data now), so UnhealthyResources counts only rows with a potential;
- ``overall`` CurrentPoints/MaxPoints with no subscription reporting: 0 (a sum over nothing);
- rounding to 2 decimals is applied to the final value (Change from the unrounded scores), except the
  trend's Change, which is the difference of the two rounded scores shown;
- ``changes``: a row whose rounded Change is 0 is no change;
- ``recommendations``: a recommendation's display name is the greatest among its unhealthy rows, and a
  severity other than High/Medium/Low (any case) is shown as the greatest such text.
"""

from __future__ import annotations

import re
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


_SAMPLE = object()


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


class Reference:
    def __init__(self, tables: Mapping[str, Iterable[Row]], settings: Settings, report_time: str,
                 membership: Any = _SAMPLE) -> None:
        """``membership`` (management-group mode): the subscriptions under the group, as the run found
        them; ``None``: more than a query can carry, no subscription filter (then every subscription
        with a score row in the history window is reported on); default: the sample group's."""
        self.settings = settings
        self.report_time = parse_time(report_time)
        self.lookback = timedelta(days=settings.report.lookback_days)
        self.configured = list(settings.subscription_ids)
        wanted: Any = set(self.configured)
        if settings.scope is not None:
            if membership is _SAMPLE:
                from securescore.datasources.sample_data import monitored_ids  # the data set's input

                membership = monitored_ids(settings)
            self.configured = list(membership) if membership is not None else []
            wanted = set(self.configured) if membership is not None else _Everything()
        initiative = settings.report.initiative_name
        # (subscription, time, row) of the rows that count; ids compared lower-case.
        self.scores: dict[str, list[tuple[datetime, Row]]] = defaultdict(list)
        for row in tables.get("SecureScores", ()):
            sub = str(row["SecureScoresSubscriptionId"]).lower()
            if sub in wanted and row["DisplayName"] == initiative:
                self.scores[sub].append((parse_time(row["TimeGenerated"]), row))
        if settings.scope is not None and membership is None:
            # Unfiltered: the subscriptions reported on are those with a row in the history window.
            self.configured = sorted(
                {s for s, rows in self.scores.items() if any(self._in_history(m) for m, _ in rows)})
        # (resource, recommendation) -> [(time, subscription, row)]; the subscription from the resource id.
        self.assessments: dict[tuple[str, str], list[tuple[datetime, Row]]] = defaultdict(list)
        for row in tables.get("SecurityRecommendation", ()):
            resource = str(row["AssessedResourceId"]).lower()
            parts = resource.split("/")
            if len(parts) > 2 and parts[0] == "" and parts[1] == "subscriptions" and parts[2] in wanted:
                key = (resource, str(row["RecommendationId"]).lower())
                self.assessments[key].append((parse_time(row["TimeGenerated"]), row))
        self.controls: dict[tuple[str, str], list[tuple[datetime, Row]]] = defaultdict(list)
        for row in tables.get("SecureScoreControls", ()):
            sub = str(row["SecureScoresSubscriptionId"]).lower()
            if sub in wanted:
                self.controls[(sub, row["ControlId"])].append((parse_time(row["TimeGenerated"]), row))

    # --- definitions ------------------------------------------------------------------------

    def _in_history(self, moment: datetime) -> bool:
        report = self.settings.report
        history = timedelta(days=(report.trend_weeks - 1) * 7 + report.lookback_days)
        return self.report_time - history < moment <= self.report_time

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
            seen = [m for m, _ in self.scores.get(sub, []) if self._in_history(m)]
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
        out: list[dict[str, Any]] = []
        for k in range(self.settings.report.trend_weeks - 1, -1, -1):
            week_end = self.report_time - timedelta(days=7 * k)
            latest = self.latest_scores(week_end)
            score = r2(self.overall_score(latest))
            before = out[-1]["Score"] if out else None
            change = None if score is None or before is None else r2(score - before)
            out.append({"WeekEnd": iso(week_end), "Score": score, "Subscriptions": len(latest), "Change": change})
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
        seen = [m for rows in self.scores.values() for m, _ in rows if self._in_history(m)]
        missing = sorted(s for s in self.configured if s not in now)
        return [{
            "LatestTimeGenerated": iso(max(seen)) if seen else None,
            "SubscriptionsConfigured": len(self.configured),
            "SubscriptionsReporting": len(now),
            "SubscriptionsMissing": len(missing),
            "MissingSubscriptionIds": ",".join(missing),
        }]

    def changes(self) -> list[dict[str, Any]]:
        top = self.settings.report.top_controls
        week_ago = self.report_time - timedelta(days=7)
        now = self.latest_scores(self.report_time)
        total_weight = sum(r["Weight"] for r in now.values())
        before_controls = self.latest_controls(week_ago)
        per: dict[str, dict[str, Any]] = {}
        for (sub, control_id), row in self.latest_controls(self.report_time).items():
            before, sub_row = before_controls.get((sub, control_id)), now.get(sub)
            if before is None or sub_row is None or sub_row["MaxScore"] <= 0:
                continue
            acc = per.setdefault(control_id, {"weighted": 0.0, "Subscriptions": 0, "Name": row["ControlName"]})
            delta = row["CurrentScore"] - before["CurrentScore"]
            acc["weighted"] += sub_row["Weight"] * delta / sub_row["MaxScore"]
            acc["Subscriptions"] += 1 if delta != 0 else 0
            acc["Name"] = max(acc["Name"], row["ControlName"])
        controls = []
        for control_id, acc in per.items() if total_weight > 0 else ():
            change = round(100 * acc["weighted"] / total_weight, 2)
            if change != 0:
                controls.append({"Kind": "control", "Id": control_id, "Name": acc["Name"], "Change": change,
                                 "Subscriptions": acc["Subscriptions"], "ScoreNow": None, "ScoreWeekAgo": None})
        lost = sorted((c for c in controls if c["Change"] < 0), key=lambda c: (c["Change"], c["Name"], c["Id"]))
        gained = sorted((c for c in controls if c["Change"] > 0), key=lambda c: (-c["Change"], c["Name"], c["Id"]))
        before_scores = self.latest_scores(week_ago)
        moved = []
        for sub, row in now.items():
            if sub not in before_scores:
                continue
            score_now, score_before = 100 * row["PercentageScore"], 100 * before_scores[sub]["PercentageScore"]
            change = round(score_now - score_before, 2)
            if change != 0:
                moved.append({"Kind": "subscription", "Id": sub, "Name": "", "Change": change, "Subscriptions": None,
                              "ScoreNow": r2(score_now), "ScoreWeekAgo": r2(score_before)})
        moved.sort(key=lambda s: (-abs(s["Change"]), s["Id"]))
        return lost[:top] + gained[:top] + moved[:top]

    def _assessment_state(self, rows: list[tuple[datetime, Row]], at: datetime) -> Row | None:
        return self._latest(rows, at)

    def recommendations(self) -> list[dict[str, Any]]:
        rank = {"high": 0, "medium": 1, "low": 2}
        week_ago = self.report_time - timedelta(days=7)
        per: dict[str, dict[str, Any]] = {}
        for (resource, recommendation), rows in self.assessments.items():
            now = self._assessment_state(rows, self.report_time)
            if now is None or str(now["RecommendationState"]).lower() != "unhealthy":
                continue
            before = self._assessment_state(rows, week_ago)
            newly = before is None or str(before["RecommendationState"]).lower() != "unhealthy"
            acc = per.setdefault(recommendation, {"resources": set(), "newly": 0, "subscriptions": set(),
                                                  "names": [], "ranks": [], "texts": []})
            acc["resources"].add(resource)
            acc["newly"] += 1 if newly else 0
            acc["subscriptions"].add(resource.split("/")[2])
            acc["names"].append(now["RecommendationDisplayName"])
            acc["ranks"].append(rank.get(str(now["RecommendationSeverity"]).lower(), 3))
            acc["texts"].append(str(now["RecommendationSeverity"]))
        result = []
        for key, acc in per.items():
            severity_rank = min(acc["ranks"])
            guid = re.search(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", key)
            result.append({
                "RecommendationId": key,
                "AssessmentKey": guid.group(1) if guid else "",
                "Name": max(acc["names"]),
                "Severity": ("High", "Medium", "Low", max(acc["texts"]))[severity_rank],
                "UnhealthyResources": len(acc["resources"]),
                "NewlyUnhealthy": acc["newly"],
                "Subscriptions": len(acc["subscriptions"]),
                "rank": severity_rank,
            })
        result.sort(key=lambda r: (r["rank"], -r["UnhealthyResources"], r["Name"], r["RecommendationId"]))
        return [{k: v for k, v in r.items() if k != "rank"} for r in result[: self.settings.report.top_controls]]

    def coverage(self) -> list[dict[str, Any]]:
        """Management-group mode: the subscriptions with a latest row now, and with any row in the
        history window, lower-case, sorted, joined by ","."""
        now = self.latest_scores(self.report_time)
        seen = {s for s, rows in self.scores.items() if any(self._in_history(m) for m, _ in rows)}
        return [{"ReportingIds": ",".join(sorted(now)), "SeenIds": ",".join(sorted(seen))}]

    def all(self) -> dict[str, list[dict[str, Any]]]:
        names = ["overall", "subscriptions", "trend", "top_controls", "unhealthy_controls", "freshness", "changes"]
        if self.settings.export.assessments:
            names.append("recommendations")
        if self.settings.scope is not None:
            names.append("coverage")
        return {name: getattr(self, name)() for name in names}
