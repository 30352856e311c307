"""Management-group mode's subscription list in the KQL: which action's output the deployed queries read,
and how many ids they can carry under Logic Apps' expression evaluation limit."""

from __future__ import annotations

from securescore.logicapp.discovery import max_filtered_subscriptions
from securescore.queries import render_queries
from tests.conftest import make_settings

SETTINGS = make_settings(managementGroupId="contoso", subscriptions=[], exportAssessments=True)
DEPLOYED_TIME = "@{utcNow()}"  # the Logic Apps interpolation of utcNow()
# What utcNow() returns at run time: "yyyy-MM-ddTHH:mm:ss.fffffffZ", 28 characters (Logic Apps,
# "Reference guide to workflow expression functions", utcNow: "2018-04-15T13:00:00.0000000Z").
RUN_TIME_VALUE = "2018-04-15T13:00:00.0000000Z"
# Logic Apps "Limits and configuration": expression evaluation limit, 131,072 characters.
EVALUATION_LIMIT = 131_072


def test_deployed_queries_read_the_compose_actions_output() -> None:
    # docs/design.md, "Management-group mode": Query_<name> runs after Compose_subscription_filter and reads
    # it as `let MemberIds = "@{outputs('Compose_subscription_filter')}"`.
    for name, text in render_queries(SETTINGS, DEPLOYED_TIME).items():
        assert "let MemberIds = \"@{outputs('Compose_subscription_filter')}\";" in text, name


def _longest_at_run_time(count: int) -> int:
    """The longest query as the run evaluates it: `count` ids joined by "," in place of the list."""
    ids = ",".join(f"{i:08x}-abcd-4ef0-8abc-{i:012x}" for i in range(count))
    texts = render_queries(SETTINGS, DEPLOYED_TIME)
    return max(len(t.replace("@{outputs('Compose_subscription_filter')}", ids).replace(DEPLOYED_TIME, RUN_TIME_VALUE))
               for t in texts.values())


def test_the_largest_filtered_list_fits_the_limit_and_little_more_would_not() -> None:
    # Each id takes 37 characters of the list: a GUID (36) and its ",". The limit keeps a margin for the
    # run-time values, but no more than a few ids' worth: eight more ids must no longer fit.
    limit = max_filtered_subscriptions(render_queries(SETTINGS, DEPLOYED_TIME))
    assert limit > 3000
    assert _longest_at_run_time(limit) <= EVALUATION_LIMIT
    assert _longest_at_run_time(limit + 8) > EVALUATION_LIMIT
