"""Whether an ACS custom domain counts as verified, in every shape the verification states arrive in.

Shape: REST spec Microsoft.Communication 2025-09-01, examples/domains/get.json: ``verificationStates``
holds ``domain``, ``sPF``, ``dKIM``, ``dKIM2``, ``dMARC``, each ``{"status", "errorCode"}``; the status
is one of NotStarted, VerificationRequested, VerificationInProgress, VerificationFailed, Verified,
CancellationRequested. The SDK gives a dict (snake_case keys) or a typed object with attributes, and
nothing at all before the domain exists.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from securescore.infra.acs import domain_verified

STATUSES = ["NotStarted", "VerificationRequested", "VerificationInProgress", "VerificationFailed",
            "CancellationRequested"]


def test_only_a_verified_domain_status_counts() -> None:
    assert domain_verified({"domain": {"status": "Verified", "error_code": ""}})
    assert domain_verified(SimpleNamespace(domain=SimpleNamespace(status="Verified", error_code="")))


@pytest.mark.parametrize("status", STATUSES)
def test_every_other_status_is_not_verified(status: str) -> None:
    assert not domain_verified({"domain": {"status": status}})
    assert not domain_verified(SimpleNamespace(domain=SimpleNamespace(status=status)))


def test_spf_or_dkim_verified_alone_do_not_make_the_domain_verified() -> None:
    states = {kind: {"status": "Verified"} for kind in ("s_pf", "d_kim", "d_kim2", "d_marc")}
    assert not domain_verified({**states, "domain": {"status": "NotStarted"}})


@pytest.mark.parametrize("states", [
    pytest.param(None, id="no states yet"),
    pytest.param({}, id="empty dict"),
    pytest.param({"domain": None}, id="dict, no domain state"),
    pytest.param({"domain": {}}, id="dict, domain state without status"),
    pytest.param(SimpleNamespace(), id="object without domain"),
    pytest.param(SimpleNamespace(domain=None), id="object, no domain state"),
    pytest.param(SimpleNamespace(domain=SimpleNamespace()), id="object, domain state without status"),
])
def test_missing_states_mean_not_verified_never_an_error(states: object) -> None:
    assert domain_verified(states) is False
