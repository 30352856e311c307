"""Stack configuration -> Settings, validated before any resource is registered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from securescore.settings import PROJECT, Settings, declarations, parse_settings


class _ConfigReader(Protocol):
    def get(self, key: str) -> str | None: ...


def config_values(cfg: _ConfigReader, extra_keys: Iterable[str] = ()) -> dict[str, Any]:
    """The raw values ``parse_settings`` takes: every declared key the stack sets, plus ``extra_keys``.

    ``pulumi.Config.get`` returns strings (arrays as JSON text, booleans as "true"/"false");
    ``parse_settings`` coerces them. Keys left unset are omitted so that the Pulumi.yaml defaults
    apply (the CLI applies them too; the mocks do not). ``extra_keys`` are undeclared keys the stack
    sets: passing them on lets ``parse_settings`` reject a typo instead of silently using a default.
    """
    values: dict[str, Any] = {}
    for key in [*declarations(), *extra_keys]:
        raw = cfg.get(key)
        if raw is not None:
            values[key] = raw
    return values


def undeclared_keys() -> list[str]:
    """Project-namespace keys the stack sets that Pulumi.yaml does not declare.

    pulumi.Config cannot list keys, so this reads the runtime's config map (set by the language host
    or by ``set_all_config``) and the PULUMI_CONFIG environment fallback.
    """
    from pulumi.runtime import config as runtime_config

    full_keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    prefix = f"{PROJECT}:"
    keys = {k[len(prefix):] for k in full_keys if k.startswith(prefix)}
    return sorted(keys - set(declarations()))


def load_settings() -> Settings:
    """Settings of the current stack; raises SettingsError (naming every bad key) on bad config."""
    import pulumi  # here, so that config_values stays usable without the engine

    values = config_values(pulumi.Config(PROJECT), undeclared_keys())
    return parse_settings(values, source=f"stack {pulumi.get_stack()}")
