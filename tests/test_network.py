"""A dead network: every helper gives up with exit 1 and one line, no traceback, no secret.

Real clients (azure-identity's ClientSecretCredential with MSAL, the ARM pipeline, the Log Analytics
query client) are pointed at loopback servers this test starts: one that accepts connections and never
answers (a proxy or firewall that drops traffic), and a port where nothing listens (refused). The
limits are small so the suite stays fast; the defaults are the documented constants (securescore.arm).
Nothing here measures time: it ends, and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from securescore.arm import NetworkLimits
from securescore.cli import authorize, check, export_scores, reconcile, run_now
from tests.fakes.network import BlackHole, refusing_url
from tests.fakes.security import scores_path, secure_score_body
from tests.fakes.transport import DEV_SUB, FAKE_SECRET, TENANT_ID, USER_OID, Canned, FakeArmTransport, FakeCredential

FAST = NetworkLimits(connect_timeout=0.4, read_timeout=0.4, retry_total=1, retry_backoff=0.01,
                     operation_timeout=0.5, process_timeout=2, logs_server_timeout=1)
SIGN_IN_ENV = {"AZURE_TENANT_ID": TENANT_ID, "AZURE_CLIENT_ID": USER_OID, "AZURE_CLIENT_SECRET": FAKE_SECRET}
Main = Callable[..., int]
HELPERS: dict[str, tuple[Main, list[str]]] = {
    "check": (check.main, ["--stack", "dev"]),
    "check --before-deploy": (check.main, ["--stack", "dev", "--before-deploy"]),
    "run_now": (run_now.main, ["--stack", "dev", "--timeout", "5"]),
    "authorize": (authorize.main, ["--stack", "dev", "--status-only"]),
    "export_scores": (export_scores.main, ["--stack", "dev"]),
    "reconcile": (reconcile.main, ["--stack", "dev"]),
}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests honours the proxy variables; the loopback servers must be reached directly."""
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    with BlackHole() as server:
        yield server


def run(capsys: pytest.CaptureFixture[str], helper: str, env: dict[str, str], **kwargs: Any) -> tuple[int, str, str]:
    main, argv = HELPERS[helper]
    code = main(argv, env=env, limits=FAST, **kwargs)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line(out: str, err: str, *expected: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and all(text in lines[0] for text in expected), lines[0]
    assert "Traceback" not in out + err and FAKE_SECRET not in out + err


@pytest.mark.parametrize("helper", list(HELPERS))
def test_a_sign_in_endpoint_that_never_answers(helper: str, black_hole: BlackHole,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    env = {**SIGN_IN_ENV, "AZURE_AUTHORITY_HOST": black_hole.url}
    code, out, err = run(capsys, helper, env)
    assert code == 1
    assert_one_line(out, err, "could not sign in to Azure", f"127.0.0.1:{black_hole.port}", "no answer",
                    "check the network connection, the proxy")
    assert black_hole.accepted  # the credential really went there


@pytest.mark.parametrize("helper", ["check", "run_now", "export_scores"])
def test_a_sign_in_endpoint_that_refuses(helper: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = refusing_url()
    code, out, err = run(capsys, helper, {**SIGN_IN_ENV, "AZURE_AUTHORITY_HOST": url})
    assert code == 1
    assert_one_line(out, err, "could not sign in to Azure", url.removeprefix("https://"), "refused")


@pytest.mark.parametrize("helper", list(HELPERS))
def test_resource_manager_never_answers(helper: str, black_hole: BlackHole,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, helper, {"SECURESCORE_ARM_ENDPOINT": black_hole.url}, credential=FakeCredential())
    assert code == 1
    assert_one_line(out, err, f"Azure did not answer: 127.0.0.1:{black_hole.port}", "no answer within the read timeout",
                    "limits: connect 0.4 s, read 0.4 s, 1 retry within 0.5 s")


def test_resource_manager_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    url = refusing_url()
    code, out, err = run(capsys, "check", {"SECURESCORE_ARM_ENDPOINT": url}, credential=FakeCredential())
    assert code == 1
    assert_one_line(out, err, f"Azure did not answer: {url.removeprefix('https://')}", "refused")
    assert out.startswith("[ok]   Azure sign-in")  # what ran before is shown, then the check stops


def test_log_analytics_never_answers(black_hole: BlackHole, capsys: pytest.CaptureFixture[str]) -> None:
    arm = FakeArmTransport({("GET", scores_path(DEV_SUB)): Canned(200, {"value": [secure_score_body(DEV_SUB)]})})
    code, out, err = run(capsys, "check", {"SECURESCORE_LOGS_ENDPOINT": black_hole.url}, credential=FakeCredential(),
                         transport=arm)
    assert code == 1
    assert_one_line(out, err, f"Azure did not answer: 127.0.0.1:{black_hole.port}")
    assert "[ok]   Secure Score API" in out and "API connection" not in out


def test_json_still_prints_what_ran(black_hole: BlackHole, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    main, _ = HELPERS["check"]
    code = main(["--stack", "dev", "--json"], env={"SECURESCORE_ARM_ENDPOINT": black_hole.url}, limits=FAST,
                credential=FakeCredential())
    captured = capsys.readouterr()
    items = json.loads(captured.out)
    assert code == 1 and items[0]["ok"] and items[-1]["check"] == "Azure network" and not items[-1]["ok"]
    assert "HTTPS_PROXY" in items[-1]["fix"]


def test_json_gets_the_sign_in_line_too(black_hole: BlackHole, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code = check.main(["--stack", "dev", "--json"], env={**SIGN_IN_ENV, "AZURE_AUTHORITY_HOST": black_hole.url},
                      limits=FAST)
    captured = capsys.readouterr()
    items = json.loads(captured.out)
    assert code == 1 and len(items) == 1 and not items[0]["ok"] and "no answer" in items[0]["detail"]
    assert len(captured.err.strip().splitlines()) == 1 and FAKE_SECRET not in captured.out + captured.err


def test_the_default_limits_end_a_request_well_within_a_minute() -> None:
    """The documented defaults: one request on a dead network costs at most the operation timeout
    plus one read timeout; the helpers stop at the first such request."""
    from securescore.arm import DEFAULT_LIMITS

    assert DEFAULT_LIMITS.worst_case() == 40
    assert DEFAULT_LIMITS.logs_server_timeout < DEFAULT_LIMITS.read_timeout


def test_the_readme_documents_the_defaults() -> None:
    """The README's table of limits says what securescore.arm uses."""
    import re

    from securescore import arm
    from securescore.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| ([^|]+?) \|", readme, re.M))
    for name in ("CONNECT_TIMEOUT", "READ_TIMEOUT", "RETRY_TOTAL", "RETRY_BACKOFF", "OPERATION_TIMEOUT",
                 "PROCESS_TIMEOUT", "LOGS_SERVER_TIMEOUT"):
        value = getattr(arm, name)
        assert rows[name].removesuffix(" s") == f"{value:g}", name
