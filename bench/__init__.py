"""Benchmarks of the securescore-report project: ``python -m bench`` (or ``./tasks.sh bench``).

Items (each printed as a markdown table with its target and PASS/MISS):

1. ``deploy``: the Pulumi program under mocks against a hand-written baseline program (ratio).
2. ``workflow``: Logic App actions executed per run and the longest runAfter chain.
3. ``email_size``: bytes of the Send_report HTML body.
4. ``preview_time``: ``python -m scripts.preview`` in a fresh process against the bare interpreter start.
5. ``queries``: each report query on the local engine over 500 subscriptions x 90 days.
6. ``csv_preview``: the preview over portal CSV exports (bench.export_data) against DuckDB reading them.
"""
