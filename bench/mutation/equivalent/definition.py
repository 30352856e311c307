"""The definition area's equivalent mutants (securescore/logicapp/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

LOGICAPP = "securescore/logicapp/"

RUN_AFTER_CASE = ("runAfter statuses are read case-insensitively by Logic Apps: Microsoft's published workflow "
                  "templates write SUCCEEDED (263 times in the corpus docs/design.md, \"The runner\", cites) beside "
                  "Succeeded")
HEADER_CASE = "HTTP field names are case-insensitive (RFC 9110, section 5.1): the service reads the same header"

ENTRIES: tuple[Equivalent, ...] = (
    *(Equivalent(LOGICAPP + file, '["Succeeded"]', spelled, RUN_AFTER_CASE)
      for file in ("definition.py", "discovery.py", "logs_http.py", "mail_acs.py")
      for spelled in ('["SUCCEEDED"]', '["succeeded"]')),
    *(Equivalent(LOGICAPP + file, f'"{header}":', f'"{spelled}":', HEADER_CASE)
      for file in ("logs_http.py", "mail_acs.py")
      for header in ("Content-Type", "Operation-Id", "Prefer")
      for spelled in (header.upper(), header.lower())),
)
