"""Stack configuration -> Settings, validated before any resource is registered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import pulumi

from securescore.settings import PROJECT, Settings, SettingsError, declarations, parse_settings, stack_source


class _ConfigReader(Protocol):
    def get(self, key: str) -> str | None: ...


class ConfigurationError(pulumi.RunError):
    """A configuration problem under `pulumi up`: the Python language host prints a RunError's message
    and nothing else (pulumi-language-python-exec: ``except pulumi.RunError as e: pulumi.log.error(str(e))``),
    where any other exception gets a full traceback. The text is the SettingsError's, so the program and
    the scripts say the same thing about the same configuration."""

    def __init__(self, error: SettingsError) -> None:
        super().__init__(str(error))
        self.problems = error.problems


def config_values(cfg: _ConfigReader, extra_keys: Iterable[str] = ()) -> dict[str, Any]:
    """The raw values ``parse_settings`` takes: every declared key the stack sets, plus ``extra_keys``.

    ``pulumi.Config.get`` returns text (arrays as JSON, booleans as "true"/"false"); ``parse_settings``
    decodes it like the values of a stack file. Keys left unset are omitted so that the Pulumi.yaml
    defaults apply (the CLI applies them too; the mocks do not). ``extra_keys`` are undeclared keys
    the stack sets: passing them on lets ``parse_settings`` reject a typo instead of silently using a
    default.
    """
    values: dict[str, Any] = {}
    for key in [*declarations(), *extra_keys]:
        raw = cfg.get(key)
        if raw is not None:
            values[key] = raw
    return values


def configured_keys() -> list[str]:
    """Every full key (any namespace) the stack sets.

    pulumi.Config cannot list keys, so this reads the runtime's config map (set by the language host
    or by ``set_all_config``) and the PULUMI_CONFIG environment fallback.
    """
    from pulumi.runtime import config as runtime_config

    return sorted(set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env()))


def undeclared_keys() -> list[str]:
    """Project-namespace keys the stack sets that Pulumi.yaml does not declare."""
    prefix = f"{PROJECT}:"
    keys = {k[len(prefix):] for k in configured_keys() if k.startswith(prefix)}
    return sorted(keys - set(declarations()))


def load_settings() -> Settings:
    """Settings of the current stack; raises ConfigurationError (a pulumi.RunError) on bad config."""
    stack = pulumi.get_stack()
    values = config_values(pulumi.Config(PROJECT), undeclared_keys())
    other_keys = [k for k in configured_keys() if not k.startswith(f"{PROJECT}:")]
    try:
        return parse_settings(values, source=stack_source(stack), other_keys=other_keys)
    except SettingsError as error:
        raise ConfigurationError(error) from None
