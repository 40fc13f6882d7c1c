"""The contract: every setting and every metric, declared exactly once.

Each :class:`Setting` names its Lambda environment variable (or none, for a deployment-only
setting), its stack config key, its type, default, bounds or choices, unit and meaning. The
Lambda's config loader (:mod:`emotion_dynamics.config`), the Pulumi program's stack
validation and environment mapping, the calibration's stack-file writer, the config schema
in ``Pulumi.yaml`` and the README's tables all derive from :data:`SETTINGS`; so do the
metric names and the EMF namespace below. Adding a setting is one entry here plus its use.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "COUNT_METRICS",
    "LATENCY_METRICS",
    "LATENCY_METRIC_BY_TIMING",
    "METRICS",
    "METRICS_NAMESPACE",
    "SETTINGS",
    "STACK_NAMESPACE",
    "Kind",
    "Setting",
    "SettingValueError",
    "by_env",
    "by_key",
]

#: The Pulumi project's name: every project stack key is ``emotion-dynamics:<key>``.
STACK_NAMESPACE: Final = "emotion-dynamics"


class Kind(StrEnum):
    """How a setting's text is parsed (and which ``Pulumi.yaml`` schema type it has)."""

    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"
    TEXT = "text"
    LIST = "list"


#: Pulumi.yaml schema type of each kind (there is no float type: decimals are strings).
SCHEMA_TYPES: Final = {
    Kind.BOOL: "boolean",
    Kind.INT: "integer",
    Kind.FLOAT: "string",
    Kind.CHOICE: "string",
    Kind.TEXT: "string",
    Kind.LIST: "array",
}
_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})

Value = bool | int | float | str | tuple[str, ...]


class SettingValueError(ValueError):
    """A setting's text does not parse; the message says what was expected and given."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting. ``default`` is the text an environment variable would hold.

    ``key`` is the stack config key without the project namespace (``aws:region`` is the
    one key of another namespace). ``env`` is ``None`` for deployment-only settings.
    ``lambda_reads`` is false for a variable the function carries but never reads;
    ``set_by_lambda`` marks a variable Lambda itself sets (the program must not).
    """

    key: str
    env: str | None
    kind: Kind
    default: str
    unit: str
    meaning: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    expected: str = ""  # how a TEXT value should look, for error messages
    allow_empty: bool = False
    upper: bool = False  # CHOICE compared in upper case (LOG_LEVEL)
    seed: str = ""  # "required" / "optional" in the seed's contract, "" when added later
    lambda_reads: bool = True
    set_by_lambda: bool = False

    @property
    def full_key(self) -> str:
        """The stack config key with its namespace (``emotion-dynamics:voiceId``)."""
        return self.key if ":" in self.key else f"{STACK_NAMESPACE}:{self.key}"

    @property
    def schema_type(self) -> str:
        """The ``Pulumi.yaml`` config schema type."""
        return SCHEMA_TYPES[self.kind]

    @property
    def name(self) -> str:
        """The environment variable, or the stack key of a deployment-only setting."""
        return self.env or self.key

    def parse(self, text: str) -> Value:
        """Parse ``text`` (blank: the default) into this setting's value.

        Raises
        ------
        SettingValueError
            Saying what was expected and what was given.

        """
        raw = text.strip() or self.default
        if self.kind is Kind.BOOL:
            return _parse_bool(raw)
        if self.kind in (Kind.INT, Kind.FLOAT):
            return self._check_range(
                _parse_int(raw) if self.kind is Kind.INT else _parse_float(raw)
            )
        if self.kind is Kind.CHOICE:
            return self._parse_choice(raw)
        if self.kind is Kind.LIST:
            return self._parse_list(raw)
        return self._parse_text(raw)

    def matches(self, text: str) -> bool:
        """Whether ``text`` itself (not stripped, not blank) fits a TEXT setting's pattern."""
        return self.pattern is not None and re.fullmatch(self.pattern, text) is not None

    def normalize(self, text: str) -> str:
        """The text an environment variable gets for ``text``: validated, decimals verbatim.

        Booleans, integers, choices and lists are rendered canonically; a number or free
        text keeps the characters it was written with (``"1.0"`` stays ``"1.0"``).
        """
        value = self.parse(text)
        if self.kind in (Kind.FLOAT, Kind.TEXT):
            return text.strip() or self.default
        return self.render(value)

    def render(self, value: Value) -> str:
        """The text of ``value`` as an environment variable holds it."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, tuple):
            return json.dumps(list(value))
        if isinstance(value, float):
            return f"{value:g}" if math.isfinite(value) else str(value)
        return str(value)

    def schema_default(self) -> bool | int | str | list[str]:
        """The default as ``Pulumi.yaml``'s schema states it (typed for its schema type)."""
        value = self.parse("")
        if isinstance(value, (bool, int)) and self.kind in (Kind.BOOL, Kind.INT):
            return value
        if isinstance(value, tuple):
            return list(value)
        return self.default

    def _check_range(self, value: int | float) -> int | float:
        if self.choices and str(value) not in self.choices:
            raise SettingValueError(f"expected one of {', '.join(self.choices)}, given {value}")
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if not (math.isfinite(value) and low <= value <= high):
            noun = "an integer" if self.kind is Kind.INT else "a number"
            raise SettingValueError(f"expected {noun} in [{low:g}, {high:g}], given {value!r}")
        return value

    def _parse_choice(self, raw: str) -> str:
        value = raw.upper() if self.upper else raw
        if value not in self.choices:
            raise SettingValueError(f"expected one of {', '.join(self.choices)}, given {raw!r}")
        return value

    def _parse_text(self, raw: str) -> str:
        if raw == "" and self.allow_empty:
            return ""
        if self.pattern is not None and re.fullmatch(self.pattern, raw) is None:
            raise SettingValueError(f"expected {self.expected}, given {raw!r}")
        return raw

    def _parse_list(self, raw: str) -> tuple[str, ...]:
        try:
            items = json.loads(raw) if raw else []
        except json.JSONDecodeError:
            raise SettingValueError(f"expected a list of {self.expected}, given {raw!r}") from None
        if not isinstance(items, list):
            raise SettingValueError(f"expected a list of {self.expected}, given {raw!r}")
        for item in items:
            if self.pattern is not None and re.fullmatch(self.pattern, str(item)) is None:
                raise SettingValueError(f"expected {self.expected}, given {item!r}")
        return tuple(str(item) for item in items)


def _parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingValueError(f"expected true or false, given {raw!r}")


def _parse_int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingValueError(f"expected an integer, given {raw!r}") from None


def _parse_float(raw: str) -> float:
    try:
        return float(raw)
    except (ValueError, OverflowError):
        raise SettingValueError(f"expected a number, given {raw!r}") from None


# --- allowed values ----------------------------------------------------------------------
ENGINES: Final = ("standard", "neural", "generative", "long-form")
OUTPUT_FORMATS: Final = ("mp3", "ogg_vorbis", "pcm")
#: Polly's allowed SampleRate per OutputFormat (Hz).
SAMPLE_RATES_BY_FORMAT: Final = {
    "mp3": (8000, 16000, 22050, 24000),
    "ogg_vorbis": (8000, 16000, 22050, 24000),
    "pcm": (8000, 16000),
}
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Lambda's Python runtimes the layer can be built for (python3.11 is Amazon Linux 2).
RUNTIMES: Final = ("python3.11", "python3.12", "python3.13", "python3.14")
ARCHITECTURES: Final = ("x86_64", "arm64")
#: The values CloudWatch Logs accepts for ``retentionInDays`` (0 = never expire is refused).
LOG_RETENTION_DAYS: Final = (
    "1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545",
    "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653",
)  # fmt: skip
#: What to do with a segment longer than MAX_AUDIO_DURATION_SECONDS (LONG_AUDIO).
LONG_AUDIO_CHOICES: Final = ("reject", "last", "first")
#: A segment this much longer than MAX_AUDIO_DURATION_SECONDS is still analysed whole, so a
#: segmenter's rounding (3.0005 s) is not an error (s).
AUDIO_DURATION_TOLERANCE_S: Final = 0.25
#: Longest segment LONG_AUDIO=last/first trims (s): bounds the decoding work per event.
LONG_AUDIO_MAX_SOURCE_S: Final = 60.0
#: An AWS region name such as us-east-1, eu-central-2 or us-gov-west-1.
REGION_PATTERN: Final = r"[a-z]{2}(-[a-z]+)+-\d{1,2}"

# --- the settings the Lambda reads (the seed's order: required first, then optional) ------
AWS_REGION: Final = Setting(
    "aws:region", "AWS_REGION", Kind.TEXT, "us-east-1", "-",
    "AWS region of the stack and the Polly endpoint (Lambda sets the variable itself)",
    pattern=REGION_PATTERN, expected="an AWS region such as us-east-1", seed="required",
    set_by_lambda=True,
)  # fmt: skip
VOICE_ID: Final = Setting(
    "voiceId", "VOICE_ID", Kind.TEXT, "Joanna", "-", "Polly voice used when the event names none",
    pattern=r"[A-Za-z]{1,32}", expected="a Polly voice name such as Joanna", seed="required",
)  # fmt: skip
POLLY_ENGINE: Final = Setting(
    "pollyEngine", "POLLY_ENGINE", Kind.CHOICE, "neural", "-",
    "Polly engine; decides which SSML the function emits", choices=ENGINES, seed="required",
)  # fmt: skip
POLLY_OUTPUT_FORMAT: Final = Setting(
    "pollyOutputFormat", "POLLY_OUTPUT_FORMAT", Kind.CHOICE, "mp3", "-", "Polly output format",
    choices=OUTPUT_FORMATS, seed="required",
)  # fmt: skip
POLLY_SAMPLE_RATE: Final = Setting(
    "pollySampleRate", "POLLY_SAMPLE_RATE", Kind.INT, "24000", "Hz",
    "Polly output sample rate (mp3/ogg: 8000, 16000, 22050, 24000; pcm: 8000, 16000)",
    choices=("8000", "16000", "22050", "24000"), seed="required",
)  # fmt: skip
ENABLE_SSML: Final = Setting(
    "enableSsml", "ENABLE_SSML", Kind.BOOL, "true", "bool",
    "Send SSML with prosody; false sends plain text", seed="required",
)  # fmt: skip
ENABLE_VOLUME_DETECTION: Final = Setting(
    "enableVolumeDetection", "ENABLE_VOLUME_DETECTION", Kind.BOOL, "true", "bool",
    "Measure the speaker's level and map it to prosody volume", seed="required",
)  # fmt: skip
ENABLE_RATE_DETECTION: Final = Setting(
    "enableRateDetection", "ENABLE_RATE_DETECTION", Kind.BOOL, "true", "bool",
    "Measure the speaking rate and map it to prosody rate", seed="required",
)  # fmt: skip
ENABLE_METRICS: Final = Setting(
    "enableMetrics", "ENABLE_METRICS", Kind.BOOL, "true", "bool",
    "Emit CloudWatch EMF metrics", seed="required",
)  # fmt: skip
MIN_STABILITY_THRESHOLD: Final = Setting(
    "minStabilityThreshold", "MIN_STABILITY_THRESHOLD", Kind.FLOAT, "0.85", "0..1",
    "Apply a dimension only when its confidence is at least this; an acoustic rate's "
    "confidence is the fitted probability that its class is right (relative mode: that its "
    "relative rate is within 15 %)",
    low=0.0, high=1.0, seed="required",
)  # fmt: skip
MAX_RETRIES: Final = Setting(
    "maxRetries", "MAX_RETRIES", Kind.INT, "3", "count",
    "Retries of a throttled, 5xx or timed-out Polly call", low=0, high=10, seed="required",
)  # fmt: skip
RETRY_BASE_DELAY: Final = Setting(
    "retryBaseDelay", "RETRY_BASE_DELAY", Kind.FLOAT, "0.1", "s",
    "First retry back-off (exponential, full jitter)", low=0.001, high=10.0, seed="required",
)  # fmt: skip
RETRY_MAX_DELAY: Final = Setting(
    "retryMaxDelay", "RETRY_MAX_DELAY", Kind.FLOAT, "2.0", "s",
    "Longest single retry back-off (at least the base delay)", low=0.001, high=30.0,
    seed="required",
)  # fmt: skip
LOG_LEVEL: Final = Setting(
    "logLevel", "LOG_LEVEL", Kind.CHOICE, "INFO", "-", "Log level (also POWERTOOLS_LOG_LEVEL)",
    choices=LOG_LEVELS, upper=True, seed="required",
)  # fmt: skip
STRUCTURED_LOGGING: Final = Setting(
    "structuredLogging", "STRUCTURED_LOGGING", Kind.BOOL, "true", "bool",
    "JSON log lines (Powertools); false gives plain text lines", seed="required",
)  # fmt: skip
AUDIO_SAMPLE_RATE: Final = Setting(
    "audioSampleRate", "AUDIO_SAMPLE_RATE", Kind.INT, "16000", "Hz",
    "Analysis sample rate: decoded audio is resampled to it before detection",
    low=8000, high=48000, seed="required",
)  # fmt: skip
MAX_AUDIO_DURATION_SECONDS: Final = Setting(
    "maxAudioDurationSeconds", "MAX_AUDIO_DURATION_SECONDS", Kind.FLOAT, "3", "s",
    f"Longest segment analysed; up to {AUDIO_DURATION_TOLERANCE_S:g} s more passes whole, "
    "longer segments follow LONG_AUDIO", low=0.1, high=60.0, seed="required",
)  # fmt: skip
LONG_AUDIO: Final = Setting(
    "longAudio", "LONG_AUDIO", Kind.CHOICE, "reject", "-",
    "A segment longer than MAX_AUDIO_DURATION_SECONDS: reject (400 AUDIO_TOO_LONG), or "
    f"analyse its last or first MAX_AUDIO_DURATION_SECONDS (segments up to "
    f"{LONG_AUDIO_MAX_SOURCE_S:g} s; the response's audio.trimmed_from_s says so)",
    choices=LONG_AUDIO_CHOICES,
)  # fmt: skip
ENABLE_CACHING: Final = Setting(
    "enableCaching", "ENABLE_CACHING", Kind.BOOL, "true", "bool",
    "Serve an identical synthesis request from memory within the TTL", seed="optional",
)  # fmt: skip
CACHE_TTL_SECONDS: Final = Setting(
    "cacheTtlSeconds", "CACHE_TTL_SECONDS", Kind.FLOAT, "300", "s",
    "Lifetime of a cached synthesis", low=0.0, high=86400.0, seed="optional",
)  # fmt: skip
CACHE_MAX_ENTRIES: Final = Setting(
    "cacheMaxEntries", "CACHE_MAX_ENTRIES", Kind.INT, "64", "count",
    "Most cached syntheses kept per container (least recently used dropped)", low=1, high=10000,
)  # fmt: skip
ENABLE_XRAY_TRACING: Final = Setting(
    "enableXrayTracing", "ENABLE_XRAY_TRACING", Kind.BOOL, "false", "bool",
    "Active X-Ray tracing on the function and its IAM grant (a deployment flag: the "
    "function carries it but does not read it)", seed="optional", lambda_reads=False,
)  # fmt: skip
POLLY_CONNECT_TIMEOUT_SECONDS: Final = Setting(
    "pollyConnectTimeoutSeconds", "POLLY_CONNECT_TIMEOUT_SECONDS", Kind.FLOAT, "1.0", "s",
    "Connect timeout of one Polly call", low=0.05, high=30.0,
)  # fmt: skip
POLLY_READ_TIMEOUT_SECONDS: Final = Setting(
    "pollyReadTimeoutSeconds", "POLLY_READ_TIMEOUT_SECONDS", Kind.FLOAT, "3.0", "s",
    "Read timeout of one Polly call", low=0.05, high=60.0,
)  # fmt: skip
VOLUME_LOUD_THRESHOLD: Final = Setting(
    "volumeLoudThreshold", "VOLUME_LOUD_THRESHOLD", Kind.FLOAT, "-10", "dBFS",
    "Active-speech level at or above which the volume class is loud (calibrated)",
    low=-120.0, high=0.0, seed="optional",
)  # fmt: skip
VOLUME_MEDIUM_THRESHOLD: Final = Setting(
    "volumeMediumThreshold", "VOLUME_MEDIUM_THRESHOLD", Kind.FLOAT, "-20", "dBFS",
    "Level at or above which the class is medium, below loud (calibrated)",
    low=-120.0, high=0.0, seed="optional",
)  # fmt: skip
VOLUME_SOFT_THRESHOLD: Final = Setting(
    "volumeSoftThreshold", "VOLUME_SOFT_THRESHOLD", Kind.FLOAT, "-30", "dBFS",
    "Level at or above which the class is soft; below it x-soft (calibrated)",
    low=-120.0, high=0.0, seed="optional",
)  # fmt: skip
RATE_VERY_SLOW_THRESHOLD: Final = Setting(
    "rateVerySlowThreshold", "RATE_VERY_SLOW_THRESHOLD", Kind.FLOAT, "100", "WPM",
    "Below it the rate class is x-slow (calibrated)", low=1.0, high=600.0, seed="optional",
)  # fmt: skip
RATE_SLOW_THRESHOLD: Final = Setting(
    "rateSlowThreshold", "RATE_SLOW_THRESHOLD", Kind.FLOAT, "130", "WPM",
    "Below it (and at or above very-slow) the class is slow (calibrated)", low=1.0, high=600.0,
    seed="optional",
)  # fmt: skip
RATE_MEDIUM_THRESHOLD: Final = Setting(
    "rateMediumThreshold", "RATE_MEDIUM_THRESHOLD", Kind.FLOAT, "160", "WPM",
    "Below it (and at or above slow) the class is medium (calibrated)", low=1.0, high=600.0,
    seed="optional",
)  # fmt: skip
RATE_FAST_THRESHOLD: Final = Setting(
    "rateFastThreshold", "RATE_FAST_THRESHOLD", Kind.FLOAT, "190", "WPM",
    "Below it the class is fast; at or above it x-fast (calibrated)", low=1.0, high=600.0,
    seed="optional",
)  # fmt: skip

#: A BCP-47 language tag such as en, es, pt-BR, zh-Hans-CN (primary subtag 2-3 letters).
LANGUAGE_PATTERN: Final = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"
PROSODY_MODES: Final = ("classes", "relative")
#: One voice profile, measured at 100 %: ``VoiceId=language:syllables_per_s:level_dbfs`` and
#: optionally ``:ms_per_letter:ms_per_pause`` (its duration model; ``VoiceId@engine`` allowed).
VOICE_PROFILE_PATTERN: Final = (
    r"[A-Za-z][A-Za-z0-9-]{0,31}(@[a-z-]{1,16})?=[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*:\d{1,2}(\.\d{1,3})?"
    r":-?\d{1,3}(\.\d{1,2})?(:\d{1,4}(\.\d{1,2})?:\d{1,4}(\.\d{1,2})?)?"
)

SOURCE_LANGUAGE: Final = Setting(
    "sourceLanguage", "SOURCE_LANGUAGE", Kind.TEXT, "en", "-",
    "The speaker's language when the event gives no source_language; sets the pace norm",
    pattern=LANGUAGE_PATTERN, expected="a BCP-47 language tag such as en, es or pt-BR",
)  # fmt: skip
PROSODY_MODE: Final = Setting(
    "prosodyMode", "PROSODY_MODE", Kind.CHOICE, "classes", "-",
    "classes: Polly keywords by threshold; relative: rate percentage and dB offset that follow "
    "the speaker", choices=PROSODY_MODES,
)  # fmt: skip
RATE_PERCENT_MIN: Final = Setting(
    "ratePercentMin", "RATE_PERCENT_MIN", Kind.INT, "20", "%",
    "Relative mode: slowest rate percentage emitted (Polly allows 20..200)", low=20, high=200,
)  # fmt: skip
RATE_PERCENT_MAX: Final = Setting(
    "ratePercentMax", "RATE_PERCENT_MAX", Kind.INT, "200", "%",
    "Relative mode: fastest rate percentage emitted (above the minimum)", low=20, high=200,
)  # fmt: skip
RATE_DEAD_BAND_PERCENT: Final = Setting(
    "rateDeadBandPercent", "RATE_DEAD_BAND_PERCENT", Kind.FLOAT, "10", "%",
    "Relative mode: no rate attribute within this many percent of 100 (the tempo JND is "
    "about 10 %)", low=0.0, high=50.0,
)  # fmt: skip
VOLUME_REFERENCE_DBFS: Final = Setting(
    "volumeReferenceDbfs", "VOLUME_REFERENCE_DBFS", Kind.FLOAT, "-20", "dBFS",
    "Relative mode: the speaker level that gets the voice's own volume (calibrated: the "
    "deployment's median)", low=-120.0, high=0.0,
)  # fmt: skip
VOLUME_OFFSET_LIMIT_DB: Final = Setting(
    "volumeOffsetLimitDb", "VOLUME_OFFSET_LIMIT_DB", Kind.FLOAT, "10", "dB",
    "Relative mode: largest volume offset emitted, either way", low=0.0, high=30.0,
)  # fmt: skip
VOLUME_DEAD_BAND_DB: Final = Setting(
    "volumeDeadBandDb", "VOLUME_DEAD_BAND_DB", Kind.FLOAT, "1", "dB",
    "Relative mode: no volume attribute within this many dB of the reference", low=0.0,
    high=12.0,
)  # fmt: skip
VOICE_PROFILES: Final = Setting(
    "voiceProfiles", "VOICE_PROFILES", Kind.LIST, "[]", "-",
    "Measured voices at 100 %: 'VoiceId=language:syllables_per_s:level_dbfs[:ms_per_letter:"
    "ms_per_pause]' (VoiceId@engine for one engine); the relative mode's rate factor",
    pattern=VOICE_PROFILE_PATTERN,
    expected="'VoiceId=language:syllables_per_s:level_dbfs[:ms_per_letter:ms_per_pause]'",
)  # fmt: skip
RATE_ACOUSTIC_SCALE: Final = Setting(
    "rateAcousticScale", "RATE_ACOUSTIC_SCALE", Kind.FLOAT, "1.0528", "x",
    "Scale from the acoustic estimator's word-nuclei rate to WPM (fitted on speech-dev; "
    "calibrated per deployment where transcripts exist)", low=0.5, high=2.0,
)  # fmt: skip
PROSODY_SETTINGS: Final = (
    SOURCE_LANGUAGE, PROSODY_MODE, RATE_PERCENT_MIN, RATE_PERCENT_MAX, RATE_DEAD_BAND_PERCENT,
    VOLUME_REFERENCE_DBFS, VOLUME_OFFSET_LIMIT_DB, VOLUME_DEAD_BAND_DB, VOICE_PROFILES,
)  # fmt: skip

#: Volume thresholds, descending (loud > medium > soft), and rate thresholds, ascending.
VOLUME_THRESHOLDS: Final = (VOLUME_LOUD_THRESHOLD, VOLUME_MEDIUM_THRESHOLD, VOLUME_SOFT_THRESHOLD)
RATE_THRESHOLDS: Final = (
    RATE_VERY_SLOW_THRESHOLD,
    RATE_SLOW_THRESHOLD,
    RATE_MEDIUM_THRESHOLD,
    RATE_FAST_THRESHOLD,
)
THRESHOLDS: Final = VOLUME_THRESHOLDS + RATE_THRESHOLDS

LAMBDA_SETTINGS: Final = (
    AWS_REGION, VOICE_ID, POLLY_ENGINE, POLLY_OUTPUT_FORMAT, POLLY_SAMPLE_RATE, ENABLE_SSML,
    ENABLE_VOLUME_DETECTION, ENABLE_RATE_DETECTION, ENABLE_METRICS, MIN_STABILITY_THRESHOLD,
    MAX_RETRIES, RETRY_BASE_DELAY, RETRY_MAX_DELAY, LOG_LEVEL, STRUCTURED_LOGGING,
    AUDIO_SAMPLE_RATE, MAX_AUDIO_DURATION_SECONDS, LONG_AUDIO, ENABLE_CACHING, CACHE_TTL_SECONDS,
    CACHE_MAX_ENTRIES, ENABLE_XRAY_TRACING, POLLY_CONNECT_TIMEOUT_SECONDS,
    POLLY_READ_TIMEOUT_SECONDS, *THRESHOLDS, RATE_ACOUSTIC_SCALE, *PROSODY_SETTINGS,
)  # fmt: skip

# --- deployment-only settings (stack keys the Pulumi program reads; no env var) -----------
RUNTIME: Final = Setting(
    "runtime", None, Kind.CHOICE, "python3.12", "-",
    "Lambda Python runtime (python3.11 is Amazon Linux 2, past end of support)",
    choices=RUNTIMES,
)  # fmt: skip
ARCHITECTURE: Final = Setting(
    "architecture", None, Kind.CHOICE, "x86_64", "-",
    "Lambda architecture; the layer is built for it", choices=ARCHITECTURES,
)  # fmt: skip
MEMORY_SIZE: Final = Setting(
    "memorySize", None, Kind.INT, "512", "MB", "Function memory; CPU share grows with it",
    low=128, high=10240,
)  # fmt: skip
TIMEOUT: Final = Setting(
    "timeout", None, Kind.INT, "25", "s",
    "Function timeout; must exceed (connect + read timeout) x (maxRetries + 1) + maxRetries x "
    "retryMaxDelay", low=1, high=900,
)  # fmt: skip
EPHEMERAL_STORAGE_SIZE: Final = Setting(
    "ephemeralStorageSize", None, Kind.INT, "512", "MB", "/tmp size", low=512, high=10240,
)  # fmt: skip
LOG_RETENTION: Final = Setting(
    "logRetentionDays", None, Kind.INT, "30", "days",
    "Retention of the function's log group (a CloudWatch Logs value)",
    choices=LOG_RETENTION_DAYS,
)  # fmt: skip
RESERVED_CONCURRENCY: Final = Setting(
    "reservedConcurrency", None, Kind.INT, "16", "count",
    "Reserved concurrency (-1 = unreserved); Polly neural allows about 18 concurrent calls per "
    "account and region", low=-1, high=10000,
)  # fmt: skip
PROVISIONED_CONCURRENCY: Final = Setting(
    "provisionedConcurrency", None, Kind.INT, "0", "count",
    "Provisioned concurrency on the 'live' alias; 0 = none provisioned", low=0, high=10000,
)  # fmt: skip
LIVE_VERSION: Final = Setting(
    "liveVersion", None, Kind.TEXT, "", "-",
    "Published function version the 'live' alias points at (a rollback); empty = the version "
    "this deploy publishes", pattern=r"[1-9][0-9]{0,9}",
    expected="a published version number such as 7", allow_empty=True,
)  # fmt: skip
ALARM_PERIOD: Final = Setting(
    "alarmPeriodSeconds", None, Kind.INT, "300", "s", "Period of every alarm (a multiple of 60)",
    low=60, high=86400,
)  # fmt: skip
ALARM_EVALUATION_PERIODS: Final = Setting(
    "alarmEvaluationPeriods", None, Kind.INT, "2", "count",
    "Periods an alarm condition must hold before it fires", low=1, high=100,
)  # fmt: skip
LATENCY_P95_ALARM: Final = Setting(
    "latencyP95AlarmMs", None, Kind.FLOAT, "1000", "ms",
    "Alarm when p95 end-to-end latency exceeds this", low=1.0, high=900_000.0,
)  # fmt: skip
ERROR_COUNT_ALARM: Final = Setting(
    "errorCountAlarmThreshold", None, Kind.INT, "10", "count",
    "Alarm when the error count per period exceeds this", low=0, high=1_000_000,
)  # fmt: skip
FALLBACK_COUNT_ALARM: Final = Setting(
    "fallbackCountAlarmThreshold", None, Kind.INT, "10", "count",
    "Alarm when the fallback count per period exceeds this", low=0, high=1_000_000,
)  # fmt: skip
LAMBDA_ERRORS_ALARM: Final = Setting(
    "lambdaErrorsAlarmThreshold", None, Kind.INT, "0", "count",
    "Alarm when Lambda's Errors sum per period exceeds this", low=0, high=1_000_000,
)  # fmt: skip
THROTTLES_ALARM: Final = Setting(
    "throttlesAlarmThreshold", None, Kind.INT, "0", "count",
    "Alarm when Lambda's Throttles sum per period exceeds this", low=0, high=1_000_000,
)  # fmt: skip
ALARM_EMAIL: Final = Setting(
    "alarmEmail", None, Kind.TEXT, "", "-",
    "E-mail subscribed to a topic this stack creates for alarm actions (AWS mails a "
    "confirmation link first); production stacks need it or alarmTopicArn, not a placeholder",
    pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", expected="an e-mail address", allow_empty=True,
)  # fmt: skip
ALARM_TOPIC_ARN: Final = Setting(
    "alarmTopicArn", None, Kind.TEXT, "", "-",
    "Existing SNS topic ARN for alarm actions (optional; wins over alarmEmail)",
    pattern=r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+",
    expected="an SNS topic ARN", allow_empty=True,
)  # fmt: skip
TAGS: Final = Setting(
    "tags", None, Kind.LIST, "[]", "-",
    "Extra resource tags as 'key=value' strings, merged with the project and stack tags",
    pattern=r"(?!(?i:aws:))[\w.:/=+@ -]{1,128}=[\w.:/=+@ -]{0,256}",
    expected="'key=value' (no aws: prefix)",
)  # fmt: skip

DEPLOY_SETTINGS: Final = (
    RUNTIME, ARCHITECTURE, MEMORY_SIZE, TIMEOUT, EPHEMERAL_STORAGE_SIZE, LOG_RETENTION,
    RESERVED_CONCURRENCY, PROVISIONED_CONCURRENCY, LIVE_VERSION, ALARM_PERIOD,
    ALARM_EVALUATION_PERIODS, LATENCY_P95_ALARM, ERROR_COUNT_ALARM, FALLBACK_COUNT_ALARM,
    LAMBDA_ERRORS_ALARM, THROTTLES_ALARM, ALARM_EMAIL, ALARM_TOPIC_ARN, TAGS,
)  # fmt: skip

#: Every setting, Lambda variables first.
SETTINGS: Final = LAMBDA_SETTINGS + DEPLOY_SETTINGS
_BY_ENV: Final = {s.env: s for s in SETTINGS if s.env}
_BY_KEY: Final = {s.key: s for s in SETTINGS}


def by_env(name: str) -> Setting:
    """The setting of an environment variable (``KeyError`` if there is none)."""
    return _BY_ENV[name]


def by_key(key: str) -> Setting:
    """The setting of a stack key, with or without the project namespace."""
    return _BY_KEY[key.removeprefix(f"{STACK_NAMESPACE}:")]


# --- variables Powertools reads (the program sets them from the stack, not from keys) ----


@dataclass(frozen=True, slots=True)
class PowertoolsEnv:
    """Names of the Powertools variables the program sets on the function."""

    service_name: str = "POWERTOOLS_SERVICE_NAME"
    metrics_namespace: str = "POWERTOOLS_METRICS_NAMESPACE"
    log_level: str = "POWERTOOLS_LOG_LEVEL"
    log_event: str = "POWERTOOLS_LOGGER_LOG_EVENT"
    trace_disabled: str = "POWERTOOLS_TRACE_DISABLED"


POWERTOOLS_ENV: Final = PowertoolsEnv()

# --- metrics (CloudWatch EMF, Powertools Metrics) ----------------------------------------
METRICS_NAMESPACE: Final = "EmotionDynamics"
VOLUME_DETECTION_LATENCY: Final = "VolumeDetectionLatency"
RATE_DETECTION_LATENCY: Final = "RateDetectionLatency"
SSML_GENERATION_LATENCY: Final = "SSMLGenerationLatency"
POLLY_SYNTHESIS_LATENCY: Final = "PollySynthesisLatency"
END_TO_END_LATENCY: Final = "EndToEndLatency"
ERROR_COUNT: Final = "ErrorCount"
FALLBACK_COUNT: Final = "FallbackCount"
LATENCY_METRICS: Final = (
    VOLUME_DETECTION_LATENCY,
    RATE_DETECTION_LATENCY,
    SSML_GENERATION_LATENCY,
    POLLY_SYNTHESIS_LATENCY,
    END_TO_END_LATENCY,
)
COUNT_METRICS: Final = (ERROR_COUNT, FALLBACK_COUNT)
METRICS: Final = LATENCY_METRICS + COUNT_METRICS
#: The orchestrator's timing keys, and the latency metric each one feeds (ms).
LATENCY_METRIC_BY_TIMING: Final = {
    "volume_detection": VOLUME_DETECTION_LATENCY,
    "rate_detection": RATE_DETECTION_LATENCY,
    "ssml_generation": SSML_GENERATION_LATENCY,
    "synthesis": POLLY_SYNTHESIS_LATENCY,
    "total": END_TO_END_LATENCY,
}
