"""Mutation testing: how many deliberately broken variants of the code the tests catch (``python -m bench.mutation``).

Three engines, one report per area (bench.mutation.areas):
- mutmut 3.8.1 mutates function bodies (bench.mutation.mutmut_engine, patched in mutmut_patched);
- bench.mutation.constants mutates module-level values (regular expressions, limits, choices), which
  mutmut never touches;
- bench.mutation.kql_mutants mutates the KQL templates.
Not part of the test suite: a run takes minutes per area.
"""
