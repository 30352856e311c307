"""A stack file (stacks/Pulumi.<stack>.yaml) read the way the Pulumi CLI reads it, problems with lines.

The layout is Pulumi's ``ProjectStack`` (sdk/go/common/workspace/project.go): ``config`` (key ->
value), ``environment`` (Pulumi ESC environments to import), and the secrets settings
``secretsprovider``, ``encryptedkey``, ``encryptionsalt``. The CLI strips a UTF-8 byte order mark
(workspace/loaders.go) and reads an empty file as a stack without config.

Every problem is one line, ``<file>:<line>: <what>``, so an editor can jump to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

from securescore.config.keys import closest
from securescore.config.pulumi_yaml import LooksLikeDate, load, scalar_key

TOP_LEVEL_KEYS = ("config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt")


@dataclass(frozen=True)
class Entry:
    full_key: str
    value: Any
    node: Node
    line: int


@dataclass
class StackDocument:
    display: str  # the file as messages name it
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    readable: bool = True  # False: nothing in it can be trusted (not YAML, not a mapping, ...)

    def problem(self, line: int | None, text: str) -> None:
        self.problems.append(f"{self.display}:{line}: {text}" if line else f"{self.display}: {text}")


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _describe(value: Any) -> str:
    if isinstance(value, LooksLikeDate):  # a str to Python, but not what the user wrote as text
        return "a date"
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _yaml_problem(doc: StackDocument, error: yaml.YAMLError) -> None:
    doc.readable = False
    mark = getattr(error, "problem_mark", None)
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    column = f" (column {mark.column + 1})" if mark else ""
    doc.problem(mark.line + 1 if mark else None, f"this is not valid YAML: {what}{column}")


def _environment_problem(doc: StackDocument, value: Any, node: Node) -> None:
    names = value if isinstance(value, list) else (value or {}).get("imports") if isinstance(value, dict) else None
    listed = f" ({', '.join(str(n) for n in names)})" if isinstance(names, list) and names else ""
    doc.problem(
        _line(node),
        f"environment: imports Pulumi ESC environments{listed}. The scripts read this file without the "
        "Pulumi CLI and cannot open them, so a value an environment sets would silently differ between "
        "`pulumi up` and the scripts: write this project's keys under config: (stack values take "
        "precedence over an environment's anyway), or remove the environment: section",
    )


def read_stack_document(path: Path, display: str) -> StackDocument:
    doc = StackDocument(display)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # the CLI strips a UTF-8 BOM too
    except UnicodeDecodeError as error:
        doc.readable = False
        doc.problem(None, f"not UTF-8 text (byte {error.start}): save the file as UTF-8")
        return doc
    except OSError as error:
        doc.readable = False
        doc.problem(None, f"cannot be read: {error.strerror or error}")
        return doc
    try:
        data, root, duplicates = load(text)
    except yaml.YAMLError as error:
        _yaml_problem(doc, error)
        return doc
    for duplicate in duplicates:
        doc.problem(duplicate.line, f"{duplicate.key} is written twice (also on line {duplicate.first_line}); "
                    "Pulumi refuses a key written twice: keep one")
    if data is None:
        return doc
    if not isinstance(data, dict) or not isinstance(root, MappingNode):
        doc.readable = False
        doc.problem(_line(root) if root else None,
                    f"a stack file is a YAML mapping with a config: section, not {_describe(data)}")
        return doc
    config_node: Node | None = None
    for key_node, value_node in root.value:
        key = scalar_key(key_node)
        if key == "config":
            config_node = value_node
        elif key == "environment":
            _environment_problem(doc, data[key], key_node)
        elif key not in TOP_LEVEL_KEYS:
            meant = closest(str(key), TOP_LEVEL_KEYS)
            hint = f"did you mean {meant}:?" if meant else f"a stack file has only {', '.join(TOP_LEVEL_KEYS)}"
            doc.problem(_line(key_node), f"{key}: is not a part of a Pulumi stack file; {hint}")
    config = data.get("config")
    if config_node is None or config is None:
        return doc
    if not isinstance(config, dict) or not isinstance(config_node, MappingNode):
        doc.readable = False
        doc.problem(_line(config_node), f"config: must be a mapping of keys to values, not {_describe(config)}")
        return doc
    entries: dict[str, Entry] = {}  # keyed: a YAML merge (<<:) can repeat a key the mapping overrides
    for key_node, value_node in config_node.value:
        key = scalar_key(key_node)
        if not isinstance(key, str):
            doc.problem(_line(key_node), f"{key_node.value!r} is not a config key (keys are <namespace>:<name>)")
            continue
        entries[key] = Entry(key, config[key], value_node, _line(key_node))
    doc.entries = list(entries.values())
    return doc
