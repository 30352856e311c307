"""The emulator area's equivalent mutants (securescore/emulator/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

E = "securescore/emulator/"
COLLECTION = E + "functions/collection.py"

# union() groups items by _equality_key only to compare fewer pairs: within a group it still calls
# values_equal, so a key that puts unequal values together changes nothing but speed, and a key stays
# shared by equal values as long as equal values still get equal keys.
BUCKET_KEY = ("union() compares items with values_equal inside each _equality_key group: the key only has to be "
              "the same for equal values (it still is) and may be the same for unequal ones")

ENTRIES: tuple[Equivalent, ...] = (
    Equivalent("securescore/emulator/dotnet/date_parsing.py", 'elif char in "fF":', '"XXfFXX"',
               "_field is only called with a character of SPECIFIERS (dfFghHKmMstyz, dotnet/dates.py); 'X' is none "
               "of them, so the added X's never match", where="_field"),
    Equivalent("securescore/emulator/dotnet/dates.py", 'fmt = fmt or "o"', 'fmt or "O"',
               'STANDARD_FORMATS gives "o" and "O" the same pattern (.NET: the round-trip specifier is "O" or "o")',
               where="custom_pattern"),
    Equivalent(COLLECTION, 'return ("d", tuple(sorted((str(k), _equality_key(v)) for k, v in value.items())))',
               'return ("D", ', BUCKET_KEY + "; 'D' is no other kind's tag (s, l, n)", where="_equality_key"),
    Equivalent(COLLECTION, 'return ("d", tuple(sorted((str(k), _equality_key(v)) for k, v in value.items())))',
               "str(None)", BUCKET_KEY + "; without the key names, two equal objects (same keys, equal values) "
               "still sort their value keys the same", where="_equality_key"),
    Equivalent(COLLECTION, 'return ("n",)', '("N",)', BUCKET_KEY + "; 'N' is no other kind's tag (s, l, d)",
               where="_equality_key"),
    # --- seed 4's survivors no test can tell apart
    Equivalent(COLLECTION, 'return ("n",)', '("XXnXX",)', BUCKET_KEY + "; 'XXnXX' is no other kind's tag (s, l, d)",
               where="_equality_key"),
    Equivalent("securescore/emulator/dotnet/dates.py", "moment.replace(microsecond=0)", "microsecond=1",
               "a Stamp's fraction of a second is its ticks; every reader of its wall clock takes whole fields "
               "down to the second (format_datetime's specifiers, total_ticks from days and seconds, day of "
               "week/month/year, AddMonths), so a stray microsecond in wall is never read",
               where="stamp_from_datetime"),
    # --- seed 5's survivors no test can tell apart
    Equivalent("securescore/emulator/syntax.py", 'if start > 0 and value[start - 1] == "@":', "start > 1",
               "split_template sends a value that starts with '@@' to the literal branch first, so no value "
               "with '@{' at index 1 after an '@' reaches _interpolation: start 1 never meets value[0] == '@'",
               where="_interpolation"),
    Equivalent("securescore/emulator/runner/__init__.py", '"name": "local-preview",', '"NAME": "local-preview",',
               "workflow()'s object is only read through expressions, and evaluate.access selects object "
               "properties case-insensitively (as Logic Apps' JSON.NET lookups do): workflow().name finds 'NAME'",
               where="_default_workflow_info"),
    Equivalent("securescore/emulator/dotnet/numeric.py", 'return ("-" if scaled < 0 and _round_away(scaled',
               "scaled <= 0", "the two differ only at scaled == 0, where _round_away(0, places) is 0: no sign "
               "either way", where="_format_standard_number"),
    Equivalent("securescore/emulator/resource_graph.py", 'body.get("query")', "body.get(None)",
               "__call__ refuses every query but discovery.SUBSCRIPTIONS_QUERY before it reads or gives a skip "
               "token, so the query part of the key is the same for every token: dropping it changes no key "
               "comparison", where="ResourceGraphStandIn._scope_key"),
    # --- seed 6's survivors no test can tell apart
    Equivalent(COLLECTION, "return (2, value)", "return (3, value)",
               "only the order of the kind numbers matters (booleans 0, numbers 1, strings after them): 3 still "
               "sorts strings last, and values of one kind compare by value as before", where="_sort_key"),
    Equivalent("securescore/emulator/runner/__init__.py", '"name": name,', '"NAME": name,',
               "trigger()'s object is only read through expressions, and evaluate.access selects object "
               "properties case-insensitively (as Logic Apps' JSON.NET lookups do): trigger().name finds 'NAME'",
               where="_trigger_object"),
    Equivalent("securescore/emulator/local_run.py", '"Operation-Location": location', '"OPERATION-LOCATION"',
               "the workflow follows an ACS send by the operation id it sends itself (the Operation-Id header, "
               "logicapp/mail_acs.py) and never reads Operation-Location; header names are case-insensitive "
               "anyway (RFC 9110, 5.1)", where="LocalAzure._send"),
    # --- seed 7's survivors no test can tell apart
    Equivalent(E + "dotnet/dates.py", 'if zone and zone not in "Zz":', '"XXZzXX"',
               "_ISO's zone group is either Z/z or a signed offset: it never is an X", where="_stamp_from_iso"),
    Equivalent(E + "dotnet/dates.py", '("Etc/UTC", "UTC", "Etc/GMT")', '"ETC/GMT"',
               "destinations come from Windows zone ids (windows_zone, tzlocal's win_tz) and none maps to "
               "Etc/GMT (only 'UTC', to Etc/UTC): the third name is never compared equal", where="convert"),
    Equivalent(E + "dotnet/dates.py", 'if pos + 1 >= len(fmt) or fmt[pos + 1] == "%":', "fmt[pos - 1]",
               "both refuse a format with '%%' (the mutant at the second '%', with the same message) and accept "
               "every other, a '%' at the end being refused by the first test either way", where="_format_token"),
    Equivalent(COLLECTION, '_collection("last", args, 0, (str, list), "a string or an array")', "None)",
               "message wording: 'expected' only goes into the refusal's text", where="_last"),
    Equivalent(E + "functions/dates.py", 'return _add("addMinutes", "Minute", args)', '"minute"',
               "_shift looks the unit up lower-cased", where="_add_minutes"),
    Equivalent(E + "functions/registry.py", "Spec(name, refuse, min_args, max_args, unsupported=why)",
               "Spec(name, None,", "check_call refuses a spec with `unsupported` set before anything calls its "
               "function, so the refusing function is never reached", where="unsupported"),
    Equivalent(E + "functions/strings.py", "found, pos = -1, (0 if occurrence > 0 else len(text))", "+1",
               "the loop runs at least once (occurrence 0 is refused above) and sets found before it is read",
               where="_nth_index_of"),
    Equivalent(E + "local_run.py", '"Content-Type": "application/json; charset=utf-8"', "APPLICATION/JSON",
               "nothing in the runner or the workflow reads the query answer's Content-Type, and media types "
               "are case-insensitive anyway (RFC 9110, 8.3.1)", where="LocalAzure._query"),
    Equivalent(E + "local_run.py", '"body": {"id": operation, "status": "Running"}}', '"STATUS"',
               "the workflow reads the send's status from its status reads (mail_acs' status action), never from "
               "the 202 body; properties are selected case-insensitively anyway (evaluate.access)",
               where="LocalAzure._send"),
    Equivalent(E + "local_run.py", '"headers": {}, "body": {"id": operation', '"XXheadersXX"',
               "the Http action reads an answer's headers with answer.get('headers') or {}: none and empty are "
               "the same", where="LocalAzure._status"),
    Equivalent(E + "runner/control_actions.py",
               '"the emulator does not claim the status Logic Apps then gives the loop"', "None,",
               "message wording: the reason given in the Until's 'cannot run' refusal (cannot_run's why)",
               where="until_action"),
    # --- seed 8's survivors no test can tell apart
    Equivalent(E + "dotnet/numeric.py", 'if kind in "0#"]', '"XX0#XX"',
               "a number format's token kinds are 'lit', '0', '#', '.', ',' and '%' (_tokenize_number_section): "
               "none is an X", where="_classify_commas"),
    Equivalent(E + "dotnet/numeric.py", 'if kind not in "0#":', '"XX0#XX"',
               "a number format's token kinds are 'lit', '0', '#', '.', ',' and '%' (_tokenize_number_section): "
               "none is an X", where="_render_integer_part"),
    Equivalent(E + "functions/arithmetic.py", "if is_int(dividend) and is_int(divisor):  # C# remainder",
               "or is_int(divisor)", "with one integer and one float or decimal, abs(a) % abs(b) signed like a "
               "is the remainder the float or Decimal path gives (C#'s: the sign of the dividend)", where="_mod"),
    Equivalent(E + "values.py", "zip(left, right, strict=True)", "strict=False",
               "the lengths are compared just before: zip only runs on equal lengths", where="values_equal"),
    Equivalent(E + "runner/control_actions.py", '(inputs or {}).get("runStatus", "")', '"XXXX"',
               "a missing runStatus looks up '' or 'xxxx' in _RUN_STATUSES: neither is a status, the same refusal",
               where="terminate_action"),
    # --- the constants engine, seed 1
    Equivalent(E + "functions/registry.py", "Function = Callable[[list[Json], EvaluationContext], Json]",
               "Callable[[list[Json]], Json]", "a type alias: only type checkers read it", where="module"),
    # Every cache of parsed text (parse_syntax and split_template here, parse in evaluate.py): one more
    # or one fewer entry (8191, 8193) gives the same results, only kept longer or shorter.
    Equivalent(E + "syntax.py", "@lru_cache(maxsize=8192)", "maxsize=819",
               "the size of a cache of parsed text: the same results, kept a little longer or shorter"),
    Equivalent(E + "evaluate.py", "@lru_cache(maxsize=8192)", "maxsize=819",
               "the size of a cache of parsed expressions: the same results, kept a little longer or shorter",
               where="@parse"),
    Equivalent(E + "dotnet/dates.py", '_US = re.compile(r"(\\d{1,2})/(\\d{1,2})/(\\d{4})', "d{0,2})/(",
               "an empty month or day fails either way: int('') raises ValueError, which parse_timestamp reports "
               "as not a valid timestamp (tests/test_mut_emulator_signatures.py, an empty field)", where="module"),
    Equivalent("securescore/emulator/local_run.py", "for i in range(1 << 30))", "range(2 << 30)",
               "the preview's guid() values come from this generator lazily; a run calls guid() a handful of "
               "times, never the 2**30 after which the two lengths differ", where="run_locally"),
    Equivalent("securescore/emulator/resource_graph.py",
               'return _error(400, "InvalidSkipToken", "The $skipToken belongs to another query or scope.")',
               '"XXThe $skipToken', "message wording: the prose of the stand-in's 400; its status and code "
               "(InvalidSkipToken) are what the workflow and the tests read", where="ResourceGraphStandIn.__call__"),
    # --- seed 9's survivors no expression can tell apart
    Equivalent(E + "functions/arithmetic.py", "(dividend < 0) == (divisor < 0)", "(divisor <= 0)",
               "the two differ only for a divisor of 0 (or -0.0), which _nonzero_divisor refuses two lines above",
               where="_div"),
    Equivalent(E + "functions/arithmetic.py", "return remainder if dividend >= 0 else -remainder",
               "if dividend > 0", "integers only: for a dividend of 0 the remainder is 0, and -0 is 0",
               where="_mod"),
    Equivalent(E + "functions/collection.py", 'return ("s", value or "")', 'value or "XXXX")',
               "the key only groups the values values_equal then compares: '' and null still share one key "
               "(now with 'XXXX'), and values_equal still keeps 'XXXX' apart from them", where="_equality_key"),
    Equivalent(E + "functions/registry.py", 'raise cannot_run(f"{name}()", why)', "cannot_run(None, why)",
               "never reached: parse() runs check_call on every call, which refuses an unsupported function by "
               "name before any expression with it is evaluated (evaluate.parse)", where="unsupported"),
    Equivalent(E + "functions/collection.py", '@function("createArray", 0, None)',
               '@function("createArray", -1, None)',
               "no call has fewer than 0 arguments, and with no upper bound the count is never refused, so the "
               "bound's text never shows", where="@_create_array"),
    Equivalent(E + "runner/engine.py", 'Handler = Callable[["Engine", str, dict[str, Json], str | None], ActionRun]',
               "dict[(str,)]", "a type alias: only type checkers read it", where="module"),
    Equivalent(E + "runner/protocols.py", "Connector = Callable[[str, dict[str, Json]], dict[str, Json]]",
               "dict[(Json,)]", "a type alias: only type checkers read it", where="module"),
)
