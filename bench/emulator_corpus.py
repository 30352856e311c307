"""``python -m bench.emulator_corpus DIR [--json PATH] [--examples N]``: how the emulator's parser fares on
published workflow definitions.

Not one of ``python -m bench``'s items: it needs a directory of fetched JSON files (for example the
ARM templates, workflow.json files and definitions of Azure/logicapps or
Azure/Microsoft-Defender-for-Cloud), which this repository never holds.

What is measured, for every JSON file under DIR:
- every workflow definition in it: an object with a "definition" holding "triggers" or "actions"
  (ARM ``Microsoft.Logic/workflows`` resources, nested deployments, Logic Apps Standard workflow.json),
  or an object whose "$schema" names workflowdefinition.json (a standalone definition);
- every Logic Apps expression in the definition's triggers, actions and outputs: a whole-string
  ``@expr`` or each ``@{expr}`` of an interpolated string (``@@`` escapes). Parameter declarations,
  ``description`` and ``metadata`` are not evaluated by Logic Apps and are skipped; so are ARM
  template expressions (``"[...]"``, resolved at deployment, so their WDL text is unknown here);
- each expression is given to the emulator's ``parse``: parsed ok, unsupported (the emulator cannot
  run it; by function and argument count) or invalid (the emulator says Logic Apps would refuse it;
  by reason).

The splitting of strings into expressions is done here, independently of the emulator, so the same
expressions are counted whatever version of the emulator is measured. Action types and runAfter
statuses are counted too, as written (case included), and each definition is given to the
runner's checks before a run (ARM expressions replaced by placeholder text): ready, or the first
construct refused.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # the emulator package as restructured
    from securescore.emulator import InvalidExpressionError, UnsupportedConstructError, parse
except ImportError:  # the emulator as it was at commit 12e49df (for "before" figures)
    from securescore.emulator.expressions import InvalidExpressionError, UnsupportedConstructError, parse

try:  # the runner's checks before a run (not in the emulator as it was at 12e49df)
    from securescore.emulator.errors import WorkflowDefinitionError
    from securescore.emulator.runner import HANDLERS
    from securescore.emulator.runner.validate import collect_names, validate_actions
except ImportError:
    validate_actions = None

Json = Any
SKIPPED_KEYS = frozenset({"description", "metadata"})


@dataclass
class Tally:
    files: int = 0
    unreadable: int = 0
    definitions: int = 0
    expressions: int = 0
    ok: int = 0
    arm_strings: int = 0
    unsupported: Counter[str] = field(default_factory=Counter)
    invalid: Counter[str] = field(default_factory=Counter)
    action_types: Counter[str] = field(default_factory=Counter)
    run_after_statuses: Counter[str] = field(default_factory=Counter)
    definitions_ready: int = 0
    definitions_refused: Counter[str] = field(default_factory=Counter)  # "unsupported: ..." / "invalid: ..."
    examples: dict[str, list[str]] = field(default_factory=dict)

    def example(self, key: str, text: str, limit: int) -> None:
        bucket = self.examples.setdefault(key, [])
        if len(bucket) < limit and text not in bucket:
            bucket.append(text)


# --------------------------------------------------------------------------------------------------
# Finding definitions and expressions
# --------------------------------------------------------------------------------------------------


def _is_definition(value: Json) -> bool:
    if not isinstance(value, dict):
        return False
    schema = value.get("$schema")
    if isinstance(schema, str) and "workflowdefinition.json" in schema.lower():
        return True
    return isinstance(value.get("triggers"), dict) or isinstance(value.get("actions"), dict)


def iter_definitions(document: Json) -> Iterator[dict[str, Json]]:
    """Every workflow definition inside a JSON document (not descending into a found definition)."""
    if isinstance(document, dict):
        schema = document.get("$schema")
        if isinstance(schema, str) and "workflowdefinition.json" in schema.lower():
            yield document
            return
        if _is_definition(document.get("definition")):
            yield document["definition"]
        for key, value in document.items():
            if key != "definition":
                yield from iter_definitions(value)
    elif isinstance(document, list):
        for item in document:
            yield from iter_definitions(item)


def split_expressions(text: str) -> list[str] | None:
    """The expression texts in one definition string; None for an ARM template expression."""
    if len(text) < 2:  # a lone "@" is text (Azure/LogicAppsUX helpers/expression.ts isTemplateExpression)
        return []
    if text.startswith("[["):
        text = text[1:]  # ARM's escape for a literal '['
    elif text.startswith("[") and text.endswith("]"):
        return None
    if text.startswith("@@"):
        text = text[2:]  # a literal '@' first; the rest may still interpolate
    elif text.startswith("@") and not text.startswith("@{"):
        return [text[1:]]
    found: list[str] = []
    pos = 0
    while (start := text.find("@{", pos)) != -1:
        if start > 0 and text[start - 1] == "@":  # '@@{' is a literal '@{'
            pos = start + 2
            continue
        end = _closing_brace(text, start + 2)
        if end is None:
            found.append(text[start + 2 :])  # unterminated: the parser will say so
            break
        found.append(text[start + 2 : end])
        pos = end + 1
    return found


def _closing_brace(text: str, pos: int) -> int | None:
    in_string = False
    while pos < len(text):
        char = text[pos]
        if char == "'":
            in_string = not in_string  # '' inside a string toggles twice: still inside
        elif char == "}" and not in_string:
            return pos
        pos += 1
    return None


def iter_strings(value: Json) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in SKIPPED_KEYS:
                yield from iter_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_strings(item)
    elif isinstance(value, str):
        yield value


def iter_actions(actions: Json) -> Iterator[tuple[str, dict[str, Json]]]:
    if not isinstance(actions, dict):
        return
    for name, action in actions.items():
        if not isinstance(action, dict):
            continue
        yield name, action
        yield from iter_actions(action.get("actions"))
        for branch in ("else", "default"):
            if isinstance(action.get(branch), dict):
                yield from iter_actions(action[branch].get("actions"))
        for case in (action.get("cases") or {}).values() if isinstance(action.get("cases"), dict) else ():
            if isinstance(case, dict):
                yield from iter_actions(case.get("actions"))


# --------------------------------------------------------------------------------------------------
# Classifying
# --------------------------------------------------------------------------------------------------


def reason(error: Exception) -> str:
    """A short, version-independent reason for an InvalidExpressionError."""
    message = str(error)
    if match := re.search(r"unknown function '([^']+)'", message):
        return f"unknown function {match.group(1)}"
    if match := re.search(r"function '([^']+)' expects (?:at least |at most )?[\d ato]+ argument", message):
        return f"argument count of {match.group(1)}"
    if match := re.search(r"unknown identifier '([^']+)'", message):
        return f"bare identifier {match.group(1)}"
    text = re.sub(r" in expression '.*", "", message, flags=re.S)
    text = re.sub(r" at position \d+", "", text)
    text = re.sub(r"'[^']{4,}'", "'…'", text)  # keep short tokens such as ','
    return text[:80]


def classify(expression: str, tally: Tally, limit: int) -> None:
    tally.expressions += 1
    try:
        parse(expression)
    except UnsupportedConstructError as exc:
        key = _unsupported_key(str(exc))
        tally.unsupported[key] += 1
        tally.example("unsupported: " + key, expression, limit)
        return
    except InvalidExpressionError as exc:
        key = reason(exc)
        tally.invalid[key] += 1
        tally.example("invalid: " + key, expression, limit)
        return
    tally.ok += 1


def _unsupported_key(message: str) -> str:
    """What the emulator cannot run: "listCallbackUrl()", "encodeUriComponent() with 2 argument(s)"."""
    match = re.search(r"cannot run (.+?)(?::| \(in expression|$)", message)
    return match.group(1) if match else message[:60]


def measure_definition(definition: dict[str, Json], tally: Tally, limit: int) -> None:
    tally.definitions += 1
    for section in ("triggers", "actions", "outputs"):
        for text in iter_strings(definition.get(section)):
            expressions = split_expressions(text)
            if expressions is None:
                tally.arm_strings += 1
                continue
            for expression in expressions:
                classify(expression.strip(), tally, limit)
    for _, action in iter_actions(definition.get("actions")):
        kind = action.get("type")
        tally.action_types[str(kind)] += 1
        run_after = action.get("runAfter")
        if isinstance(run_after, dict):
            for statuses in run_after.values():
                for status in statuses if isinstance(statuses, list) else [statuses]:
                    tally.run_after_statuses[str(status)] += 1


def _deployed(value: Json) -> Json:
    """The value as Logic Apps receives it after ARM: ARM expressions become placeholder text."""
    if isinstance(value, dict):
        return {key: _deployed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deployed(item) for item in value]
    if isinstance(value, str) and split_expressions(value) is None:
        return "(resolved by ARM at deployment)"
    if isinstance(value, str) and value.startswith("[["):
        return value[1:]
    return value


def check_definition(definition: dict[str, Json], tally: Tally) -> None:
    """Would the runner start this definition? Ready, or the first construct it refuses, by kind."""
    if validate_actions is None:
        return
    actions = _deployed(definition.get("actions") or {})
    try:
        validate_actions(actions, names=collect_names(actions), supported=set(HANDLERS), has_http=True)
    except UnsupportedConstructError as exc:
        kind = re.search(r"of type '([^']*)'", str(exc))
        what = f"action type {kind.group(1)}" if kind else re.sub(r"'[^']*'", "…", _unsupported_key(str(exc)))
        tally.definitions_refused["unsupported: " + what] += 1
    except (InvalidExpressionError, WorkflowDefinitionError) as exc:
        tally.definitions_refused["invalid: " + reason(exc)] += 1
    else:
        tally.definitions_ready += 1


def measure(directory: Path, limit: int = 3) -> Tally:
    tally = Tally()
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.suffix.lower() != ".json":
            continue
        tally.files += 1
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            tally.unreadable += 1
            continue
        for definition in iter_definitions(document):
            measure_definition(definition, tally, limit)
            check_definition(definition, tally)
    return tally


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def report(tally: Tally, examples: bool) -> str:
    unsupported, invalid = sum(tally.unsupported.values()), sum(tally.invalid.values())
    lines = [
        f"JSON files: {tally.files} ({tally.unreadable} not JSON); workflow definitions: {tally.definitions}",
        f"ARM template expressions skipped (resolved at deployment): {tally.arm_strings}",
        f"expressions: {tally.expressions}",
        f"  parsed ok:   {tally.ok} ({_percent(tally.ok, tally.expressions)})",
        f"  unsupported: {unsupported} ({_percent(unsupported, tally.expressions)})",
        f"  invalid:     {invalid} ({_percent(invalid, tally.expressions)})",
    ]
    for title, counter in (("unsupported, by function", tally.unsupported), ("invalid, by reason", tally.invalid)):
        if counter:
            lines.append(f"{title}:")
            lines += [f"  {count:6d}  {key}" for key, count in counter.most_common()]
    if validate_actions is not None:
        lines.append(f"definitions the runner would start: {tally.definitions_ready} of {tally.definitions}; refused:")
        lines += [f"  {count:6d}  {key}" for key, count in tally.definitions_refused.most_common()]
    lines.append("action types (as written):")
    lines += [f"  {count:6d}  {key}" for key, count in tally.action_types.most_common()]
    lines.append("runAfter statuses (as written):")
    lines += [f"  {count:6d}  {key}" for key, count in tally.run_after_statuses.most_common()]
    if examples:
        lines.append("examples:")
        for key, texts in sorted(tally.examples.items()):
            lines.append(f"  {key}")
            lines += [f"      {text}" for text in texts]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.emulator_corpus", description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="a directory of JSON files (searched recursively)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the counts as JSON")
    parser.add_argument("--examples", type=int, default=0, metavar="N", help="print up to N expressions per bucket")
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"error: {args.directory} is not a directory", file=sys.stderr)
        return 2
    tally = measure(args.directory, max(args.examples, 1))
    print(report(tally, args.examples > 0), end="")
    if args.json:
        document = {
            "files": tally.files, "definitions": tally.definitions, "expressions": tally.expressions,
            "ok": tally.ok, "arm_strings": tally.arm_strings,
            "unsupported": dict(tally.unsupported), "invalid": dict(tally.invalid),
            "action_types": dict(tally.action_types), "run_after_statuses": dict(tally.run_after_statuses),
            "definitions_ready": tally.definitions_ready, "definitions_refused": dict(tally.definitions_refused),
        }  # fmt: skip
        args.json.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
