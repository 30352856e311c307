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
    # --- the survivors of seed 2 and of the constants' seed 1 no test can tell apart
    Equivalent("securescore/datasources/workspace.py", "if code else ''}", "if code else 'XXXX'}",
               "message wording: the text of a refused query (WorkspaceQueryError's message, read by people); "
               "the status and the error code go to the callers apart (error.status, error.code) and only "
               "they decide a fix (check.workspace_fix)", where="WorkspaceSource._http_problem"),
    Equivalent("securescore/datasources/workspace.py", "': '", "'XX: XX'",
               "message wording: the separator before the error code in the text of a refused query; the code "
               "itself goes to the callers apart (error.code)", where="WorkspaceSource._http_problem"),
    # --- seed 3's survivors no test can tell apart
    Equivalent(CLI + "checks_management_group.py",
               '"see the line on the subscriptions under the management group above"',
               '"XXsee the line on the subscriptions under the management group aboveXX"',
               "message wording: the fix of the coverage line when the group's subscriptions are unknown, read by "
               "people", where="check_coverage"),
    Equivalent(CLI + "readiness.py", '"stack created it, this is expected (use `check` without --before-deploy)"',
               '"XXstack created it, this is expected (use `check` without --before-deploy)XX"',
               "message wording: the end of the fix for a resource group that already exists, read by people",
               where="check_resource_groups"),
    Equivalent(CLI + "init_stack.py", 'help="the Pulumi project (default: the nearest folder at or above the current '
               'one with "', ")",
               "message wording: the --help prose of --project-dir dropped; the option, its metavar and its default "
               "stay the same", where="build_parser"),
    Equivalent(CLI + "export_scores.py", 'open("w", encoding="utf-8", newline="\\n")', 'encoding="UTF-8"',
               "Python's codec lookup ignores case (codecs.lookup normalizes the name): the same UTF-8 codec",
               where="_export"),
    Equivalent(CLI + "preview.py", 'message.add_alternative(captured.html, subtype="html")', 'subtype="HTML"',
               "media types are case-insensitive (RFC 2045, 5.1: 'The type, subtype, and parameter names are not "
               "case sensitive'): text/HTML is text/html to every mail reader and to email's get_content_type()",
               where="_eml_message"),
    Equivalent(CLI + "runs.py", 'elif len(text) > 6 and text[-6] in "+-" and text[-3] == ":":', "len(text) > 7",
               "a text of exactly 7 characters reaches datetime.fromisoformat unchanged either way: split into one "
               "character and its 6-character offset it is joined again as it was (a fraction of at most 5 digits "
               "is never cut), so the same value or the same None comes back", where="parse_time"),
    # --- the constants engine
    Equivalent("securescore/arm.py", "host='([^']+)', port=(\\d+)", "*)",
               "urllib3 always writes a host and a port number there (HTTPConnectionPool.__str__: host={host!r}, "
               "port={port!r}; requests' pools get the scheme's default port when the URL has none), so one or "
               "more and zero or more characters match the same"),
    Equivalent("securescore/cli/readiness.py",
               'ALWAYS_REGISTERED = frozenset({"Microsoft.Resources", "Microsoft.Authorization"})',
               'ALWAYS_REGISTERED = frozenset({"Microsoft.Resources"})',
               "no resource the stack creates needs Microsoft.Authorization as its provider (subscription_needs "
               "adds Microsoft.Resources, Web, Logic, Communication, OperationalInsights, OperationsManagement, "
               "Security; role assignments are checked as the deployer's rights), so the name is never looked "
               "up in the set", where="module"),
    # The troubleshooting noise removed from sign-in messages: \S+ and \S* match the same text whenever
    # something that is not a space follows, and every producer writes a link, an id or a time there.
    Equivalent("securescore/cli/signin.py", r"Visit https?://\S+ to troubleshoot", r"https?://\\S* to",
               "azure-identity writes its troubleshooting link after 'Visit ' (environment.py, managed_identity.py: "
               "'Visit https://aka.ms/azsdk/python/identity/...troubleshoot to troubleshoot this issue.'): "
               "never 'https://' alone", where="module"),
    Equivalent("securescore/cli/signin.py", r"troubleshooting guidelines here at \S+", r"here at \\S*'",
               "azure-identity writes its link after 'here at ' (chained.py, azure_cli.py: '...troubleshooting "
               "guidelines here at https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot.')",
               where="module"),
    Equivalent("securescore/cli/signin.py", r"See the troubleshooting guide[^:]*:\s*\S+", r"guide[^:]*:\\s*\\S*'",
               "azure-identity writes the guide's link after the colon (workload_identity.py: 'See the "
               "troubleshooting guide for more information: https://aka.ms/azsdk/python/identity/"
               "workloadidentitycredential/troubleshoot')",
               where="module"),
    Equivalent("securescore/cli/signin.py", r"(Trace ID|Correlation ID|Timestamp):\s*\S+( \S+Z)?",
               r"Timestamp):\\s*\\S*(",
               "Entra ID writes a value after each label (error_description: 'Trace ID: <guid> Correlation ID: "
               "<guid> Timestamp: 2026-11-23 07:00:00Z', Learn \"OAuth 2.0 client credentials flow\", Error "
               "response)", where="module"),
    Equivalent("securescore/cli/signin.py", r"(Trace ID|Correlation ID|Timestamp):\s*\S+( \S+Z)?",
               r"\\S+( \\S*Z)?",
               "the time after the date is never empty: 'Timestamp: 2026-11-23 07:00:00Z' (Entra ID's "
               "error_description), so ' \\S+Z' and ' \\S*Z' match the same", where="module"),
    # --- seed 4's survivors no test can tell apart
    Equivalent(CLI + "authorize.py", '(properties.get("parameterValueSet") or {}).get("name", "")', '.get("name", )',
               "the value is only compared, as str(value).lower(), with 'managedidentityauth': 'none' and '' both "
               "differ from it", where="state_from_body"),
    Equivalent(CLI + "main.py", "commands.add_parser(command.name, help=command.summary, add_help=False)",
               "add_help=None", "argparse only tests add_help for truth: None adds no -h, as False does",
               where="build_parser"),
    Equivalent(CLI + "mode_checks.py", 'str(properties.get("roleDefinitionId") or "").rstrip("/")', ".lstrip(",
               "ARM writes roleDefinitionId without a trailing slash (Microsoft.Authorization RoleAssignments "
               "examples: '/subscriptions/.../providers/Microsoft.Authorization/roleDefinitions/<guid>'), so "
               "rsplit's last part is the guid with either strip", where="_grants"),
    Equivalent(CLI + "signin.py", "message.split(_ATTEMPTED, 1)[1]", "split(_ATTEMPTED, 2)",
               "azure-identity writes 'Attempted credentials:' once per message (ChainedTokenCredential), so the "
               "part after the first occurrence is the same with one split or two", where="credential_reasons"),
    # --- seed 5's survivors no Azure answer can tell apart
    Equivalent(CLI + "checks_management_group.py",
               'str((a.get("properties") or {}).get("roleDefinitionId") or "")', 'or "XXXX")',
               "never read: RoleAssignmentProperties requires roleDefinitionId (Microsoft.Authorization 2022-04-01; "
               "Azure/bicep-types-az generated/authorization/microsoft.authorization/2022-04-01/types.md), so every "
               "listed assignment has one and the fallback never applies", where="_has_role"),
    Equivalent("securescore/datasources/workspace.py", 'return str(error.get("code") or "")', 'or "XXXX")',
               "never read: the query API's errorInfo requires code and message (Log Analytics data plane "
               "OperationalInsights.json, stable/v1, definitions errorInfo.required), so an error object always "
               "has its code", where="_error_parts"),
    # --- constants seed 3
    Equivalent(CLI + "check.py", 'LAST_ROWS_KEY = "last_rows"', "LAST_ROWS_KEY = 'last_rowsX'",
               "a private key of CheckContext.options, written and read only through this constant; no other "
               "option is named 'last_rowsX'", where="module"),
    Equivalent(CLI + "runs.py", 'Outcome = Literal["succeeded", "in progress", "failed", "not run", "unknown"]',
               "Outcome = Literal[(", "a type alias: only type checkers read it", where="module"),
    Equivalent(CLI + "common.py", '_BEARER = re.compile(r"(\\bBearer\\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)',
               "[a-z0-9._~+/=-]", "re.IGNORECASE: [a-z] matches A-Z as well", where="module"),
    # --- constants seed 6
    Equivalent(CLI + "covered.py", 'CONTEXT_KEY = "covered"', "CONTEXT_KEY = 'coveredX'",
               "a private key of CheckContext.options, written and read only through this constant; no other "
               "option is named 'coveredX'", where="module"),
    # --- constants seed 10
    Equivalent(CLI + "stack_args.py", '_GUID = re.compile(r"^[0-9a-fA-F]{8}', "_GUID = re.compile('[0-9a-fA-F]{8}",
               "the pattern is only used with re.match, which anchors at the start already", where="module"),
    Equivalent(CLI + "failure_signatures.py", '"securescore authorize --stack {stack}) in stacks/Pulumi.{stack}.yaml, '
               'and run `pulumi up` again"', "run `pulumi up` againX",
               "message wording: the end of the fix read by people; what it must name (logsQuery: http, "
               "logsConnectionAuth: oauth, the stack file, pulumi up) is tested", where="module"),
    Equivalent("securescore/datasources/membership.py", '"(az graph query -q \\"<the query in docs/design.md>\\" '
               '--management-groups <id> -o json > members.json)"', "-o json > members.json)X",
               "message wording: the end of a warning read by people, after the command it names", where="module"),
)
