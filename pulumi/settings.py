"""Stack settings: every ``emotion-dynamics:*`` config key, validated into a frozen dataclass.

This module is pure (no Pulumi engine, no resources), so the program, the tests and the
calibration notebook can all call it:

* :func:`settings_from_mapping` validates plain ``{key: value}`` stack values (the shape of a
  ``Pulumi.<stack>.yaml`` ``config:`` block, with or without the ``emotion-dynamics:`` prefix);
* :func:`validate_stack_file` does the same for a ``Pulumi.<stack>.yaml`` path;
* :func:`settings_from_pulumi_config` reads the live ``pulumi.Config`` inside the program.

The first bad value raises :class:`StackConfigError` naming the key, e.g.
``emotion-dynamics:volumeLoudThreshold: must be greater than
emotion-dynamics:volumeMediumThreshold (-20), given -25``, before any resource is declared.

Two kinds of keys exist:

* :data:`LAMBDA_KEYS` map one-to-one to the Lambda's environment variables (the contract with
  ``lambda/emotion_dynamics/config.py``; ``AWS_REGION`` is the one exception: Lambda sets it
  itself, from the stack's ``aws:region``);
* :data:`DEPLOY_KEYS` size and guard the deployment (memory, runtime, alarms, ...).
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = [
    "ARCHITECTURES",
    "DEPLOY_KEYS",
    "ENV_EXCEPTIONS",
    "LAMBDA_KEYS",
    "LOG_RETENTION_DAYS",
    "PROJECT",
    "RUNTIMES",
    "THRESHOLD_KEYS",
    "AlarmSettings",
    "KeySpec",
    "StackConfigError",
    "StackSettings",
    "load_stack_file",
    "project_defaults",
    "settings_from_mapping",
    "settings_from_pulumi_config",
    "validate_stack_file",
]

PROJECT: Final = "emotion-dynamics"
REPO_ROOT: Final = Path(__file__).resolve().parent.parent
LAMBDA_ROOT: Final = REPO_ROOT / "lambda"
PROJECT_FILE: Final = REPO_ROOT / "Pulumi.yaml"

#: Lambda's Python runtimes this program can build a layer for. python3.11 runs on Amazon
#: Linux 2 (glibc 2.26), is at or past end of support and only kept for old stacks.
RUNTIMES: Final = ("python3.11", "python3.12", "python3.13", "python3.14")
DEPRECATED_RUNTIMES: Final = frozenset({"python3.11"})
ARCHITECTURES: Final = ("x86_64", "arm64")
#: The values CloudWatch Logs accepts for ``retentionInDays`` (0 = never expire is refused).
LOG_RETENTION_DAYS: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
#: Lambda's limits (MB, s).
MEMORY_MB_RANGE: Final = (128, 10240)
TIMEOUT_S_RANGE: Final = (1, 900)
EPHEMERAL_MB_RANGE: Final = (512, 10240)
#: Lambda variables the program must not set (Lambda reserves them).
ENV_EXCEPTIONS: Final = frozenset({"AWS_REGION"})


class StackConfigError(ValueError):
    """A stack config value is missing or invalid; the message starts with the full key."""

    def __init__(self, key: str, message: str) -> None:
        full = key if ":" in key else f"{PROJECT}:{key}"
        super().__init__(f"{full}: {message}")
        self.key = full


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One project config key: its schema type, default and meaning."""

    key: str
    type: str  # "string" | "integer" | "boolean" | "array" (Pulumi.yaml schema types)
    default: Any
    description: str
    env: str | None = None  # the Lambda environment variable it feeds, if any


def _lk(key: str, env: str, type_: str, default: Any, description: str) -> KeySpec:
    return KeySpec(key, type_, default, description, env)


#: Keys that become the Lambda's environment variables (same defaults as the Lambda's SETTINGS).
LAMBDA_KEYS: Final[tuple[KeySpec, ...]] = (
    _lk("voiceId", "VOICE_ID", "string", "Joanna", "Polly voice used when the event names none."),
    _lk("pollyEngine", "POLLY_ENGINE", "string", "neural", "Polly engine: standard, neural, generative or long-form."),
    _lk("pollyOutputFormat", "POLLY_OUTPUT_FORMAT", "string", "mp3", "Polly output format: mp3, ogg_vorbis or pcm."),
    _lk("pollySampleRate", "POLLY_SAMPLE_RATE", "integer", 24000, "Polly output sample rate in Hz (mp3/ogg: 8000, 16000, 22050, 24000; pcm: 8000, 16000)."),
    _lk("pollyConnectTimeoutSeconds", "POLLY_CONNECT_TIMEOUT_SECONDS", "string", "1.0", "Connect timeout of one Polly call, seconds."),
    _lk("pollyReadTimeoutSeconds", "POLLY_READ_TIMEOUT_SECONDS", "string", "3.0", "Read timeout of one Polly call, seconds."),
    _lk("enableSsml", "ENABLE_SSML", "boolean", True, "Send SSML with prosody; false sends plain text."),
    _lk("enableVolumeDetection", "ENABLE_VOLUME_DETECTION", "boolean", True, "Map the speaker's level to prosody volume."),
    _lk("enableRateDetection", "ENABLE_RATE_DETECTION", "boolean", True, "Map the speaking rate to prosody rate."),
    _lk("enableMetrics", "ENABLE_METRICS", "boolean", True, "Emit CloudWatch EMF metrics (namespace EmotionDynamics)."),
    _lk("minStabilityThreshold", "MIN_STABILITY_THRESHOLD", "string", "0.85", "Minimum detector confidence (0..1); below it that dimension stays neutral."),
    _lk("maxRetries", "MAX_RETRIES", "integer", 3, "Retries of a throttled, 5xx or timed-out Polly call (0..10)."),
    _lk("retryBaseDelay", "RETRY_BASE_DELAY", "string", "0.1", "First retry back-off, seconds (exponential, full jitter)."),
    _lk("retryMaxDelay", "RETRY_MAX_DELAY", "string", "2.0", "Longest single retry back-off, seconds."),
    _lk("logLevel", "LOG_LEVEL", "string", "INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL (also POWERTOOLS_LOG_LEVEL)."),
    _lk("structuredLogging", "STRUCTURED_LOGGING", "boolean", True, "JSON log lines (Powertools); false gives plain text lines."),
    _lk("audioSampleRate", "AUDIO_SAMPLE_RATE", "integer", 16000, "Analysis sample rate in Hz (8000..48000)."),
    _lk("maxAudioDurationSeconds", "MAX_AUDIO_DURATION_SECONDS", "string", "3", "Longest accepted audio segment, seconds."),
    _lk("enableCaching", "ENABLE_CACHING", "boolean", True, "Serve an identical synthesis request from memory within the TTL."),
    _lk("cacheTtlSeconds", "CACHE_TTL_SECONDS", "string", "300", "Lifetime of a cached synthesis, seconds."),
    _lk("cacheMaxEntries", "CACHE_MAX_ENTRIES", "integer", 64, "Most cached syntheses kept per container."),
    _lk("enableXrayTracing", "ENABLE_XRAY_TRACING", "boolean", False, "Active X-Ray tracing on the function, and its IAM grant."),
    _lk("volumeLoudThreshold", "VOLUME_LOUD_THRESHOLD", "string", "-10", "dBFS at or above which the volume class is loud (calibrated by the notebook)."),
    _lk("volumeMediumThreshold", "VOLUME_MEDIUM_THRESHOLD", "string", "-20", "dBFS at or above which the class is medium (calibrated)."),
    _lk("volumeSoftThreshold", "VOLUME_SOFT_THRESHOLD", "string", "-30", "dBFS at or above which the class is soft; below it x-soft (calibrated)."),
    _lk("rateVerySlowThreshold", "RATE_VERY_SLOW_THRESHOLD", "string", "100", "WPM below which the rate class is x-slow (calibrated)."),
    _lk("rateSlowThreshold", "RATE_SLOW_THRESHOLD", "string", "130", "WPM below which the class is slow (calibrated)."),
    _lk("rateMediumThreshold", "RATE_MEDIUM_THRESHOLD", "string", "160", "WPM below which the class is medium (calibrated)."),
    _lk("rateFastThreshold", "RATE_FAST_THRESHOLD", "string", "190", "WPM below which the class is fast; at or above it x-fast (calibrated)."),
)  # fmt: skip

#: The seven calibrated thresholds, in the order the notebook writes them.
THRESHOLD_KEYS: Final = (
    "volumeLoudThreshold",
    "volumeMediumThreshold",
    "volumeSoftThreshold",
    "rateVerySlowThreshold",
    "rateSlowThreshold",
    "rateMediumThreshold",
    "rateFastThreshold",
)

#: Keys that shape the deployment itself.
DEPLOY_KEYS: Final[tuple[KeySpec, ...]] = (
    KeySpec("runtime", "string", "python3.12", f"Lambda Python runtime: {', '.join(RUNTIMES)} (python3.11 is Amazon Linux 2, past end of support)."),
    KeySpec("architecture", "string", "x86_64", "Lambda architecture: x86_64 or arm64; the layer is built for it."),
    KeySpec("memorySize", "integer", 512, "Function memory in MB (128..10240); CPU share grows with it."),
    KeySpec("timeout", "integer", 25, "Function timeout in s (1..900); must exceed (connect+read timeout) x (maxRetries+1) + maxRetries x retryMaxDelay (22 s with the Lambda defaults)."),
    KeySpec("ephemeralStorageSize", "integer", 512, "/tmp size in MB (512..10240)."),
    KeySpec("logRetentionDays", "integer", 30, "Retention of the function's log group, days (a CloudWatch Logs value)."),
    KeySpec("reservedConcurrency", "integer", 16, "Reserved concurrency (-1 = unreserved); Polly neural allows about 18 concurrent calls per account and region."),
    KeySpec("provisionedConcurrency", "integer", 0, "Provisioned concurrency on the 'live' alias; 0 = no alias, no provisioned concurrency."),
    KeySpec("alarmPeriodSeconds", "integer", 300, "Period of every alarm, seconds (a multiple of 60)."),
    KeySpec("alarmEvaluationPeriods", "integer", 2, "Periods an alarm condition must hold before it fires."),
    KeySpec("latencyP95AlarmMs", "string", "1000", "Alarm when p95 EndToEndLatency exceeds this, milliseconds."),
    KeySpec("errorCountAlarmThreshold", "integer", 10, "Alarm when the ErrorCount sum per period exceeds this."),
    KeySpec("fallbackCountAlarmThreshold", "integer", 10, "Alarm when the FallbackCount sum per period exceeds this."),
    KeySpec("lambdaErrorsAlarmThreshold", "integer", 0, "Alarm when Lambda's Errors sum per period exceeds this."),
    KeySpec("throttlesAlarmThreshold", "integer", 0, "Alarm when Lambda's Throttles sum per period exceeds this."),
    KeySpec("alarmEmail", "string", "", "Optional e-mail subscribed to a topic this stack creates for alarm actions."),
    KeySpec("alarmTopicArn", "string", "", "Optional existing SNS topic ARN for alarm actions (wins over alarmEmail)."),
    KeySpec("tags", "array", [], "Extra resource tags as 'key=value' strings, merged with project/stack tags."),
)  # fmt: skip

ALL_KEYS: Final[tuple[KeySpec, ...]] = LAMBDA_KEYS + DEPLOY_KEYS
_SPECS: Final = {s.key: s for s in ALL_KEYS}
_KEY_BY_ENV: Final = {s.env: s.key for s in LAMBDA_KEYS if s.env}

_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})
_REGION_RE: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_STACK_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,30}$")  # IAM role names: 64 chars
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOPIC_RE: Final = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$")
_TAG_RE: Final = re.compile(r"^([\w.:/=+@ -]{1,128})=([\w.:/=+@ -]{0,256})$")


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
    enable_xray_tracing: bool
    log_level: str
    #: The Lambda's environment variables from the stack keys (``POWERTOOLS_*`` not included).
    lambda_env: Mapping[str, str]
    #: The seven calibrated thresholds as numbers, keyed by stack key (without prefix).
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
        """``"3.12"`` for ``python3.12``."""
        return self.runtime.removeprefix("python")


# --- reading raw values -------------------------------------------------------------------


def _text(key: str, value: Any) -> str:
    """Render a raw config value the way the Pulumi engine hands it to a program."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    raise StackConfigError(key, f"expected a plain value, given {type(value).__name__}")


class _Values:
    """Raw string values by key (without prefix), falling back to the schema defaults."""

    def __init__(self, raw: Mapping[str, str], defaults: Mapping[str, Any]) -> None:
        self._raw = raw
        self._defaults = defaults

    def text(self, key: str) -> str:
        if key in self._raw and self._raw[key] != "":
            return self._raw[key]
        return _text(key, self._defaults.get(key, _SPECS[key].default if key in _SPECS else ""))

    def number(self, key: str, *, low: float, high: float) -> float:
        text = self.text(key)
        try:
            value = float(text)
        except ValueError:
            raise StackConfigError(key, f"expected a number, given {text!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise StackConfigError(key, f"expected a number in [{low:g}, {high:g}], given {text}")
        return value

    def integer(self, key: str, *, low: int, high: int) -> int:
        text = self.text(key)
        try:
            value = int(text)
        except ValueError:
            raise StackConfigError(key, f"expected an integer, given {text!r}") from None
        if not low <= value <= high:
            raise StackConfigError(key, f"expected an integer in [{low}, {high}], given {value}")
        return value

    def boolean(self, key: str) -> bool:
        text = self.text(key).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise StackConfigError(key, f"expected true or false, given {self.text(key)!r}")

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        text = self.text(key)
        if text not in choices:
            raise StackConfigError(key, f"expected one of {', '.join(choices)}, given {text!r}")
        return text


# Per Lambda key: how the program checks its type and range before the Lambda's own loader
# runs (the loader is the final word: :func:`_check_with_lambda_loader`).
_ENV_CHECKS: Final[dict[str, Callable[[_Values, str], str]]] = {
    "pollySampleRate": lambda v, k: str(v.integer(k, low=8000, high=48000)),
    "pollyConnectTimeoutSeconds": lambda v, k: _num(v, k, 0.05, 30),
    "pollyReadTimeoutSeconds": lambda v, k: _num(v, k, 0.05, 60),
    "minStabilityThreshold": lambda v, k: _num(v, k, 0, 1),
    "maxRetries": lambda v, k: str(v.integer(k, low=0, high=10)),
    "retryBaseDelay": lambda v, k: _num(v, k, 0.001, 10),
    "retryMaxDelay": lambda v, k: _num(v, k, 0.001, 30),
    "logLevel": lambda v, k: v.choice(k, ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    "audioSampleRate": lambda v, k: str(v.integer(k, low=8000, high=48000)),
    "maxAudioDurationSeconds": lambda v, k: _num(v, k, 0.1, 60),
    "cacheTtlSeconds": lambda v, k: _num(v, k, 0, 86400),
    "cacheMaxEntries": lambda v, k: str(v.integer(k, low=1, high=10000)),
    "pollyEngine": lambda v, k: v.choice(k, ("standard", "neural", "generative", "long-form")),
    "pollyOutputFormat": lambda v, k: v.choice(k, ("mp3", "ogg_vorbis", "pcm")),
}


def _num(values: _Values, key: str, low: float, high: float) -> str:
    values.number(key, low=low, high=high)
    return values.text(key)


def _check_order(
    values: _Values, keys: tuple[str, ...], *, low: float, high: float
) -> dict[str, float]:
    """Parse thresholds that must strictly increase; raise naming the first out of order."""
    parsed = {k: values.number(k, low=low, high=high) for k in keys}
    for prev, key in itertools.pairwise(keys):
        if not parsed[key] > parsed[prev]:
            raise StackConfigError(
                key,
                f"must be greater than {PROJECT}:{prev} ({parsed[prev]:g}), given {parsed[key]:g}",
            )
    return parsed


def _check_with_lambda_loader(env: Mapping[str, str]) -> None:
    """Run the Lambda's own ``load_config`` over the env it will get; map errors to keys."""
    if str(LAMBDA_ROOT) not in sys.path:
        sys.path.append(str(LAMBDA_ROOT))
    from emotion_dynamics.config import load_config
    from emotion_dynamics.errors import ConfigError

    try:
        load_config(env)
    except ConfigError as exc:
        key = _KEY_BY_ENV.get(exc.variable, exc.variable)
        raise StackConfigError(key, f"rejected by the Lambda's config loader: {exc}") from None


def _parse_tags(text: str) -> dict[str, str]:
    try:
        items = json.loads(text) if text else []
    except json.JSONDecodeError:
        raise StackConfigError("tags", f"expected a list of 'key=value', given {text!r}") from None
    if not isinstance(items, list):
        raise StackConfigError("tags", f"expected a list of 'key=value', given {text!r}")
    tags: dict[str, str] = {}
    for item in items:
        match = _TAG_RE.match(str(item))
        if not match or match.group(1).lower().startswith("aws:"):
            raise StackConfigError("tags", f"expected 'key=value' (no aws: prefix), given {item!r}")
        tags[match.group(1)] = match.group(2)
    return tags


def settings_from_mapping(
    stack_values: Mapping[str, Any],
    *,
    stack: str,
    project_defaults: Mapping[str, Any] | None = None,
    region: str | None = None,
) -> StackSettings:
    """Validate stack config values without the Pulumi engine.

    Parameters
    ----------
    stack_values
        The ``config:`` block of a stack file: keys with or without the ``emotion-dynamics:``
        prefix; ``aws:region`` is read from it unless ``region`` is given. Values may be YAML
        scalars (they are rendered as the engine renders them) or strings.
    stack
        The stack name (``dev``, ``prod``, ...); it names the function and its resources.
    project_defaults
        Defaults from ``Pulumi.yaml``'s schema (:func:`project_defaults`); when omitted, the
        defaults declared in this module are used.
    region
        The AWS region; overrides ``aws:region`` in ``stack_values``.

    Raises
    ------
    StackConfigError
        On the first unknown key or invalid value, naming the key.

    """
    raw: dict[str, str] = {}
    for full_key, value in stack_values.items():
        namespace, _, key = full_key.rpartition(":")
        if namespace in ("", PROJECT):
            if key not in _SPECS:
                raise StackConfigError(key, "unknown key (not declared in Pulumi.yaml's config)")
            raw[key] = _text(full_key, value)
    if region is None:
        region = _text("aws:region", stack_values.get("aws:region", ""))
    defaults = dict(project_defaults) if project_defaults is not None else {}
    return _validate(_Values(raw, defaults), stack=stack, region=region)


def _lambda_env(values: _Values) -> tuple[dict[str, str], dict[str, float]]:
    """The Lambda's environment from its keys, and the seven thresholds as numbers."""
    env: dict[str, str] = {}
    for spec in LAMBDA_KEYS:
        assert spec.env is not None  # every LAMBDA_KEYS entry has one
        if spec.type == "boolean":
            env[spec.env] = "true" if values.boolean(spec.key) else "false"
        elif spec.key in _ENV_CHECKS:
            env[spec.env] = _ENV_CHECKS[spec.key](values, spec.key)
        else:
            env[spec.env] = values.text(spec.key)
    volume = _check_order(
        values,
        ("volumeSoftThreshold", "volumeMediumThreshold", "volumeLoudThreshold"),
        low=-120.0,
        high=0.0,
    )
    rate = _check_order(
        values,
        ("rateVerySlowThreshold", "rateSlowThreshold", "rateMediumThreshold", "rateFastThreshold"),
        low=1.0,
        high=600.0,
    )
    base_delay = float(env["RETRY_BASE_DELAY"])
    max_delay = float(env["RETRY_MAX_DELAY"])
    if max_delay < base_delay:
        raise StackConfigError(
            "retryMaxDelay",
            f"must be at least {PROJECT}:retryBaseDelay ({base_delay:g}), given {max_delay:g}",
        )
    _check_with_lambda_loader(env)
    return env, {**volume, **rate}


def _check_timeout(timeout_s: int, env: Mapping[str, str]) -> None:
    """The function must outlive its own worst case.

    That is every Polly attempt timing out plus the longest back-off between attempts (the
    Lambda also stops retrying near its deadline; this keeps the configuration honest).
    """
    retries = int(env["MAX_RETRIES"])
    attempt_s = float(env["POLLY_CONNECT_TIMEOUT_SECONDS"]) + float(
        env["POLLY_READ_TIMEOUT_SECONDS"]
    )
    worst_s = attempt_s * (retries + 1) + retries * float(env["RETRY_MAX_DELAY"])
    if not timeout_s > worst_s:
        raise StackConfigError(
            "timeout",
            f"must exceed (pollyConnectTimeoutSeconds + pollyReadTimeoutSeconds) x (maxRetries + 1)"
            f" + maxRetries x retryMaxDelay = {worst_s:g} s, given {timeout_s}",
        )


def _alarm_settings(values: _Values) -> AlarmSettings:
    period = values.integer("alarmPeriodSeconds", low=60, high=86400)
    if period % 60:
        raise StackConfigError("alarmPeriodSeconds", f"expected a multiple of 60, given {period}")
    email = values.text("alarmEmail") or None
    if email is not None and not _EMAIL_RE.match(email):
        raise StackConfigError("alarmEmail", f"expected an e-mail address, given {email!r}")
    topic_arn = values.text("alarmTopicArn") or None
    if topic_arn is not None and not _TOPIC_RE.match(topic_arn):
        raise StackConfigError("alarmTopicArn", f"expected an SNS topic ARN, given {topic_arn!r}")
    return AlarmSettings(
        period_s=period,
        evaluation_periods=values.integer("alarmEvaluationPeriods", low=1, high=100),
        latency_p95_ms=values.number("latencyP95AlarmMs", low=1, high=900_000),
        error_count=values.integer("errorCountAlarmThreshold", low=0, high=1_000_000),
        fallback_count=values.integer("fallbackCountAlarmThreshold", low=0, high=1_000_000),
        lambda_errors=values.integer("lambdaErrorsAlarmThreshold", low=0, high=1_000_000),
        throttles=values.integer("throttlesAlarmThreshold", low=0, high=1_000_000),
        email=email,
        topic_arn=topic_arn,
    )


def _runtime_and_architecture(values: _Values) -> tuple[str, str]:
    runtime = values.choice("runtime", RUNTIMES)
    architecture = values.choice("architecture", ARCHITECTURES)
    if runtime in DEPRECATED_RUNTIMES and architecture == "arm64":
        raise StackConfigError(
            "architecture",
            "arm64 with python3.11 (Amazon Linux 2, glibc 2.26) has no soundfile wheel that "
            "bundles libsndfile; use python3.12 or newer",
        )
    return runtime, architecture


def _concurrency(values: _Values) -> tuple[int, int]:
    reserved = values.integer("reservedConcurrency", low=-1, high=10000)
    provisioned = values.integer("provisionedConcurrency", low=0, high=10000)
    if provisioned and reserved != -1 and provisioned > reserved:
        raise StackConfigError(
            "provisionedConcurrency",
            f"must not exceed {PROJECT}:reservedConcurrency ({reserved}), given {provisioned}",
        )
    return reserved, provisioned


def _validate(values: _Values, *, stack: str, region: str) -> StackSettings:
    if not _REGION_RE.match(region):
        raise StackConfigError(
            "aws:region", f"expected a region such as us-east-1, given {region!r}"
        )
    if not _STACK_RE.match(stack):
        raise StackConfigError(
            "stack", f"stack name must match {_STACK_RE.pattern}, given {stack!r}"
        )
    # Deployment keys first (cheap checks), then the Lambda's, then the cross-checks.
    runtime, architecture = _runtime_and_architecture(values)
    memory_mb = values.integer("memorySize", low=MEMORY_MB_RANGE[0], high=MEMORY_MB_RANGE[1])
    timeout_s = values.integer("timeout", low=TIMEOUT_S_RANGE[0], high=TIMEOUT_S_RANGE[1])
    ephemeral_mb = values.integer(
        "ephemeralStorageSize", low=EPHEMERAL_MB_RANGE[0], high=EPHEMERAL_MB_RANGE[1]
    )
    retention = values.integer("logRetentionDays", low=1, high=3653)
    if retention not in LOG_RETENTION_DAYS:
        raise StackConfigError(
            "logRetentionDays",
            f"expected one of {', '.join(map(str, LOG_RETENTION_DAYS))}, given {retention}",
        )
    reserved, provisioned = _concurrency(values)
    env, thresholds = _lambda_env(values)
    _check_timeout(timeout_s, env)
    return StackSettings(
        project=PROJECT,
        stack=stack,
        region=region,
        runtime=runtime,
        architecture=architecture,
        memory_mb=memory_mb,
        timeout_s=timeout_s,
        ephemeral_storage_mb=ephemeral_mb,
        log_retention_days=retention,
        reserved_concurrency=reserved,
        provisioned_concurrency=provisioned,
        enable_xray_tracing=env["ENABLE_XRAY_TRACING"] == "true",
        log_level=env["LOG_LEVEL"],
        lambda_env=env,
        thresholds=thresholds,
        alarms=_alarm_settings(values),
        tags=_parse_tags(values.text("tags")),
    )


# --- files and the live engine ---------------------------------------------------------------


def _yaml_load(path: Path) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def project_defaults(project_file: Path = PROJECT_FILE) -> dict[str, Any]:
    """The ``default`` of every key declared in ``Pulumi.yaml``'s ``config:`` schema."""
    doc = _yaml_load(project_file) or {}
    schema = doc.get("config") or {}
    return {
        key.rpartition(":")[2]: spec.get("default")
        for key, spec in schema.items()
        if isinstance(spec, Mapping) and "default" in spec
    }


def load_stack_file(path: Path | str) -> dict[str, Any]:
    """The raw ``config:`` block of a ``Pulumi.<stack>.yaml`` file."""
    doc = _yaml_load(Path(path)) or {}
    config = doc.get("config") or {}
    if not isinstance(config, Mapping):
        raise StackConfigError("config", f"{path}: expected a mapping")
    return dict(config)


def validate_stack_file(path: Path | str, *, project_file: Path = PROJECT_FILE) -> StackSettings:
    """Validate ``Pulumi.<stack>.yaml`` exactly as ``pulumi up`` would, without the engine.

    The stack name is taken from the file name (``Pulumi.prod.yaml`` -> ``prod``).
    """
    path = Path(path)
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")
    return settings_from_mapping(
        load_stack_file(path), stack=stack, project_defaults=project_defaults(project_file)
    )


def settings_from_pulumi_config() -> StackSettings:
    """Read and validate the running stack's config (inside the Pulumi program)."""
    import pulumi

    config = pulumi.Config(PROJECT)
    raw = {spec.key: value for spec in ALL_KEYS if (value := config.get(spec.key)) is not None}
    region = pulumi.Config("aws").get("region") or ""
    return _validate(_Values(raw, {}), stack=pulumi.get_stack(), region=region)
