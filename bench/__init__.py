"""Benchmarks of the securescore-report project: ``python -m bench`` (or ``./tasks.sh bench``).

Items (each printed as a markdown table with its target and PASS/MISS):

1. ``deploy``: the Pulumi program under mocks against a hand-written baseline program (ratio).
2. ``workflow``: Logic App actions executed per run and the longest runAfter chain.
3. ``email_size``: bytes of the Send_report HTML body.
4. ``preview_time``: ``python -m scripts.preview`` wall time in a fresh process, with its phases.
5. ``queries``: each report query on the local engine over 500 subscriptions x 90 days.
"""
