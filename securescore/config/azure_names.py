"""Azure's naming rules for the resources the stack names, one rule per resource type.

Source: Microsoft Learn, "Naming rules and restrictions for Azure resources"
(learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, ms.date 11/20/2023),
one table row per type; "alphanumeric" there means ASCII a-z, A-Z, 0-9. Names are compared
case-insensitively (the same page: "Always perform a case-insensitive comparison of names").
docs/design.md ("Configuration rules") lists each row and where the sources disagree.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_ALNUM = frozenset(string.ascii_letters + string.digits)
# Microsoft.Resources/resourcegroups: "letters or digits as defined by the Char.IsLetterOrDigit
# function": the Unicode categories UppercaseLetter, LowercaseLetter, TitlecaseLetter, ModifierLetter,
# OtherLetter and DecimalDigitNumber.
_RG_LETTER_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})


def _rg_char(c: str) -> bool:
    return c in "_-.()" or unicodedata.category(c) in _RG_LETTER_CATEGORIES


def _chars(allowed: str) -> Callable[[str], bool]:
    extra = frozenset(allowed)
    return lambda c: c in _ALNUM or c in extra


@dataclass(frozen=True)
class NameRule:
    resource_type: str
    min_length: int
    max_length: int
    char_ok: Callable[[str], bool]
    accepted: str  # what is accepted, for messages
    alnum_ends: bool = False  # must start and end with an ASCII letter or digit
    no_trailing_period: bool = False

    def problem(self, name: str) -> str | None:
        """Why ``name`` breaks the rule, or None."""
        if not self.min_length <= len(name) <= self.max_length:
            return f"{len(name)} characters (a {self.resource_type} name has {self.min_length} to {self.max_length})"
        bad = sorted({c for c in name if not self.char_ok(c)})
        if bad:
            return "the character(s) " + " ".join(repr(c) for c in bad) + " (not allowed in this name)"
        if self.alnum_ends and not (name[0] in _ALNUM and name[-1] in _ALNUM):
            return "it must start and end with a letter or digit"
        if self.no_trailing_period and name.endswith("."):
            return "it must not end with a period"
        return None


RESOURCE_GROUP = NameRule(
    "Microsoft.Resources/resourceGroups", 1, 90, _rg_char,
    "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'", no_trailing_period=True,
)
LOGIC_APP_WORKFLOW = NameRule(
    "Microsoft.Logic/workflows", 1, 43, _chars("-_.()"),
    "1-43 ASCII letters, digits, '-', '_', '.', '(' or ')'",
)
SECURITY_AUTOMATION = NameRule(
    "Microsoft.Security/automations", 1, 260, _chars("-_"),
    "1-260 ASCII letters, digits, '-' or '_'",
)
LOG_ANALYTICS_WORKSPACE = NameRule(
    "Microsoft.OperationalInsights/workspaces", 4, 63, _chars("-"),
    "4-63 ASCII letters, digits or '-', starting and ending with a letter or digit", alnum_ends=True,
)
# Microsoft.Web/connections has no row on the naming page, and the REST spec (Microsoft.Web 2016-06-01,
# logicAppsManagementClient.json) declares connectionName as a plain string. We hold the connections'
# names to the workflow's characters and the 80-character limit most resource-group-scoped types share.
WEB_CONNECTION = NameRule(
    "Microsoft.Web/connections", 1, 80, _chars("-_.()"),
    "1-80 ASCII letters, digits, '-', '_', '.', '(' or ')'",
)


def same_name(a: str, b: str) -> bool:
    """Azure resource names compare case-insensitively."""
    return a.lower() == b.lower()
