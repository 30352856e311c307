"""Everything an expression can see while it is evaluated."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Json = Any


@dataclass
class EvaluationContext:
    """What the runner fills in as actions end, and what the caller pins.

    actions: name -> the `actions(name)` object (name, status, code, startTime, endTime, inputs, outputs, error)
    bodies: name -> what `body(name)` returns
    results: scope name -> the `result(scope)` array
    items: the current items of the repeating actions around the expression (innermost last), for `item()`
    loops: Foreach name -> its current item, for `items(name)`
    iterations: Until name -> its current 0-based iteration, for `iterationIndexes(name)`
    variables: name -> (declared type, value), for `variables(name)`
    defined_actions: every action name in the definition (None: don't check)
    guid_factory / random_integer: make `guid()` / `rand()` deterministic; without them they are unsupported
    """

    now: datetime
    parameters: dict[str, Json] = field(default_factory=dict)
    actions: dict[str, dict[str, Json]] = field(default_factory=dict)
    bodies: dict[str, Json] = field(default_factory=dict)
    results: dict[str, list[dict[str, Json]]] = field(default_factory=dict)
    items: list[Json] = field(default_factory=list)
    loops: dict[str, Json] = field(default_factory=dict)
    iterations: dict[str, int] = field(default_factory=dict)
    variables: dict[str, tuple[str, Json]] = field(default_factory=dict)
    trigger: dict[str, Json] | None = None
    workflow: dict[str, Json] = field(default_factory=dict)
    defined_actions: set[str] | None = None
    guid_factory: Callable[[], uuid.UUID] | None = None
    random_integer: Callable[[int, int], int] | None = None
