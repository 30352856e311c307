"""Data sources, with the Azure SDK replaced at its HTTP boundary (transports answering like the
Log Analytics query API and the Secure Score API: tests/fakes/)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._http_response_impl import HttpResponseImpl

from securescore.datasources import SourceError
from securescore.datasources.csv_export import CsvSource, parse_datetime
from securescore.datasources.sample import SampleSource
from securescore.datasources.secure_score_api import ApiSource
from securescore.datasources.workspace import WorkspaceSource
from securescore.queries import render_queries
from securescore.settings import parse_settings, read_stack_values, settings_from_stack
from tests.fakes.loganalytics import FakeLogsTransport, partial_error, query_answer, query_error
from tests.fakes.security import NO_SCORES, no_score_404, secure_score_body, secure_score_control_body
from tests.fakes.transport import Canned

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
REPORT_TIME = "2026-11-23T07:00:00Z"
SUB_A = "11111111-1111-4111-8111-111111111111"
SUB_B = "22222222-2222-4222-8222-222222222222"


def two_subscriptions() -> Any:
    values = read_stack_values("example")
    values["subscriptions"] = [SUB_A, SUB_B]
    return parse_settings(values)


# --- sample ----------------------------------------------------------------------------------


def test_sample_source_answers_every_query() -> None:
    settings = settings_from_stack("example")
    source = SampleSource(settings, NOW)
    answers = {n: source.run_query(q) for n, q in render_queries(settings, REPORT_TIME).items()}
    assert answers["overall"][0]["SubscriptionsReporting"] == 4
    assert "sample data" in source.describe() and source.warnings == []


# --- CSV -------------------------------------------------------------------------------------

SCORE_HEADER = ("TenantId,TimeGenerated [UTC],SecureScoresSubscriptionId,DisplayName,CurrentScore,MaxScore,"
                "PercentageScore,Weight,IsSnapshot,Properties\n")
CONTROL_HEADER = ("TimeGenerated [UTC],SecureScoresSubscriptionId,ControlId,ControlName,CurrentScore,MaxScore,"
                  "HealthyResources,UnhealthyResources\n")


def write_exports(directory: Path, score_time: str = "11/21/2026, 10:00:00.000 AM") -> None:
    (directory / "SecureScores.csv").write_text(
        SCORE_HEADER
        + f'x,"{score_time}",{SUB_A.upper()},ASC score,29,58,0.5,10,true,"{{""weight"": 10}}"\n'
        + f"x,2026-11-22T18:30:00.1234567Z,{SUB_B},ASC score,58,58,1.0,30,false,\n",
        encoding="utf-8-sig",
    )
    (directory / "SecureScoreControls.csv").write_text(
        CONTROL_HEADER + f'"11/21/2026, 10:00:00.000 PM",{SUB_A},c1,"Restrict & <ports>",2,4,1,1\n',
        encoding="utf-8",
    )


def test_csv_source_reads_portal_exports(tmp_path: Path) -> None:
    write_exports(tmp_path)
    source = CsvSource(tmp_path)
    rows = source.run_query("SecureScores | order by TimeGenerated asc | project TimeGenerated, Weight, Properties")
    assert rows[0] == {"TimeGenerated": "2026-11-21T10:00:00Z", "Weight": 10, "Properties": '{"weight":10}'}
    assert rows[1]["TimeGenerated"] == "2026-11-22T18:30:00.123456Z"
    controls = source.run_query("SecureScoreControls | project TimeGenerated, ControlName")
    assert controls == [{"TimeGenerated": "2026-11-21T22:00:00Z", "ControlName": "Restrict & <ports>"}]
    overall = source.run_query(render_queries(two_subscriptions(), REPORT_TIME)["overall"])[0]
    assert overall["ScoreNow"] == 87.5  # (0.5 * 10 + 1.0 * 30) / 40


def test_csv_source_names_missing_file(tmp_path: Path) -> None:
    write_exports(tmp_path)
    (tmp_path / "SecureScoreControls.csv").unlink()
    with pytest.raises(SourceError, match=r"SecureScoreControls\.csv: not found"):
        CsvSource(tmp_path)


def test_csv_source_names_missing_column(tmp_path: Path) -> None:
    write_exports(tmp_path)
    path = tmp_path / "SecureScores.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",Weight,", ",Wait,"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"SecureScores\.csv: missing column\(s\) Weight"):
        CsvSource(tmp_path)


def test_csv_source_names_bad_datetime(tmp_path: Path) -> None:
    write_exports(tmp_path, score_time="21.11.2026 10:00")
    with pytest.raises(SourceError, match=r"line 2, column TimeGenerated: '21.11.2026 10:00' is not ISO 8601"):
        CsvSource(tmp_path)


def test_csv_source_names_bad_number(tmp_path: Path) -> None:
    write_exports(tmp_path)
    path = tmp_path / "SecureScores.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",0.5,", ",half,"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"column PercentageScore: 'half' is not a number"):
        CsvSource(tmp_path)


@pytest.mark.parametrize(("text", "expected"), [
    ("11/21/2026, 12:05:09.500 AM", datetime(2026, 11, 21, 0, 5, 9, 500000, tzinfo=UTC)),
    ("1/2/2026, 12:00:00.000 PM", datetime(2026, 1, 2, 12, 0, tzinfo=UTC)),
    ("2026-11-21T10:00:00+01:00", datetime(2026, 11, 21, 9, 0, tzinfo=UTC)),
    ("2026-11-21 10:00:00", datetime(2026, 11, 21, 10, 0, tzinfo=UTC)),
])
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


def test_csv_source_names_empty_file(tmp_path: Path) -> None:
    write_exports(tmp_path)
    (tmp_path / "SecureScores.csv").write_bytes(b"")
    with pytest.raises(SourceError, match=r"SecureScores\.csv: empty file; expected a header row"):
        CsvSource(tmp_path)


def test_csv_source_recognises_the_other_tables_export(tmp_path: Path) -> None:
    write_exports(tmp_path)
    (tmp_path / "SecureScores.csv").write_text((tmp_path / "SecureScoreControls.csv").read_text(), encoding="utf-8")
    with pytest.raises(SourceError, match=r"SecureScores\.csv: this is an export of SecureScoreControls .*"
                                          r"save it as SecureScoreControls\.csv"):
        CsvSource(tmp_path)


def test_csv_source_refuses_rows_of_another_table(tmp_path: Path) -> None:
    # The header has every column the report needs, but Log Analytics' Type column says whose rows these are.
    write_exports(tmp_path)
    path = tmp_path / "SecureScores.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0] + ",Type", lines[1] + ",SecureScores", lines[2] + ",SecurityRecommendation"])
                    + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"rows of table SecurityRecommendation \(column Type\), not SecureScores"):
        CsvSource(tmp_path)


def test_csv_source_names_a_row_of_the_wrong_width(tmp_path: Path) -> None:
    write_exports(tmp_path)
    path = tmp_path / "SecureScoreControls.csv"
    path.write_text(path.read_text(encoding="utf-8") + "x,y,z\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"SecureScoreControls\.csv, line 3: 3 values where the header has 8 columns"):
        CsvSource(tmp_path)


def test_csv_source_counts_lines_across_quoted_line_breaks_and_blank_lines(tmp_path: Path) -> None:
    write_exports(tmp_path)
    (tmp_path / "SecureScoreControls.csv").write_text(
        CONTROL_HEADER
        + f'"11/21/2026, 10:00:00.000 PM",{SUB_A},c1,"two\nlines",2,4,1,1\n'
        + "\n"
        + f'"11/22/2026, 10:00:00.000 PM",{SUB_A},c1,"name",2,4,1.5,1\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"line 5, column HealthyResources: '1\.5' is not a whole number"):
        CsvSource(tmp_path)


@pytest.mark.parametrize(("column", "good", "value", "bad", "accepted"), [
    ("Weight", "10.0", 10, "10.5", "a whole number"),
    ("IsSnapshot", "FALSE", False, "yes", "true or false"),
    ("CurrentScore", "2.9e1", 29.0, "29 points", "a number"),
])
def test_csv_source_types_cells_strictly(
    tmp_path: Path, column: str, good: str, value: object, bad: str, accepted: str
) -> None:
    cells = {"TimeGenerated": "2026-11-22T06:00:00Z", "SecureScoresSubscriptionId": SUB_A, "DisplayName": "ASC score",
             "CurrentScore": "29", "MaxScore": "58", "PercentageScore": "0.5", "Weight": "10", "IsSnapshot": "true"}
    header = ",".join(cells) + "\n"
    write_exports(tmp_path)
    path = tmp_path / "SecureScores.csv"
    path.write_text(header + ",".join({**cells, column: good}.values()) + "\n", encoding="utf-8")
    assert CsvSource(tmp_path).run_query(f"SecureScores | project {column}") == [{column: value}]
    path.write_text(header + ",".join({**cells, column: good}.values()) + "\n"
                    + ",".join({**cells, column: bad}.values()) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=rf"line 3, column {column}: '{bad}' is not {accepted}"):
        CsvSource(tmp_path)


def test_csv_source_reads_windows_line_ends_a_bom_and_dynamic_text(tmp_path: Path) -> None:
    write_exports(tmp_path)
    (tmp_path / "SecureScores.csv").write_bytes(
        ("\ufeff" + SCORE_HEADER + f'x,"11/21/2026, 1:05:09.250 PM",{SUB_A},ASC score,29,58,0.5,10,true,not json\n')
        .replace("\n", "\r\n").encode("utf-8"))
    rows = CsvSource(tmp_path).run_query("SecureScores | project TimeGenerated, TenantId, Properties")
    assert rows == [{"TimeGenerated": "2026-11-21T13:05:09.25Z", "TenantId": "x", "Properties": '"not json"'}]


def test_csv_source_reads_security_recommendations_when_exported(tmp_path: Path) -> None:
    write_exports(tmp_path)
    count = "SecurityRecommendation | count"
    assert CsvSource(tmp_path).run_query(count) == [{"Count": 0}]
    assert "SecurityRecommendation" not in CsvSource(tmp_path).describe()
    (tmp_path / "SecurityRecommendation.csv").write_text(
        '"TimeGenerated [UTC]",AssessedResourceId,RecommendationState,"FirstEvaluationDate [UTC]"\n'
        f'"11/21/2026, 10:00:00.000 AM","/subscriptions/{SUB_A}/resourceGroups/rg/providers/x/y",Unhealthy,'
        '"1/2/2026, 3:04:05.000 AM"\n',
        encoding="utf-8",
    )
    source = CsvSource(tmp_path)
    assert source.run_query("SecurityRecommendation | project RecommendationState, FirstEvaluationDate") == [
        {"RecommendationState": "Unhealthy", "FirstEvaluationDate": "2026-01-02T03:04:05Z"}]
    assert "1 SecurityRecommendation rows" in source.describe()


# --- live workspace --------------------------------------------------------------------------
# Answers shaped like the Log Analytics query API v1 (OperationalInsights.json, oms-post-example.json).

SUMMARY_COLUMNS = [("LatestTimeGenerated", "datetime"), ("SubscriptionsReporting", "long"), ("Ratio", "real"),
                   ("Snapshot", "bool"), ("Ids", "dynamic")]


def workspace(answer: Canned) -> tuple[WorkspaceSource, FakeLogsTransport]:
    transport = FakeLogsTransport(lambda target, query: answer)
    return WorkspaceSource("ws-guid", FakeCredential(), transport=transport), transport


def test_workspace_source_uses_the_answer_as_the_connector_would() -> None:
    """Real answers: JSON numbers and booleans; datetimes stay the ISO text Log Analytics sends."""
    source, transport = workspace(Canned(200, query_answer(SUMMARY_COLUMNS, [
        ["2026-11-22T06:00:00.1234567Z", 3, 0.5, True, '["a","b"]'],
        ["2026-11-22T07:00:00Z", 4, None, False, None]])))
    assert source.run_query("print 1") == [
        {"LatestTimeGenerated": "2026-11-22T06:00:00.1234567Z", "SubscriptionsReporting": 3, "Ratio": 0.5,
         "Snapshot": True, "Ids": '["a","b"]'},
        {"LatestTimeGenerated": "2026-11-22T07:00:00Z", "SubscriptionsReporting": 4, "Ratio": None,
         "Snapshot": False, "Ids": None},
    ]
    sent = transport.sent[0]
    assert sent.method == "POST" and sent.path == "/v1/workspaces/ws-guid/query"
    assert sent.body == {"query": "print 1"} and sent.headers["Prefer"] == "wait=15"


def test_workspace_source_reads_numbers_sent_as_text() -> None:
    """The spec's example answers longs and reals as text ("1", "1.286") and booleans as "true"."""
    source, _ = workspace(Canned(200, query_answer(SUMMARY_COLUMNS, [
        ["2017-08-24T06:59:59Z", "1", "1.286", "true", None], ["2017-08-24T06:59:59Z", "0", "NaN", "false", None]])))
    rows = source.run_query("x")
    assert [(r["SubscriptionsReporting"], r["Ratio"], r["Snapshot"]) for r in rows] == [(1, 1.286, True),
                                                                                         (0, None, False)]


def test_workspace_source_by_resource_id() -> None:
    transport = FakeLogsTransport(lambda target, query: Canned(200, query_answer([("x", "long")], [[1]])))
    resource = f"/subscriptions/{SUB_A}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
    WorkspaceSource(resource, FakeCredential(), transport=transport).run_query("print x = 1")
    assert transport.sent[0].path == f"/v1{resource}/query"


def test_workspace_source_partial_result_warns() -> None:
    source, _ = workspace(Canned(200, query_answer(SUMMARY_COLUMNS, [["2026-11-22T06:00:00.5Z", 1, 0.5, True, None]],
                                                   partial_error())))
    assert source.run_query("x")[0]["LatestTimeGenerated"] == "2026-11-22T06:00:00.5Z"
    assert "partial result (PartialError: There were some errors when processing your query.)" in source.warnings[0]


def test_workspace_source_empty_answer() -> None:
    source, _ = workspace(Canned(200, {"tables": []}))
    assert source.run_query("x") == []


@pytest.mark.parametrize(("status", "body", "expected"), [
    (429, query_error("ThrottledError", "Too many requests"), "throttled"),
    (403, query_error("InsufficientAccessError", "The provided credentials have insufficient access"),
     "Log Analytics Reader role on the workspace (role 73c42c96-874c-492b-b04d-ab87d138a893)"),
    (404, query_error("WorkspaceNotFoundError", "The workspace could not be found"), "WorkspaceNotFoundError"),
    (400, query_error("BadArgumentError", "The request had some invalid properties", "SyntaxError",
                      "A recognition error occurred in the query."), "A recognition error occurred"),
    (500, "<html>oops</html>", "HTTP 500"),
])
def test_workspace_source_http_errors(status: int, body: Any, expected: str) -> None:
    source, _ = workspace(Canned(status, body))
    with pytest.raises(SourceError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        source.run_query("x")


def test_workspace_source_sign_in_failure_is_one_line() -> None:
    message = ("DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
               "Attempted credentials:\n\tAzureCliCredential: Please run 'az login' to set up an account\n"
               "To mitigate this issue, please refer to the troubleshooting guidelines here at https://aka.ms/x.")
    source = WorkspaceSource("ws", FakeCredential(ClientAuthenticationError(message=message)),
                             transport=FakeLogsTransport(lambda target, query: Canned(200, {"tables": []})))
    with pytest.raises(SourceError) as caught:
        source.run_query("x")
    assert "\n" not in str(caught.value) and "az login" in str(caught.value)


# --- Secure Score REST API -------------------------------------------------------------------


class FakeCredential:
    def __init__(self, error: Exception | None = None, **kwargs: Any) -> None:
        self.error = error

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if self.error is not None:
            raise self.error
        assert len(scopes) == 1 and scopes[0].endswith("/.default")
        return AccessToken("token", 4102444800)


class _ClosedBody:
    """The transport-level response behind HttpResponseImpl: nothing to release."""

    def close(self) -> None: ...


class FakeArmTransport(HttpTransport):
    """Answers GETs from a dict of path -> (status, body); records what was asked."""

    def __init__(self, routes: dict[str, list[tuple[int, dict[str, Any]]]]) -> None:
        self.routes, self.requests = routes, []

    def send(self, request: Any, **kwargs: Any) -> Any:
        url = urlparse(request.url)
        self.requests.append(request)
        assert request.headers["Authorization"] == "Bearer token"
        assert parse_qs(url.query)["api-version"] == ["2020-01-01"]
        key = url.path + ("?page=2" if "page=2" in url.query else "")
        status, body = self.routes[key].pop(0) if len(self.routes[key]) > 1 else self.routes[key][0]
        response = HttpResponseImpl(
            request=request, internal_response=_ClosedBody(), status_code=status, reason="x",
            content_type="application/json", headers={"Content-Type": "application/json"},
            stream_download_generator=None,
        )
        response._content = json.dumps(body).encode()
        return response

    def open(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> FakeArmTransport:
        return self

    def __exit__(self, *args: Any) -> None: ...


def api_routes(second: list[tuple[int, dict[str, Any]]]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """SUB_A with two initiatives and controls on two pages; SUB_B answers ``second``."""
    base_a = f"/subscriptions/{SUB_A}/providers/Microsoft.Security"
    next_link = f"https://management.azure.com{base_a}/secureScoreControls?api-version=2020-01-01&page=2"
    return {
        f"{base_a}/secureScores": [(200, {"value": [
            secure_score_body(SUB_A, 29.0, 58, 10),
            secure_score_body(SUB_A, 5.0, 50, 10, display="CIS", name="cis")]})],
        f"{base_a}/secureScoreControls": [(200, {"value": [secure_score_control_body(
            SUB_A, "c1", 3, "Enable MFA", 5, 10)], "nextLink": next_link})],
        f"{base_a}/secureScoreControls?page=2": [(200, {"value": [secure_score_control_body(
            SUB_A, "c2", 2, "Restrict & <ports>", 0, 4)]})],
        f"/subscriptions/{SUB_B}/providers/Microsoft.Security/secureScores": second,
    }


@pytest.mark.parametrize("second", [[(200, NO_SCORES)], [(404, no_score_404(SUB_B))]],
                         ids=["empty list", "404 does not exist"])
def test_api_source_builds_rows_and_follows_next_link(second: list[tuple[int, dict[str, Any]]]) -> None:
    transport = FakeArmTransport(api_routes(second))
    source = ApiSource(two_subscriptions(), FakeCredential(), NOW, transport=transport, retry_total=0)
    # README, "--source api": current state only, no history, and the email says so.
    assert source.history_note == ("The Secure Score API returns only the current state: no week-ago or trend "
                                   "history.")
    assert len(source.warnings) == 1 and f"subscription {SUB_B}: Defender for Cloud has no secure score" in \
        source.warnings[0]
    assert f"az provider register -n Microsoft.Security --subscription {SUB_B}" in source.warnings[0]
    assert [r["ControlName"] for r in source.tables["SecureScoreControls"]] == ["Enable MFA", "Restrict & <ports>"]
    control_query = next(r for r in transport.requests if "secureScoreControls" in r.url).url
    assert "%24expand=definition" in control_query or "$expand=definition" in control_query
    queries = render_queries(two_subscriptions(), REPORT_TIME)
    overall = source.run_query(queries["overall"])[0]
    assert overall["ScoreNow"] == 50.0 and overall["ScoreWeekAgo"] is None
    assert overall["SubscriptionsReporting"] == 1
    top = source.run_query(queries["top_controls"])
    assert [(t["ControlId"], t["PotentialPoints"]) for t in top] == [("c1", 5.0), ("c2", 4.0)]
    freshness = source.run_query(queries["freshness"])[0]
    assert freshness["LatestTimeGenerated"] == "2026-11-23T07:00:00Z"
    assert freshness["MissingSubscriptionIds"] == SUB_B


def test_api_source_keeps_only_the_columns_the_report_reads() -> None:
    source = ApiSource(two_subscriptions(), FakeCredential(), NOW,
                       transport=FakeArmTransport(api_routes([(200, NO_SCORES)])), retry_total=0)
    from securescore.datasources import REQUIRED_COLUMNS

    for table, rows in source.tables.items():
        assert all(set(row) == set(REQUIRED_COLUMNS[table]) for row in rows), table


def test_api_source_403_names_subscription_and_role() -> None:
    transport = FakeArmTransport(api_routes([(403, {"error": {
        "code": "AuthorizationFailed", "message": "The client does not have authorization"}})]))
    with pytest.raises(SourceError, match=rf"subscription {SUB_B}: access denied .*Security Reader"):
        ApiSource(two_subscriptions(), FakeCredential(), NOW, transport=transport, retry_total=0)
