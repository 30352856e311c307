"""Control actions: If (Condition), Foreach, Until, Terminate, Scope; and runAfter's status rules.

Definitions follow Microsoft's "Schema reference guide for trigger and action types in Azure Logic
Apps" (If, Foreach, Until, Terminate, Scope sections) and "Handle errors and exceptions in Azure
Logic Apps"; the Until example is the one on the expression function reference's iterationIndexes entry.
"""

from __future__ import annotations

import pytest

from securescore.emulator.errors import UnsupportedConstructError, WorkflowDefinitionError
from tests.emulator.helpers import action, compose, run, variable


def condition(expression, actions, otherwise=None, run_after=None):
    body = action("If", run_after=run_after, expression=expression, actions=actions)
    if otherwise is not None:
        body["else"] = {"actions": otherwise}
    return body


def test_if_runs_one_branch_and_skips_the_other() -> None:
    result = run(
        {
            "Check": condition("@greater(2, 1)", {"Yes": compose("yes")}, {"No": compose("no")}),
            "After": compose("@outputs('Yes')", {"Check": ["Succeeded"]}),
        }
    )
    assert result.actions["Yes"].status == "Succeeded"
    assert result.actions["No"].status == "Skipped"
    assert result.actions["Check"].status == "Succeeded"  # "If the condition is true ... Succeeded status"
    assert result.actions["After"].outputs == "yes"
    false = run({"Check": condition("@equals(1, 2)", {"Yes": compose("yes")}, {"No": compose("no")})})
    assert false.actions["No"].status == "Succeeded"
    assert false.actions["Yes"].status == "Skipped"
    assert false.actions["Check"].status == "Succeeded"


def test_if_takes_the_designers_object_form() -> None:
    # The reference's If example: {"and": [{"greater": ["@variables('myIntegerVariable')", 0]}]}
    expression = {"and": [{"greater": ["@variables('myIntegerVariable')", 0]}]}
    actions = {"Init": variable("myIntegerVariable", "Integer", 0)}
    actions["Check"] = condition(expression, {"Positive": compose(1)}, {"Other": compose(2)}, {"Init": ["Succeeded"]})
    result = run(actions)
    assert result.actions["Other"].status == "Succeeded"  # 0 is not greater than 0
    nested = {"not": {"contains": ["@parameters('caller')", "@"]}}  # a lone "@" is text, as in MDC's templates
    declared = {"caller": {"type": "String", "defaultValue": "someone@contoso.com"}}
    result = run({"Check": condition(nested, {"Yes": compose(1)}, {"No": compose(2)})}, declared=declared)
    assert result.actions["No"].status == "Succeeded"


def test_a_non_boolean_condition_fails_the_if() -> None:
    result = run({"Check": condition("@'yes'", {"Yes": compose(1)}), "Handler": compose(0, {"Check": ["Failed"]})})
    assert result.actions["Check"].status == "Failed"
    assert result.actions["Check"].code == "InvalidTemplate"
    assert result.actions["Handler"].status == "Succeeded"


def test_a_failure_inside_a_branch_fails_the_if_unless_handled() -> None:
    failing = {"Bad": compose("@div(1, 0)")}
    assert run({"Check": condition("@true", failing)}).actions["Check"].status == "Failed"
    handled = {"Bad": compose("@div(1, 0)"), "Fix": compose("ok", {"Bad": ["Failed"]})}
    assert run({"Check": condition("@true", handled)}).actions["Check"].status == "Succeeded"


def foreach(items, actions, run_after=None, **extra):
    return action("Foreach", run_after=run_after, foreach=items, actions=actions, **extra)


def test_foreach_runs_in_order_with_item_and_items() -> None:
    actions = {
        "Init": variable("seen", "Array"),
        "Loop": foreach(
            "@createArray('a', 'b', 'c')",
            {"Add": action("AppendToArrayVariable", {"name": "seen", "value": "@concat(items('Loop'), item())"})},
            {"Init": ["Succeeded"]},
            runtimeConfiguration={"concurrency": {"repetitions": 1}},
        ),
        "Done": compose("@variables('seen')", {"Loop": ["Succeeded"]}),
    }
    result = run(actions)
    assert result.actions["Done"].outputs == ["aa", "bb", "cc"]
    assert result.actions["Loop"].status == "Succeeded"
    assert result.actions["Add"].scope == "Loop"


def test_foreach_over_an_empty_array_runs_nothing_and_succeeds() -> None:
    result = run(
        {
            "Loop": foreach("@createArray()", {"Inner": compose(1)}),
            "After": compose("@result('Loop')", {"Loop": ["Succeeded"]}),
        }
    )
    assert result.actions["Loop"].status == "Succeeded"
    assert "Inner" not in result.actions
    assert result.actions["After"].outputs == [{"name": "Inner", "outputs": []}]


def test_foreach_result_lists_each_iteration_and_fails_if_one_iteration_fails() -> None:
    # The reference's result() example: Compose '@result('For_each')' after a For_each of one action.
    actions = {
        "For_each": foreach("@createArray(1, 0, 2)", {"Divide": compose("@div(10, item())")}),
        "Compose": compose("@result('For_each')", {"For_each": ["Succeeded", "Failed"]}),
    }
    result = run(actions)
    assert result.actions["For_each"].status == "Failed"
    (entry,) = result.actions["Compose"].outputs
    assert entry["name"] == "Divide"
    assert [iteration["status"] for iteration in entry["outputs"]] == ["Succeeded", "Failed", "Succeeded"]
    assert [iteration["outputs"] for iteration in entry["outputs"]] == [10, None, 5]


def test_foreach_needs_an_array() -> None:
    result = run({"Loop": foreach("@'text'", {"Inner": compose(1)})})
    assert result.actions["Loop"].status == "Failed"
    assert "must give an array" in result.actions["Loop"].error["message"]


def test_the_documented_until_loop_counts_to_five() -> None:
    # The expression function reference, iterationIndexes: "increments that variable by one during
    # each iteration in an Until loop until the counter value reaches five".
    actions = {
        "Create_counter_variable": variable("myCounter", "Integer", 0),
        "Create_current_index_variable": variable(
            "myCurrentLoopIndex", "Integer", 0, {"Create_counter_variable": ["Succeeded"]}
        ),
        "Until_Max_Increment": action(
            "Until",
            run_after={"Create_current_index_variable": ["Succeeded"]},
            actions={
                "Assign_current_index_to_counter": action(
                    "SetVariable",
                    {"name": "myCurrentLoopIndex", "value": "@variables('myCounter')"},
                    {"Increment_variable": ["Succeeded"]},
                ),
                "Compose": compose(
                    "'Current index: ' @{iterationIndexes('Until_Max_Increment')}",
                    {"Assign_current_index_to_counter": ["Succeeded"]},
                ),
                "Increment_variable": action("IncrementVariable", {"name": "myCounter", "value": 1}),
            },
            expression="@equals(variables('myCounter'), 5)",
            limit={"count": 60, "timeout": "PT1H"},
        ),
        "Final": compose("@variables('myCounter')", {"Until_Max_Increment": ["Succeeded"]}),
    }
    result = run(actions)
    assert result.actions["Final"].outputs == 5
    assert result.actions["Compose"].outputs == "'Current index: ' 4"  # 0-based: the fifth iteration
    assert result.actions["Until_Max_Increment"].status == "Succeeded"


def test_until_limits() -> None:
    loop = {
        "Init": variable("n", "Integer", 0),
        "Loop": action(
            "Until",
            run_after={"Init": ["Succeeded"]},
            actions={"Step": action("IncrementVariable", {"name": "n"})},
            expression="@greaterOrEquals(variables('n'), 3)",
            limit={"count": 3},
        ),
    }
    assert run(loop).actions["Loop"].status == "Succeeded"  # true exactly at the count: fine
    loop["Loop"]["limit"] = {"count": 2}
    with pytest.raises(UnsupportedConstructError, match="reaching its limit of 2"):
        run(loop)
    loop["Loop"]["limit"] = {"count": 5001}  # Limits and configuration: Until iterations max 5,000
    assert run(loop).actions["Loop"].status == "Failed"
    loop["Loop"]["limit"] = {"count": 5, "timeout": "one hour"}
    assert "ISO 8601" in run(loop).actions["Loop"].error["message"]


def test_terminate_skips_the_rest_and_sets_the_run_status() -> None:
    # The reference's Terminate example: runStatus Failed with a runError code and message.
    actions = {
        "First": compose(1),
        "Stop": action(
            "Terminate",
            {
                "runStatus": "Failed",
                "runError": {
                    "code": "Unexpected response",
                    "message": "The service received an unexpected response. Please try again.",
                },
            },
            {"First": ["Succeeded"]},
        ),
        "Later": compose(2, {"Stop": ["Succeeded"]}),
        "Z_parallel": compose(3, {"First": ["Succeeded"]}),  # ready with Stop, but after it in name order
    }
    result = run(actions)
    assert result.status == "Failed"
    assert result.error == {
        "code": "Unexpected response",
        "message": "The service received an unexpected response. Please try again.",
    }
    assert result.actions["Stop"].status == "Succeeded"
    assert result.actions["Later"].status == result.actions["Z_parallel"].status == "Skipped"
    assert result.order == ["First", "Stop", "Later", "Z_parallel"]


def test_terminate_inside_a_condition_cancels_it() -> None:
    actions = {
        "Check": condition("@true", {"Stop": action("Terminate", {"runStatus": "Cancelled"})}),
        "After": compose(1, {"Check": ["Succeeded", "Failed"]}),
    }
    result = run(actions)
    assert result.status == "Cancelled"
    assert result.error is None
    assert result.actions["Check"].status == "Cancelled"
    assert result.actions["After"].status == "Skipped"


def test_terminate_cannot_be_inside_a_loop() -> None:
    # Terminate "can't appear inside Foreach and Until loops, including sequential loops"
    with pytest.raises(WorkflowDefinitionError, match="Terminate cannot be inside the loop 'Loop'"):
        run({"Loop": foreach("@createArray(1)", {"Stop": action("Terminate", {"runStatus": "Succeeded"})})})


@pytest.mark.parametrize("spelling", ["Succeeded", "SUCCEEDED", "succeeded"])
def test_run_after_statuses_are_case_insensitive(spelling: str) -> None:
    # Published templates write "SUCCEEDED" (263 times in the measured corpus) and "TIMEDOUT".
    result = run({"A": compose(1), "B": compose(2, {"A": [spelling]})})
    assert result.actions["B"].status == "Succeeded"
    failed = run({"A": compose("@div(1, 0)"), "B": compose(2, {"A": ["FAILED", "TIMEDOUT"]})})
    assert failed.actions["B"].status == "Succeeded"


def test_run_after_still_refuses_unknown_statuses() -> None:
    with pytest.raises(WorkflowDefinitionError, match="Succeeded, Failed, Skipped, TimedOut"):
        run({"A": compose(1), "B": compose(2, {"A": ["Completed"]})})


def test_a_scope_fails_only_on_an_unhandled_failure() -> None:
    handled = {
        "S": action("Scope", actions={"Bad": compose("@div(1, 0)"), "Fix": compose(0, {"Bad": ["Failed"]})}),
    }
    assert run(handled).actions["S"].status == "Succeeded"
    unhandled = {
        "S": action("Scope", actions={"Bad": compose("@div(1, 0)"), "Next": compose(0, {"Bad": ["Succeeded"]})})
    }
    assert run(unhandled).actions["S"].status == "Failed"


def test_variables_can_only_be_initialized_at_the_top_level() -> None:
    # "You can only declare variables at the global level, not within scopes, conditions, and loops."
    with pytest.raises(WorkflowDefinitionError, match="only be initialized at the top level"):
        run({"S": action("Scope", actions={"Init": variable("x", "String", "a")})})


def test_result_of_a_condition_is_unsupported_run_or_skipped() -> None:
    # result() is documented for "a For_each, Until, or Scope action"
    for verdict in ("@true", "@false"):
        actions = {
            "Check": condition(verdict, {"Inner": compose(1)}),
            "Read": compose("@result('Check')", {"Check": ["Succeeded", "Skipped"]}),
        }
        with pytest.raises(UnsupportedConstructError, match=r"result\('Check'\)"):
            run(actions)
    skipped = {
        "Gate": compose("@div(1, 0)"),
        "Check": condition("@true", {"Inner": compose(1)}, run_after={"Gate": ["Succeeded"]}),
        "Read": compose("@result('Check')", {"Check": ["Skipped"]}),
    }
    with pytest.raises(UnsupportedConstructError, match=r"result\('Check'\)"):
        run(skipped)
