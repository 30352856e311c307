"""Function results at the edges the reference and .NET document: sorting mixed types, decimals compared,
nthIndexOf from the end, URI parts without a query, data URIs without base64, numbers in the syntax.

Expected values are literals from Microsoft Learn, "Reference guide to workflow expression functions"
(https://learn.microsoft.com/azure/logic-apps/workflow-definition-language-functions-reference), unless a
comment names another page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from securescore.emulator.expressions import (
    EvaluationContext,
    ExpressionError,
    InvalidExpressionError,
    UnsupportedConstructError,
    evaluate_value,
)

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def ev(expression: str) -> Any:
    return evaluate_value("@" + expression, EvaluationContext(now=NOW))


def test_sorting_numbers_with_strings_is_unsupported_not_a_crash() -> None:
    # sort: "the collection ... primitive values"; the reference does not say how a number and a
    # string order, so the emulator refuses to guess (and must not fail with a Python TypeError).
    with pytest.raises(UnsupportedConstructError, match="different types"):
        ev("sort(createArray(1, 'a'))")
    with pytest.raises(UnsupportedConstructError, match="different types"):
        ev("sort(createArray('a', 2.5))")


def test_decimals_compare_with_decimals() -> None:
    # decimal('1.2345678912312131') is the reference's example; a value equals itself, and
    # greater/less compare decimals by value.
    assert ev("equals(decimal('1.2345678912312131'), decimal('1.2345678912312131'))") is True
    assert ev("greater(decimal('2.5'), decimal('1.2345678912312131'))") is True
    assert ev("less(decimal('2.5'), decimal('1.2345678912312131'))") is False


def test_nth_index_of_a_negative_occurrence_counts_from_the_end() -> None:
    # nthIndexOf, occurrence: "If occurrence is negative, start searching from the end." In the
    # reference's text '123456789123465789', '1' is at 0 and 9.
    assert ev("nthIndexOf('123456789123465789', '1', -1)") == 9
    assert ev("nthIndexOf('123456789123465789', '1', -2)") == 0
    assert ev("nthIndexOf('123456789123465789', '1', -3)") == -1


def test_uri_path_and_query_without_a_query_is_the_path_alone() -> None:
    # .NET Uri.PathAndQuery (Learn, System.Uri.PathAndQuery): "the AbsolutePath and Query properties
    # separated by a question mark"; with no query there is nothing after the path.
    assert ev("uriPathAndQuery('https://www.contoso.com/catalog/shownew.htm')") == "/catalog/shownew.htm"
    assert ev("uriPathAndQuery('https://www.contoso.com')") == "/"


def test_a_data_uri_without_base64_is_percent_decoded() -> None:
    # RFC 2397 ("The data URL scheme"): without ";base64" the data is URL-encoded text; its example
    # data:,A%20brief%20note is the text "A brief note".
    assert ev("dataUriToString('data:,A%20brief%20note')") == "A brief note"


@pytest.mark.parametrize("expression", ["add(1X, 2)", "add(1a, 2)", "concat(2Z)"])
def test_a_number_followed_by_a_letter_is_refused_where_the_letter_is(expression: str) -> None:
    # A number ends at its last digit; a letter right after it is neither a number nor a separator.
    letter = expression[expression.index("(") + 2]
    with pytest.raises(InvalidExpressionError, match=f"unexpected character '{letter}' after a number"):
        ev(expression)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("skip('abcd', 1)", "expects its parameter 1 to be an array"),  # skip: collection, Array
        ("join('abc', '.')", "expects its parameter 1 to be an array"),  # join: collection, Array
        ("reverse('abc')", "expects its parameter 1 to be an array"),  # reverse: collection, Array
        ("take(5, 1)", "expects its parameter 1 to be a string or an array"),  # take: String or Array
    ],
)
def test_a_refused_collection_says_which_type_the_reference_documents(expression: str, expected: str) -> None:
    with pytest.raises(ExpressionError, match=expected):
        ev(expression)
