"""Item 1: the deploy program under Pulumi mocks against the inline baseline, same mocks, interleaved runs."""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable
from typing import Any

from bench import baseline_program
from bench.common import SETTINGS_VARIANTS, BenchConfig, ItemResult, make_settings, median, timed
from bench.mocks import PROJECT, PROVIDER_TYPE, CountingMocks, Recorded, run_under_mocks
from securescore.logicapp.definition import build_definition
from securescore.settings import PROJECT_ROOT

TARGET_RATIO = 1.2
CHECK_SIZE = 3


def pulumi_config(count: int, variant: str = "default") -> dict[str, str]:
    """The stack's values as the CLI hands them to a program: strings, lists and maps as JSON."""
    return {
        f"{PROJECT}:{key}": json.dumps(value) if isinstance(value, list | dict) else str(value)
        for key, value in SETTINGS_VARIANTS[variant](count).items()
    }


def project_program() -> None:
    """The real program: ``__main__.py`` as the Pulumi language host runs it."""
    runpy.run_path(str(PROJECT_ROOT / "__main__.py"), run_name="__main__")


def baseline_for(count: int) -> Callable[[], None]:
    return baseline_program.make_program(json.dumps(build_definition(make_settings(count))))


def _signature(recorded: list[Recorded]) -> list[tuple[str, str, str, str]]:
    """(type, name, provider's subscription, inputs as JSON) of every custom resource, sorted."""
    subscription_of = {
        f"id-{PROVIDER_TYPE}-{r.name}": r.inputs["subscriptionId"] for r in recorded if r.type == PROVIDER_TYPE
    }
    return sorted(
        (r.type, r.name, subscription_of.get(r.provider.rsplit("::", 1)[-1], ""),
         json.dumps(r.inputs, sort_keys=True, default=str))
        for r in recorded
    )


def check_same_resources(count: int = CHECK_SIZE) -> int:
    """Both programs register the same custom resources (type, name, provider, inputs); returns how many."""
    config = pulumi_config(count)
    project = run_under_mocks(project_program, config, record=True)
    baseline = run_under_mocks(baseline_for(count), config, record=True)
    ours, theirs = _signature(project.recorded), _signature(baseline.recorded)
    if ours != theirs:
        only_project = sorted({s[:2] for s in ours} ^ {s[:2] for s in theirs}) or "same names, different inputs"
        raise AssertionError(f"the baseline does not register the project's resources: {only_project}")
    return len(ours)


def _run(program: Callable[[], None], config: dict[str, str]) -> tuple[float, CountingMocks]:
    return timed(lambda: run_under_mocks(program, config))


def measure_size(count: int, repeats: int) -> dict[str, Any]:
    """Interleaved runs (the order alternates each repeat); the registrations of every run are counted."""
    config = pulumi_config(count)
    baseline = baseline_for(count)
    times: dict[str, list[float]] = {"project": [], "baseline": []}
    counts: dict[str, CountingMocks] = {}
    for i in range(repeats):
        order = [("project", project_program), ("baseline", baseline)]
        for name, program in order if i % 2 == 0 else order[::-1]:
            seconds, mocks = _run(program, config)
            times[name].append(seconds)
            counts[name] = mocks
    if counts["project"].custom != counts["baseline"].custom:
        raise AssertionError(f"{count} subscriptions: the two programs registered different resources")
    project_median, baseline_median = median(times["project"]), median(times["baseline"])
    return {
        "subscriptions": count,
        "repeats": repeats,
        "project_s": times["project"],
        "baseline_s": times["baseline"],
        "project_median_s": project_median,
        "baseline_median_s": baseline_median,
        "ratio": project_median / baseline_median,
        "pair_ratios": [p / b for p, b in zip(times["project"], times["baseline"], strict=True)],
        "custom_resources": counts["project"].custom_total,
        "baseline_custom_resources": counts["baseline"].custom_total,
        "project_components": counts["project"].component_total,
        "components_by_type": dict(counts["project"].components),
        "resources_by_type": dict(counts["project"].custom),
    }


def count_variant(variant: str, count: int) -> dict[str, Any]:
    """Resources the project's program registers for one settings variant at N subscriptions (one run)."""
    mocks = run_under_mocks(project_program, pulumi_config(count, variant))
    return {"variant": variant, "subscriptions": count, "custom_resources": mocks.custom_total,
            "components": mocks.component_total, "resources_by_type": dict(mocks.custom)}


def variant_counts(variants: list[str], sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per variant and size; the default variant's come from the timed runs (the same stack values)."""
    timed_runs = {m["subscriptions"]: m for m in sizes}
    out = []
    for variant in variants:
        for count in timed_runs:
            if variant == "default":
                m = timed_runs[count]
                out.append({"variant": variant, "subscriptions": count, "custom_resources": m["custom_resources"],
                            "components": m["project_components"], "resources_by_type": m["resources_by_type"]})
            else:
                out.append(count_variant(variant, count))
    return out


def _variant_rows(counts: list[dict[str, Any]], sizes: list[int]) -> list[list[str]]:
    by_key = {(c["variant"], c["subscriptions"]): c for c in counts}
    variants = list(dict.fromkeys(c["variant"] for c in counts))
    return [[variant, *(f"{by_key[variant, n]['custom_resources']} ({by_key[variant, n]['components']})"
                        for n in sizes)] for variant in variants]


def variant_differences(counts: list[dict[str, Any]]) -> list[str]:
    """Per variant, its custom resources minus the default's at each size: a constant difference means
    the mode adds or removes a fixed set of resources, none per subscription."""
    by_key = {(c["variant"], c["subscriptions"]): c["custom_resources"] for c in counts}
    sizes = sorted({c["subscriptions"] for c in counts})
    notes = []
    for variant in dict.fromkeys(c["variant"] for c in counts):
        if variant == "default" or ("default", sizes[0]) not in by_key:
            continue
        diffs = [by_key[variant, n] - by_key["default", n] for n in sizes]
        text = f"{diffs[0]:+d} at every size" if len(set(diffs)) == 1 else \
            "changes with the size: " + ", ".join(f"{d:+d} at {n}" for d, n in zip(diffs, sizes, strict=True))
        notes.append(f"{variant} registers {text} against the default variant.")
    return notes


def _row(m: dict[str, Any]) -> list[str]:
    per_resource = m["project_median_s"] / m["custom_resources"] * 1000
    return [
        str(m["subscriptions"]),
        f"{m['custom_resources']} = {m['baseline_custom_resources']}",
        str(m["project_components"]),
        f"{m['project_median_s']:.3f}",
        f"{m['baseline_median_s']:.3f}",
        f"{m['ratio']:.2f}",
        f"{per_resource:.1f}",
        str(m["repeats"]),
        "PASS" if m["ratio"] <= TARGET_RATIO else "MISS",
    ]


def run(config: BenchConfig) -> ItemResult:
    checked = check_same_resources()  # also warms up both programs (imports, first-run caches)
    sizes = [measure_size(n, config.repeats(config.deploy_repeats.get(n, 5))) for n in config.deploy_sizes]
    variants = list(config.variants or SETTINGS_VARIANTS)
    counts = variant_counts(variants, sizes)
    return ItemResult(
        key="deploy",
        title="Deploy program under Pulumi mocks vs an inline baseline",
        target=f"project/baseline time ratio <= {TARGET_RATIO} at every size",
        header=["subscriptions", "custom resources (project = baseline)", "project components",
                "project s (median)", "baseline s (median)", "ratio", "project ms/resource", "runs each", "result"],
        rows=[_row(m) for m in sizes],
        passed=all(m["ratio"] <= TARGET_RATIO for m in sizes),
        notes=[
            f"Before timing, both programs ran once at {CHECK_SIZE} subscriptions recording every custom resource: "
            f"the same {checked} (type, logical name, provider subscription, inputs).",
            "Each run is a fresh mocks setup (event loop, config, set_mocks) with the same minimal Mocks class; "
            "the two programs' runs alternate (P,B then B,P ...). Ratio = median(project) / median(baseline).",
            "Components are the project's ComponentResources, registered only by the project "
            "(the baseline has none, by design).",
            "Settings variants are the entries of bench.common.SETTINGS_VARIANTS (stack values for N subscriptions; "
            "a deployment mode is added there as one more entry): the default's counts come from the timed runs "
            "above, every other variant runs once per size under the same mocks.",
            *variant_differences(counts),
        ],
        raw={"sizes": sizes, "checked_resources": checked, "variants": counts},
        extra_tables=[(
            "Resources registered per settings variant (custom resources, in brackets ComponentResources)",
            ["settings variant", *(f"{n} subscription{'' if n == 1 else 's'}" for n in config.deploy_sizes)],
            _variant_rows(counts, list(config.deploy_sizes)),
        )],
    )
