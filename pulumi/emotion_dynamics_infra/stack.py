"""Stack settings: every ``emotion-dynamics:*`` key, validated into a frozen dataclass.

The keys, types, defaults and bounds are the contract's (:mod:`emotion_dynamics.contract`);
this module maps them to the function's environment and adds the deployment's own rules
(timeout against Polly's worst case, concurrency, runtime and architecture, the Region
against the engine (:mod:`.regions`), a production stack's alarm recipient
(:mod:`.production`)). The Lambda's
:func:`~emotion_dynamics.config.load_config` runs over the resulting environment as the
final check, so a stack can never deploy a value the function would refuse at init. Pure:
no Pulumi engine is needed except in :func:`settings_from_pulumi_config`.

The first bad value raises :class:`StackConfigError` naming the key, e.g.
``emotion-dynamics:volumeLoudThreshold: must be greater than
emotion-dynamics:volumeMediumThreshold (-20), given -25``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from emotion_dynamics import contract as c
from emotion_dynamics.config import load_config
from emotion_dynamics.contract import STACK_NAMESPACE, Setting, SettingValueError
from emotion_dynamics.errors import ConfigError
from emotion_dynamics_infra.production import is_production, placeholder_domain
from emotion_dynamics_infra.regions import region_problem

__all__ = [
    "DEPRECATED_RUNTIMES",
    "PROJECT",
    "AlarmSettings",
    "StackConfigError",
    "StackSettings",
    "load_stack_file",
    "settings_from_mapping",
    "settings_from_pulumi_config",
    "stack_name_of",
    "validate_stack_file",
]

PROJECT: Final = STACK_NAMESPACE
#: python3.11 runs on Amazon Linux 2 (glibc 2.26), at or past end of support.
DEPRECATED_RUNTIMES: Final = frozenset({"python3.11"})
_STACK_PATTERN: Final = r"[A-Za-z0-9_-]{1,30}"  # IAM role names allow 64 characters


class StackConfigError(ValueError):
    """A stack config value is missing or invalid; the message starts with the full key."""

    def __init__(self, key: str, message: str) -> None:
        full = key if ":" in key else f"{PROJECT}:{key}"
        super().__init__(f"{full}: {message}")
        self.key = full


@dataclass(frozen=True, slots=True)
class AlarmSettings:
    """Thresholds and wiring of the stack's CloudWatch alarms."""

    period_s: int
    evaluation_periods: int
    latency_p95_ms: float
    error_count: int
    fallback_count: int
    lambda_errors: int
    throttles: int
    email: str | None
    topic_arn: str | None


@dataclass(frozen=True, slots=True)
class StackSettings:
    """Everything the program needs, validated; past this point values are trusted."""

    project: str
    stack: str
    region: str
    runtime: str
    architecture: str
    memory_mb: int
    timeout_s: int
    ephemeral_storage_mb: int
    log_retention_days: int
    reserved_concurrency: int
    provisioned_concurrency: int
    #: The published version the ``live`` alias points at; ``None``: the one this deploy publishes.
    live_version: int | None
    enable_xray_tracing: bool
    log_level: str
    #: The function's environment variables from the stack keys (Powertools' not included).
    lambda_env: Mapping[str, str]
    #: The calibrated thresholds as numbers, keyed by stack key (without the namespace).
    thresholds: Mapping[str, float]
    alarms: AlarmSettings
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def function_name(self) -> str:
        """The function's physical name (and its log group's suffix)."""
        return f"{self.project}-{self.stack}"

    @property
    def service_name(self) -> str:
        """POWERTOOLS_SERVICE_NAME: the ``service`` dimension of every custom metric."""
        return f"{self.project}-{self.stack}"

    @property
    def log_group_name(self) -> str:
        """The function's explicitly managed log group."""
        return f"/aws/lambda/{self.function_name}"

    @property
    def python_version(self) -> str:
        """``3.12`` for ``python3.12``."""
        return self.runtime.removeprefix("python")


class _Values:
    """Parsed stack values by setting; a key the stack lacks takes the contract default."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self._raw = raw

    def __call__(self, setting: Setting) -> Any:
        try:
            return setting.parse(self._raw.get(setting.key, ""))
        except SettingValueError as exc:
            raise StackConfigError(setting.full_key, str(exc)) from None

    def env_text(self, setting: Setting) -> str:
        """The function's variable for ``setting``, as the stack wrote it (validated)."""
        try:
            return setting.normalize(self._raw.get(setting.key, ""))
        except SettingValueError as exc:
            raise StackConfigError(setting.full_key, str(exc)) from None


def _render(value: Any) -> str:
    """A YAML value rendered as the Pulumi engine hands it to a program (always a string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "" if value is None else str(value)


def _lambda_env(values: _Values) -> dict[str, str]:
    """The function's environment: every variable of the contract the program sets.

    The Lambda's own loader then checks the rules between variables; its error is reported
    under the stack key of the variable it names.
    """
    env = {
        s.env: values.env_text(s)
        for s in c.LAMBDA_SETTINGS
        if s.env is not None and not s.set_by_lambda
    }
    try:
        load_config(env)
    except ConfigError as exc:
        setting = c.by_env(exc.variable)
        message = str(exc).removeprefix(f"{exc.variable}: ")
        # name the keys, not the variables, in the message
        message = re.sub(r"\b[A-Z][A-Z_]+[A-Z]\b", lambda m: _key_of(m.group(0)), message)
        raise StackConfigError(setting.full_key, message) from None
    return env


def _key_of(word: str) -> str:
    try:
        return c.by_env(word).full_key
    except KeyError:
        return word


def _check_timeout(timeout_s: int, values: _Values) -> None:
    """The function must outlive its own worst case.

    That is every Polly attempt timing out plus the longest back-off between attempts (the
    Lambda also stops retrying near its deadline; this keeps the configuration honest).
    """
    retries = values(c.MAX_RETRIES)
    attempt_s = values(c.POLLY_CONNECT_TIMEOUT_SECONDS) + values(c.POLLY_READ_TIMEOUT_SECONDS)
    worst_s = attempt_s * (retries + 1) + retries * values(c.RETRY_MAX_DELAY)
    if not timeout_s > worst_s:
        raise StackConfigError(
            c.TIMEOUT.key,
            f"must exceed ({c.POLLY_CONNECT_TIMEOUT_SECONDS.key} + "
            f"{c.POLLY_READ_TIMEOUT_SECONDS.key}) x ({c.MAX_RETRIES.key} + 1) + "
            f"{c.MAX_RETRIES.key} x {c.RETRY_MAX_DELAY.key} = {worst_s:g} s, given {timeout_s}",
        )


def _alarm_settings(values: _Values) -> AlarmSettings:
    period = values(c.ALARM_PERIOD)
    if period % 60:
        raise StackConfigError(c.ALARM_PERIOD.key, f"expected a multiple of 60, given {period}")
    return AlarmSettings(
        period_s=period,
        evaluation_periods=values(c.ALARM_EVALUATION_PERIODS),
        latency_p95_ms=values(c.LATENCY_P95_ALARM),
        error_count=values(c.ERROR_COUNT_ALARM),
        fallback_count=values(c.FALLBACK_COUNT_ALARM),
        lambda_errors=values(c.LAMBDA_ERRORS_ALARM),
        throttles=values(c.THROTTLES_ALARM),
        email=values(c.ALARM_EMAIL) or None,
        topic_arn=values(c.ALARM_TOPIC_ARN) or None,
    )


def _runtime_and_architecture(values: _Values) -> tuple[str, str]:
    runtime, architecture = values(c.RUNTIME), values(c.ARCHITECTURE)
    if runtime in DEPRECATED_RUNTIMES and architecture == "arm64":
        raise StackConfigError(
            c.ARCHITECTURE.key,
            "arm64 with python3.11 (Amazon Linux 2, glibc 2.26) has no soundfile wheel that "
            "bundles libsndfile; use python3.12 or newer",
        )
    return runtime, architecture


def _concurrency(values: _Values) -> tuple[int, int]:
    reserved, provisioned = values(c.RESERVED_CONCURRENCY), values(c.PROVISIONED_CONCURRENCY)
    if provisioned and reserved != -1 and provisioned > reserved:
        raise StackConfigError(
            c.PROVISIONED_CONCURRENCY.key,
            f"must not exceed {c.RESERVED_CONCURRENCY.full_key} ({reserved}), given {provisioned}",
        )
    return reserved, provisioned


def _check_region(region: str, values: _Values) -> None:
    problem = region_problem(region, values(c.POLLY_ENGINE))
    if problem is not None:
        raise StackConfigError(
            c.AWS_REGION.key, f"{problem} (or choose another {c.POLLY_ENGINE.full_key})"
        )


def _check_production_alarms(stack: str, alarms: AlarmSettings) -> None:
    """A production stack's alarms must reach a person: a real address, or a topic."""
    if not is_production(stack):
        return
    if alarms.email is not None:
        domain = placeholder_domain(alarms.email)
        if domain is not None:
            raise StackConfigError(
                c.ALARM_EMAIL.key,
                f"{alarms.email!r} is a placeholder address ({domain} is reserved, nobody reads "
                f"it); a production stack needs the team's on-call address: pulumi config set "
                f"{c.ALARM_EMAIL.key} ADDRESS --stack {stack}",
            )
    elif alarms.topic_arn is None:
        raise StackConfigError(
            c.ALARM_EMAIL.key,
            f"a production stack's alarms must notify someone: pulumi config set "
            f"{c.ALARM_EMAIL.key} ADDRESS --stack {stack} (then confirm the e-mail AWS sends), "
            f"or set {c.ALARM_TOPIC_ARN.full_key} to an existing SNS topic",
        )


def _live_version(values: _Values) -> int | None:
    text = values(c.LIVE_VERSION)
    return int(text) if text else None


def _tags(values: _Values) -> dict[str, str]:
    return {key: value for key, _, value in (item.rpartition("=") for item in values(c.TAGS))}


def _validate(raw: Mapping[str, str], *, stack: str, region: str) -> StackSettings:
    values = _Values(raw)
    try:
        region = str(c.AWS_REGION.parse(region)) if region.strip() else ""
    except SettingValueError as exc:
        raise StackConfigError(c.AWS_REGION.key, str(exc)) from None
    if not region:
        raise StackConfigError(c.AWS_REGION.key, "is required (pulumi config set aws:region ...)")
    if re.fullmatch(_STACK_PATTERN, stack) is None:
        raise StackConfigError("stack", f"stack name must match {_STACK_PATTERN}, given {stack!r}")
    # Deployment keys first (cheap checks), then the Lambda's, then the cross-checks.
    runtime, architecture = _runtime_and_architecture(values)
    reserved, provisioned = _concurrency(values)
    live_version = _live_version(values)
    alarms = _alarm_settings(values)
    env = _lambda_env(values)
    _check_region(region, values)
    timeout_s = values(c.TIMEOUT)
    _check_timeout(timeout_s, values)
    _check_production_alarms(stack, alarms)
    return StackSettings(
        project=PROJECT,
        stack=stack,
        region=region,
        runtime=runtime,
        architecture=architecture,
        memory_mb=values(c.MEMORY_SIZE),
        timeout_s=timeout_s,
        ephemeral_storage_mb=values(c.EPHEMERAL_STORAGE_SIZE),
        log_retention_days=values(c.LOG_RETENTION),
        reserved_concurrency=reserved,
        provisioned_concurrency=provisioned,
        live_version=live_version,
        enable_xray_tracing=values(c.ENABLE_XRAY_TRACING),
        log_level=values(c.LOG_LEVEL),
        lambda_env=env,
        thresholds={s.key: values(s) for s in c.THRESHOLDS},
        alarms=alarms,
        tags=_tags(values),
    )


def settings_from_mapping(
    stack_values: Mapping[str, Any], *, stack: str, region: str | None = None
) -> StackSettings:
    """Validate stack config values without the Pulumi engine.

    Parameters
    ----------
    stack_values
        The ``config:`` block of a stack file: keys with or without the ``emotion-dynamics:``
        prefix; ``aws:region`` is read from it unless ``region`` is given. Values may be YAML
        scalars (they are rendered as the engine renders them) or strings. A key the block
        lacks takes the contract's default, as ``Pulumi.yaml``'s schema says.
    stack
        The stack name (``dev``, ``prod``, ...); it names the function and its resources.
    region
        The AWS region; overrides ``aws:region`` in ``stack_values``.

    Raises
    ------
    StackConfigError
        On the first unknown key or invalid value, naming the key.

    """
    raw: dict[str, str] = {}
    for full_key, value in stack_values.items():
        namespace, _, key = str(full_key).rpartition(":")
        if namespace in ("", PROJECT):
            try:
                setting = c.by_key(key)
            except KeyError:
                raise StackConfigError(
                    key, "unknown key (not declared in the contract or Pulumi.yaml)"
                ) from None
            raw[setting.key] = _render(value)
    if region is None:
        region = _render(stack_values.get(c.AWS_REGION.key, ""))
    return _validate(raw, stack=stack, region=region)


def stack_name_of(path: Path | str) -> str:
    """``prod`` for ``Pulumi.prod.yaml``."""
    name = Path(path).name
    return name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")


def load_stack_file(path: Path | str) -> dict[str, Any]:
    """The raw ``config:`` block of a ``Pulumi.<stack>.yaml`` file."""
    from ruamel.yaml import YAML

    doc = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8")) or {}
    config = doc.get("config") if isinstance(doc, Mapping) else None
    if not isinstance(config, Mapping):
        raise StackConfigError("config", f"{path}: expected a top-level 'config:' mapping")
    return dict(config)


def validate_stack_file(path: Path | str) -> StackSettings:
    """Validate ``Pulumi.<stack>.yaml`` exactly as ``pulumi up`` would, without the engine."""
    return settings_from_mapping(load_stack_file(path), stack=stack_name_of(path))


def settings_from_pulumi_config() -> StackSettings:
    """Read and validate the running stack's config (inside the Pulumi program)."""
    import pulumi

    config = pulumi.Config(PROJECT)
    raw = {
        s.key: value
        for s in c.SETTINGS
        if ":" not in s.key and (value := config.get(s.key)) is not None
    }
    region = pulumi.Config("aws").get("region") or ""
    return _validate(raw, stack=pulumi.get_stack(), region=region)
