"""Workflow functions (Microsoft's expression function reference, "Workflow functions").

The runner fills the context these read: action records, bodies, scope results, loop items,
variables, the trigger and the workflow object. What only the Azure runtime can give (callback
URLs, multipart and form-data parsing of real requests, the current action's own record) is
unsupported.
"""

from __future__ import annotations

import copy
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError, InvalidExpressionError, cannot_run
from securescore.emulator.functions.registry import function, str_arg, unsupported

Json = Any

unsupported("listCallbackUrl", 0, 0, "callback URLs exist only in Azure")
unsupported("action", 0, 0, "it exists only in webhook unsubscribe, trackedProperties and do-until conditions")
for _name, _count in (("formDataValue", 2), ("formDataMultiValues", 2), ("multipartBody", 2)):
    unsupported(_name, _count, _count, "the emulator does not model form-data or multipart content")
for _name in ("triggerFormDataValue", "triggerFormDataMultiValues", "triggerMultipartBody"):
    unsupported(_name, 1, 1, "the emulator does not model form-data or multipart content")
for _name, _modern in (("actionBody", "body"), ("actionOutputs", "outputs")):
    unsupported(_name, 1, 1, f"it is a deprecated form no longer in the reference; use {_modern}()")
unsupported("appsetting", 1, 1, "it reads the app settings of a Logic Apps Standard app")


@function("parameters", 1, 1)
def _parameters(args: list[Json], ctx: EvaluationContext) -> Json:
    name = str_arg("parameters", args, 0)
    if name not in ctx.parameters:
        # A run-time failure, not a save-time one: Microsoft-Defender-for-Cloud's published
        # Notify-ASCRecommendationsResourceTag template deploys with parameters('GRC Team') undeclared.
        raise ExpressionError(f"the workflow parameter '{name}' is not found")
    return ctx.parameters[name]


@function("variables", 1, 1)
def _variables(args: list[Json], ctx: EvaluationContext) -> Json:
    name = str_arg("variables", args, 0)
    if name not in ctx.variables:
        raise ExpressionError(f"the variable '{name}' has not been initialized")
    return copy.deepcopy(ctx.variables[name][1])


def _action_record(fn: str, args: list[Json], ctx: EvaluationContext) -> tuple[str, dict[str, Json]]:
    name = str_arg(fn, args, 0)
    if ctx.defined_actions is not None and name not in ctx.defined_actions:
        raise InvalidExpressionError(f"function '{fn}' references action '{name}', which is not defined")
    record = ctx.actions.get(name)
    if record is None:
        raise ExpressionError(f"function '{fn}': action '{name}' has not run yet")
    return name, record


def _ran_action(fn: str, args: list[Json], ctx: EvaluationContext) -> tuple[str, dict[str, Json]]:
    name, record = _action_record(fn, args, ctx)
    if record.get("status") == "Skipped":
        raise ExpressionError(f"function '{fn}': action '{name}' was skipped, so it has no outputs")
    return name, record


@function("body", 1, 1)
def _body(args: list[Json], ctx: EvaluationContext) -> Json:
    name, _ = _ran_action("body", args, ctx)
    return ctx.bodies.get(name)


@function("outputs", 1, 1)
def _outputs(args: list[Json], ctx: EvaluationContext) -> Json:
    return _ran_action("outputs", args, ctx)[1].get("outputs")


@function("actions", 1, 1)
def _actions(args: list[Json], ctx: EvaluationContext) -> Json:
    return _action_record("actions", args, ctx)[1]


@function("result", 1, 1)
def _result(args: list[Json], ctx: EvaluationContext) -> Json:
    name, _ = _action_record("result", args, ctx)
    results = ctx.results.get(name)
    if results is None:
        raise ExpressionError(f"function 'result': action '{name}' is not a Scope, Foreach or Until")
    if isinstance(results, str):
        raise cannot_run(f"result('{name}')", results)
    return results


@function("item", 0, 0)
def _item(args: list[Json], ctx: EvaluationContext) -> Json:
    if not ctx.items:
        raise ExpressionError("function 'item' can only be used inside a repeating action")
    return ctx.items[-1]


@function("items", 1, 1)
def _items(args: list[Json], ctx: EvaluationContext) -> Json:
    name = str_arg("items", args, 0)
    if name not in ctx.loops:
        raise ExpressionError(f"function 'items': '{name}' is not a Foreach loop around this expression")
    return ctx.loops[name]


@function("iterationIndexes", 1, 1)
def _iteration_indexes(args: list[Json], ctx: EvaluationContext) -> Json:
    name = str_arg("iterationIndexes", args, 0)
    if name not in ctx.iterations:
        raise ExpressionError(f"function 'iterationIndexes': '{name}' is not an Until loop around this expression")
    return ctx.iterations[name]


def _trigger_object(ctx: EvaluationContext) -> dict[str, Json]:
    if ctx.trigger is None:
        raise ExpressionError("no trigger information in this context")
    return ctx.trigger


@function("trigger", 0, 0)
def _trigger(args: list[Json], ctx: EvaluationContext) -> Json:
    return _trigger_object(ctx)


@function("triggerOutputs", 0, 0)
def _trigger_outputs(args: list[Json], ctx: EvaluationContext) -> Json:
    return _trigger_object(ctx).get("outputs")


@function("triggerBody", 0, 0)
def _trigger_body(args: list[Json], ctx: EvaluationContext) -> Json:
    outputs = _trigger_object(ctx).get("outputs")
    return outputs.get("body") if isinstance(outputs, dict) else None


@function("workflow", 0, 0)
def _workflow(args: list[Json], ctx: EvaluationContext) -> Json:
    return ctx.workflow
