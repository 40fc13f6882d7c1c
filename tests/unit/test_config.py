"""Config: every variable parsed once, validated, and named in every error."""

from __future__ import annotations

import dataclasses

import pytest

from emotion_dynamics.config import default_config, load_config
from emotion_dynamics.contract import LAMBDA_SETTINGS
from emotion_dynamics.errors import ConfigError


def test_defaults_are_the_seeds() -> None:
    assert load_config({}) == default_config()
    seed = {
        "VOICE_ID": "Joanna",
        "POLLY_ENGINE": "neural",
        "MIN_STABILITY_THRESHOLD": "0.85",
        "MAX_RETRIES": "3",
        "RETRY_BASE_DELAY": "0.1",
        "RETRY_MAX_DELAY": "2.0",
        "AUDIO_SAMPLE_RATE": "16000",
        "MAX_AUDIO_DURATION_SECONDS": "3",
        "VOLUME_LOUD_THRESHOLD": "-10",
        "VOLUME_MEDIUM_THRESHOLD": "-20",
        "VOLUME_SOFT_THRESHOLD": "-30",
        "RATE_VERY_SLOW_THRESHOLD": "100",
        "RATE_SLOW_THRESHOLD": "130",
        "RATE_MEDIUM_THRESHOLD": "160",
        "RATE_FAST_THRESHOLD": "190",
        "CACHE_TTL_SECONDS": "300",
    }
    defaults = {s.name: s.default for s in LAMBDA_SETTINGS}
    for name, value in seed.items():
        assert defaults[name] == value


def test_every_seed_variable_is_read() -> None:
    required = {
        "AWS_REGION",
        "VOICE_ID",
        "POLLY_ENGINE",
        "POLLY_OUTPUT_FORMAT",
        "POLLY_SAMPLE_RATE",
        "ENABLE_SSML",
        "ENABLE_VOLUME_DETECTION",
        "ENABLE_RATE_DETECTION",
        "ENABLE_METRICS",
        "MIN_STABILITY_THRESHOLD",
        "MAX_RETRIES",
        "RETRY_BASE_DELAY",
        "RETRY_MAX_DELAY",
        "LOG_LEVEL",
        "STRUCTURED_LOGGING",
        "AUDIO_SAMPLE_RATE",
        "MAX_AUDIO_DURATION_SECONDS",
    }
    optional = {
        "ENABLE_CACHING",
        "CACHE_TTL_SECONDS",
        "ENABLE_XRAY_TRACING",
        "VOLUME_LOUD_THRESHOLD",
        "VOLUME_MEDIUM_THRESHOLD",
        "VOLUME_SOFT_THRESHOLD",
        "RATE_VERY_SLOW_THRESHOLD",
        "RATE_SLOW_THRESHOLD",
        "RATE_MEDIUM_THRESHOLD",
        "RATE_FAST_THRESHOLD",
    }
    names = {s.name for s in LAMBDA_SETTINGS}
    assert required | optional <= names
    assert {s.name for s in LAMBDA_SETTINGS if s.seed == "required"} == required
    assert {s.name for s in LAMBDA_SETTINGS if s.seed == "optional"} == optional


def test_values_are_parsed() -> None:
    config = load_config(
        {
            "VOICE_ID": "Matthew",
            "POLLY_ENGINE": "standard",
            "ENABLE_SSML": "FALSE",
            "MAX_RETRIES": "5",
            "LOG_LEVEL": "debug",
            "VOLUME_LOUD_THRESHOLD": "-12.5",
            "RATE_FAST_THRESHOLD": "200",
            "POLLY_OUTPUT_FORMAT": "pcm",
            "POLLY_SAMPLE_RATE": "16000",
        }
    )
    assert (config.voice_id, config.polly_engine, config.enable_ssml, config.max_retries) == (
        "Matthew",
        "standard",
        False,
        5,
    )
    assert (
        config.log_level == "DEBUG"
        and config.volume.loud_dbfs == -12.5
        and config.rate.fast_wpm == 200
    )
    assert dataclasses.is_dataclass(config)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.voice_id = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "variable", "fragment"),
    [
        ({"MAX_RETRIES": "three"}, "MAX_RETRIES", "expected an integer, given 'three'"),
        ({"MAX_RETRIES": "-1"}, "MAX_RETRIES", "[0, 10]"),
        ({"MIN_STABILITY_THRESHOLD": "1.5"}, "MIN_STABILITY_THRESHOLD", "[0, 1]"),
        ({"MIN_STABILITY_THRESHOLD": "nan"}, "MIN_STABILITY_THRESHOLD", "nan"),
        ({"POLLY_ENGINE": "turbo"}, "POLLY_ENGINE", "'turbo'"),
        ({"POLLY_OUTPUT_FORMAT": "wav"}, "POLLY_OUTPUT_FORMAT", "'wav'"),
        (
            {"POLLY_OUTPUT_FORMAT": "pcm", "POLLY_SAMPLE_RATE": "24000"},
            "POLLY_SAMPLE_RATE",
            "for pcm",
        ),
        ({"ENABLE_SSML": "maybe"}, "ENABLE_SSML", "true or false"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL", "'LOUD'"),
        ({"VOICE_ID": "Jo anna"}, "VOICE_ID", "Polly voice"),
        (
            {"VOLUME_LOUD_THRESHOLD": "-25"},
            "VOLUME_LOUD_THRESHOLD",
            "greater than VOLUME_MEDIUM_THRESHOLD",
        ),
        (
            {"VOLUME_LOUD_THRESHOLD": "-20"},
            "VOLUME_LOUD_THRESHOLD",
            "greater than VOLUME_MEDIUM_THRESHOLD",
        ),
        (
            {"VOLUME_SOFT_THRESHOLD": "-15"},
            "VOLUME_MEDIUM_THRESHOLD",
            "greater than VOLUME_SOFT_THRESHOLD",
        ),
        (
            {"RATE_SLOW_THRESHOLD": "90"},
            "RATE_SLOW_THRESHOLD",
            "greater than RATE_VERY_SLOW_THRESHOLD",
        ),
        (
            {"RATE_FAST_THRESHOLD": "160"},
            "RATE_FAST_THRESHOLD",
            "greater than RATE_MEDIUM_THRESHOLD",
        ),
        (
            {"RETRY_BASE_DELAY": "1", "RETRY_MAX_DELAY": "0.5"},
            "RETRY_MAX_DELAY",
            "at least RETRY_BASE_DELAY",
        ),
        ({"AUDIO_SAMPLE_RATE": "96000"}, "AUDIO_SAMPLE_RATE", "[8000, 48000]"),
        ({"MAX_AUDIO_DURATION_SECONDS": "0"}, "MAX_AUDIO_DURATION_SECONDS", "given 0"),
        ({"CACHE_TTL_SECONDS": "inf"}, "CACHE_TTL_SECONDS", "inf"),
    ],
)
def test_bad_value_fails_naming_the_variable(
    env: dict[str, str], variable: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(env)
    assert info.value.variable == variable
    assert str(info.value).startswith(f"{variable}: ")
    assert fragment in str(info.value)


def test_blank_value_means_default() -> None:
    assert load_config({"VOICE_ID": "  "}).voice_id == "Joanna"
