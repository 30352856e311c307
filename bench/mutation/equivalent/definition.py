"""The definition area's equivalent mutants (securescore/logicapp/)."""

from __future__ import annotations

from bench.mutation.equivalent.entry import Equivalent

LOGICAPP = "securescore/logicapp/"

HEADER_CASE = "HTTP field names are case-insensitive (RFC 9110, section 5.1): the service reads the same header"

ENTRIES: tuple[Equivalent, ...] = (
    *(Equivalent(LOGICAPP + file, f'"{header}":', f'"{spelled}":', HEADER_CASE)
      for file, headers in (("logs_http.py", ("Content-Type", "Prefer")),
                            ("mail_acs.py", ("Content-Type", "Operation-Id")))
      for header in headers
      for spelled in (header.upper(), header.lower())),
)
