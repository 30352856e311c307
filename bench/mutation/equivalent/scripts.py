"""The scripts area's equivalent mutants (the helpers: securescore/cli/, arm.py, project.py, the Azure data sources)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

CLI = "securescore/cli/"

ENTRIES: tuple[Equivalent, ...] = (
    Equivalent(CLI + "check.py", 'assignee: str = "<object id>"', '"<OBJECT ID>"',
               "the default is never used: every caller (check_secure_score, export_scores.export, "
               "reconcile.api_score) passes the assignee", where="secure_score_fix"),
    Equivalent(CLI + "init_stack.py", "parse_settings(answers.values, root=root).location",
               "parse_settings(answers.values, ).location",
               "message wording: the values are parsed again below with root=root (and the file's name), so a "
               "problem the project's own Pulumi.yaml declarations add is still refused, with nothing written; "
               "the region read here does not depend on the declarations; only the error's heading differs "
               "(it then names the file about to be written)", where="main"),
    Equivalent(CLI + "mode_facts.py", "identity, and the mail goes through Communication Services",
               "communication services", "message wording: the note printed when there is nothing to authorize",
               where="authorize_message"),
    Equivalent(CLI + "signin.py", 'r"unavailable|not found|not installed|could not be found|not fully configured|"',
               "UNAVAILABLE|NOT FOUND", "the pattern is searched with re.IGNORECASE: the case of its letters "
               "never matters", where="_unavailable"),
)
