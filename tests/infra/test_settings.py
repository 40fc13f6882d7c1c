"""Stack-file validation without the engine (also used by the calibration notebook)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from emotion_dynamics_infra import stack as stack_settings
from emotion_dynamics_infra.stack import (
    StackConfigError,
    settings_from_mapping,
    validate_stack_file,
)
from tests.infra.infra_harness import OPERATOR_ALARM_EMAIL, REPO, stack_file_values


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_validate(stack: str) -> None:
    # prod as the operator completes it (its alarm address; see the next test)
    result = settings_from_mapping(stack_file_values(stack), stack=stack)
    assert result.stack == stack
    assert result.region == "us-east-1"
    assert result.function_name == f"emotion-dynamics-{stack}"
    stack_file = stack_settings.load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    assert result.thresholds["volumeLoudThreshold"] == float(
        stack_file["emotion-dynamics:volumeLoudThreshold"]
    )


def test_committed_prod_file_waits_for_the_operators_address() -> None:
    # The committed prod file names no recipient on purpose: it refuses to validate, naming
    # the key and the command, until an operator sets a real address (or a topic).
    raw = stack_settings.load_stack_file(REPO / "Pulumi.prod.yaml")
    if raw["emotion-dynamics:alarmEmail"] or raw["emotion-dynamics:alarmTopicArn"]:
        assert validate_stack_file(REPO / "Pulumi.prod.yaml").alarms  # an operator set one
        return
    with pytest.raises(StackConfigError) as info:
        validate_stack_file(REPO / "Pulumi.prod.yaml")
    assert info.value.key == "emotion-dynamics:alarmEmail"
    assert "pulumi config set alarmEmail ADDRESS --stack prod" in str(info.value)


def _rewrite_thresholds(tmp_path: Path, values: dict[str, str]) -> Path:
    """Do what the calibration notebook does: round-trip edit with ruamel.yaml."""
    target = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(REPO / "Pulumi.dev.yaml", target)
    yaml = YAML()
    yaml.preserve_quotes = True
    doc = yaml.load(target)
    for key, value in values.items():
        doc["config"][f"emotion-dynamics:{key}"] = type(doc["config"][f"emotion-dynamics:{key}"])(
            value
        )
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def test_calibrated_thresholds_round_trip_with_a_small_diff(tmp_path: Path) -> None:
    target = _rewrite_thresholds(
        tmp_path, {"volumeLoudThreshold": "-14.5", "rateFastThreshold": "185"}
    )
    current = _base()
    before = (REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8").splitlines()
    after = target.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        (
            f'  emotion-dynamics:volumeLoudThreshold: "{current["emotion-dynamics:volumeLoudThreshold"]}"',
            '  emotion-dynamics:volumeLoudThreshold: "-14.5"',
        ),
        (
            f'  emotion-dynamics:rateFastThreshold: "{current["emotion-dynamics:rateFastThreshold"]}"',
            '  emotion-dynamics:rateFastThreshold: "185"',
        ),
    ]
    assert validate_stack_file(target).thresholds["volumeLoudThreshold"] == -14.5


def test_out_of_order_calibration_is_rejected(tmp_path: Path) -> None:
    medium = float(str(_base()["emotion-dynamics:volumeMediumThreshold"]))
    target = _rewrite_thresholds(tmp_path, {"volumeLoudThreshold": f"{medium - 2:g}"})
    with pytest.raises(StackConfigError) as info:
        validate_stack_file(target)
    assert str(info.value) == (
        "emotion-dynamics:volumeLoudThreshold: must be greater than "
        f"emotion-dynamics:volumeMediumThreshold ({medium:g}), given {medium - 2:g}"
    )


def _base() -> dict[str, object]:
    return stack_settings.load_stack_file(REPO / "Pulumi.dev.yaml")


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("rateMediumThreshold", "fast", "expected a number, given 'fast'"),
        ("rateMediumThreshold", "nan", "expected a number in"),
        ("memorySize", 100, "expected an integer in [128, 10240]"),
        ("memorySize", "lots", "expected an integer, given 'lots'"),
        ("ephemeralStorageSize", 256, "expected an integer in [512, 10240]"),
        ("runtime", "python3.10", "expected one of python3.11, python3.12"),
        ("architecture", "x86", "expected one of x86_64, arm64"),
        ("logRetentionDays", 10, "expected one of 1, 3, 5, 7, 14"),
        ("provisionedConcurrency", 8, "must not exceed emotion-dynamics:reservedConcurrency (4)"),
        ("pollyEngine", "turbo", "expected one of standard, neural"),
        ("pollySampleRate", 44100, "expected one of 8000, 16000, 22050, 24000, given 44100"),
        ("pollySampleRate", 22050, "expected one of 8000, 16000 for pcm, given 22050"),
        ("voiceId", "Jo anna", "expected a Polly voice name such as Joanna"),
        ("retryMaxDelay", "0.05", "must be at least emotion-dynamics:retryBaseDelay"),
        ("enableSsml", "maybe", "expected true or false"),
        ("alarmEmail", "nobody", "expected an e-mail address"),
        ("alarmTopicArn", "topic", "expected an SNS topic ARN"),
        ("alarmPeriodSeconds", 90, "expected a multiple of 60"),
        ("tags", ["aws:owner=x"], "expected 'key=value'"),
        ("timeout", 9, "must exceed"),
        ("liveVersion", "0", "expected a published version number such as 7, given '0'"),
        ("liveVersion", "-2", "expected a published version number"),
        ("liveVersion", "1.5", "expected a published version number"),
        ("liveVersion", "$LATEST", "expected a published version number"),
    ],
)
def test_errors_name_the_key(key: str, value: object, fragment: str) -> None:
    values = _base() | {f"emotion-dynamics:{key}": value}
    if key == "pollySampleRate" and value == 22050:
        values["emotion-dynamics:pollyOutputFormat"] = "pcm"
    with pytest.raises(StackConfigError) as info:
        settings_from_mapping(values, stack="dev")
    assert str(info.value).startswith(f"emotion-dynamics:{key}: ")
    assert fragment in str(info.value)


def test_unknown_key_and_bad_region() -> None:
    with pytest.raises(StackConfigError, match=r"^emotion-dynamics:memory: unknown key"):
        settings_from_mapping(_base() | {"emotion-dynamics:memory": 512}, stack="dev")
    with pytest.raises(StackConfigError, match=r"^aws:region: "):
        settings_from_mapping(_base() | {"aws:region": "mars"}, stack="dev")


def test_python311_with_arm64_is_refused() -> None:
    values = _base() | {
        "emotion-dynamics:runtime": "python3.11",
        "emotion-dynamics:architecture": "arm64",
    }
    with pytest.raises(StackConfigError, match=r"^emotion-dynamics:architecture: .*libsndfile"):
        settings_from_mapping(values, stack="dev")


def test_defaults_alone_are_valid() -> None:
    # A new stack with only a region gets the schema defaults, which must validate.
    result = settings_from_mapping({"aws:region": "eu-west-1"}, stack="staging")
    assert (result.runtime, result.memory_mb, result.timeout_s) == ("python3.12", 512, 25)
    assert result.lambda_env["MAX_RETRIES"] == "3"
    assert result.provisioned_concurrency == 0


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_round_trip_unchanged(stack: str) -> None:
    # The notebook's ruamel.yaml round trip must not reformat anything it did not change.
    yaml = YAML()
    yaml.preserve_quotes = True
    text = (REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")
    buffer = io.StringIO()
    yaml.dump(yaml.load(text), buffer)
    assert buffer.getvalue() == text


def test_stack_name_must_fit_aws_name_limits() -> None:
    # emotion-dynamics-<stack>-execution must fit IAM's 64-character role names.
    with pytest.raises(StackConfigError, match=r"^emotion-dynamics:stack: stack name must match"):
        settings_from_mapping(_base(), stack="s" * 31)
    assert (
        settings_from_mapping(_base(), stack="s" * 30).function_name
        == "emotion-dynamics-" + "s" * 30
    )


# --- liveVersion -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "version"), [("", None), ("1", 1), ("42", 42), (7, 7)])
def test_live_version_is_empty_or_a_positive_integer(text: object, version: int | None) -> None:
    values = _base() | {"emotion-dynamics:liveVersion": text}
    assert settings_from_mapping(values, stack="dev").live_version == version


# --- production guard rails ------------------------------------------------------------


def _prod(**overrides: object) -> dict[str, object]:
    values = stack_file_values("prod")
    return values | {f"emotion-dynamics:{k}": v for k, v in overrides.items()}


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("someone@example.com", "example.com"),
        ("emotion-dynamics-oncall@example.com", "example.com"),
        ("a@mail.example.org", "example.org"),
        ("a@example.net", "example.net"),
        ("a@team.test", "test"),
        ("a@host.invalid", "invalid"),
        ("a@box.localhost", "localhost"),
        ("a@printer.local", "local"),
        ("a@docs.example", "example"),
    ],
)
@pytest.mark.parametrize("stack", ["prod", "production", "prod-eu"])
def test_prod_refuses_a_placeholder_alarm_email(stack: str, address: str, domain: str) -> None:
    with pytest.raises(StackConfigError) as info:
        settings_from_mapping(_prod(alarmEmail=address), stack=stack)
    assert str(info.value).startswith(
        f"emotion-dynamics:alarmEmail: {address!r} is a placeholder address ({domain} is reserved"
    )


def test_prod_refuses_no_recipient_at_all() -> None:
    with pytest.raises(StackConfigError, match=r"^emotion-dynamics:alarmEmail: ") as info:
        settings_from_mapping(_prod(alarmEmail="", alarmTopicArn=""), stack="prod")
    assert "emotion-dynamics:alarmTopicArn" in str(info.value)
    assert "confirm the e-mail" in str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"alarmEmail": OPERATOR_ALARM_EMAIL},
        {"alarmEmail": "oncall@examples.com"},  # a real domain that merely looks alike
        {"alarmEmail": "", "alarmTopicArn": "arn:aws:sns:us-east-1:123456789012:oncall"},
    ],
)
def test_prod_accepts_a_real_address_or_a_topic(overrides: dict[str, str]) -> None:
    result = settings_from_mapping(_prod(**overrides), stack="prod")
    assert result.alarms.email or result.alarms.topic_arn


def test_dev_may_page_nobody_or_a_placeholder() -> None:
    assert settings_from_mapping(_base(), stack="dev").alarms.email is None
    values = _base() | {"emotion-dynamics:alarmEmail": "someone@example.com"}
    assert settings_from_mapping(values, stack="dev").alarms.email == "someone@example.com"


def test_placeholder_prod_stack_file_fails_validation_and_names_the_key(tmp_path: Path) -> None:
    # The acceptance case: a prod stack file with alarmEmail: someone@example.com.
    text = (REPO / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  emotion-dynamics:alarmEmail:"))
    target = tmp_path / "Pulumi.prod.yaml"
    target.write_text(
        text.replace(line, "  emotion-dynamics:alarmEmail: someone@example.com"), "utf-8"
    )
    with pytest.raises(StackConfigError) as info:
        validate_stack_file(target)
    assert info.value.key == "emotion-dynamics:alarmEmail"
    assert "'someone@example.com' is a placeholder address" in str(info.value)


# --- Region and engine -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "region"),
    [
        ("neural", "eu-north-1"),
        ("neural", "us-east-2"),
        ("generative", "eu-west-1"),
        ("long-form", "us-west-2"),
        ("standard", "xx-south-9"),
    ],
)
def test_region_without_the_engine_is_refused(engine: str, region: str) -> None:
    values = _base() | {"emotion-dynamics:pollyEngine": engine, "aws:region": region}
    with pytest.raises(StackConfigError) as info:
        settings_from_mapping(values, stack="dev")
    assert info.value.key == "aws:region"
    assert str(info.value).startswith(f"aws:region: Polly offers no {engine} engine in {region}")
    assert "emotion-dynamics:pollyEngine" in str(info.value)


@pytest.mark.parametrize(
    ("engine", "region"),
    [
        ("neural", "eu-west-1"),
        ("neural", "ap-southeast-2"),
        ("standard", "eu-north-1"),
        ("generative", "eu-central-1"),
        ("long-form", "us-east-1"),
    ],
)
def test_region_with_the_engine_is_accepted(engine: str, region: str) -> None:
    values = _base() | {"emotion-dynamics:pollyEngine": engine, "aws:region": region}
    assert settings_from_mapping(values, stack="dev").region == region
