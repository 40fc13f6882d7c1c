"""Runtime configuration: the environment, parsed once into a frozen, validated dataclass.

Every variable, its default and its bounds come from :mod:`emotion_dynamics.contract`;
this module adds the rules that involve two variables (threshold order, retry delays,
sample rate per output format). :func:`load_config` raises
:class:`~emotion_dynamics.errors.ConfigError` naming the variable on the first bad value.
Code past this boundary trusts the config.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from emotion_dynamics import contract as c
from emotion_dynamics.contract import ENGINES, LAMBDA_SETTINGS, Setting, SettingValueError
from emotion_dynamics.errors import ConfigError
from emotion_dynamics.voices import VoiceProfile, parse_profiles

__all__ = [
    "ENGINES",
    "Config",
    "ProsodySettings",
    "RateThresholds",
    "VolumeThresholds",
    "default_config",
    "load_config",
    "read_settings",
]


@dataclass(frozen=True, slots=True)
class VolumeThresholds:
    """Level thresholds in dBFS; ``loud_dbfs > medium_dbfs > soft_dbfs``."""

    loud_dbfs: float
    medium_dbfs: float
    soft_dbfs: float


@dataclass(frozen=True, slots=True)
class RateThresholds:
    """Rate thresholds in words per minute; ``very_slow < slow < medium < fast``."""

    very_slow_wpm: float
    slow_wpm: float
    medium_wpm: float
    fast_wpm: float


@dataclass(frozen=True, slots=True)
class ProsodySettings:
    """How measurements become prosody (the relative mode's bounds, the speaker's language)."""

    mode: str
    source_language: str
    rate_percent_min: int
    rate_percent_max: int
    rate_dead_band_percent: float
    volume_reference_dbfs: float
    volume_offset_limit_db: float
    volume_dead_band_db: float
    voice_profiles: Mapping[str, VoiceProfile]


@dataclass(frozen=True, slots=True)
class Config:
    """The validated runtime configuration (meanings and units: the contract)."""

    aws_region: str
    voice_id: str
    polly_engine: str
    polly_output_format: str
    polly_sample_rate: int
    polly_connect_timeout_s: float
    polly_read_timeout_s: float
    enable_ssml: bool
    enable_volume_detection: bool
    enable_rate_detection: bool
    enable_metrics: bool
    min_stability: float
    max_retries: int
    retry_base_delay_s: float
    retry_max_delay_s: float
    log_level: str
    structured_logging: bool
    audio_sample_rate: int
    max_audio_duration_s: float
    long_audio: str
    enable_caching: bool
    cache_ttl_s: float
    cache_max_entries: int
    volume: VolumeThresholds
    rate: RateThresholds
    prosody: ProsodySettings
    rate_acoustic_scale: float


def read_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse every variable the Lambda reads; blank or missing takes the contract's default.

    Returns ``{variable: value}``. Raises :class:`ConfigError` naming the variable.
    """
    values: dict[str, Any] = {}
    for setting in LAMBDA_SETTINGS:
        if setting.lambda_reads and setting.env is not None:
            values[setting.env] = _parse(setting, environ.get(setting.env) or "")
    return values


def _parse(setting: Setting, text: str) -> Any:
    try:
        return setting.parse(text)
    except SettingValueError as exc:
        raise ConfigError(setting.name, str(exc)) from None


def _check_increasing(values: Mapping[str, Any], settings: tuple[Setting, ...]) -> None:
    """Raise naming the first variable that is not above its predecessor."""
    for low, high in pairwise(settings):
        if not values[high.name] > values[low.name]:
            raise ConfigError(
                high.name,
                f"must be greater than {low.name} ({values[low.name]:g}), "
                f"given {values[high.name]:g}",
            )


def _check_cross_rules(v: Mapping[str, Any]) -> None:
    output_format = v[c.POLLY_OUTPUT_FORMAT.name]
    allowed = c.SAMPLE_RATES_BY_FORMAT[output_format]
    if v[c.POLLY_SAMPLE_RATE.name] not in allowed:
        raise ConfigError(
            c.POLLY_SAMPLE_RATE.name,
            f"expected one of {', '.join(map(str, allowed))} for {output_format}, "
            f"given {v[c.POLLY_SAMPLE_RATE.name]}",
        )
    if v[c.RETRY_MAX_DELAY.name] < v[c.RETRY_BASE_DELAY.name]:
        raise ConfigError(
            c.RETRY_MAX_DELAY.name,
            f"must be at least {c.RETRY_BASE_DELAY.name} ({v[c.RETRY_BASE_DELAY.name]:g}), "
            f"given {v[c.RETRY_MAX_DELAY.name]:g}",
        )
    _check_increasing(v, tuple(reversed(c.VOLUME_THRESHOLDS)))
    _check_increasing(v, c.RATE_THRESHOLDS)
    _check_increasing(v, (c.RATE_PERCENT_MIN, c.RATE_PERCENT_MAX))


def _prosody(v: Mapping[str, Any]) -> ProsodySettings:
    try:
        profiles = parse_profiles(v[c.VOICE_PROFILES.name])
    except ValueError as exc:
        raise ConfigError(c.VOICE_PROFILES.name, str(exc)) from None
    return ProsodySettings(
        mode=v[c.PROSODY_MODE.name],
        source_language=v[c.SOURCE_LANGUAGE.name],
        rate_percent_min=v[c.RATE_PERCENT_MIN.name],
        rate_percent_max=v[c.RATE_PERCENT_MAX.name],
        rate_dead_band_percent=v[c.RATE_DEAD_BAND_PERCENT.name],
        volume_reference_dbfs=v[c.VOLUME_REFERENCE_DBFS.name],
        volume_offset_limit_db=v[c.VOLUME_OFFSET_LIMIT_DB.name],
        volume_dead_band_db=v[c.VOLUME_DEAD_BAND_DB.name],
        voice_profiles=profiles,
    )


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Parse and validate the configuration from ``environ`` (default: ``os.environ``).

    Raises
    ------
    ConfigError
        On the first invalid value, naming the variable and showing the value given.

    """
    v = read_settings(os.environ if environ is None else environ)
    _check_cross_rules(v)
    return Config(
        aws_region=v[c.AWS_REGION.name],
        voice_id=v[c.VOICE_ID.name],
        polly_engine=v[c.POLLY_ENGINE.name],
        polly_output_format=v[c.POLLY_OUTPUT_FORMAT.name],
        polly_sample_rate=v[c.POLLY_SAMPLE_RATE.name],
        polly_connect_timeout_s=v[c.POLLY_CONNECT_TIMEOUT_SECONDS.name],
        polly_read_timeout_s=v[c.POLLY_READ_TIMEOUT_SECONDS.name],
        enable_ssml=v[c.ENABLE_SSML.name],
        enable_volume_detection=v[c.ENABLE_VOLUME_DETECTION.name],
        enable_rate_detection=v[c.ENABLE_RATE_DETECTION.name],
        enable_metrics=v[c.ENABLE_METRICS.name],
        min_stability=v[c.MIN_STABILITY_THRESHOLD.name],
        max_retries=v[c.MAX_RETRIES.name],
        retry_base_delay_s=v[c.RETRY_BASE_DELAY.name],
        retry_max_delay_s=v[c.RETRY_MAX_DELAY.name],
        log_level=v[c.LOG_LEVEL.name],
        structured_logging=v[c.STRUCTURED_LOGGING.name],
        audio_sample_rate=v[c.AUDIO_SAMPLE_RATE.name],
        max_audio_duration_s=v[c.MAX_AUDIO_DURATION_SECONDS.name],
        long_audio=v[c.LONG_AUDIO.name],
        enable_caching=v[c.ENABLE_CACHING.name],
        cache_ttl_s=v[c.CACHE_TTL_SECONDS.name],
        cache_max_entries=v[c.CACHE_MAX_ENTRIES.name],
        volume=VolumeThresholds(*(v[s.name] for s in c.VOLUME_THRESHOLDS)),
        rate=RateThresholds(*(v[s.name] for s in c.RATE_THRESHOLDS)),
        prosody=_prosody(v),
        rate_acoustic_scale=v[c.RATE_ACOUSTIC_SCALE.name],
    )


@functools.cache
def default_config() -> Config:
    """The configuration with every variable at its contract default."""
    return load_config({})
