"""Variable actions and variables(), after Microsoft Learn "Create variables to store and manage
values in Azure Logic Apps" (its JSON examples are used as written, lower-case types included)."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import action, compose, run, variable


def test_the_documented_variable_types_initialize() -> None:
    actions = {
        "Count": variable("Count", "Integer", 0),
        "Bool": variable("myBooleanVariable", "boolean", False),
        "Float": variable("myFloatVariable", "float", 1.99999),
        "String": variable("myStringVariable", "string", "lorem ipsum"),
        "Object": variable(
            "MyObjectVariable", "object", {"ProductItem": {"Name": "myProductName", "ProductID": "000000"}}
        ),
        "Ints": variable("myArrayVariable", "array", [1, 2, 3]),
        "Strings": variable("myStrings", "array", ["red", "orange", "yellow"]),
    }
    names = ["Count", "myBooleanVariable", "myFloatVariable", "myStringVariable", "MyObjectVariable", "myArrayVariable"]
    after = {name: ["Succeeded"] for name in actions}
    actions["Read"] = compose({name: f"@variables('{name}')" for name in names}, after)
    result = run(actions)
    assert result.actions["Read"].outputs == {
        "Count": 0,
        "myBooleanVariable": False,
        "myFloatVariable": 1.99999,
        "myStringVariable": "lorem ipsum",
        "MyObjectVariable": {"ProductItem": {"Name": "myProductName", "ProductID": "000000"}},
        "myArrayVariable": [1, 2, 3],
    }


def test_append_to_array_gives_the_documented_result() -> None:
    # "Your result is an updated variable that contains this array: [1,2,3,"red"]"
    actions = {
        "Initialize_variable": variable("myArrayVariable", "Array", [1, 2, 3]),
        "Append_to_array_variable": action(
            "AppendToArrayVariable", {"name": "myArrayVariable", "value": "red"}, {"Initialize_variable": ["Succeeded"]}
        ),
        "Read": compose("@variables('myArrayVariable')", {"Append_to_array_variable": ["Succeeded"]}),
    }
    assert run(actions).actions["Read"].outputs == [1, 2, 3, "red"]


def test_set_increment_decrement_and_append_to_string() -> None:
    actions = {
        "Initialize_variable": variable("Count", "Integer", 0),
        "Set_variable": action("SetVariable", {"name": "Count", "value": 100}, {"Initialize_variable": ["Succeeded"]}),
        "Increment_variable": action(
            "IncrementVariable", {"name": "Count", "value": 1}, {"Set_variable": ["Succeeded"]}
        ),
        "Decrement_variable": action("DecrementVariable", {"name": "Count"}, {"Increment_variable": ["Succeeded"]}),
        "Text": variable("text", "String", "a"),
        "Append": action("AppendToStringVariable", {"name": "text", "value": 5}, {"Text": ["Succeeded"]}),
        "Read": compose(
            "@{variables('Count')}|@{variables('text')}", {"Decrement_variable": ["Succeeded"], "Append": ["Succeeded"]}
        ),
    }
    # 100, +1, then -1 (the default value is 1: "The default value is 1")
    assert run(actions).actions["Read"].outputs == "100|a5"


def test_compose_merges_a_string_and_an_integer_variable() -> None:
    # Schema reference, Compose example 2: "@{variables('myString')}@{variables('myInteger')}" -> "abcdefg1234"
    actions = {
        "S": variable("myString", "String", "abcdefg"),
        "I": variable("myInteger", "Integer", 1234),
        "Compose": compose(
            "@{variables('myString')}@{variables('myInteger')}", {"S": ["Succeeded"], "I": ["Succeeded"]}
        ),
    }
    assert run(actions).actions["Compose"].outputs == "abcdefg1234"


def test_join_gives_the_documented_string() -> None:
    # Schema reference, Join example: [1,2,3,4] joined with "," -> "1,2,3,4"
    actions = {
        "Init": variable("myIntegerArray", "Array", [1, 2, 3, 4]),
        "Join": action("Join", {"from": "@variables('myIntegerArray')", "joinWith": ","}, {"Init": ["Succeeded"]}),
    }
    result = run(actions)
    assert result.actions["Join"].outputs == {"body": "1,2,3,4"}


def test_variables_without_a_value_start_empty() -> None:
    actions = {
        "A": variable("list", "array"),
        "Add": action("AppendToArrayVariable", {"name": "list", "value": 1}, {"A": ["Succeeded"]}),
        "S": variable("s", "string"),
        "N": variable("n", "integer"),
        "Read": compose(
            "@createArray(variables('list'), variables('s'), variables('n'))",
            {"Add": ["Succeeded"], "S": ["Succeeded"], "N": ["Succeeded"]},
        ),
    }
    assert run(actions).actions["Read"].outputs == [[1], "", 0]


def test_several_variables_in_one_action_are_evaluated_before_any_exists() -> None:
    # Azure/logicapps#1447: a later value referencing an earlier variable of the same action fails.
    together = action(
        "InitializeVariable",
        {
            "variables": [
                {"name": "a", "type": "string", "value": "x"},
                {"name": "b", "type": "string", "value": "@variables('a')"},
            ]
        },
    )
    result = run({"Init": together})
    assert result.actions["Init"].status == "Failed"
    assert "'a' has not been initialized" in result.actions["Init"].error["message"]
    apart = action(
        "InitializeVariable",
        {"variables": [{"name": "a", "type": "string", "value": "x"}, {"name": "b", "type": "integer", "value": 2}]},
    )
    assert (
        run({"Init": apart, "Read": compose("@variables('b')", {"Init": ["Succeeded"]})}).actions["Read"].outputs == 2
    )


@pytest.mark.parametrize(
    ("actions", "fragment"),
    [
        ({"Init": variable("n", "Integer", "ten")}, "of type 'Integer' cannot hold a value of type 'String'"),
        ({"Set": action("SetVariable", {"name": "missing", "value": 1})}, "'missing' has not been initialized"),
        (
            {
                "Init": variable("s", "String", "a"),
                "Inc": action("IncrementVariable", {"name": "s"}, {"Init": ["Succeeded"]}),
            },
            "only Integer and Float",
        ),
        (
            {
                "Init": variable("n", "Integer", 1),
                "Add": action("AppendToArrayVariable", {"name": "n", "value": 1}, {"Init": ["Succeeded"]}),
            },
            "is not an Array",
        ),
        (
            {"Init": variable("n", "Integer", 1), "Again": variable("n", "Integer", 2, {"Init": ["Succeeded"]})},
            "already initialized",
        ),
    ],
)
def test_variable_mistakes_fail_the_action(actions: dict, fragment: str) -> None:
    result = run(actions)
    failed = [run_ for run_ in result.actions.values() if run_.status == "Failed"]
    assert len(failed) == 1
    assert fragment in failed[0].error["message"]
    assert result.status == "Failed"


def test_variables_returns_a_copy() -> None:
    actions = {
        "Init": variable("list", "Array", [1]),
        "Snapshot": compose("@variables('list')", {"Init": ["Succeeded"]}),
        "Add": action("AppendToArrayVariable", {"name": "list", "value": 2}, {"Snapshot": ["Succeeded"]}),
    }
    assert run(actions).actions["Snapshot"].outputs == [1]
