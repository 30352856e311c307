"""The names the helper tests used before tests/fakes/ was split, one module per Azure API."""

from tests.fakes.logic import action_body, run_body
from tests.fakes.security import secure_score_body, secure_score_control_body
from tests.fakes.transport import (
    DEV_LOGIC_APP,
    DEV_RG,
    DEV_SUB,
    DEV_WORKFLOW,
    DEV_WORKSPACE,
    FAKE_CODE,
    FAKE_SECRET,
    TENANT_ID,
    USER_OID,
    Canned,
    FakeArmTransport,
    FakeClock,
    FakeCredential,
    FakeResponse,
    Sent,
    arm_error,
    dev_connection,
    fake_jwt,
)
from tests.fakes.web import connection_body, consent_links_body

__all__ = [
    "DEV_LOGIC_APP", "DEV_RG", "DEV_SUB", "DEV_WORKFLOW", "DEV_WORKSPACE", "FAKE_CODE", "FAKE_SECRET",
    "TENANT_ID", "USER_OID", "Canned", "FakeArmTransport", "FakeClock", "FakeCredential", "FakeResponse",
    "Sent", "action_body", "arm_error", "connection_body", "consent_links_body", "dev_connection", "fake_jwt",
    "run_body", "secure_score_body", "secure_score_control_body",
]
