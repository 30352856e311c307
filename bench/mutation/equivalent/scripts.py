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
    # --- seed 1's survivors no test can tell apart
    Equivalent(CLI + "common.py", "logging.CRITICAL + 1)", "logging.CRITICAL + 2)",
               "both levels are above CRITICAL (50), the highest any library logs at: each silences them all",
               where="configure_logging"),
    Equivalent(CLI + "mode_checks.py", 'ctx.options.setdefault("resource_bodies", {})', "setdefault(None, {})",
               "the cache's key in ctx.options is read only here, and no other option is keyed None: any unused "
               "key caches the same", where="read_resource"),
    Equivalent(CLI + "reconcile.py", "\"the API's score has no percentage\"", "THE API'S SCORE HAS NO PERCENTAGE",
               "message wording: the note of a row whose score has no percentage", where="api_score"),
    Equivalent(CLI + "run_now.py", "print the run's result as one JSON object on stdout", "one json object",
               "message wording: --help prose", where="build_parser"),
    Equivalent(CLI + "run_now.py", "json.dumps(asdict(result), indent=2, ensure_ascii=False)", "indent=3",
               "layout only: the same JSON object to every reader of --json's output", where="report"),
    Equivalent(CLI + "runs.py", 'name=str(body.get("name") or "")', '"XXXX"',
               "never read: ARM always sends a run's name (WorkflowRun.name in every example of Microsoft.Logic "
               "2019-05-01 WorkflowRunsList.json and WorkflowRuns_Get.json)", where="Run.from_body"),
    # --- the constants engine
    Equivalent("securescore/arm.py", "host='([^']+)', port=(\\d+)", "*)",
               "urllib3 always writes a host and a port number there (HTTPConnectionPool.__str__: host={host!r}, "
               "port={port!r}; requests' pools get the scheme's default port when the URL has none), so one or "
               "more and zero or more characters match the same"),
)
