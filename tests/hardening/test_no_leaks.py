"""No user data in any output: the Powertools log stream, stdout/stderr (EMF), stdlib logging.

GIVEN an event whose text and transcript carry unique markers, WHEN the app answers it on
the success path and on every error path (each invalid sample event, a Polly 400, Polly
down 503, InvalidSsml fallback, an unexpected exception in the synthesizer or a detector
whose message quotes the text), THEN no captured output contains the text, the
transcript, their JSON-escaped forms, the markers, or any 16-character slice of the
audio's base64 — with JSON and with plain-text log lines. Error messages in the response
do not quote them either.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from emotion_dynamics.app import App
from emotion_dynamics.config import Config, load_config
from emotion_dynamics.observability import Telemetry
from emotion_dynamics.polly import PollySynthesizer
from emotion_dynamics.synthesis import Synthesizer
from tests.hardening.fault_proxy import FaultProxy
from tests.hardening.figures import bump, record
from tests.support import FakeContext, FakeSynthesizer, event_names, load_event

TEXT_MARK = "Zanzibar-XQJZ-7731"
TRANSCRIPT_MARK = "Quixotic-WVKP-4410"
TEXT = f"Meet me at {TEXT_MARK} <b>& bring 'the' \"keys\"</b>."
TRANSCRIPT = f"Triff mich bei {TRANSCRIPT_MARK} und bring die Schlüssel."
SLICE = 16


def secret_event(**extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = load_event("valid_wav_base64")
    event.update({"text": TEXT, "source_transcript": TRANSCRIPT, "request_id": "corr-1", **extra})
    return event


class Outputs:
    """Everything the app could write: its log stream, stdout/stderr, stdlib log records."""

    def __init__(
        self,
        stream: io.StringIO,
        capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        self.stream = stream
        self.capfd = capfd
        self.caplog = caplog

    def text(self) -> str:
        out, err = self.capfd.readouterr()
        records = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in self.caplog.records)
        return "\n".join([self.stream.getvalue(), out, err, records])


def secrets_of(event: Any) -> tuple[list[str], str | None]:
    """Strings that must never be output, and the audio base64 (checked slice by slice)."""
    if not isinstance(event, dict):
        return [], None
    found: list[str] = []
    for key in ("text", "source_transcript"):
        value = event.get(key)
        if isinstance(value, str) and len(value.strip()) >= 8:
            found += [value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]]
    for mark in (TEXT_MARK, TRANSCRIPT_MARK):
        if any(mark in s for s in found):
            found.append(mark)
    audio = event.get("audio_base64")
    return found, audio if isinstance(audio, str) and len(audio) >= SLICE else None


def assert_no_leak(output: str, event: Any, response: dict[str, Any], scenario: str) -> None:
    secrets, audio = secrets_of(event)
    for secret in secrets:
        assert secret not in output, f"{scenario}: {secret[:20]!r}... leaked into the output"
    if audio is not None:
        windows = {audio[i : i + SLICE] for i in range(len(audio) - SLICE + 1)}
        leaked = [
            output[i : i + SLICE]
            for i in range(len(output) - SLICE + 1)
            if output[i : i + SLICE] in windows
        ]
        assert not leaked, f"{scenario}: audio base64 leaked: {leaked[:3]}"
    error = json.dumps(response.get("error") or {}, ensure_ascii=False)
    for secret in secrets:
        assert secret not in error, f"{scenario}: the error message quotes user data"
    bump("no_leaks", "outputs_checked")
    bump("no_leaks", "output_chars_checked", len(output))
    record("no_leaks", **{f"scenario:{scenario}": response["statusCode"]})


@pytest.fixture(params=["json", "plain"])
def log_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def outputs(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[tuple[io.StringIO, Outputs]]:
    caplog.set_level(logging.DEBUG, logger="emotion_dynamics")
    stream = io.StringIO()
    capfd.readouterr()
    yield stream, Outputs(stream, capfd, caplog)


def make_config(log_format: str, **env: str) -> Config:
    return load_config(
        {
            "LOG_LEVEL": "DEBUG",
            "ENABLE_METRICS": "true",
            "STRUCTURED_LOGGING": "true" if log_format == "json" else "false",
            **env,
        }
    )


def make_app(config: Config, synthesizer: Synthesizer, stream: io.StringIO) -> App:
    return App(config, synthesizer, Telemetry(config, stream=stream))


def test_success_path(log_format: str, outputs: tuple[io.StringIO, Outputs]) -> None:
    stream, out = outputs
    app = make_app(make_config(log_format), FakeSynthesizer(), stream)
    event = secret_event()
    response = app.handle(event, FakeContext())
    assert response["statusCode"] == 200
    text = out.text()
    assert "request processed" in text and "EmotionDynamics" in text  # logs and EMF were written
    assert_no_leak(text, event, response, f"success/{log_format}")


@pytest.mark.parametrize("name", event_names())
def test_every_sample_event(
    name: str, log_format: str, outputs: tuple[io.StringIO, Outputs]
) -> None:
    stream, out = outputs
    app = make_app(make_config(log_format), FakeSynthesizer(), stream)
    event = load_event(name)
    response = app.handle(event, FakeContext())
    assert_no_leak(out.text(), event, response, f"sample:{name}/{log_format}")


def test_unexpected_exception_quoting_the_text(
    log_format: str, outputs: tuple[io.StringIO, Outputs]
) -> None:
    stream, out = outputs
    synth = FakeSynthesizer()
    synth.fail_with = RuntimeError(f"cannot speak {TEXT!r} ({TRANSCRIPT})")
    app = make_app(make_config(log_format), synth, stream)
    event = secret_event()
    response = app.handle(event, FakeContext())
    assert response["statusCode"] == 500
    assert_no_leak(out.text(), event, response, f"synthesizer exception/{log_format}")


def test_exception_inside_a_detector(
    log_format: str, outputs: tuple[io.StringIO, Outputs], monkeypatch: pytest.MonkeyPatch
) -> None:
    from emotion_dynamics import orchestrator

    def broken(*_: Any, **kwargs: Any) -> Any:
        raise ValueError(f"bad transcript {kwargs.get('transcript')!r} for {TEXT}")

    monkeypatch.setattr(orchestrator, "detect_rate", broken)
    stream, out = outputs
    app = make_app(make_config(log_format), FakeSynthesizer(), stream)
    event = secret_event()
    response = app.handle(event, FakeContext())
    assert response["statusCode"] == 500
    assert_no_leak(out.text(), event, response, f"detector exception/{log_format}")


def test_text_too_long_error(log_format: str, outputs: tuple[io.StringIO, Outputs]) -> None:
    stream, out = outputs
    app = make_app(make_config(log_format), FakeSynthesizer(), stream)
    event = secret_event(text=(TEXT + " ") * 100)
    response = app.handle(event, FakeContext())
    assert response["error"]["code"] == "TEXT_TOO_LONG"
    assert_no_leak(out.text(), event, response, f"text too long/{log_format}")


POLLY_ENV = {
    "POLLY_SAMPLE_RATE": "22050",
    "POLLY_READ_TIMEOUT_SECONDS": "0.3",
    "RETRY_BASE_DELAY": "0.01",
    "RETRY_MAX_DELAY": "0.05",
    "MAX_RETRIES": "2",
}


@pytest.mark.parametrize(
    ("plan", "status"),
    [
        ("reject", 502),
        ("service_failure", 503),
        ("throttle", 503),
        ("reset", 503),
        ("invalid_ssml", 200),
        ("forward", 200),
    ],
)
def test_polly_paths_over_http(
    plan: str, status: int, log_format: str, proxy: FaultProxy, outputs: tuple[io.StringIO, Outputs]
) -> None:
    stream, out = outputs
    config = make_config(log_format, **POLLY_ENV)
    app = make_app(config, PollySynthesizer.from_config(config), stream)
    proxy.script([], then=plan)
    event = secret_event()
    response = app.handle(event, FakeContext())
    assert response["statusCode"] == status, response.get("error")
    assert_no_leak(out.text(), event, response, f"polly {plan}/{log_format}")


def test_the_checker_catches_a_planted_leak(outputs: tuple[io.StringIO, Outputs]) -> None:
    """Guard against a vacuous check: a leak planted in each output is reported."""
    stream, out = outputs
    config = make_config("json")
    telemetry = Telemetry(config, stream=stream)
    event = secret_event()
    plants: tuple[Callable[[], None], ...] = (
        lambda: telemetry.logger.info("oops", extra={"t": TEXT}),
        lambda: print(f"transcript={TRANSCRIPT}"),
        lambda: logging.getLogger("emotion_dynamics.polly").debug(
            "body %s", event["audio_base64"][100:140]
        ),
    )
    for plant in plants:
        plant()
        with pytest.raises(AssertionError):
            assert_no_leak(out.text(), event, {"statusCode": 200}, "planted")


def test_log_level_debug_does_not_turn_on_botocore_debug(
    fake_aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore logs whole request bodies (the text) at DEBUG: LOG_LEVEL=DEBUG must not reach it.

    The app's LOG_LEVEL sets only its own logger; botocore inherits the root logger's level,
    which Lambda leaves at WARNING unless the function uses JSON log format with an
    application log level of DEBUG (see test_least_privilege's logging-config check).
    """
    from emotion_dynamics.app import build_polly_app

    monkeypatch.setenv("AWS_ENDPOINT_URL_POLLY", "http://127.0.0.1:9")
    root_level = logging.getLogger().level
    build_polly_app({"LOG_LEVEL": "DEBUG", "AWS_REGION": "us-east-1"})
    assert logging.getLogger().level == root_level
    for name in ("botocore", "botocore.endpoint", "botocore.parsers", "urllib3", "boto3"):
        assert logging.getLogger(name).getEffectiveLevel() > logging.DEBUG, name
