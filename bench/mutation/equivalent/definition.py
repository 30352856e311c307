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
    # email.py's token pattern with an empty name allowed: it would also match "[[]]" and "[[:x]]".
    Equivalent(LOGICAPP + "email.py", 'TOKEN = re.compile(r"', "([a-z_]*(?::[a-z_]+)?)",
               "the only text the token pattern reads is the shipped templates' (load_template, then wdl._fill on "
               "its document, rows and fragments), and none of templates/*.html.j2 or email.css holds \"[[]]\" "
               "or \"[[:\": every token they have is matched the same by both patterns", where="module"),
    # email.py's block pattern with an empty block name allowed: it would also cut "<!--rows:-->...<!--/rows:-->".
    Equivalent(LOGICAPP + "email.py", "_BLOCK = re.compile(", "<!--(rows|if):([a-z_]*)-->",
               "no shipped template (templates/*.html.j2, the only ones load_template reads) has a block without a "
               "name: every block they have is cut the same by both patterns (the 12 renderings and every mode's "
               "definition are identical)", where="module"),
    # email.py's block pattern without re.S: `.` no longer crosses a line break.
    Equivalent(LOGICAPP + "email.py", '<!--/\\1:\\2-->", re.S)', '<!--/\\1:\\2-->")',
               "every block of the shipped templates (templates/*.html.j2, the only ones load_template reads: "
               "TEMPLATE_DIR is fixed, no setting names a template) has its body on one line, and css-inline keeps "
               "it there: the 12 renderings (3 templates x assessments x coverage) cut the same 62 blocks either "
               "way. A block written over several lines would not be cut and load_template would refuse it "
               "('unbalanced or unknown block marker'): the build fails, no email changes silently",
               where="module"),
)
