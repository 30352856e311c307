"""The emulator's error classes: what failed, and whose fault it is.

- `ExpressionError`: an expression failed while running (wrong argument type, missing property...).
  Logic Apps fails the action with code `InvalidTemplate`; so does the runner.
- `InvalidExpressionError`: what Logic Apps refuses when the workflow is saved. Only raised for rules
  proven from Microsoft's documentation (see docs/design.md, "The Logic Apps emulator").
- `UnsupportedConstructError`: maybe valid Logic Apps, but the emulator cannot run it. Never a
  statement about Logic Apps; the preview stops so that it never silently differs from Azure.
- `WorkflowDefinitionError`: the definition's structure is wrong (cycles, runAfter targets, parameters).
- `ConnectorError`: raised by a connector or HTTP responder callback; the action fails with it.
"""

from __future__ import annotations


class ExpressionError(Exception):
    """An expression failed while being evaluated (Logic Apps: the action fails, `InvalidTemplate`)."""


class InvalidExpressionError(ExpressionError):
    """An expression Logic Apps refuses when the definition is saved."""


class UnsupportedConstructError(ExpressionError):
    """Valid (or possibly valid) in Logic Apps, but the emulator cannot run it."""


class WorkflowDefinitionError(Exception):
    """The definition itself is invalid (cycles, missing runAfter targets, duplicate names, parameters)."""


class ConnectorError(Exception):
    """Raised by a connector or HTTP responder: the action fails with this message.

    `retryable` marks a connectivity failure, which the action's retry policy retries like a 408,
    429 or 5xx answer (Microsoft: "Handle errors and exceptions in Azure Logic Apps", Retry policies).
    """

    def __init__(self, message: str, code: str = "ConnectorError", *, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


def cannot_run(what: str, why: str = "") -> UnsupportedConstructError:
    """The one wording of 'unsupported': the emulator cannot run X (never 'Logic Apps would reject')."""
    return UnsupportedConstructError(f"the emulator cannot run {what}" + (f": {why}" if why else ""))
