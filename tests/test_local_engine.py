"""The local KQL engine: typed tables, connector-shaped rows, clear errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from securescore.datasources.engine import LocalEngine, QueryError, iso_z, kql_timespan, table_schemas, to_json_value

T = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine({
        "SecureScores": [
            {"TimeGenerated": T, "SecureScoresSubscriptionId": "A", "PercentageScore": 0.5, "MaxScore": 58,
             "Weight": 10, "IsSnapshot": True, "Properties": {"score": {"max": 58}}},
            {"TimeGenerated": dt.datetime(2026, 11, 22, 7, 30, 0, 250000), "SecureScoresSubscriptionId": "a",
             "PercentageScore": 0.75, "MaxScore": 58, "Weight": 30, "IsSnapshot": False},
        ],
    })


def test_empty_tables_exist(engine: LocalEngine) -> None:
    assert engine.run("SecureScoreControls | count") == [{"Count": 0}]
    assert engine.run("SecurityRecommendation | count") == [{"Count": 0}]


def test_types_and_json_shape(engine: LocalEngine) -> None:
    rows = engine.run("SecureScores | order by TimeGenerated asc "
                      "| project TimeGenerated, MaxScore, Weight, IsSnapshot, M = toint(Properties.score.max)")
    assert rows == [
        {"TimeGenerated": "2026-11-22T06:00:00Z", "MaxScore": 58, "Weight": 10, "IsSnapshot": True, "M": 58},
        {"TimeGenerated": "2026-11-22T07:30:00.25Z", "MaxScore": 58, "Weight": 30, "IsSnapshot": False,
         "M": None},
    ]


def test_arg_max_over_lower_case_ids(engine: LocalEngine) -> None:
    rows = engine.run("SecureScores | summarize arg_max(TimeGenerated, PercentageScore) "
                      "by Sub = tolower(SecureScoresSubscriptionId)")
    assert rows == [{"Sub": "a", "TimeGenerated": "2026-11-22T07:30:00.25Z", "PercentageScore": 0.75}]


def test_nan_becomes_null(engine: LocalEngine) -> None:
    assert engine.run("print x = real(nan), y = real(+inf), z = 1") == [{"x": None, "y": None, "z": 1}]


@pytest.mark.parametrize(("kql", "message"), [
    ("SecureScores | make-series n = count() on TimeGenerated step 1d", "does not support this KQL"),
    ("SecureScores | wherex", "KQL syntax error"),
    ("SecureScores | where Nope == 1", "failed in DuckDB"),
])
def test_errors_are_query_errors(engine: LocalEngine, kql: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        engine.run(kql)


def test_unknown_table_and_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match="no schema for table"):
        LocalEngine({"Nope": []})
    with pytest.raises(ValueError, match="rows of SecureScores do not fit"):
        LocalEngine({"SecureScores": [{"MaxScore": "many"}]})


def test_value_conversion() -> None:
    assert to_json_value(Decimal("1.25")) == 1.25
    assert iso_z(dt.datetime(2026, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == "2026-01-01T00:00:00Z"
    assert kql_timespan(dt.timedelta(days=1, hours=2, microseconds=5)) == "1.02:00:00.0000050"
    assert to_json_value(True) is True and to_json_value(7) == 7


def test_columns_with_one_value_throughout_keep_every_row() -> None:
    # Such columns are bound once as a scalar: the rows must still all be there, with their values.
    rows = [{"TimeGenerated": T, "Weight": 7, "DisplayName": "ASC score", "IsSnapshot": i % 2 == 0,
             "MaxScore": [1, 2][i % 2], "CurrentScore": None} for i in range(4)]
    engine = LocalEngine({"SecureScores": rows})
    assert engine.run("SecureScores | summarize n = count(), w = sum(Weight), d = dcount(DisplayName), "
                      "s = countif(IsSnapshot), m = sum(MaxScore), c = countif(isnull(CurrentScore))") == [
        {"n": 4, "w": 28, "d": 1, "s": 2, "m": 6, "c": 4}]


def test_every_table_of_tables_json_is_created() -> None:
    engine = LocalEngine()
    for table, columns in table_schemas().items():
        assert engine.run(f"{table} | getschema | count") == [{"Count": len(columns)}]


def test_loaded_values_survive_every_binding_path() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    rows = [
        {"TimeGenerated": dt.datetime(2026, 11, 22, 8, 0, 0, 5, tzinfo=plus_two), "PercentageScore": float("nan"),
         "MaxScore": 58, "Weight": 2**40, "IsSnapshot": True, "CurrentScore": 1},
        {"TimeGenerated": dt.datetime(2026, 11, 22, 6, 0), "PercentageScore": 0.25, "MaxScore": None,
         "Weight": -3, "IsSnapshot": None, "CurrentScore": 2.5},
    ]
    engine = LocalEngine({"SecureScores": rows})
    assert engine.run("SecureScores | order by Weight desc "
                      "| project TimeGenerated, PercentageScore, MaxScore, Weight, IsSnapshot, CurrentScore") == [
        {"TimeGenerated": "2026-11-22T06:00:00.000005Z", "PercentageScore": None, "MaxScore": 58,
         "Weight": 2**40, "IsSnapshot": True, "CurrentScore": 1.0},
        {"TimeGenerated": "2026-11-22T06:00:00Z", "PercentageScore": 0.25, "MaxScore": None,
         "Weight": -3, "IsSnapshot": None, "CurrentScore": 2.5},
    ]


@pytest.mark.parametrize("shared", [True, False])
def test_dynamic_and_text_columns_keep_values_and_nulls(shared: bool) -> None:
    ids = ["/a", "/b"]
    rows = [{"TimeGenerated": T, "ControlId": None if i % 4 == 3 else f"c{i % 2}",
             "RecommendationResourceIds": (ids if shared else [f"/{i}"]) if i % 4 != 3 else None,
             "Properties": {"n": i}} for i in range(12)]
    engine = LocalEngine({"SecureScoreControls": rows})
    got = engine.run("SecureScoreControls | extend n = toint(Properties.n) | order by n asc "
                     "| project n, ControlId, R = tostring(RecommendationResourceIds[0])")
    assert got == [{"n": i, "ControlId": None if i % 4 == 3 else f"c{i % 2}",
                    "R": "" if i % 4 == 3 else ("/a" if shared else f"/{i}")} for i in range(12)]
    assert engine.run("SecureScoreControls | summarize c = countif(isnull(ControlId)), "
                      "r = countif(isnull(RecommendationResourceIds))") == [{"c": 3, "r": 3}]
