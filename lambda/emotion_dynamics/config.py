"""Runtime configuration: every environment variable, parsed once into a frozen dataclass.

Each variable is a named constant below and appears once in :data:`SETTINGS` with its
default, unit and meaning (the README's table is checked against it). :func:`load_config`
validates everything at init and raises :class:`~emotion_dynamics.errors.ConfigError`
naming the variable on the first bad value. Code past this boundary trusts the config.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, TypeVar

from emotion_dynamics.errors import ConfigError

__all__ = [
    "ENGINES",
    "LOG_LEVELS",
    "OUTPUT_FORMATS",
    "SETTINGS",
    "Config",
    "RateThresholds",
    "Setting",
    "VolumeThresholds",
    "load_config",
]

# --- environment variable names (the contract with the Pulumi program) -------------------
AWS_REGION: Final = "AWS_REGION"
VOICE_ID: Final = "VOICE_ID"
POLLY_ENGINE: Final = "POLLY_ENGINE"
POLLY_OUTPUT_FORMAT: Final = "POLLY_OUTPUT_FORMAT"
POLLY_SAMPLE_RATE: Final = "POLLY_SAMPLE_RATE"
POLLY_CONNECT_TIMEOUT_SECONDS: Final = "POLLY_CONNECT_TIMEOUT_SECONDS"
POLLY_READ_TIMEOUT_SECONDS: Final = "POLLY_READ_TIMEOUT_SECONDS"
ENABLE_SSML: Final = "ENABLE_SSML"
ENABLE_VOLUME_DETECTION: Final = "ENABLE_VOLUME_DETECTION"
ENABLE_RATE_DETECTION: Final = "ENABLE_RATE_DETECTION"
ENABLE_METRICS: Final = "ENABLE_METRICS"
MIN_STABILITY_THRESHOLD: Final = "MIN_STABILITY_THRESHOLD"
MAX_RETRIES: Final = "MAX_RETRIES"
RETRY_BASE_DELAY: Final = "RETRY_BASE_DELAY"
RETRY_MAX_DELAY: Final = "RETRY_MAX_DELAY"
LOG_LEVEL: Final = "LOG_LEVEL"
STRUCTURED_LOGGING: Final = "STRUCTURED_LOGGING"
AUDIO_SAMPLE_RATE: Final = "AUDIO_SAMPLE_RATE"
MAX_AUDIO_DURATION_SECONDS: Final = "MAX_AUDIO_DURATION_SECONDS"
ENABLE_CACHING: Final = "ENABLE_CACHING"
CACHE_TTL_SECONDS: Final = "CACHE_TTL_SECONDS"
CACHE_MAX_ENTRIES: Final = "CACHE_MAX_ENTRIES"
ENABLE_XRAY_TRACING: Final = "ENABLE_XRAY_TRACING"
VOLUME_LOUD_THRESHOLD: Final = "VOLUME_LOUD_THRESHOLD"
VOLUME_MEDIUM_THRESHOLD: Final = "VOLUME_MEDIUM_THRESHOLD"
VOLUME_SOFT_THRESHOLD: Final = "VOLUME_SOFT_THRESHOLD"
RATE_VERY_SLOW_THRESHOLD: Final = "RATE_VERY_SLOW_THRESHOLD"
RATE_SLOW_THRESHOLD: Final = "RATE_SLOW_THRESHOLD"
RATE_MEDIUM_THRESHOLD: Final = "RATE_MEDIUM_THRESHOLD"
RATE_FAST_THRESHOLD: Final = "RATE_FAST_THRESHOLD"

# --- allowed values --------------------------------------------------------------------
ENGINES: Final = ("standard", "neural", "generative", "long-form")
OUTPUT_FORMATS: Final = ("mp3", "ogg_vorbis", "pcm")
#: Polly's allowed SampleRate per OutputFormat (Hz).
SAMPLE_RATES_BY_FORMAT: Final[Mapping[str, tuple[int, ...]]] = {
    "mp3": (8000, 16000, 22050, 24000),
    "ogg_vorbis": (8000, 16000, 22050, 24000),
    "pcm": (8000, 16000),
}
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: An AWS region name such as us-east-1, eu-central-2 or us-gov-west-1.
_REGION: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment variable: its name, default (as the string an env var holds), unit, meaning."""

    name: str
    default: str
    unit: str
    meaning: str
    seed_required: bool


#: Every variable the Lambda reads, in the seed's order (required first, then optional).
SETTINGS: Final[tuple[Setting, ...]] = (
    Setting(
        AWS_REGION,
        "us-east-1",
        "-",
        "AWS region of the Polly endpoint (set by Lambda itself; never set it in the function's environment)",
        True,
    ),
    Setting(VOICE_ID, "Joanna", "-", "Polly voice used when the event names none", True),
    Setting(
        POLLY_ENGINE,
        "neural",
        "-",
        "Polly engine: standard, neural, generative or long-form; decides which SSML tags are emitted",
        True,
    ),
    Setting(POLLY_OUTPUT_FORMAT, "mp3", "-", "Polly output format: mp3, ogg_vorbis or pcm", True),
    Setting(
        POLLY_SAMPLE_RATE,
        "24000",
        "Hz",
        "Polly output sample rate (mp3/ogg: 8000, 16000, 22050, 24000; pcm: 8000, 16000)",
        True,
    ),
    Setting(ENABLE_SSML, "true", "bool", "Send SSML with prosody; false sends plain text", True),
    Setting(
        ENABLE_VOLUME_DETECTION,
        "true",
        "bool",
        "Measure the speaker's level and map it to prosody volume",
        True,
    ),
    Setting(
        ENABLE_RATE_DETECTION,
        "true",
        "bool",
        "Measure the speaking rate and map it to prosody rate",
        True,
    ),
    Setting(
        ENABLE_METRICS,
        "true",
        "bool",
        "Emit CloudWatch EMF metrics (namespace EmotionDynamics)",
        True,
    ),
    Setting(
        MIN_STABILITY_THRESHOLD,
        "0.85",
        "0..1",
        "Minimum detector confidence; below it that dimension stays neutral",
        True,
    ),
    Setting(
        MAX_RETRIES,
        "3",
        "count",
        "Retries of a throttled, 5xx or timed-out Polly call (0..10)",
        True,
    ),
    Setting(RETRY_BASE_DELAY, "0.1", "s", "First retry back-off (exponential, full jitter)", True),
    Setting(RETRY_MAX_DELAY, "2.0", "s", "Longest single retry back-off", True),
    Setting(LOG_LEVEL, "INFO", "-", "DEBUG, INFO, WARNING, ERROR or CRITICAL", True),
    Setting(
        STRUCTURED_LOGGING,
        "true",
        "bool",
        "JSON log lines (Powertools); false gives plain text lines",
        True,
    ),
    Setting(
        AUDIO_SAMPLE_RATE,
        "16000",
        "Hz",
        "Analysis sample rate: decoded audio is resampled to it before detection (8000..48000)",
        True,
    ),
    Setting(
        MAX_AUDIO_DURATION_SECONDS,
        "3",
        "s",
        "Longest accepted audio segment; longer audio is a 400",
        True,
    ),
    Setting(
        ENABLE_CACHING,
        "true",
        "bool",
        "Serve an identical synthesis request from memory within the TTL",
        False,
    ),
    Setting(CACHE_TTL_SECONDS, "300", "s", "Lifetime of a cached synthesis", False),
    Setting(
        CACHE_MAX_ENTRIES,
        "64",
        "count",
        "Most cached syntheses kept per container (least recently used dropped)",
        False,
    ),
    Setting(
        ENABLE_XRAY_TRACING,
        "false",
        "bool",
        "Deployment flag: active X-Ray tracing on the function (and its IAM grant)",
        False,
    ),
    Setting(POLLY_CONNECT_TIMEOUT_SECONDS, "1.0", "s", "Connect timeout of one Polly call", False),
    Setting(POLLY_READ_TIMEOUT_SECONDS, "3.0", "s", "Read timeout of one Polly call", False),
    Setting(
        VOLUME_LOUD_THRESHOLD,
        "-10",
        "dBFS",
        "Active-speech level at or above which the volume class is loud",
        False,
    ),
    Setting(
        VOLUME_MEDIUM_THRESHOLD,
        "-20",
        "dBFS",
        "Level at or above which the class is medium (below loud)",
        False,
    ),
    Setting(
        VOLUME_SOFT_THRESHOLD,
        "-30",
        "dBFS",
        "Level at or above which the class is soft; below it x-soft",
        False,
    ),
    Setting(RATE_VERY_SLOW_THRESHOLD, "100", "WPM", "Below it the rate class is x-slow", False),
    Setting(
        RATE_SLOW_THRESHOLD,
        "130",
        "WPM",
        "Below it (and at or above very-slow) the class is slow",
        False,
    ),
    Setting(
        RATE_MEDIUM_THRESHOLD,
        "160",
        "WPM",
        "Below it (and at or above slow) the class is medium",
        False,
    ),
    Setting(
        RATE_FAST_THRESHOLD,
        "190",
        "WPM",
        "Below it the class is fast; at or above it x-fast",
        False,
    ),
)

_DEFAULTS: Final = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class VolumeThresholds:
    """Level thresholds in dBFS; ``loud_dbfs > medium_dbfs > soft_dbfs``."""

    loud_dbfs: float = -10.0
    medium_dbfs: float = -20.0
    soft_dbfs: float = -30.0


@dataclass(frozen=True, slots=True)
class RateThresholds:
    """Rate thresholds in words per minute; ``very_slow < slow < medium < fast``."""

    very_slow_wpm: float = 100.0
    slow_wpm: float = 130.0
    medium_wpm: float = 160.0
    fast_wpm: float = 190.0


@dataclass(frozen=True, slots=True)
class Config:
    """The validated runtime configuration (see :data:`SETTINGS` for meanings and units)."""

    aws_region: str = "us-east-1"
    voice_id: str = "Joanna"
    polly_engine: str = "neural"
    polly_output_format: str = "mp3"
    polly_sample_rate: int = 24000
    polly_connect_timeout_s: float = 1.0
    polly_read_timeout_s: float = 3.0
    enable_ssml: bool = True
    enable_volume_detection: bool = True
    enable_rate_detection: bool = True
    enable_metrics: bool = True
    min_stability: float = 0.85
    max_retries: int = 3
    retry_base_delay_s: float = 0.1
    retry_max_delay_s: float = 2.0
    log_level: str = "INFO"
    structured_logging: bool = True
    audio_sample_rate: int = 16000
    max_audio_duration_s: float = 3.0
    enable_caching: bool = True
    cache_ttl_s: float = 300.0
    cache_max_entries: int = 64
    enable_xray_tracing: bool = False
    volume: VolumeThresholds = VolumeThresholds()
    rate: RateThresholds = RateThresholds()


T = TypeVar("T")


class _Reader:
    """Reads one variable at a time from a mapping, with its documented default."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._env = environ

    def raw(self, name: str) -> str:
        value = self._env.get(name)
        if value is None or value.strip() == "":
            return _DEFAULTS[name]
        return value.strip()

    def parse(self, name: str, parser: Callable[[str], T], expected: str) -> T:
        text = self.raw(name)
        try:
            return parser(text)
        except (ValueError, OverflowError):
            raise ConfigError(name, f"expected {expected}, given {text!r}") from None

    def boolean(self, name: str) -> bool:
        text = self.raw(name).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(name, f"expected true or false, given {self.raw(name)!r}")

    def number(self, name: str, *, low: float, high: float) -> float:
        value = self.parse(name, float, "a number")
        if not math.isfinite(value) or not low <= value <= high:
            raise ConfigError(name, f"expected a number in [{low:g}, {high:g}], given {value!r}")
        return value

    def integer(self, name: str, *, low: int, high: int) -> int:
        value = self.parse(name, int, "an integer")
        if not low <= value <= high:
            raise ConfigError(name, f"expected an integer in [{low}, {high}], given {value}")
        return value

    def choice(self, name: str, choices: tuple[str, ...], *, upper: bool = False) -> str:
        text = self.raw(name)
        value = text.upper() if upper else text
        if value not in choices:
            raise ConfigError(name, f"expected one of {', '.join(choices)}, given {text!r}")
        return value


def _check_increasing(values: list[tuple[str, float]]) -> None:
    """Raise naming the first variable that is not above its predecessor."""
    for (low_name, low), (high_name, high) in pairwise(values):
        if not high > low:
            raise ConfigError(
                high_name, f"must be greater than {low_name} ({low:g}), given {high:g}"
            )


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Parse and validate the configuration from ``environ`` (default: ``os.environ``).

    Raises
    ------
    ConfigError
        On the first invalid value, naming the variable and showing the value given.

    """
    r = _Reader(os.environ if environ is None else environ)
    region = r.raw(AWS_REGION)
    if not _REGION.fullmatch(region):
        raise ConfigError(AWS_REGION, f"expected an AWS region such as us-east-1, given {region!r}")
    voice_id = r.raw(VOICE_ID)
    if not voice_id.isascii() or not voice_id.isalpha() or len(voice_id) > 32:
        raise ConfigError(
            VOICE_ID, f"expected a Polly voice name such as Joanna, given {voice_id!r}"
        )
    output_format = r.choice(POLLY_OUTPUT_FORMAT, OUTPUT_FORMATS)
    sample_rate = r.parse(POLLY_SAMPLE_RATE, int, "an integer")
    allowed = SAMPLE_RATES_BY_FORMAT[output_format]
    if sample_rate not in allowed:
        raise ConfigError(
            POLLY_SAMPLE_RATE,
            f"expected one of {', '.join(map(str, allowed))} for {output_format}, given {sample_rate}",
        )
    base_delay = r.number(RETRY_BASE_DELAY, low=0.001, high=10.0)
    max_delay = r.number(RETRY_MAX_DELAY, low=0.001, high=30.0)
    if max_delay < base_delay:
        raise ConfigError(
            RETRY_MAX_DELAY,
            f"must be at least {RETRY_BASE_DELAY} ({base_delay:g}), given {max_delay:g}",
        )
    volume = VolumeThresholds(
        loud_dbfs=r.number(VOLUME_LOUD_THRESHOLD, low=-120.0, high=0.0),
        medium_dbfs=r.number(VOLUME_MEDIUM_THRESHOLD, low=-120.0, high=0.0),
        soft_dbfs=r.number(VOLUME_SOFT_THRESHOLD, low=-120.0, high=0.0),
    )
    _check_increasing(
        [
            (VOLUME_SOFT_THRESHOLD, volume.soft_dbfs),
            (VOLUME_MEDIUM_THRESHOLD, volume.medium_dbfs),
            (VOLUME_LOUD_THRESHOLD, volume.loud_dbfs),
        ]
    )
    rate = RateThresholds(
        very_slow_wpm=r.number(RATE_VERY_SLOW_THRESHOLD, low=1.0, high=600.0),
        slow_wpm=r.number(RATE_SLOW_THRESHOLD, low=1.0, high=600.0),
        medium_wpm=r.number(RATE_MEDIUM_THRESHOLD, low=1.0, high=600.0),
        fast_wpm=r.number(RATE_FAST_THRESHOLD, low=1.0, high=600.0),
    )
    _check_increasing(
        [
            (RATE_VERY_SLOW_THRESHOLD, rate.very_slow_wpm),
            (RATE_SLOW_THRESHOLD, rate.slow_wpm),
            (RATE_MEDIUM_THRESHOLD, rate.medium_wpm),
            (RATE_FAST_THRESHOLD, rate.fast_wpm),
        ]
    )
    return Config(
        aws_region=region,
        voice_id=voice_id,
        polly_engine=r.choice(POLLY_ENGINE, ENGINES),
        polly_output_format=output_format,
        polly_sample_rate=sample_rate,
        polly_connect_timeout_s=r.number(POLLY_CONNECT_TIMEOUT_SECONDS, low=0.05, high=30.0),
        polly_read_timeout_s=r.number(POLLY_READ_TIMEOUT_SECONDS, low=0.05, high=60.0),
        enable_ssml=r.boolean(ENABLE_SSML),
        enable_volume_detection=r.boolean(ENABLE_VOLUME_DETECTION),
        enable_rate_detection=r.boolean(ENABLE_RATE_DETECTION),
        enable_metrics=r.boolean(ENABLE_METRICS),
        min_stability=r.number(MIN_STABILITY_THRESHOLD, low=0.0, high=1.0),
        max_retries=r.integer(MAX_RETRIES, low=0, high=10),
        retry_base_delay_s=base_delay,
        retry_max_delay_s=max_delay,
        log_level=r.choice(LOG_LEVEL, LOG_LEVELS, upper=True),
        structured_logging=r.boolean(STRUCTURED_LOGGING),
        audio_sample_rate=r.integer(AUDIO_SAMPLE_RATE, low=8000, high=48000),
        max_audio_duration_s=r.number(MAX_AUDIO_DURATION_SECONDS, low=0.1, high=60.0),
        enable_caching=r.boolean(ENABLE_CACHING),
        cache_ttl_s=r.number(CACHE_TTL_SECONDS, low=0.0, high=86400.0),
        cache_max_entries=r.integer(CACHE_MAX_ENTRIES, low=1, high=10000),
        enable_xray_tracing=r.boolean(ENABLE_XRAY_TRACING),
        volume=volume,
        rate=rate,
    )
