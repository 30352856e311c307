"""A stand-in for Azure Resource Graph, for the preview of management-group mode. Not deployed.

It answers the one request the workflow sends (`logicapp.discovery`): ``POST
https://management.azure.com/providers/Microsoft.ResourceGraph/resources?api-version=...`` with the
subscriptions query, ``managementGroups: [<id>]`` and ``options``; and it answers like the service,
after the REST spec (specification/resourcegraph/.../stable/2024-04-01/resourcegraph.json and its
examples ResourcesMgBasicQuery.json, ResourcesFirstPageQuery.json, ResourcesNextPageQuery.json):
``{totalRecords, count, resultTruncated: "false", facets: [], data: [...], $skipToken?}``, a page of
``$top`` rows (at most 1,000), the next page for the ``$skipToken`` it gave, which is opaque (base64
text, like the examples') and valid only with the same query and scopes. What Azure refuses it refuses:
a token for another audience (401, InvalidAuthenticationTokenAudience), no api-version (400), another
management group than the stack's (403, AuthorizationFailed), another query (400, the stand-in knows
no other), a skip token it did not give (400).

The rows are the projection of the query: ``{id, subscriptionId, name, state}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from securescore.emulator.runner import HttpRequest
from securescore.logicapp import discovery

ARM_AUDIENCES = ("https://management.azure.com/", "https://management.azure.com",
                 "https://management.core.windows.net/", "https://management.core.windows.net")
MAX_TOP = 1000
DEFAULT_PAGE = 100  # the workflow always sends $top; without it the stand-in pages by 100


def subscription_row(subscription_id: str, name: str, state: str = "Enabled") -> dict[str, Any]:
    """A row as the subscriptions query projects it."""
    return {"id": f"/subscriptions/{subscription_id}", "subscriptionId": subscription_id, "name": name,
            "state": state}


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {}, "body": {"error": {"code": code, "message": message}}}


class ResourceGraphStandIn:
    def __init__(self, management_group_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.management_group_id = management_group_id
        self.rows = [dict(row) for row in rows]

    @staticmethod
    def handles(request: HttpRequest) -> bool:
        return request.method == "POST" and request.uri == discovery.RESOURCE_GRAPH_URI

    def _scope_key(self, body: Mapping[str, Any]) -> str:
        text = json.dumps([body.get("query"), body.get("managementGroups")], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __call__(self, action: str, request: HttpRequest) -> dict[str, Any]:
        if request.audience not in ARM_AUDIENCES:
            return _error(401, "InvalidAuthenticationTokenAudience",
                          f"The access token has been obtained for wrong audience or resource '{request.audience}'.")
        if not request.queries.get("api-version"):
            return _error(400, "MissingApiVersionParameter",
                          "The api-version query parameter (?api-version=) is required.")
        body = request.body if isinstance(request.body, dict) else {}
        groups = body.get("managementGroups")
        if groups != [self.management_group_id]:
            return _error(403, "AuthorizationFailed",
                          f"The client does not have authorization to query management groups {groups!r}.")
        if body.get("query") != discovery.SUBSCRIPTIONS_QUERY:
            return _error(400, "BadRequest", "The preview's Resource Graph answers only the subscriptions query.")
        options = body.get("options") or {}
        top = options.get("$top", DEFAULT_PAGE)
        if not isinstance(top, int) or not 1 <= top <= MAX_TOP:
            return _error(400, "InvalidQueryOptions", f"$top must be between 1 and {MAX_TOP}.")
        offset = 0
        token = options.get("$skipToken")
        if token is not None:
            try:
                state = json.loads(base64.b64decode(str(token), validate=True))
                offset, key = int(state["offset"]), state["scope"]
            except (ValueError, KeyError, TypeError):
                return _error(400, "InvalidSkipToken", "The $skipToken is not valid.")
            if key != self._scope_key(body):
                return _error(400, "InvalidSkipToken", "The $skipToken belongs to another query or scope.")
        page = self.rows[offset : offset + top]
        answer: dict[str, Any] = {
            "totalRecords": len(self.rows), "count": len(page), "resultTruncated": "false", "facets": [],
            "data": page,
        }
        if offset + top < len(self.rows):
            state = {"offset": offset + top, "scope": self._scope_key(body)}
            answer["$skipToken"] = base64.b64encode(json.dumps(state).encode()).decode()
        return {"statusCode": 200, "headers": {"Content-Type": "application/json; charset=utf-8"}, "body": answer}
