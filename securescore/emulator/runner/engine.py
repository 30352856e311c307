"""The run loop: which action runs when, how each ends, and what the run's status is.

Rules (documented in docs/design.md, "The Logic Apps emulator"):
- An action runs when every runAfter predecessor ended in one of the listed statuses (compared
  case-insensitively); else it is Skipped, and so is everything inside it. Ready actions run in
  name order, one at a time, so a run is deterministic.
- A block (the top level, or the actions inside a Scope, If branch, Foreach or Until iteration) has
  an unhandled failure when an action in it Failed or TimedOut and no action that runs after it
  ran. The run, and a Scope, If, Foreach or Until, are Failed exactly then ("Handle errors and
  exceptions in Azure Logic Apps": if any branch ends in failure, the run is Failed).
- A runtime expression error fails the action with code `InvalidTemplate`; an expression Logic Apps
  refuses at save time, or a construct the emulator cannot run, stops the whole run with an error.
- Terminate stops the run: every action that has not run is Skipped, the actions around the
  Terminate are Cancelled, and the run ends with the Terminate's runStatus and runError.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError, InvalidExpressionError, UnsupportedConstructError
from securescore.emulator.evaluate import evaluate_value
from securescore.emulator.runner.model import ActionRun, canonical_status
from securescore.emulator.runner.protocols import Connector, HttpResponder

Json = Any
Handler = Callable[["Engine", str, dict[str, Json], str | None], ActionRun]
FAILED = ("Failed", "TimedOut")
IF_RESULT = "result() of an If (Condition) action"  # not documented: the reference names Foreach, Until, Scope


class Terminated(Exception):
    def __init__(self, status: str, error: dict[str, Json] | None) -> None:
        super().__init__(status)
        self.status = status
        self.error = error
        self.around: list[tuple[str, dict[str, Json], str | None]] | None = None  # the actions it was inside


def child_blocks(action: dict[str, Json]) -> list[dict[str, Json]]:
    """The action maps nested in an action: `actions`, and an If's `else.actions`."""
    blocks = []
    if isinstance(action.get("actions"), dict):
        blocks.append(action["actions"])
    otherwise = action.get("else")
    if isinstance(otherwise, dict) and isinstance(otherwise.get("actions"), dict):
        blocks.append(otherwise["actions"])
    return blocks


def topological_order(actions: dict[str, Json]) -> list[str]:
    """Kahn's algorithm; among ready actions the smallest name goes first."""
    waiting = {name: set((action.get("runAfter") or {}).keys()) for name, action in actions.items()}
    ready = [name for name, predecessors in waiting.items() if not predecessors]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for other, predecessors in waiting.items():
            if name in predecessors:
                predecessors.discard(name)
                if not predecessors:
                    heapq.heappush(ready, other)
    return order


def unhandled_failure(actions: dict[str, Json], runs: list[ActionRun]) -> ActionRun | None:
    """A Failed/TimedOut action of a block that no action running after it handled."""
    by_name = {run.name: run for run in runs}
    for run in runs:
        if run.status not in FAILED:
            continue
        successors = [name for name, action in actions.items() if run.name in (action.get("runAfter") or {})]
        if not any(by_name[successor].status != "Skipped" for successor in successors if successor in by_name):
            return run
    return None


class Engine:
    def __init__(
        self,
        ctx: EvaluationContext,
        handlers: dict[str, Handler],
        timestamp: str,
        connector: Connector,
        http: HttpResponder | None,
    ) -> None:
        self.ctx = ctx
        self.handlers = handlers
        self.timestamp = timestamp
        self.connector = connector
        self.http = http
        self.runs: dict[str, ActionRun] = {}
        self.order: list[str] = []
        self.in_progress: list[tuple[str, dict[str, Json], str | None]] = []

    # --- blocks ----------------------------------------------------------------------------------

    def run_block(self, actions: dict[str, Json], scope: str | None) -> list[ActionRun]:
        runs: list[ActionRun] = []
        for name in topological_order(actions):
            action = actions[name]
            runs.append(
                self._run_action(name, action, scope) if self._should_run(action) else self.skip(name, action, scope)
            )
        return runs

    def skip_block(self, actions: dict[str, Json], scope: str | None) -> list[ActionRun]:
        return [self.skip(name, action, scope) for name, action in actions.items()]

    def _should_run(self, action: dict[str, Json]) -> bool:
        for predecessor, statuses in (action.get("runAfter") or {}).items():
            wanted = {canonical_status(status) for status in statuses}
            if self.runs[predecessor].status not in wanted:
                return False
        return True

    def block_status(self, actions: dict[str, Json], runs: list[ActionRun]) -> str:
        return "Failed" if unhandled_failure(actions, runs) else "Succeeded"

    # --- one action ------------------------------------------------------------------------------

    def _run_action(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        self.order.append(name)
        handler = self.handlers[action["type"].lower()]
        self.in_progress.append((name, action, scope))
        try:
            return handler(self, name, action, scope)
        except Terminated as stop:
            if stop.around is None:
                stop.around = list(self.in_progress[:-1])  # the last entry is the Terminate itself
            raise
        except (InvalidExpressionError, UnsupportedConstructError) as exc:
            if str(exc).startswith("action '"):
                raise
            raise type(exc)(f"action '{name}': {exc}") from exc
        except ExpressionError as exc:
            error = {
                "code": "InvalidTemplate",
                "message": f"Unable to process template language expressions in action '{name}' inputs: {exc}",
            }
            return self.finish(name, action, scope, "Failed", error=error, code="InvalidTemplate")
        finally:
            self.in_progress.pop()

    def evaluate(self, value: Json) -> Json:
        return evaluate_value(value, self.ctx)

    def finish(
        self,
        name: str,
        action: dict[str, Json],
        scope: str | None,
        status: str,
        *,
        inputs: Json = None,
        outputs: Json = None,
        error: dict[str, Json] | None = None,
        code: str | None = None,
        body: Json = None,
        attempts: int = 1,
    ) -> ActionRun:
        """Record how an action ended; `body` is what `body(name)` returns."""
        if code is None:
            code = "OK" if status == "Succeeded" else "ActionFailed"
        run = ActionRun(name, action["type"], status, inputs, outputs, error, code, scope, attempts)
        self.runs[name] = run
        self.ctx.actions[name] = run.as_result(self.timestamp)
        self.ctx.bodies[name] = body
        return run

    def skip(self, name: str, action: dict[str, Json], scope: str | None) -> ActionRun:
        self.order.append(name)
        run = self.finish(name, action, scope, "Skipped", code="ActionSkipped")
        kind = action["type"].lower()
        inner = [child for block in child_blocks(action) for child in self.skip_block(block, name)]
        if kind == "scope":
            self.ctx.results[name] = [child.as_result(self.timestamp) for child in inner]
        elif kind in ("foreach", "until"):
            self.ctx.results[name] = [{"name": child.name, "outputs": []} for child in inner]
        elif kind == "if":
            self.ctx.results[name] = IF_RESULT
        return run

    # --- Terminate -------------------------------------------------------------------------------

    def cancel_after_terminate(self, stop: Terminated, all_actions: dict[str, Json]) -> None:
        """Actions around the Terminate are Cancelled; every action that has not run is Skipped."""
        for name, action, scope in reversed(stop.around or []):
            self.finish(name, action, scope, "Cancelled", code="Cancelled")
        self._skip_unrun(all_actions, None)

    def _skip_unrun(self, actions: dict[str, Json], scope: str | None) -> None:
        for name, action in actions.items():
            if name not in self.runs:
                self.order.append(name)
                self.finish(name, action, scope, "Skipped", code="ActionSkipped")
            for block in child_blocks(action):
                self._skip_unrun(block, name)
