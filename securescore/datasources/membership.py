"""Management-group mode in the preview: which subscriptions are under the group.

The deployed workflow asks Azure Resource Graph at every run (`logicapp.discovery`). The preview
needs the same answer for its emulated run, and takes it from one of:
- the sample data set's own group (the sample source);
- a file (``--subscriptions-from FILE``): Resource Graph's answer as JSON, i.e. the body of the REST
  call, ``az graph query ... -o json`` (both ``{"data": [...]}``), or the rows alone (``[...]``);
- Resource Graph itself, asked as the signed-in user with the very query the Logic App sends
  (``fetch_membership``, the live sources' default), following ``$skipToken`` (REST spec
  resourcegraph 2024-04-01, examples ResourcesFirstPageQuery.json / ResourcesNextPageQuery.json);
- the data itself (``from_data``): the subscriptions that have score rows, when nothing else is given
  (``--data DIR``); coverage then cannot show a subscription that never exported, and a warning says so.

Rows are Resource Graph's: ``{id, subscriptionId, name, state}``. They are handed to the emulated
run unchanged; the workflow's own GUID check decides what reaches the KQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from securescore.arm import ArmClient, ArmError
from securescore.datasources import SourceError
from securescore.logicapp import discovery

RESOURCE_GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
DATA_QUERY = "SecureScores | summarize by SubscriptionId = tolower(SecureScoresSubscriptionId)"
FROM_DATA_WARNING = (
    "management-group mode without --subscriptions-from: the subscriptions are those with score rows in the "
    "data, so the coverage section cannot list one that never exported; pass Resource Graph's answer "
    "(az graph query -q \"<the query in docs/design.md>\" --management-groups <id> -o json > members.json)"
)


def read_membership_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a saved Resource Graph answer; SourceError naming the file when it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise SourceError(f"--subscriptions-from {path}: cannot be read: {error.strerror or error}") from None
    except ValueError as error:
        raise SourceError(f"--subscriptions-from {path}: not JSON ({error})") from None
    rows = document.get("data") if isinstance(document, dict) else document
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise SourceError(
            f"--subscriptions-from {path}: expected Resource Graph's answer, {{\"data\": [{{\"subscriptionId\", "
            "\"name\", \"state\"}, ...]}} (the REST body or az graph query -o json) or the list of rows")
    return rows


class MembershipError(SourceError):
    """Resource Graph could not list the group's subscriptions: what happened (``detail``) and the
    fix; ``str()`` is both on one line, as the preview prints it."""

    def __init__(self, detail: str, fix: str = "") -> None:
        super().__init__(f"{detail}; fix: {fix}" if fix else detail)
        self.detail, self.fix = detail, fix


def fetch_membership(arm: ArmClient, management_group_id: str, assignee: str = "<you>") -> list[dict[str, Any]]:
    """The subscriptions under the group, from Resource Graph as the signed-in user, every page.
    ``assignee`` (the user's object id) goes into the role assignment command of a 403's fix."""
    rows: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(discovery.MAX_PAGES):
        options: dict[str, Any] = {"$top": discovery.PAGE_SIZE, "resultFormat": "objectArray"}
        if token:
            options["$skipToken"] = token
        body = {"query": discovery.SUBSCRIPTIONS_QUERY, "managementGroups": [management_group_id],
                "options": options}
        try:
            answer = arm.post(RESOURCE_GRAPH_PATH, discovery.RESOURCE_GRAPH_API_VERSION, body).json
        except ArmError as error:
            raise _explain(error, management_group_id, assignee) from None
        data = (answer or {}).get("data")
        if not isinstance(data, list):
            raise MembershipError(f"Resource Graph answered without a data array for management group "
                                  f"{management_group_id}")
        rows += data
        token = (answer or {}).get("$skipToken")
        if not token:
            return rows
    raise MembershipError(f"Resource Graph: stopped after {discovery.MAX_PAGES} pages for management group "
                          f"{management_group_id}")


def _explain(error: ArmError, management_group_id: str, assignee: str) -> MembershipError:
    what = f"Resource Graph, management group {management_group_id}: HTTP {error.status} {error.code}: {error.message}"
    if error.status == 403:
        return MembershipError(what, (
            f"your account needs Reader on the management group (or on the subscriptions under it): "
            f"az role assignment create --role Reader --assignee {assignee} --scope "
            f"/providers/Microsoft.Management/managementGroups/{management_group_id}"))
    if error.status == 404 or "notfound" in error.code.lower():
        return MembershipError(what, "check managementGroupId (the group's id, not its display name)")
    if error.status == 429:
        # POST is not retried by azure-core's RetryPolicy on 429 (only 500, 503, 504), and the quota is
        # per user: "at most 15 queries within every 5-second window" (Learn, "Guidance for throttled
        # requests in Azure Resource Graph").
        return MembershipError(what, (
            "Resource Graph throttles each user (about 15 queries in 5 seconds, shared with every tool "
            "querying as you): wait a few seconds and run again"))
    return MembershipError(what)


def from_data(run_query: Callable[[str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Rows for the subscriptions that have score rows in the data (names unknown: the id)."""
    ids = sorted({str(row.get("SubscriptionId") or "") for row in run_query(DATA_QUERY)} - {""})
    return [{"id": f"/subscriptions/{i}", "subscriptionId": i, "name": i, "state": "Enabled"} for i in ids]
