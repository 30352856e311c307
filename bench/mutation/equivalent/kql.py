"""The kql area's equivalent mutants (securescore/queries.py and the KQL templates)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

QUERIES = "securescore/queries.py"
SUBSCRIPTIONS = "securescore/kql/subscriptions.kql"
CHANGES = "securescore/kql/changes.kql"
RECOMMENDATIONS = "securescore/kql/recommendations.kql"
TOP_CONTROLS = "securescore/kql/top_controls.kql"

# subscriptions.kql sorts by SortGroup, then SortChange (a dropped subscription's Change, 0.0 for the
# others). Dropped means Change < -dropAlertPoints, and dropAlertPoints is at least 1 (settings.py:
# int_range("dropAlertPoints", ..., 1, 100)), so a dropped row's SortChange is below -1 and it sorts
# before every row without data (SortChange 0.0) whether it is in their group or in one before it.
# SortGroup itself is not projected.
DROPPED_GROUP = ("a dropped subscription sorts first either way: its SortChange is below -1 (dropAlertPoints >= 1) "
                 "and a subscription without data has SortChange 0.0; SortGroup is not in the result")

ENTRIES: tuple[Equivalent, ...] = (
    Equivalent(QUERIES, "_ISO_DATETIME = re.compile(", "re.compile('\\\\d{4}-",
               "report_time is checked with _ISO_DATETIME.match(), which anchors at the start of the text "
               "(Python docs, re.Pattern.match): the ^ adds nothing", where="module"),
    Equivalent(QUERIES, 'member_ids = ""', "", "the value for a stack without a management group, and the templates "
               "read member_ids only inside `{% if management_group %}` (_prelude.kql): nothing reads it",
               where="template_values"),
    # changes.kql: ControlMoves is read only by Lost (`where Change < 0`) and Gained (`where Change > 0`).
    Equivalent(CHANGES, "| where isnotnull(Change) and Change != 0;", "| where Change != 0;",
               "a null Change never reaches the result: ControlMoves is read only by Lost (Change < 0) and Gained "
               "(Change > 0), and a comparison with null is null, which where treats as false (Kusto, null values)"),
    Equivalent(CHANGES, "| where isnotnull(Change) and Change != 0;", "| where isnotnull(Change);",
               "a Change of 0 never reaches the result: ControlMoves is read only by Lost (Change < 0) and Gained "
               "(Change > 0), and 0 (or -0.0 from round()) is neither"),
    Equivalent(CHANGES, "| where Change < 0", "| where Change <= 0",
               "ControlMoves has no row whose Change is 0: its own filter (Change != 0) removed them"),
    Equivalent(RECOMMENDATIONS, 'RecommendationSeverity =~ "Low", 2, 3);', 'RecommendationSeverity =~ "Low", 2, 4);',
               "the rank of a severity other than High, Medium and Low is only compared: with min() against 0, 1 "
               "and 2, in `order by`, and in case(SeverityRank == 0/1/2, ...); 3 and 4 both sort after Low and "
               "equal every other such rank, and SeverityRank is not projected"),
    *(Equivalent(SUBSCRIPTIONS, "SortChange = iff(Dropped, Change, 0.0)", f"SortChange = iff(Dropped, Change, {other})",
                 "SortChange orders only within a SortGroup: a subscription that did not drop is in group 1 or 2, "
                 "where every row gets the same constant (0.0, or the mutant's), so their order is unchanged; "
                 "dropped ones (group 0) keep their Change, and SortChange is not in the result")
      for other in ("1.0", "-1.0")),
    Equivalent(TOP_CONTROLS, "| where MaxScore > 0", "| where MaxScore > -1",
               "the controls' filter: MaxScore is an int, so the mutant lets in only controls whose MaxScore "
               "is 0; their Gap is 0 - CurrentScore, never above 0 (a control's score lies between 0 and its "
               "maximum), and `where Gap > 0` removes them. (The entry also names the join's own "
               "`| where MaxScore > 0` on the subscriptions, whose mutant is not equivalent: a test kills it, "
               "test_mut_kql_edges.py)"),
    Equivalent(SUBSCRIPTIONS, "case(Dropped, 0, not(HasData), 1, 2)", "case(Dropped, 1, not(HasData), 1, 2)",
               DROPPED_GROUP),
    Equivalent(CHANGES, "| where isnotnull(Change) and Change != 0;", "",
               "the line only narrows ControlMoves, which is read only by Lost (Change < 0) and Gained "
               "(Change > 0): without it no other row reaches the result (the next let begins its own statement)",
               where="changes", removed=True),
)
