"""Random configuration: environment variables for the Lambda, stack config for the program.

GIVEN one environment variable (or stack key) set to a random value, WHEN the config is
loaded, THEN a valid value loads, and an invalid one raises the loader's own error whose
message names that variable (or key), never anything else. The validity oracle below is
written from the README's table (ranges, choices, booleans), not from the loader's code.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emotion_dynamics import contract
from emotion_dynamics.config import load_config
from emotion_dynamics.contract import LAMBDA_SETTINGS as SETTINGS
from emotion_dynamics.errors import ConfigError
from emotion_dynamics_infra import stack as stack_settings
from tests.hardening.figures import bump

ROOT = Path(__file__).resolve().parents[2]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- the spec: what each variable accepts (README "Environment variables") ------------------

_BOOL = {"true", "false", "1", "0", "yes", "no", "on", "off"}
_DEFAULTS = {s.name: s.default for s in SETTINGS}


def _float(text: str) -> float | None:
    try:
        return float(text)
    except (ValueError, OverflowError):
        return None


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (ValueError, OverflowError):
        return None


def number_in(low: float, high: float) -> Callable[[str], bool]:
    def ok(text: str) -> bool:
        value = _float(text)
        return value is not None and math.isfinite(value) and low <= value <= high

    return ok


def integer_in(low: int, high: int) -> Callable[[str], bool]:
    def ok(text: str) -> bool:
        value = _int(text)
        return value is not None and low <= value <= high

    return ok


def one_of(*choices: str, upper: bool = False) -> Callable[[str], bool]:
    return lambda text: (text.upper() if upper else text) in choices


def below(other: str, low: float, high: float) -> Callable[[str], bool]:
    """In range and strictly below the default of ``other``."""
    return lambda t: number_in(low, high)(t) and float(t) < float(_DEFAULTS[other])


def between(lower: str, upper: str | None, low: float, high: float) -> Callable[[str], bool]:
    """In range, above the default of ``lower`` and below the default of ``upper``."""

    def ok(text: str) -> bool:
        if not number_in(low, high)(text):
            return False
        value = float(text)
        return value > float(_DEFAULTS[lower]) and (
            upper is None or value < float(_DEFAULTS[upper])
        )

    return ok


def _valid_profiles(text: str) -> bool:
    """A JSON list of distinct 'Voice=lang:rate:level[:ms_letter:ms_pause]', rate > 0."""
    try:
        items = json.loads(text)
    except ValueError:
        return False
    if not isinstance(items, list):
        return False
    pattern = (
        r"[A-Za-z][A-Za-z0-9-]{0,31}(@[a-z-]{1,16})?=[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*:\d{1,2}(\.\d{1,3})?"
        r":-?\d{1,3}(\.\d{1,2})?(:\d{1,4}(\.\d{1,2})?:\d{1,4}(\.\d{1,2})?)?"
    )
    texts = [str(item) for item in items]
    if any(re.fullmatch(pattern, t) is None for t in texts):
        return False
    voices = [t.split("=")[0] for t in texts]
    figures = [t.split("=")[1].split(":") for t in texts]
    return len(set(voices)) == len(voices) and all(
        float(f[1]) > 0 and (len(f) == 3 or float(f[3]) > 0) for f in figures
    )


#: Given every other variable at its default, is this value valid for this variable?
VALID: dict[str, Callable[[str], bool]] = {
    # a region name: two letters, dash-separated words, a number (us-east-1, us-gov-west-1)
    "AWS_REGION": lambda t: re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}", t) is not None,
    "VOICE_ID": lambda t: t.isascii() and t.isalpha() and len(t) <= 32,
    "POLLY_ENGINE": one_of("standard", "neural", "generative", "long-form"),
    "POLLY_OUTPUT_FORMAT": one_of("mp3", "ogg_vorbis"),  # pcm needs 8000/16000 Hz (default 24000)
    "POLLY_SAMPLE_RATE": lambda t: _int(t) in (8000, 16000, 22050, 24000),
    "ENABLE_SSML": lambda t: t.lower() in _BOOL,
    "ENABLE_VOLUME_DETECTION": lambda t: t.lower() in _BOOL,
    "ENABLE_RATE_DETECTION": lambda t: t.lower() in _BOOL,
    "ENABLE_METRICS": lambda t: t.lower() in _BOOL,
    "MIN_STABILITY_THRESHOLD": number_in(0.0, 1.0),
    "MAX_RETRIES": integer_in(0, 10),
    "RETRY_BASE_DELAY": lambda t: number_in(0.001, 10.0)(t) and float(t) <= 2.0,
    "RETRY_MAX_DELAY": lambda t: number_in(0.001, 30.0)(t) and float(t) >= 0.1,
    "LOG_LEVEL": one_of("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", upper=True),
    "STRUCTURED_LOGGING": lambda t: t.lower() in _BOOL,
    "AUDIO_SAMPLE_RATE": integer_in(8000, 48000),
    "MAX_AUDIO_DURATION_SECONDS": number_in(0.1, 60.0),
    "LONG_AUDIO": one_of("reject", "last", "first"),
    "ENABLE_CACHING": lambda t: t.lower() in _BOOL,
    "CACHE_TTL_SECONDS": number_in(0.0, 86400.0),
    "CACHE_MAX_ENTRIES": integer_in(1, 10000),
    # A deployment flag the function carries but never reads (the stack validation checks it).
    "ENABLE_XRAY_TRACING": lambda t: True,
    "POLLY_CONNECT_TIMEOUT_SECONDS": number_in(0.05, 30.0),
    "POLLY_READ_TIMEOUT_SECONDS": number_in(0.05, 60.0),
    "VOLUME_LOUD_THRESHOLD": between("VOLUME_MEDIUM_THRESHOLD", None, -120.0, 0.0),
    "VOLUME_MEDIUM_THRESHOLD": between(
        "VOLUME_SOFT_THRESHOLD", "VOLUME_LOUD_THRESHOLD", -120.0, 0.0
    ),
    "VOLUME_SOFT_THRESHOLD": below("VOLUME_MEDIUM_THRESHOLD", -120.0, 0.0),
    "RATE_VERY_SLOW_THRESHOLD": below("RATE_SLOW_THRESHOLD", 1.0, 600.0),
    "RATE_SLOW_THRESHOLD": between("RATE_VERY_SLOW_THRESHOLD", "RATE_MEDIUM_THRESHOLD", 1.0, 600.0),
    "RATE_MEDIUM_THRESHOLD": between("RATE_SLOW_THRESHOLD", "RATE_FAST_THRESHOLD", 1.0, 600.0),
    "RATE_FAST_THRESHOLD": between("RATE_MEDIUM_THRESHOLD", None, 1.0, 600.0),
    "SOURCE_LANGUAGE": lambda t: re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", t) is not None,
    "PROSODY_MODE": one_of("classes", "relative"),
    "RATE_PERCENT_MIN": integer_in(20, 199),  # below the default maximum (200)
    "RATE_PERCENT_MAX": integer_in(21, 200),  # above the default minimum (20)
    "RATE_DEAD_BAND_PERCENT": number_in(0.0, 50.0),
    "VOLUME_REFERENCE_DBFS": number_in(-120.0, 0.0),
    "VOLUME_OFFSET_LIMIT_DB": number_in(0.0, 30.0),
    "VOLUME_DEAD_BAND_DB": number_in(0.0, 12.0),
    "VOICE_PROFILES": _valid_profiles,
    "RATE_ACOUSTIC_SCALE": number_in(0.5, 2.0),
}


SPECIAL = [
    "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-320", "0x10", "1_000",
    "+5", "-0", "0", "1", "-1", "true", "FALSE", "yes", "maybe", "None", "null", "[]", "{}",
    "3.0", "3.5", "24000.0", "٣", "١٦٠٠٠", "\u00a0", "pcm", "mp3 ", "Joanna!", "Jo anna",
    "x" * 40, "DEBUG", "debug", "verbose", "standard", "Neural", "long-form", "\uff4e\uff45\uff55\uff52\uff41\uff4c",
    "\x00", "\u2028", "é", "😀", "${VOICE_ID}", "$(id)", "'; DROP TABLE",
]  # fmt: skip

values = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=24),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-200, max_value=700).map(lambda x: f"{x:.3f}"),
    st.integers(min_value=-130, max_value=100_000).map(str),
)


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
@FUZZ
@given(value=values)
def test_random_env_value_loads_or_fails_naming_the_variable(name: str, value: str) -> None:
    bump("config_fuzz", "env_values_tried")
    text = value.strip()
    valid = (not text) or VALID[name](text)
    try:
        load_config({name: value})
    except ConfigError as exc:
        bump("config_fuzz", "env_values_rejected")
        assert not valid, f"{name}={value!r} is valid by the README, rejected: {exc}"
        assert exc.variable == name or name in str(exc), str(exc)
        assert str(exc).startswith(f"{exc.variable}: ")
        return
    assert valid, f"{name}={value!r} is invalid by the README, but the loader accepted it"


def test_every_setting_has_an_oracle() -> None:
    assert set(VALID) == {s.name for s in SETTINGS}


def import_handler(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``import handler`` in a fresh interpreter, as Lambda's init does."""
    return subprocess.run(
        [sys.executable, "-c", "import handler"],
        cwd=ROOT / "lambda",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAX_RETRIES", "eleven"), ("VOLUME_LOUD_THRESHOLD", "-25"), ("POLLY_ENGINE", "turbo")],
)
def test_bad_env_var_fails_lambda_init_naming_the_variable(name: str, value: str) -> None:
    """``import handler`` (Lambda's init) in a fresh interpreter with one bad variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(tuple(s.name for s in SETTINGS))}
    env.update(
        {
            name: value,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "PYTHONPATH": str(ROOT / "lambda"),
        }
    )
    proc = import_handler(env)
    assert proc.returncode != 0
    assert "ConfigError" in proc.stderr
    assert f"{name}: " in proc.stderr.strip().splitlines()[-1]


def test_valid_env_lets_lambda_init_succeed() -> None:
    env = dict(os.environ)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "PYTHONPATH": str(ROOT / "lambda"),
        }
    )
    proc = import_handler(env)
    assert proc.returncode == 0, proc.stderr


def test_invalid_aws_region_fails_init_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from emotion_dynamics.app import build_polly_app

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with pytest.raises(Exception) as caught:
        build_polly_app({"AWS_REGION": "us east 1!"})
    assert "AWS_REGION" in str(caught.value)


# --- stack config ------------------------------------------------------------------------------

STACK_FILE = ROOT / "Pulumi.dev.yaml"


@functools.cache
def _stack_values() -> dict[str, Any]:
    raw = stack_settings.load_stack_file(STACK_FILE)
    return {k.rpartition(":")[2]: v for k, v in raw.items() if k.startswith(stack_settings.PROJECT)}


def base_stack_values() -> dict[str, Any]:
    """The dev stack's config (without prefix), which validates."""
    return dict(_stack_values())


def validate(values: dict[str, Any]) -> Any:
    return stack_settings.settings_from_mapping(values, stack="dev", region="us-east-1")


def test_the_dev_stack_file_validates() -> None:
    validate(base_stack_values())


def _non_numeric() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["abc", "nan", "inf", "-inf", "1e309", "ten", "0x1g", "[]", "1,5", "--1"]),
        st.text(min_size=1, max_size=12).filter(
            lambda t: (
                t.strip() != ""
                and (_float(t.strip()) is None or not math.isfinite(_float(t.strip()) or 0))
            )
        ),
    )


def numeric_invalid(low: float, high: float, *, integer: bool) -> st.SearchStrategy[str]:
    out_of_range = st.one_of(
        st.floats(max_value=low, exclude_max=True, allow_nan=False, allow_infinity=False),
        st.floats(min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False),
    ).map(lambda x: str(int(x)) if integer and abs(x) < 1e15 and int(x) != x else repr(x))
    out_of_range = out_of_range.filter(lambda t: not low <= float(t) <= high)
    if integer:
        fractional = (
            st.floats(min_value=low, max_value=high).filter(lambda x: x != int(x)).map(repr)
        )
        return st.one_of(_non_numeric(), out_of_range, fractional)
    return st.one_of(_non_numeric(), out_of_range)


def not_in(choices: set[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(min_size=1, max_size=16),
        st.sampled_from(["Neural", "MP3", "python3.9", "arm", "pcm16", "X86_64"]),
    ).filter(lambda t: t.strip() != "" and t.strip() not in choices)


def _base(key: str) -> float:
    return float(base_stack_values()[key])


def below_base(key: str, low: float) -> st.SearchStrategy[str]:
    """Numbers in [low, the stack's value of ``key``] (at or below it: out of order)."""
    return st.floats(low, _base(key)).map(repr)


def above_base(key: str, high: float) -> st.SearchStrategy[str]:
    """Numbers in [the stack's value of ``key``, high] (at or above it: out of order)."""
    return st.floats(_base(key), high).map(repr)


def worst_case_s() -> float:
    """The stack's Polly worst case: (connect + read) x (retries + 1) + retries x max delay."""
    retries = _base("maxRetries")
    attempt = _base("pollyConnectTimeoutSeconds") + _base("pollyReadTimeoutSeconds")
    return attempt * (retries + 1) + retries * _base("retryMaxDelay")


_BOOLEAN_INVALID = st.one_of(
    st.sampled_from(["maybe", "2", "-1", "tru", "Y", "enabled", "null"]),
    st.text(min_size=1, max_size=10),
).filter(lambda t: t.strip() != "" and t.strip().lower() not in _BOOL)

#: Invalid values per stack key, from the key descriptions in Pulumi.yaml / settings.py.
STACK_INVALID: dict[str, st.SearchStrategy[Any]] = {
    "voiceId": st.one_of(
        st.sampled_from(["Jo anna", "Joanna1", "x" * 40, "Jöanna", "<b>"]),
        st.text(min_size=1, max_size=8),
    ).filter(
        lambda t: (
            t.strip() != ""
            and not (t.strip().isascii() and t.strip().isalpha() and len(t.strip()) <= 32)
        )
    ),
    "pollyEngine": not_in({"standard", "neural", "generative", "long-form"}),
    "pollyOutputFormat": not_in({"mp3", "ogg_vorbis"}),
    "pollySampleRate": st.one_of(
        _non_numeric(),
        st.integers().filter(lambda n: n not in (8000, 16000, 22050, 24000)).map(str),
    ),
    "pollyConnectTimeoutSeconds": numeric_invalid(0.05, 30, integer=False),
    "pollyReadTimeoutSeconds": numeric_invalid(0.05, 60, integer=False),
    "minStabilityThreshold": numeric_invalid(0, 1, integer=False),
    "maxRetries": numeric_invalid(0, 10, integer=True),
    "retryBaseDelay": numeric_invalid(0.001, 10, integer=False),
    "retryMaxDelay": numeric_invalid(0.001, 30, integer=False),
    "logLevel": not_in({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
    "audioSampleRate": numeric_invalid(8000, 48000, integer=True),
    "maxAudioDurationSeconds": numeric_invalid(0.1, 60, integer=False),
    "longAudio": not_in({"reject", "last", "first"}),
    "cacheTtlSeconds": numeric_invalid(0, 86400, integer=False),
    "cacheMaxEntries": numeric_invalid(1, 10000, integer=True),
    # out of order with the stack file's own neighbours (read from Pulumi.dev.yaml, which the
    # calibration notebook rewrites)
    "volumeLoudThreshold": st.one_of(
        numeric_invalid(-120, 0, integer=False), below_base("volumeMediumThreshold", -120)
    ),
    "volumeMediumThreshold": st.one_of(
        numeric_invalid(-120, 0, integer=False),
        above_base("volumeLoudThreshold", 0),
        below_base("volumeSoftThreshold", -120),
    ),
    "volumeSoftThreshold": st.one_of(
        numeric_invalid(-120, 0, integer=False), above_base("volumeMediumThreshold", 0)
    ),
    "rateVerySlowThreshold": st.one_of(
        numeric_invalid(1, 600, integer=False), above_base("rateSlowThreshold", 600)
    ),
    "rateSlowThreshold": st.one_of(
        numeric_invalid(1, 600, integer=False),
        below_base("rateVerySlowThreshold", 1),
        above_base("rateMediumThreshold", 600),
    ),
    "rateMediumThreshold": st.one_of(
        numeric_invalid(1, 600, integer=False),
        below_base("rateSlowThreshold", 1),
        above_base("rateFastThreshold", 600),
    ),
    "rateFastThreshold": st.one_of(
        numeric_invalid(1, 600, integer=False), below_base("rateMediumThreshold", 1)
    ),
    "runtime": not_in({"python3.11", "python3.12", "python3.13", "python3.14"}),
    "architecture": not_in({"x86_64", "arm64"}),
    "memorySize": numeric_invalid(128, 10240, integer=True),
    "timeout": st.one_of(
        numeric_invalid(1, 900, integer=True),
        st.integers(1, max(1, math.floor(worst_case_s()))).map(str),  # not above the worst case
    ),
    "ephemeralStorageSize": numeric_invalid(512, 10240, integer=True),
    "logRetentionDays": st.one_of(
        numeric_invalid(1, 3653, integer=True),
        st.integers(1, 3653).filter(lambda n: str(n) not in contract.LOG_RETENTION_DAYS).map(str),
    ),
    "reservedConcurrency": st.one_of(numeric_invalid(-1, 10000, integer=True)),
    "provisionedConcurrency": st.one_of(
        numeric_invalid(0, 10000, integer=True),
        st.integers(int(base_stack_values()["reservedConcurrency"]) + 1, 10000).map(str),
    ),  # more than the stack reserves
    "liveVersion": st.one_of(
        st.sampled_from(["0", "-1", "1.5", "$LATEST", "live", "v3", "1e3", "01"]),
        st.text(min_size=1, max_size=6),
    ).filter(
        lambda t: (
            t.strip() != "" and not re.fullmatch(contract.LIVE_VERSION.pattern or "", t.strip())
        )
    ),  # not a published version number
    "alarmPeriodSeconds": st.one_of(
        numeric_invalid(60, 86400, integer=True),
        st.integers(60, 86400).filter(lambda n: n % 60).map(str),
    ),
    "alarmEvaluationPeriods": numeric_invalid(1, 100, integer=True),
    "latencyP95AlarmMs": numeric_invalid(1, 900_000, integer=False),
    "errorCountAlarmThreshold": numeric_invalid(0, 1_000_000, integer=True),
    "fallbackCountAlarmThreshold": numeric_invalid(0, 1_000_000, integer=True),
    "lambdaErrorsAlarmThreshold": numeric_invalid(0, 1_000_000, integer=True),
    "throttlesAlarmThreshold": numeric_invalid(0, 1_000_000, integer=True),
    "alarmEmail": st.one_of(
        st.sampled_from(["oncall", "a@b", "@example.com", "a b@c.d"]),
        st.text(min_size=1, max_size=12),
    ).filter(
        lambda t: (
            t.strip() != "" and not re.fullmatch(contract.ALARM_EMAIL.pattern or "", t.strip())
        )
    ),
    "alarmTopicArn": st.one_of(
        st.sampled_from(
            ["arn:aws:sns:us-east-1:123:t", "topic", "arn:aws:sqs:us-east-1:123456789012:q"]
        ),
        st.text(min_size=1, max_size=12),
    ).filter(
        lambda t: (
            t.strip() != "" and not re.fullmatch(contract.ALARM_TOPIC_ARN.pattern or "", t.strip())
        )
    ),
    "sourceLanguage": st.one_of(
        st.sampled_from(["english", "e", "pt_BR", "es-", "1a", "zh-Hans-CN-toolongsubtag"]),
        st.text(min_size=1, max_size=10),
    ).filter(
        lambda t: (
            t.strip() != ""
            and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", t.strip()) is None
        )
    ),
    "prosodyMode": not_in({"classes", "relative"}),
    "ratePercentMin": st.one_of(numeric_invalid(20, 200, integer=True), st.just("200")),
    "ratePercentMax": st.one_of(numeric_invalid(20, 200, integer=True), st.just("20")),
    "rateDeadBandPercent": numeric_invalid(0, 50, integer=False),
    "volumeReferenceDbfs": numeric_invalid(-120, 0, integer=False),
    "volumeOffsetLimitDb": numeric_invalid(0, 30, integer=False),
    "volumeDeadBandDb": numeric_invalid(0, 12, integer=False),
    "rateAcousticScale": numeric_invalid(0.5, 2.0, integer=False),
    "voiceProfiles": st.one_of(
        st.lists(
            st.sampled_from(
                ["Joanna", "Joanna=en", "Joanna=en:0:-20", "=en:4:-20", "Jo anna=en:4:-20"]
            ),
            min_size=1,
            max_size=2,
        ),
        st.just(["Joanna=en:4.5:-20", "Joanna=en:4.6:-21"]),
        st.sampled_from(["not json", '{"Joanna": 4.5}']),
    ),
    "tags": st.one_of(
        st.lists(
            st.sampled_from(["novalue", "aws:owner=x", "=x", "k=" + "v" * 300, "a\nb=c"]),
            min_size=1,
            max_size=3,
        ),
        st.sampled_from(["not json", '{"a": "b"}', "[1", '"owner=x"']),
    ),
}

PROJECT_SETTINGS = [s for s in contract.SETTINGS if ":" not in s.key]
BOOLEAN_KEYS = [s.key for s in PROJECT_SETTINGS if s.kind is contract.Kind.BOOL]


def test_every_stack_key_has_an_invalid_strategy() -> None:
    assert set(STACK_INVALID) | set(BOOLEAN_KEYS) == {s.key for s in PROJECT_SETTINGS}


@pytest.mark.parametrize("key", sorted(set(STACK_INVALID) | set(BOOLEAN_KEYS)))
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_invalid_stack_value_is_rejected_naming_the_key(key: str, data: st.DataObject) -> None:
    strategy = STACK_INVALID.get(key, _BOOLEAN_INVALID)
    value = data.draw(strategy, label=key)
    bump("config_fuzz", "stack_values_tried")
    values = {**base_stack_values(), key: value}
    with pytest.raises(stack_settings.StackConfigError) as caught:
        validate(values)
    bump("config_fuzz", "stack_values_rejected")
    full = f"{stack_settings.PROJECT}:{key}"
    assert caught.value.key == full or full in str(caught.value), str(caught.value)
    assert str(caught.value).startswith(caught.value.key + ": ")


@FUZZ
@given(key=st.from_regex(r"[a-zA-Z][a-zA-Z0-9]{0,20}", fullmatch=True))
def test_unknown_stack_key_is_rejected_naming_it(key: str) -> None:
    known = {s.key for s in PROJECT_SETTINGS}
    if key in known:
        return
    with pytest.raises(stack_settings.StackConfigError) as caught:
        validate({**base_stack_values(), key: "1"})
    assert f"{stack_settings.PROJECT}:{key}" in str(caught.value)
