"""The subscriptions a helper covers: the stack's list, or in management-group mode the group's.

In management-group mode (``managementGroupId``) the stack lists no subscription to monitor: they are
those under the group, which the Logic App asks Azure Resource Graph for at every run. ``check``,
``reconcile`` and ``export-scores`` ask the same, as the signed-in user, with the very query the Logic
App sends (``datasources.membership.fetch_membership``, every page), once per run, and then:

- keep only rows whose ``subscriptionId`` is a GUID, lower-cased, as the workflow's
  ``Filter_subscriptions`` does (``members``: the list the deployed KQL is filtered on); the others are
  counted (``ignored``);
- ask the Secure Score API only about the enabled ones (``state`` Enabled); the other states of
  Microsoft.Resources ``SubscriptionState`` (Warned, PastDue, Disabled, Deleted) are listed as not asked,
  as the email's coverage section lists them as unable to report;
- name each by the stack's friendly name (a ``subscriptions`` entry ``<GUID>=<name>``), else the display
  name Azure gives, else the id.

Resource Graph shows only the subscriptions the signed-in user can read, so the count is said with the
group it was discovered under. The per-subscription mode is the stack's list, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from securescore.arm import ArmClient
from securescore.cli.checklist import CheckContext
from securescore.config.fields import is_guid
from securescore.settings import Settings, Subscription

SHOWN = 10  # subscriptions named in one line


@dataclass(frozen=True)
class Covered:
    """What a helper reports on. ``subscriptions``: those to ask the Secure Score API about."""

    subscriptions: tuple[Subscription, ...]
    management_group_id: str | None = None  # None: the stack's own list
    members: tuple[Subscription, ...] = ()  # every GUID under the group, whatever its state
    not_enabled: tuple[tuple[Subscription, str], ...] = ()  # (subscription, its state)
    ignored: int = 0  # Resource Graph rows whose subscriptionId is not a GUID

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.subscriptions]

    def label(self, subscription_id: str) -> str:
        """"Name (id)" when a name is known, else the id."""
        names = {s.id: s.name for s in (*self.subscriptions, *self.members)}
        # A display name is Azure's text: shown, never a control character that would steer the terminal.
        name = "".join(c if c.isprintable() else "?" for c in names.get(subscription_id, subscription_id))
        return f"{name} ({subscription_id})" if name != subscription_id else subscription_id

    def summary(self) -> str:
        """The discovery in one line (management-group mode only; "" otherwise)."""
        if self.management_group_id is None:
            return ""
        found = len(self.members) + self.ignored
        text = (f"{found} subscription{'' if found == 1 else 's'} discovered under management group "
                f"{self.management_group_id} (Resource Graph, as the signed-in user: only those it can read); "
                f"{len(self.subscriptions)} enabled")
        if self.not_enabled:
            shown = [f"{self.label(s.id)}: {state}" for s, state in self.not_enabled[:SHOWN]]
            more = f" and {len(self.not_enabled) - SHOWN} more" if len(self.not_enabled) > SHOWN else ""
            text += f"; not asked (not enabled): {', '.join(shown)}{more}"
        if self.ignored:
            text += f"; {self.ignored} row{'' if self.ignored == 1 else 's'} without a GUID subscription id ignored"
        return text


def none_found_fix(settings: Settings, principal: str) -> str:
    """What to do when no enabled subscription was discovered under the group."""
    scope = settings.scope
    assert scope is not None
    return ("check managementGroupId (the group's id, not its display name); Resource Graph lists only the "
            f"subscriptions {principal} can read: Reader on {scope.resource_id} shows them all")


def of_stack(settings: Settings) -> Covered:
    """The per-subscription mode: the stack's ``subscriptions``, as they are."""
    return Covered(tuple(settings.subscriptions))


def from_rows(settings: Settings, rows: Sequence[Mapping[str, Any]]) -> Covered:
    """Resource Graph's rows (``{id, subscriptionId, name, state}``) as the helpers use them."""
    scope = settings.scope
    assert scope is not None
    friendly = dict(scope.names)
    members: dict[str, Subscription] = {}
    states: dict[str, str] = {}
    ignored = 0
    for row in rows:
        sub = str(row.get("subscriptionId") or "").lower()
        if not is_guid(sub):
            ignored += 1
            continue
        if sub in members:
            continue
        display = row.get("name")
        members[sub] = Subscription(sub, friendly.get(sub) or (display if isinstance(display, str) and display
                                                                else sub))
        states[sub] = str(row.get("state") or "unknown state")
    enabled = tuple(s for s in members.values() if states[s.id].lower() == "enabled")
    not_enabled = tuple((s, states[s.id]) for s in members.values() if states[s.id].lower() != "enabled")
    return Covered(enabled, scope.management_group_id, tuple(members.values()), not_enabled, ignored)


def discover(arm: ArmClient, settings: Settings, assignee: str = "<you>") -> Covered:
    """The stack's list, or the group's subscriptions from Resource Graph as the signed-in user.
    Raises ``membership.MembershipError`` (a SourceError with ``detail`` and ``fix``) when Resource
    Graph cannot list them."""
    if settings.scope is None:
        return of_stack(settings)
    from securescore.datasources.membership import fetch_membership

    return from_rows(settings, fetch_membership(arm, settings.scope.management_group_id, assignee))


CONTEXT_KEY = "covered"


def for_check(ctx: CheckContext) -> Covered:
    """``discover`` once per `check` run: the Secure Score API check and the coverage check share it
    (and its failure, re-raised)."""
    from securescore.datasources.membership import MembershipError

    found = ctx.options.get(CONTEXT_KEY)
    if found is None:
        try:
            found = discover(ctx.arm, ctx.settings, ctx.assignee)
        except MembershipError as error:
            found = error
        ctx.options[CONTEXT_KEY] = found
    if isinstance(found, MembershipError):
        raise found
    return found
