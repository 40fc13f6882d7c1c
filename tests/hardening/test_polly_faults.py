"""Polly faults over real HTTP: a real botocore client -> fault proxy -> moto on 127.0.0.1.

GIVEN a scripted fault plan at the proxy (throttling bursts, 500s, bare 503s, connection
resets, answers delayed past the read timeout, InvalidSsml), WHEN the production
:class:`PollySynthesizer` (built by ``from_config``, endpoint from ``AWS_ENDPOINT_URL_POLLY``)
or the whole app synthesizes, THEN it retries what is transient, gives up in bounded time,
and answers before the Lambda's own deadline. Every test counts the attempts the proxy saw
and the wall time, and bounds the time by what the config allows.

Real sleeps happen here (the back-offs are tens of milliseconds, read timeouts 0.3 s).
"""

from __future__ import annotations

import contextlib
import io
import os
import time
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from emotion_dynamics.config import Config, load_config
from emotion_dynamics.errors import SynthesisRejectedError, SynthesisUnavailableError
from emotion_dynamics.polly import SAFETY_MARGIN_S, PollySynthesizer
from emotion_dynamics.ssml import build_ssml
from emotion_dynamics.synthesis import SynthesisRequest
from tests.hardening.fault_proxy import FaultProxy
from tests.hardening.figures import record

TEXT = "Fish & chips <at> eight."
MOTO_AUDIO = b"\x00" * 8  # what moto's SynthesizeSpeech returns
READ_TIMEOUT_S = 0.3
#: Slack for thread scheduling, HTTP round trips to moto and a loaded CI machine (s).
SLACK_S = 1.0

#: moto accepts 8000, 16000 and 22050 Hz only (real Polly also takes 24000).
BASE_ENV = {
    "POLLY_SAMPLE_RATE": "22050",
    "POLLY_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT_S),
    "POLLY_CONNECT_TIMEOUT_SECONDS": "0.3",
    "RETRY_BASE_DELAY": "0.02",
    "RETRY_MAX_DELAY": "0.1",
    "MAX_RETRIES": "3",
    "ENABLE_METRICS": "false",
    "ENABLE_CACHING": "false",
}


def config(**overrides: str) -> Config:
    return load_config({**BASE_ENV, **overrides})


def request(cfg: Config, text: str = TEXT) -> SynthesisRequest:
    return SynthesisRequest(
        text=text,
        ssml=build_ssml(text, volume="loud", rate="fast"),
        voice_id="Joanna",
        engine="neural",
        output_format="mp3",
        sample_rate=cfg.polly_sample_rate,
    )


def max_backoff_total(cfg: Config, retries: int) -> float:
    """The longest the back-offs of ``retries`` retries can sleep in all (s)."""
    return sum(min(cfg.retry_max_delay_s, cfg.retry_base_delay_s * 2.0**n) for n in range(retries))


class DeadlineContext:
    """A Lambda context whose remaining time runs down with the real clock."""

    aws_request_id = "11111111-2222-3333-4444-555555555555"

    def __init__(self, budget_ms: int) -> None:
        self.budget_ms = budget_ms
        self.deadline = time.monotonic() + budget_ms / 1000.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def synthesize(
    proxy: FaultProxy,
    cfg: Config,
    plan: list[str],
    *,
    then: str = "forward",
    remaining_ms: Any = None,
) -> tuple[Any, float]:
    """Run one synthesis through the proxy; return (result or raised error, wall seconds)."""
    polly = PollySynthesizer.from_config(cfg)
    assert polly.client.meta.endpoint_url == proxy.url
    proxy.script(plan, then=then)
    started = time.monotonic()
    try:
        outcome: Any = polly.synthesize(request(cfg), remaining_ms=remaining_ms)
    except Exception as exc:  # returned for the test to inspect
        outcome = exc
    return outcome, time.monotonic() - started


# --- transient faults are retried and succeed ----------------------------------------------


@pytest.mark.parametrize(
    ("plan", "max_retries"),
    [
        (["throttle"] * 3, "3"),
        (["throttle"] * 6, "6"),
        (["service_failure"] * 2, "3"),
        (["bare_503", "service_failure", "throttle"], "3"),
        (["reset"] * 2, "3"),
        (["reset", "throttle", "service_failure", "bare_503", "reset"], "5"),
    ],
    ids=[
        "throttle-burst-3",
        "throttle-burst-6",
        "500x2",
        "503-500-throttle",
        "reset-x2",
        "mixed-5",
    ],
)
def test_transient_faults_are_retried_and_succeed(
    proxy: FaultProxy, plan: list[str], max_retries: str
) -> None:
    cfg = config(MAX_RETRIES=max_retries)
    context = DeadlineContext(3000)  # the invocation's deadline: 3 s from now
    result, wall_s = synthesize(proxy, cfg, plan, remaining_ms=context.get_remaining_time_in_millis)
    assert not isinstance(result, Exception), result
    assert context.get_remaining_time_in_millis() > 0  # succeeded within the deadline
    assert result.audio == MOTO_AUDIO
    assert result.attempts == len(plan) + 1
    assert len(proxy.attempts) == len(plan) + 1
    assert [a.action for a in proxy.attempts] == [*plan, "forward"]
    bound_s = max_backoff_total(cfg, len(plan)) + SLACK_S
    assert wall_s < bound_s
    record(
        f"polly_fault:{'+'.join(plan)}",
        outcome="200 after retries",
        attempts=len(proxy.attempts),
        wall_ms=round(wall_s * 1000, 1),
        bound_ms=round(bound_s * 1000),
    )


def test_throttling_through_the_app_is_a_200_with_attempts(proxy: FaultProxy) -> None:
    from emotion_dynamics.app import App
    from emotion_dynamics.observability import Telemetry
    from tests.support import load_event

    cfg = config()
    app = App(cfg, PollySynthesizer.from_config(cfg), Telemetry(cfg, stream=io.StringIO()))
    proxy.script(["throttle", "throttle"])
    context = DeadlineContext(5000)
    started = time.monotonic()
    response = app.handle(load_event("valid_wav_base64"), context)
    wall_s = time.monotonic() - started
    assert response["statusCode"] == 200, response
    assert response["synthesis"]["attempts"] == 3 == len(proxy.attempts)
    assert response["text_type"] == "ssml"
    assert wall_s < 5.0
    record(
        "polly_fault:app:throttle+throttle",
        outcome="200",
        attempts=3,
        wall_ms=round(wall_s * 1000, 1),
    )


# --- timeouts are bounded -------------------------------------------------------------------


def test_one_read_timeout_is_bounded_then_retried(proxy: FaultProxy) -> None:
    cfg = config()
    result, wall_s = synthesize(proxy, cfg, ["delay"], remaining_ms=lambda: 10_000)
    assert not isinstance(result, Exception), result
    assert result.attempts == 2 == len(proxy.attempts)
    # the delayed attempt was cut at the read timeout, long before the proxy's 2 s delay
    bound_s = READ_TIMEOUT_S + max_backoff_total(cfg, 1) + SLACK_S
    assert READ_TIMEOUT_S <= wall_s < bound_s
    record(
        "polly_fault:delay(read timeout)",
        outcome="200",
        attempts=2,
        wall_ms=round(wall_s * 1000, 1),
        bound_ms=round(bound_s * 1000),
    )


def test_read_timeouts_exhaust_retries_in_bounded_time(proxy: FaultProxy) -> None:
    cfg = config(MAX_RETRIES="2")
    result, wall_s = synthesize(proxy, cfg, [], then="delay", remaining_ms=lambda: 60_000)
    assert isinstance(result, SynthesisUnavailableError)
    assert result.status == 503
    assert "ReadTimeoutError after 3 attempts" in result.message
    assert len(proxy.attempts) == 3
    bound_s = 3 * READ_TIMEOUT_S + max_backoff_total(cfg, 2) + SLACK_S
    assert wall_s < bound_s
    record(
        "polly_fault:delay forever",
        outcome="503",
        attempts=3,
        wall_ms=round(wall_s * 1000, 1),
        bound_ms=round(bound_s * 1000),
    )


@pytest.mark.parametrize("fault", ["throttle", "service_failure", "reset", "bare_503"])
def test_persistent_fault_gives_503_after_max_retries_plus_one(
    proxy: FaultProxy, fault: str
) -> None:
    cfg = config(MAX_RETRIES="3")
    result, wall_s = synthesize(proxy, cfg, [], then=fault, remaining_ms=lambda: 60_000)
    assert isinstance(result, SynthesisUnavailableError), result
    assert "after 4 attempts" in result.message
    assert len(proxy.attempts) == 4
    assert TEXT not in result.message
    bound_s = max_backoff_total(cfg, 3) + SLACK_S
    assert wall_s < bound_s
    record(
        f"polly_fault:{fault} forever",
        outcome="503",
        attempts=4,
        wall_ms=round(wall_s * 1000, 1),
        bound_ms=round(bound_s * 1000),
    )


# --- Polly stays down: the handler answers 503 with the SSML before its own deadline --------


@pytest.mark.parametrize("fault", ["service_failure", "throttle", "reset", "delay"])
def test_polly_down_handler_answers_503_with_ssml_before_the_deadline(
    proxy: FaultProxy, fault: str
) -> None:
    from emotion_dynamics.app import App
    from emotion_dynamics.observability import Telemetry
    from tests.support import load_event

    # Many retries allowed, but only 1.5 s left: the deadline, not MAX_RETRIES, must stop it.
    cfg = config(MAX_RETRIES="10", RETRY_BASE_DELAY="0.1", RETRY_MAX_DELAY="0.4")
    app = App(cfg, PollySynthesizer.from_config(cfg), Telemetry(cfg, stream=io.StringIO()))
    proxy.script([], then=fault)
    event = load_event("valid_wav_base64")
    context = DeadlineContext(1500)
    started = time.monotonic()
    response = app.handle(event, context)
    wall_s = time.monotonic() - started
    left_ms = context.get_remaining_time_in_millis()
    assert response["statusCode"] == 503, response
    assert response["error"]["code"] == "SYNTHESIS_UNAVAILABLE"
    assert ET.fromstring(response["ssml"]).tag == "speak"
    assert "".join(ET.fromstring(response["ssml"]).itertext()) == event["text"]
    assert response["volume"] is not None and response["rate"] is not None
    assert "audio_base64" not in response
    assert wall_s < context.budget_ms / 1000.0
    assert left_ms > 0
    assert 1 <= len(proxy.attempts) < cfg.max_retries + 1
    record(
        f"polly_down:{fault}:1500ms budget",
        outcome="503 + SSML",
        attempts=len(proxy.attempts),
        wall_ms=round(wall_s * 1000, 1),
        left_ms=left_ms,
    )


def test_no_call_when_the_invocation_is_almost_over(proxy: FaultProxy) -> None:
    cfg = config()
    attempt_ms = (cfg.polly_connect_timeout_s + cfg.polly_read_timeout_s + SAFETY_MARGIN_S) * 1000
    budget_ms = int(attempt_ms) - 50
    context = DeadlineContext(budget_ms)
    result, wall_s = synthesize(proxy, cfg, [], remaining_ms=context.get_remaining_time_in_millis)
    assert isinstance(result, SynthesisUnavailableError)
    assert "not started" in result.message
    assert proxy.attempts == []
    assert wall_s < budget_ms / 1000.0
    record(
        "polly_down:250ms budget",
        outcome="503, no call",
        attempts=0,
        wall_ms=round(wall_s * 1000, 1),
    )


def test_hung_polly_with_default_read_timeout_still_answers_before_the_deadline(
    proxy: FaultProxy,
) -> None:
    # GIVEN the default 3 s read timeout and a 1.2 s invocation budget
    cfg = config(POLLY_READ_TIMEOUT_SECONDS="3.0")
    proxy.delay_s = 4.0
    context = DeadlineContext(1200)
    result, wall_s = synthesize(
        proxy, cfg, [], then="delay", remaining_ms=context.get_remaining_time_in_millis
    )
    record(
        "polly_down:delay:default read timeout:1200ms budget",
        outcome=type(result).__name__,
        attempts=len(proxy.attempts),
        wall_ms=round(wall_s * 1000, 1),
    )
    # THEN it should have answered (503) before Lambda kills the invocation
    assert isinstance(result, SynthesisUnavailableError)
    assert wall_s < context.budget_ms / 1000.0


def test_retry_margin_keeps_read_timeout_plus_safety_margin(proxy: FaultProxy) -> None:
    """After the last retry's back-off, at least read timeout + margin was left."""
    cfg = config(MAX_RETRIES="10", RETRY_BASE_DELAY="0.05", RETRY_MAX_DELAY="0.2")
    context = DeadlineContext(2000)
    result, wall_s = synthesize(
        proxy, cfg, [], then="delay", remaining_ms=context.get_remaining_time_in_millis
    )
    assert isinstance(result, SynthesisUnavailableError)
    last = proxy.attempts[-1]
    record(
        "polly_down:delay:2000ms budget (margin check)",
        outcome="503",
        attempts=len(proxy.attempts),
        wall_ms=round(wall_s * 1000, 1),
        left_at_last_attempt_ms=round((context.deadline - last.at) * 1000),
    )
    left_at_last_s = context.deadline - last.at
    assert left_at_last_s >= READ_TIMEOUT_S + SAFETY_MARGIN_S - 0.05
    assert context.get_remaining_time_in_millis() > 0


# --- InvalidSsml: plain text, once ------------------------------------------------------------


def test_invalid_ssml_falls_back_to_plain_text_once(proxy: FaultProxy) -> None:
    cfg = config()
    result, wall_s = synthesize(proxy, cfg, [], then="invalid_ssml", remaining_ms=lambda: 10_000)
    assert not isinstance(result, Exception), result
    assert result.plain_text_fallback is True
    assert result.attempts == 2
    assert [(a.action, a.text_type) for a in proxy.attempts] == [
        ("invalid_ssml", "ssml"),
        ("forward", "text"),
    ]
    assert wall_s < SLACK_S
    record(
        "polly_fault:invalid_ssml",
        outcome="200 plain text",
        attempts=2,
        wall_ms=round(wall_s * 1000, 1),
    )


def test_invalid_ssml_then_rejected_plain_text_is_not_retried_again(proxy: FaultProxy) -> None:
    cfg = config()
    result, wall_s = synthesize(proxy, cfg, ["invalid_ssml", "reject"], then="invalid_ssml")
    assert isinstance(result, SynthesisRejectedError)
    assert not isinstance(result, SynthesisUnavailableError)
    assert [a.text_type for a in proxy.attempts] == ["ssml", "text"]
    assert wall_s < SLACK_S
    record(
        "polly_fault:invalid_ssml+reject",
        outcome="502",
        attempts=len(proxy.attempts),
        wall_ms=round(wall_s * 1000, 1),
    )


def test_invalid_ssml_through_the_app_reports_the_fallback(proxy: FaultProxy) -> None:
    from emotion_dynamics.app import App
    from emotion_dynamics.observability import Telemetry
    from tests.support import load_event

    cfg = config()
    app = App(cfg, PollySynthesizer.from_config(cfg), Telemetry(cfg, stream=io.StringIO()))
    proxy.script([], then="invalid_ssml")
    started = time.monotonic()
    response = app.handle(load_event("valid_wav_base64"), DeadlineContext(5000))
    wall_s = time.monotonic() - started
    record(
        "polly_fault:app:invalid_ssml",
        outcome=str(response["statusCode"]),
        attempts=len(proxy.attempts),
        wall_ms=round(wall_s * 1000, 1),
    )
    assert response["statusCode"] == 200, response
    assert response["text_type"] == "text"
    assert response["fallback"]["used"] is True
    assert any("InvalidSsml" in reason for reason in response["fallback"]["reasons"])
    assert response["synthesis"]["attempts"] == 2 == len(proxy.attempts)


def test_non_retryable_4xx_is_one_attempt_and_a_502(proxy: FaultProxy) -> None:
    cfg = config()
    result, wall_s = synthesize(proxy, cfg, [], then="reject")
    assert isinstance(result, SynthesisRejectedError)
    assert result.status == 502
    assert len(proxy.attempts) == 1
    assert "TextLengthExceededException" in result.message
    record(
        "polly_fault:reject (TextLengthExceeded)",
        outcome="502",
        attempts=1,
        wall_ms=round(wall_s * 1000, 1),
    )


def _settled_fd_count(*, at_most: int, deadline_s: float = 5.0) -> int:
    """The open descriptors once moto's own server threads have closed their sockets.

    The proxy's connections are closed when ``wait_idle`` returns, but moto's server (in this
    process) closes its side of each forwarded request on its own thread: poll until the count
    is back at ``at_most`` or the deadline passes, and return the count (a leak stays above).
    """
    stop = time.monotonic() + deadline_s
    count = len(os.listdir("/proc/self/fd"))
    while count > at_most and time.monotonic() < stop:
        time.sleep(0.02)
        count = len(os.listdir("/proc/self/fd"))
    return count


def test_faults_leak_no_file_descriptors(proxy: FaultProxy) -> None:
    """Many faulted calls through one client (as in one warm container) leave no socket open."""
    cfg = config(MAX_RETRIES="1")
    polly = PollySynthesizer.from_config(cfg)
    proxy.delay_s = 0.4  # short delays: the proxy's own delayed sockets close before counting
    rounds = [
        (["reset"], "forward"),
        (["throttle"], "forward"),
        (["service_failure"], "forward"),
        (["bare_503"], "forward"),
        (["delay"], "forward"),
        ([], "reset"),
        ([], "invalid_ssml"),
        ([], "reject"),
    ]

    def one_pass() -> None:
        for plan, then in rounds:
            proxy.script(plan, then=then)
            with contextlib.suppress(SynthesisRejectedError, SynthesisUnavailableError):
                polly.synthesize(request(cfg), remaining_ms=lambda: 10_000)

    one_pass()  # warm-up: the client's connection pool and the proxy's threads exist now
    proxy.wait_idle()
    before = len(os.listdir("/proc/self/fd"))
    started = time.monotonic()
    for _ in range(5):
        one_pass()
    wall_s = time.monotonic() - started
    proxy.wait_idle()
    after = _settled_fd_count(at_most=before)
    record(
        "polly_fault:fd check",
        calls=5 * len(rounds),
        wall_ms=round(wall_s * 1000, 1),
        fds_before=before,
        fds_after=after,
    )
    assert after <= before, (before, after)
