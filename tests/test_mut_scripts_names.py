"""What the helpers name for the user: each check's line when it is skipped, a role held, the top-level
help's epilog, the README's generated command reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError

from securescore.cli import check, main, reference
from securescore.cli.readiness import Grants
from tests.fakes.resources import OWNER, role_assignment_body, role_definition_body, role_definition_id
from tests.fakes.transport import DEV_SUB, USER_OID, FakeArmTransport, FakeCredential

BEFORE = ["Resource groups the stack creates", "Resource providers", "Deployer rights", "Existing workspace"]
AT_GROUP = ["Deployer rights at the management group", "Subscriptions under the management group"]
ROLES, LAST_RUN = "Logic App identity's roles", "Logic App last run: "


@pytest.mark.parametrize(("stack", "before_deploy", "names"), [
    ("dev", True, BEFORE),
    ("zerotouch", True, BEFORE),
    ("mgmt", True, BEFORE + AT_GROUP),
    ("dev", False, ["Secure Score API", "Log Analytics workspace: law-dev", "API connections", ROLES,
                    LAST_RUN + "securescore-dev"]),
    ("zerotouch", False, ["Secure Score API", "Log Analytics workspace: law-security-example", ROLES,
                          "Mode resources", LAST_RUN + "securescore-zerotouch"]),
    ("mgmt", False, ["Secure Score API", "Log Analytics workspace: law-securescore-mgmt", ROLES, "Mode resources",
                     LAST_RUN + "securescore-mgmt", "Policy assignment and compliance", "Remediation task",
                     "Identities' roles at the management group", "Coverage now"]),
])
def test_without_a_token_each_check_is_named_on_its_skipped_line(
    stack: str, before_deploy: bool, names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The sign-in failed: every other item still shows, by the name the user knows it by, as skipped."""
    credential = FakeCredential(error=ClientAuthenticationError(message="AADSTS7000215: Invalid client secret."))
    argv = ["--stack", stack, "--json", *(["--before-deploy"] if before_deploy else [])]
    assert check.main(argv, credential=credential, transport=FakeArmTransport(), env={}) == 1
    items = json.loads(capsys.readouterr().out)
    signing_in = "Deployer sign-in" if before_deploy else "Azure sign-in (token for Azure Resource Manager)"
    assert (items[0]["check"], items[0]["ok"], items[0]["detail"]) == (signing_in, False,
                                                                     "AADSTS7000215: Invalid client secret.")
    assert [i["check"] for i in items[1:]] == names
    assert {i["detail"] for i in items[1:]} == {"skipped: no token"}


# --- a role held is named by its roleName, else by its definition's GUID --------------------------

SCOPE = f"/subscriptions/{DEV_SUB}"
CUSTOM = "7b266cd7-0bba-4ae2-8423-90ede5e1e898"


def test_a_role_without_a_role_name_is_named_by_its_definition_id() -> None:
    """RoleDefinitionProperties requires none of its properties (Microsoft.Authorization 2022-04-01
    authorization-RoleDefinitionsCalls.json): a definition may come without roleName."""
    owner, custom = (role_assignment_body(SCOPE, role, USER_OID, DEV_SUB, name=f"a{i}")
                     for i, role in enumerate((OWNER, CUSTOM)))
    nameless = {"id": role_definition_id(CUSTOM, DEV_SUB), "type": "Microsoft.Authorization/roleDefinitions",
                "name": CUSTOM, "properties": {"type": "CustomRole", "permissions": [], "assignableScopes": [SCOPE]}}
    definitions = {role_definition_id(OWNER, DEV_SUB).lower(): role_definition_body(OWNER, DEV_SUB),
                   role_definition_id(CUSTOM, DEV_SUB).lower(): nameless}
    grants = Grants(SCOPE, [owner, custom], definitions)
    assert grants.role_name(owner) == "Owner"
    assert grants.role_name(custom) == CUSTOM
    unread = {"properties": {"roleDefinitionId": "", "principalId": USER_OID, "scope": SCOPE}}
    assert grants.role_name(unread) == ""


# --- help and the README's reference ------------------------------------------------------------

def test_the_top_level_help_keeps_its_epilog_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """The exit codes are a line of their own, as written, not run into the line before."""
    with pytest.raises(SystemExit):
        main.build_parser().parse_args(["--help"])
    lines = capsys.readouterr().out.splitlines()
    assert "Run `securescore COMMAND --help` for a command's options." in lines
    assert "Exit codes: 0 ok, 1 a check or an Azure call failed, 2 bad arguments or configuration." in lines


def test_write_replaces_only_the_block_between_the_markers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m securescore.cli.reference --write README.md`: what the printing form shows, put between the
    markers; the rest of the file as it was."""
    assert reference.main([]) == 0
    printed = capsys.readouterr().out
    readme = tmp_path / "README.md"
    start = "<!-- command-reference:start (generated: python -m securescore.cli.reference --write README.md) -->"
    before, after = "# Title\n\nIntro ünïcode.\n\n", "\n\n## After\n\nmore text\n"
    readme.write_text(f"{before}{start}\nstale reference\n<!-- command-reference:end -->{after}", encoding="utf-8")
    assert reference.main(["--write", str(readme)]) == 0
    assert capsys.readouterr().out == f"{readme}\n"
    text = readme.read_text(encoding="utf-8")
    assert text == before + printed.rstrip("\n") + after
    assert "stale reference" not in text and "$ securescore --help" in text and "$ securescore preview --help" in text


@pytest.mark.parametrize("source", ["sample", "csv", "workspace", "api"])
def test_every_data_source_the_readme_names_is_accepted(source: str) -> None:
    """README, `securescore preview --help`: --source {sample,csv,workspace,api}."""
    from securescore.cli import preview

    assert preview.build_parser().parse_args(["--source", source]).source == source


def test_the_providers_registered_by_default_are_never_checked(capsys: pytest.CaptureFixture[str]) -> None:
    """Microsoft.Resources and Microsoft.Authorization are registered in every subscription (Learn, "Azure
    resource providers and types"): the dev stack's provider lines are the three it must register."""
    from tests.test_scripts_readiness import dev_transport

    assert check.main(["--stack", "dev", "--before-deploy", "--json"], credential=FakeCredential(),
                      transport=dev_transport(), env={}) == 0
    providers = [i["check"] for i in json.loads(capsys.readouterr().out) if i["check"].startswith("Resource provider")]
    assert providers == [f"Resource provider {p} in {DEV_SUB}" for p in
                         ("Microsoft.Web", "Microsoft.Logic", "Microsoft.Security")]
