"""Recipient addresses: RFC 5321/5322 mailboxes that the Office 365 connector's To field can carry.

The syntax check is the email-validator library's (RFC 5322 addr-spec with RFC 5321's length limits:
dot-atoms without leading, trailing or consecutive dots, apostrophes and the other atext characters,
and quoted local parts as the standard allows). On top of it, what the report's delivery needs:

- ASCII only: RFC 5321/5322 addresses are ASCII (internationalized ones are RFC 6531's SMTPUTF8, which
  not every receiving system supports); an internationalized domain can be written in its xn-- form;
- no ';' or ',' anywhere, not even inside a quoted local part: the Office 365 Outlook connector's "Send
  an email (V2)" takes ``To`` as one string of addresses separated by semicolons, so such an address
  would be split into two;
- a domain name, not an address literal ([192.0.2.1]), and no display name ("Sec Ops <...>").
"""

from __future__ import annotations

from securescore.config.text import control_characters

TO_FIELD_SEPARATORS = ";,"


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot be a recipient, or None."""
    controls = control_characters(address)
    if controls:
        return f"it contains control characters ({', '.join(controls)})"
    if not address.isascii():
        return "it is not ASCII (RFC 5321); write an internationalized domain in its xn-- form"
    separators = [c for c in TO_FIELD_SEPARATORS if c in address]
    if separators:
        return (
            f"it contains {' and '.join(repr(c) for c in separators)}, which separate addresses in the "
            "Office 365 To field: the address would be split in two"
        )
    import email_validator  # here: its regexes take a noticeable part of the scripts' start-up

    try:
        email_validator.validate_email(
            address,
            check_deliverability=False,  # no DNS look-up: the scripts must work offline
            allow_smtputf8=False,
            allow_quoted_local=True,
            allow_domain_literal=False,
            allow_display_name=False,
            globally_deliverable=True,
            test_environment=False,
            strict=True,  # RFC 5321's 64-character limit before the @-sign, among others
        )
    except email_validator.EmailNotValidError as error:
        return str(error).rstrip(".")
    return None
