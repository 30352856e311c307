"""The infra area's equivalent mutants (securescore/infra/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

ENTRIES: tuple[Equivalent, ...] = (
    # --- acs.py
    Equivalent("securescore/infra/acs.py",
               "parent, [managed] + ([custom] if custom else []))",
               "parent, None)",
               "the Communication Service's linked_domains input is an Output of managed.id (and custom.id), so Pulumi "
               "already records both domains as its dependencies; depends_on names the same resources (under mocks the "
               "registration's dependencies are the same set with and without it)",
               where="email_sender"),
    # --- policy.py
    Equivalent("securescore/infra/policy.py", '"(securescore-report)."),', '"XX(securescore-report).XX"),',
               "message wording: the policy assignment's description is prose a person reads in the portal; "
               "tests/test_mut_infra_program.py checks that it names the project", where="policy_export"),
)
