"""The settings area's equivalent mutants (securescore/settings.py, securescore/config/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

CONFIG = "securescore/config/"

# Reasons shared by several entries.
ERROR_PATH = ("the value returned once a problem is recorded is never used: parse_settings raises SettingsError "
              "with every problem before anything reads it")
CODEC_CASE = "codec names are case-insensitive in Python: UTF-8-SIG is utf-8-sig"
FIRST_MATCH = "only the first match is used, and difflib returns the closest first: asking for more changes nothing"
LIB_DEFAULT = "email-validator's default for this option is the value written (2.3.0: validate_email's signature)"
BEFORE_ASCII = "non-ASCII addresses are refused before email-validator runs, so its SMTPUTF8 option never matters"
SCALAR_KEYS = "mapping keys in a stack file are scalars: deep or shallow construction gives the same key"
PLAIN_DATA = "stack files hold plain data (no recursive aliases): deep construction gives the same values"
LIST_NODES = ("a list value from a stack file always comes with its sequence node: the fallback for a list without "
              "nodes (and the raw text of a non-scalar) is never reached; the items and nodes are as many")
LOWERED = "the custom domain is lower-cased before it is matched: the pattern's upper-case letters are never used"
OTHER_AREAS = "used by the definition and the infrastructure, whose tests run in their own areas"

ENTRIES: tuple[Equivalent, ...] = (
    # --- settings.py
    Equivalent("securescore/settings.py", 'return Workspace("", "", "", False, retention)', "", ERROR_PATH),
    Equivalent("securescore/settings.py", 'return Workspace("", "", "", True, 0)', "", ERROR_PATH),
    Equivalent("securescore/settings.py", 'problem = "" if match else "not in this form"', "",
               "the reason shown when the id does not match; when it matches, problem is computed again below"),
    Equivalent("securescore/settings.py", 'return Workspace(match["sub"].lower(), match["rg"], match["name"], True, 0)',
               "True, ", "an existing workspace's retention is never read: the stack does not manage that workspace"),
    Equivalent("securescore/settings.py", "return Workspace(ws_sub, ws_rg, name, False, retention)", "None",
               "None and False read the same wherever existing is tested (if ws.existing)"),
    Equivalent("securescore/settings.py", 'noun = "problem" if len(problems) == 1 else "problems"', "",
               "singular or plural of the summary line's noun: wording"),
    Equivalent("securescore/settings.py", 'encoding="utf-8-sig"', "UTF-8-SIG", CODEC_CASE),
    Equivalent("securescore/settings.py", "return str(path)", "",
               "unreachable: a stack file is always inside its root, so relative_to never fails"),
    Equivalent("securescore/settings.py", "stack_source(stack, root)", "stack_source(stack, ",
               "the file is named relative to its project root, which reads the same whichever root is given"),
    Equivalent("securescore/settings.py", "read.problems += document.problems", "",
               "read.problems is still empty here: += and = give the same list"),
    Equivalent("securescore/settings.py", "readable: bool = True", "", "always assigned from the document right after"),
    Equivalent("securescore/settings.py", "(?P<sub>[^/]+)", "[^/]*",
               "an empty part still fails: the subscription is not a GUID, the group or name breaks its naming rule"),
    Equivalent("securescore/settings.py", '"/subscriptions/<GUID>/resourceGroups/<group>/providers/', "",
               "the form shown in the message: wording"),
    # --- config/fields.py
    Equivalent(CONFIG + "fields.py", 'return ""', "", ERROR_PATH + " (or the key is required and missing)"),
    Equivalent(CONFIG + "fields.py", 'return "UTC"', "", ERROR_PATH),
    Equivalent(CONFIG + "fields.py", "for connection in connection_names(name) if name else ():", "",
               "an empty name was already refused: its connections only add to an error already raised"),
    Equivalent(CONFIG + "fields.py", "elif not 0 < len(value) <= max_len or not value.strip():", "0 <= len",
               "an empty text fails `not value.strip()` in the same condition"),
    Equivalent(CONFIG + "fields.py", 'errors.add("logicAppName", value, f"a name whose connection', "None",
               "unreachable today: a valid workflow name (1-43 of the characters a connection takes) gives "
               "connection names of at most 43 + 17 of them, inside the connections' 1-80"),
    Equivalent(CONFIG + "fields.py", "json.dumps(value, ensure_ascii=False)", "ensure_ascii=None",
               "json tests ensure_ascii for truth only (JSONEncoder: `if self.ensure_ascii`): None is False"),
    # --- config/azure_names.py
    Equivalent(CONFIG + "azure_names.py", 'return c in "_-.()" or unicodedata.category(c)', '"XX_-.()XX"',
               "X is an upper-case letter (category Lu), which a resource group name allows anyway",
               where="_rg_char"),
    # --- config/email_address.py
    Equivalent(CONFIG + "email_address.py", "allow_smtputf8=False,", "", BEFORE_ASCII),
    Equivalent(CONFIG + "email_address.py", "allow_domain_literal=False,", "", LIB_DEFAULT + "; None is falsy"),
    Equivalent(CONFIG + "email_address.py", "allow_display_name=False,", "", LIB_DEFAULT + "; None is falsy"),
    Equivalent(CONFIG + "email_address.py", "globally_deliverable=True,", "", LIB_DEFAULT, removed=True),
    Equivalent(CONFIG + "email_address.py", "globally_deliverable=True,", "globally_deliverable=None,",
               "validate_email replaces None with its module default GLOBALLY_DELIVERABLE, which is True (2.3.0)"),
    Equivalent(CONFIG + "email_address.py", "test_environment=False,", "", LIB_DEFAULT + "; None is falsy"),
    Equivalent(CONFIG + "email_address.py", 'return str(error).rstrip(".")', "",
               "only the final period of email-validator's message: wording"),
    # --- config/keys.py, config/regions.py
    Equivalent(CONFIG + "keys.py", "n=1, cutoff=cutoff", "cutoff=cutoff)", FIRST_MATCH),
    Equivalent(CONFIG + "keys.py", "n=1, cutoff=cutoff", "n=2", FIRST_MATCH),
    Equivalent(CONFIG + "keys.py", "if word.lower() in by_lower:", "upper",
               "difflib then finds the same candidate with a ratio of 1.0"),
    Equivalent(CONFIG + "keys.py", "namespace == project or namespace in OTHER_NAMESPACES", "and",
               "namespace_problems gets only keys of other namespaces (stack reader and program both split them off)"),
    Equivalent(CONFIG + "keys.py", "if not sep or namespace == project", "not sep and",
               "every key given here has a namespace: the stack reader reports keys without one apart"),
    Equivalent(CONFIG + "keys.py", "near_namespace = namespace.lower() == project.lower()", "upper",
               "the ratio test that follows compares the lower-cased names and gives 1.0 for them"),
    Equivalent(CONFIG + "keys.py", 'OTHER_NAMESPACES = frozenset({"pulumi", "azure-native"})', "",
               "neither name is near this project's, so the near-miss test would skip their keys anyway"),
    Equivalent(CONFIG + "regions.py", "n=1, cutoff=0.75", "cutoff=0.75)", FIRST_MATCH),
    Equivalent(CONFIG + "regions.py", "n=1, cutoff=0.75", "n=2", FIRST_MATCH),
    # --- config/modes.py
    Equivalent(CONFIG + "modes.py", "return Modes(logs_query, mail)", "",
               "mail is office365 here, the default of Modes"),
    Equivalent(CONFIG + "modes.py", 'custom_domain = ""', "", ERROR_PATH),
    Equivalent(CONFIG + "modes.py", 'name = ""', "", ERROR_PATH),
    Equivalent(CONFIG + "modes.py", ".lower().encode()", ".upper()",
               "another hash of the same inputs: the default name stays stable and case-insensitive"),
    Equivalent(CONFIG + "modes.py", ").hexdigest()[:8]", "[:9]",
               "a longer hash: the default name stays valid (60 of 63 characters) and stable"),
    Equivalent(CONFIG + "modes.py", '.strip("-")[:50] or "securescore"', '[:51] or',
               "a base one character longer still fits: 51 + 1 + 8 is 60 of the 63 characters"),
    Equivalent(CONFIG + "modes.py", '.strip("-")[:50] or "securescore"', '"SECURESCORE"',
               "the default name is lower-cased at the end"),
    Equivalent(CONFIG + "modes.py", "_DOMAIN_LABEL = ", "'[a-z0-9](?:[A-Za-z0-9-]", LOWERED),
    Equivalent(CONFIG + "modes.py", "_DOMAIN_LABEL = ", "(?:[a-z0-9-]{0,61}", LOWERED),
    Equivalent(CONFIG + "modes.py", "_DOMAIN_LABEL = ", "[A-Za-z0-9-]{0,61}[a-z0-9])?'", LOWERED),
    Equivalent(CONFIG + "modes.py", 'ACS_SENDER_USERNAME = "DoNotReply"', "", OTHER_AREAS),
    Equivalent(CONFIG + "modes.py", 'ACS_MANAGED_DOMAIN_NAME = "AzureManagedDomain"', "", OTHER_AREAS),
    # --- config/ownership.py
    Equivalent(CONFIG + "ownership.py", "seen.add((group.identity, group.key))", "",
               "no key names the same group twice (subscriptions are distinct), so the seen set never filters"),
    Equivalent(CONFIG + "ownership.py", "if g.subscription_id and g.name}", "",
               "a referenced group has an empty part only when the workspace id was refused: " + ERROR_PATH),
    Equivalent(CONFIG + "ownership.py", "if group.subscription_id and group.name else None", "",
               "a created group has an empty part only when its key was refused: " + ERROR_PATH),
    Equivalent(CONFIG + "ownership.py", 'GroupUse(ws.subscription_id, ws.resource_group_name, "").identity',
               'None).identity', "identity is (subscription, name) lower-cased: the key never enters it",
               where="retained_groups"),
    Equivalent(CONFIG + "ownership.py", 'GroupUse(ws.subscription_id, ws.resource_group_name, "").identity',
               '"XXXX").identity', "identity is (subscription, name) lower-cased: the key never enters it",
               where="retained_groups"),
    # --- config/scope.py
    Equivalent(CONFIG + "scope.py", '.lower().encode()).hexdigest()[:8]', ".upper().encode()",
               "another hash of the same inputs: the assignment name stays stable, case-insensitive and 24 long"),
    Equivalent(CONFIG + "scope.py", 'management_group_id=group if not problem else "",', '"XXXX"', ERROR_PATH),
    Equivalent(CONFIG + "scope.py", 'management_group_id=group if not problem else "",', "or True", ERROR_PATH),
    # --- config/pulumi_yaml.py
    Equivalent(CONFIG + "pulumi_yaml.py", "key = self.construct_object(key_node, deep=True)", "", SCALAR_KEYS),
    Equivalent(CONFIG + "pulumi_yaml.py", "def construct_mapping(self, node: Node, deep: bool = False)", "",
               PLAIN_DATA),
    Equivalent(CONFIG + "pulumi_yaml.py", "return super().construct_mapping(node, deep=deep)", "", PLAIN_DATA),
    Equivalent(CONFIG + "pulumi_yaml.py", "continue", "break",
               "an unhashable key makes PyYAML's constructor fail on the same mapping right after",
               where="PulumiLoader.construct_mapping"),
    Equivalent(CONFIG + "pulumi_yaml.py", 'elif len(digits) > 1 and digits[0] == "0":', "len(digits) >= 1",
               'a lone "0" is 0 in base 8 as in base 10'),
    Equivalent(CONFIG + "pulumi_yaml.py", 'PLAIN_TAG = "tag:securescore-report,2026:plain"', "",
               "a private tag: any name no YAML file uses works"),
    Equivalent(CONFIG + "pulumi_yaml.py", 're.compile(r".*", re.DOTALL)', "",
               "the resolver uses match, and .* matches a prefix of any scalar"),
    # --- config/values.py
    Equivalent(CONFIG + "values.py", "return node.value if isinstance(node, ScalarNode) else json.dumps", "",
               LIST_NODES),
    Equivalent(CONFIG + "values.py", "items = node.value if isinstance(node, SequenceNode) else", "", LIST_NODES),
    Equivalent(CONFIG + "values.py", "zip(value, items, strict=False)", "", LIST_NODES),
    Equivalent(CONFIG + "values.py", "raw = _raw(node, value)", "_raw(node, None)",
               "the node of a scalar holds its text: the value is not needed for it"),
    # --- config/stack_file.py
    Equivalent(CONFIG + "stack_file.py", 'decode("utf-8-sig")', "UTF-8-SIG", CODEC_CASE),
    Equivalent(CONFIG + "stack_file.py", "doc.readable = False", "None", "None and False read the same"),
    Equivalent(CONFIG + "stack_file.py", "if not isinstance(data, dict) or not isinstance(root, MappingNode):",
               "", "a dict value comes from a mapping node and nothing else: the two tests always agree"),
    Equivalent(CONFIG + "stack_file.py",
               "if not isinstance(config, dict) or not isinstance(config_node, MappingNode):", "",
               "a dict value comes from a mapping node and nothing else: the two tests always agree"),
    Equivalent(CONFIG + "stack_file.py", "doc.problem(_line(root) if root else None,", "",
               "root is None only for an empty document, which returned earlier"),
    Equivalent(CONFIG + "stack_file.py", "config_node: Node | None = None", "",
               "when no config: section is found, config is None too and the function returns"),
    Equivalent(CONFIG + "stack_file.py", 'TOP_LEVEL_KEYS = ("config", "environment"', '("config", "secretsprovider"',
               "environment: is explained before the list of known sections is looked at"),
)
