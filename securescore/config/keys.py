"""Config key names: unknown keys and near-miss namespaces, with the key that was probably meant.

The same checks run on the keys of a stack file (the scripts) and on the keys the Pulumi CLI hands
the program, so a typo gets the same message in both.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

# Namespaces a stack of this project may legitimately set besides its own: Pulumi's own settings and
# the provider the program uses (with default providers disabled, provider keys are inert but harmless).
OTHER_NAMESPACES = frozenset({"pulumi", "azure-native"})


def closest(word: str, candidates: Collection[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like ``word`` (case-insensitively), or None when none is close."""
    by_lower = {c.lower(): c for c in candidates}
    if word.lower() in by_lower:
        return by_lower[word.lower()]
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[matches[0]] if matches else None


def unknown_key_problem(project: str, key: str, known: Collection[str]) -> str:
    meant = closest(key, known)
    hint = f"did you mean {meant}?" if meant else "the keys are listed in Pulumi.yaml and in README (Configuration)"
    return f"{project}:{key} is not a known key; {hint}"


def namespace_problems(project: str, full_keys: Iterable[str], known: Collection[str]) -> list[str]:
    """Keys in another namespace that look like this project's: a near-miss of its name."""
    problems = []
    for full_key in full_keys:
        namespace, sep, key = full_key.partition(":")
        if not sep or namespace == project or namespace in OTHER_NAMESPACES:
            continue
        near_namespace = namespace.lower() == project.lower() or difflib.SequenceMatcher(
            None, namespace.lower(), project.lower()
        ).ratio() >= 0.75
        if near_namespace:
            meant = closest(key, known) or key
            problems.append(
                f"{full_key}: the namespace '{namespace}' is not this project's, so no one reads this key; "
                f"did you mean {project}:{meant}?"
            )
    return problems


def missing_namespace_problem(project: str, key: str, known: Collection[str]) -> str:
    """A stack-file key written without any namespace."""
    meant = closest(key, known)
    if meant:
        return f"{key} has no namespace: write {project}:{meant}"
    return f"{key} has no namespace, and this project has no such key; " + (
        "write keys as <namespace>:<name>, e.g. " + f"{project}:location"
    )
