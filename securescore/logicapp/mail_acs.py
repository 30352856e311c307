"""Mail through Azure Communication Services Email (``mailTransport: acs``), as the Logic App's identity.

    Initialize_operation_id (InitializeVariable)  one guid() per run, before anything is sent
    Send_report / Send_failure_notice (Http)      POST {endpoint}/emails:send?api-version=2025-09-01,
                                                  header Operation-Id = that guid: ACS treats a repeated
                                                  Operation-Id as the same operation, so a retry of the
                                                  POST cannot queue a second email
    Follow_send (Until, at most 6 rounds)         Wait 10 s, GET {endpoint}/emails/operations/{id}
                                                  until Succeeded, Failed or Canceled
    Check_delivery (If) -> Delivery_failed        a Failed or Canceled send ends the run Failed with
                        (Terminate)               ACS's error code and message (visible in the run
                                                  history and to `check` / `run_now`)

A report run and a failure run each send exactly one email (Send_report runs after the queries
succeeded, Send_failure_notice after they failed), so one operation id per run suffices. A send that
is still running after the last round is left to ACS: the run succeeds and the operation id stays in
Send_*'s outputs. Shapes: the Email data-plane REST spec 2025-09-01 (docs/design.md, "Zero-touch mode").
"""

from __future__ import annotations

from typing import Any

from securescore.logicapp.wdl import lit

EMAIL_API_VERSION = "2025-09-01"
EMAIL_AUDIENCE = "https://communication.azure.com"
ENDPOINT_PARAMETER = "acsEndpoint"
SENDER_PARAMETER = "senderAddress"
OPERATION_VARIABLE = "operationId"
INITIALIZE_ACTION = "Initialize_operation_id"
FOLLOW_ACTION = "Follow_send"
WAIT_ACTION = "Wait_before_status"
STATUS_ACTION = "Get_send_status"
CHECK_ACTION = "Check_delivery"
FAILED_ACTION = "Delivery_failed"
TERMINAL_STATUSES = ("Succeeded", "Failed", "Canceled")  # EmailSendResult.status, besides NotStarted/Running
FOLLOW_ROUNDS = 6
WAIT_SECONDS = 10  # 6 status reads a minute at most: under the 10 a minute of an Azure-managed domain
# 429 (5 emails a minute on an Azure-managed domain) and 5xx: retried; safe because of the Operation-Id.
SEND_RETRY_POLICY = {"type": "exponential", "count": 3, "interval": "PT30S", "maximumInterval": "PT5M"}

_AUTH = {"type": "ManagedServiceIdentity", "audience": EMAIL_AUDIENCE}
_OPERATION = f"variables({lit(OPERATION_VARIABLE)})"
_STATUS = f"body({lit(STATUS_ACTION)})?['status']"


def priority(high: str | None) -> str:
    """The x-priority header value: "1" (High) when `high` holds (None: always), else "3" (Normal).
    Microsoft's ACS sample SendHighImportanceEmailToMultipleRecipients sets Importance this way."""
    return "1" if high is None else f"@{{if({high}, '1', '3')}}"


def recipients_value(recipients: tuple[str, ...]) -> list[dict[str, str]]:
    """The `recipients` workflow parameter in this mode: EmailRecipients.to items."""
    return [{"address": address} for address in recipients]


def initialize_operation_id() -> dict[str, Any]:
    return {
        INITIALIZE_ACTION: {
            "type": "InitializeVariable",
            "inputs": {"variables": [{"name": OPERATION_VARIABLE, "type": "string", "value": "@{guid()}"}]},
            "runAfter": {},
        }
    }


def send_action(subject: str, html: str, x_priority: str, run_after: dict[str, list[str]]) -> dict[str, Any]:
    """One emails:send; `subject`, `html` and `x_priority` are WDL strings (expressions or interpolations)."""
    return {
        "type": "Http",
        "inputs": {
            "method": "POST",
            "uri": f"@{{parameters({lit(ENDPOINT_PARAMETER)})}}/emails:send",
            "queries": {"api-version": EMAIL_API_VERSION},
            "headers": {"Content-Type": "application/json", "Operation-Id": f"@{{{_OPERATION}}}"},
            "body": {
                "headers": {"x-priority": x_priority},
                "senderAddress": f"@parameters({lit(SENDER_PARAMETER)})",
                "recipients": {"to": "@parameters('recipients')"},
                "content": {"subject": subject, "html": html},
                "userEngagementTrackingDisabled": True,
            },
            "authentication": dict(_AUTH),
            "retryPolicy": dict(SEND_RETRY_POLICY),
        },
        "runAfter": run_after,
    }


def follow_actions(send_actions: tuple[str, ...]) -> dict[str, Any]:
    """Follow the send operation (whichever send ran) to its end, and fail the run if ACS failed it."""
    run_after = {name: ["Succeeded", "Skipped"] for name in send_actions}
    terminal = ", ".join(lit(s) for s in TERMINAL_STATUSES)
    failed = f"or(equals({_STATUS}, 'Failed'), equals({_STATUS}, 'Canceled'))"
    error = f"body({lit(STATUS_ACTION)})?['error']"
    return {
        FOLLOW_ACTION: {
            "type": "Until",
            "expression": f"@contains(createArray({terminal}), coalesce({_STATUS}, ''))",
            "limit": {"count": FOLLOW_ROUNDS, "timeout": "PT10M"},
            "actions": {
                WAIT_ACTION: {
                    "type": "Wait",
                    "inputs": {"interval": {"count": WAIT_SECONDS, "unit": "Second"}},
                    "runAfter": {},
                },
                STATUS_ACTION: {
                    "type": "Http",
                    "inputs": {
                        "method": "GET",
                        "uri": f"@{{parameters({lit(ENDPOINT_PARAMETER)})}}/emails/operations/@{{{_OPERATION}}}",
                        "queries": {"api-version": EMAIL_API_VERSION},
                        "authentication": dict(_AUTH),
                    },
                    "runAfter": {WAIT_ACTION: ["Succeeded"]},
                },
            },
            "runAfter": run_after,
        },
        CHECK_ACTION: {
            "type": "If",
            "expression": f"@{failed}",
            "actions": {
                FAILED_ACTION: {
                    "type": "Terminate",
                    "inputs": {
                        "runStatus": "Failed",
                        "runError": {
                            "code": f"@{{coalesce({error}?['code'], {_STATUS})}}",
                            "message": (
                                f"@{{concat('Communication Services did not deliver email operation ', {_OPERATION},"
                                f" ': ', coalesce({error}?['message'], {_STATUS}))}}"
                            ),
                        },
                    },
                    "runAfter": {},
                }
            },
            "else": {"actions": {}},
            "runAfter": {FOLLOW_ACTION: ["Succeeded"]},
        },
    }
