"""Functional tests of the Polly backend.

(1) A real botocore client with ``Stubber`` (request shapes checked against Polly's model)
or a ``before-send`` hook (HTTP-level failures: timeouts, bare 5xx), with virtual time:
sleeps are recorded and advance a fake clock, nothing really sleeps.
(2) A real HTTP round trip to moto's Polly on 127.0.0.1 through ``from_config``.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.loaders import create_loader
from botocore.regions import EndpointResolver
from botocore.response import StreamingBody
from botocore.stub import Stubber

from emotion_dynamics import polly as polly_module
from emotion_dynamics.config import Config
from emotion_dynamics.contract import ENGINES, OUTPUT_FORMATS, SAMPLE_RATES_BY_FORMAT
from emotion_dynamics.errors import (
    SynthesisRejectedError,
    SynthesisUnavailableError,
)
from emotion_dynamics.polly import ENDPOINTS_SLICE, PollySynthesizer, make_polly_client
from emotion_dynamics.ssml import build_ssml
from emotion_dynamics.synthesis import SynthesisRequest, Synthesizer
from emotion_dynamics_build import endpoints as endpoints_slice
from tests.support import make_config

TEXT = "Secret words & more."
SSML = build_ssml(TEXT, volume="loud", rate="fast")
REQUEST = SynthesisRequest(
    text=TEXT,
    ssml=SSML,
    voice_id="Joanna",
    engine="neural",
    output_format="mp3",
    sample_rate=24000,
)
AUDIO = b"ID3\x04fake-mp3-bytes"
CONFIG = make_config(max_retries=3, retry_base_delay_s=0.1, retry_max_delay_s=2.0)


class VirtualTime:
    """A fake monotonic clock; ``sleep`` records the delay and advances the clock."""

    def __init__(self, *, deadline_s: float | None = None) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self.deadline = None if deadline_s is None else self.now + deadline_s

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def remaining_ms(self) -> int:
        assert self.deadline is not None
        return int((self.deadline - self.now) * 1000)


def ok_response(audio: bytes = AUDIO, content_type: str = "audio/mpeg") -> dict[str, Any]:
    return {
        "AudioStream": StreamingBody(io.BytesIO(audio), len(audio)),
        "ContentType": content_type,
        "RequestCharacters": len(TEXT),
    }


def expected_params(*, text: str = SSML, text_type: str = "ssml") -> dict[str, Any]:
    return {
        "Text": text,
        "TextType": text_type,
        "VoiceId": "Joanna",
        "Engine": "neural",
        "OutputFormat": "mp3",
        "SampleRate": "24000",
    }


@pytest.fixture
def client(fake_aws_env: None) -> Any:
    """A real Polly client built exactly as production builds it."""
    return make_polly_client(CONFIG)


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def synthesizer(client: Any, time: VirtualTime, config: Config = CONFIG) -> PollySynthesizer:
    return PollySynthesizer.from_config(
        config, client=client, sleep=time.sleep, clock=time.clock, rng=random.Random(7)
    )


def add_error(stub: Stubber, code: str, status: int) -> None:
    stub.add_client_error(
        "synthesize_speech",
        service_error_code=code,
        service_message=f"message quoting {TEXT}",
        http_status_code=status,
        expected_params=None,
    )


# --- the client ---------------------------------------------------------------------------


def test_client_has_botocore_retries_off_and_configured_timeouts(fake_aws_env: None) -> None:
    config = make_config(
        aws_region="eu-west-1", polly_connect_timeout_s=0.5, polly_read_timeout_s=2.5
    )
    client = make_polly_client(config)
    assert client.meta.region_name == "eu-west-1"
    boto_config: Any = client.meta.config
    assert boto_config.connect_timeout == 0.5
    assert boto_config.read_timeout == 2.5
    assert boto_config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert client.meta.endpoint_url == "https://polly.eu-west-1.amazonaws.com"


def test_client_endpoint_comes_from_aws_endpoint_url_polly(
    fake_aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_POLLY", "http://127.0.0.1:9")
    assert make_polly_client(CONFIG).meta.endpoint_url == "http://127.0.0.1:9"
    monkeypatch.delenv("AWS_ENDPOINT_URL_POLLY")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:10")
    assert make_polly_client(CONFIG).meta.endpoint_url == "http://127.0.0.1:10"


# --- the endpoint table's Polly slice (cold start) -----------------------------------------


def _regions(table: dict[str, Any]) -> list[str]:
    """Every region botocore knows, each partition's Polly endpoints, one unknown per partition."""
    names: set[str] = set()
    for partition in table["partitions"]:
        names |= set(partition.get("regions", {}))
        names |= set(partition["services"].get("polly", {}).get("endpoints", {}))
    return sorted(names | {"us-east-9", "cn-west-9", "us-gov-south-9", "eusc-de-west-9"})


def _outcome(call: Callable[..., object], *args: object, **kwargs: object) -> object:
    """What ``call`` returns, or the error it raises (type and message)."""
    try:
        return call(*args, **kwargs)
    except Exception as error:  # the error itself is what is compared
        return (type(error).__name__, str(error))


def test_committed_slice_is_the_locked_botocores_polly_entry() -> None:
    # a botocore bump in the lock changes the table: `make endpoints` rewrites the slice
    assert ENDPOINTS_SLICE.read_text(encoding="utf-8") == endpoints_slice.render()
    table = json.loads(ENDPOINTS_SLICE.read_text(encoding="utf-8"))
    assert {p["partition"] for p in table["partitions"]} >= {"aws", "aws-cn", "aws-us-gov"}
    assert all(set(p["services"]) <= {"polly"} for p in table["partitions"])
    assert ENDPOINTS_SLICE.stat().st_size < 64 * 1024  # against 1.2 MB for every service


def test_slice_resolves_every_region_as_botocores_full_table() -> None:
    full = create_loader().load_data("endpoints")
    whole = EndpointResolver(full, uses_builtin_data=True)
    sliced = EndpointResolver(json.loads(ENDPOINTS_SLICE.read_bytes()), uses_builtin_data=True)
    regions = _regions(full)
    assert len(regions) > 30
    for region in regions:
        expected_partition = _outcome(whole.get_partition_for_region, region)
        assert _outcome(sliced.get_partition_for_region, region) == expected_partition
        for fips in (False, True):
            for dualstack in (False, True):
                options = {"use_fips_endpoint": fips, "use_dualstack_endpoint": dualstack}
                expected = _outcome(whole.construct_endpoint, "polly", region, **options)
                got = _outcome(sliced.construct_endpoint, "polly", region, **options)
                assert got == expected, (region, options)


@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "us-east-9"]
)
def test_client_on_the_slice_matches_a_stock_botocore_client(
    fake_aws_env: None, region: str
) -> None:
    stock = botocore.session.get_session().create_client("polly", region_name=region)
    ours = make_polly_client(make_config(aws_region=region))
    assert ours.meta.endpoint_url == stock.meta.endpoint_url
    assert ours.meta.region_name == stock.meta.region_name
    assert ours.meta.partition == stock.meta.partition
    assert ours.meta.service_model.signing_name == stock.meta.service_model.signing_name


def test_client_reads_the_slice(
    fake_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "polly_endpoints.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(polly_module, "ENDPOINTS_SLICE", broken)
    with pytest.raises(json.JSONDecodeError):
        make_polly_client(CONFIG)


def test_a_users_data_path_endpoints_win_over_the_slice(
    fake_aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "endpoints.json").write_text(ENDPOINTS_SLICE.read_text(), encoding="utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    session = botocore.session.get_session()
    loader = polly_module._data_loader(session, "polly", ENDPOINTS_SLICE)
    _, path = loader.load_data_with_path("endpoints")
    assert Path(path).parent == tmp_path
    assert not loader.is_builtin_path(path)


def test_without_the_slice_the_loader_reads_botocores_table(tmp_path: Path) -> None:
    loader = polly_module._OneServiceLoader("polly", [], tmp_path / "missing.json")
    table, path = loader.load_data_with_path("endpoints")
    assert loader.is_builtin_path(path)
    assert "s3" in table["partitions"][0]["services"]  # the full table
    sliced, sliced_path = polly_module._OneServiceLoader(
        "polly", [], ENDPOINTS_SLICE
    ).load_data_with_path("endpoints")
    assert set(sliced["partitions"][0]["services"]) == {"polly"}
    assert sliced_path == path  # counted as botocore's built-in data, so rules are used


def test_config_choices_are_valid_polly_enum_values(client: Any) -> None:
    shape = client.meta.service_model.operation_model("SynthesizeSpeech").input_shape.members
    assert set(ENGINES) <= set(shape["Engine"].enum)
    assert set(OUTPUT_FORMATS) <= set(shape["OutputFormat"].enum)
    assert set(SAMPLE_RATES_BY_FORMAT) == set(OUTPUT_FORMATS)
    assert {"ssml", "text"} == set(shape["TextType"].enum)
    assert make_config().voice_id in shape["VoiceId"].enum
    assert shape["SampleRate"].type_name == "string"


def test_polly_synthesizer_is_a_synthesizer(client: Any) -> None:
    assert isinstance(synthesizer(client, VirtualTime()), Synthesizer)


# --- request shape and success ------------------------------------------------------------


def test_ssml_request_parameters(client: Any, stubber: Stubber) -> None:
    stubber.add_response("synthesize_speech", ok_response(), expected_params())
    result = synthesizer(client, VirtualTime()).synthesize(REQUEST)
    assert result.audio == AUDIO
    assert result.content_type == "audio/mpeg"
    assert result.attempts == 1
    assert result.plain_text_fallback is False
    assert result.cached is False


def test_plain_text_request_still_passes_engine(client: Any, stubber: Stubber) -> None:
    stubber.add_response(
        "synthesize_speech", ok_response(), expected_params(text=TEXT, text_type="text")
    )
    request = SynthesisRequest(
        text=TEXT,
        ssml=None,
        voice_id="Joanna",
        engine="neural",
        output_format="mp3",
        sample_rate=24000,
    )
    assert synthesizer(client, VirtualTime()).synthesize(request).audio == AUDIO


def test_content_type_comes_from_the_response(client: Any, stubber: Stubber) -> None:
    stubber.add_response("synthesize_speech", ok_response(b"OggS", "audio/ogg"), None)
    assert synthesizer(client, VirtualTime()).synthesize(REQUEST).content_type == "audio/ogg"


# --- retries ------------------------------------------------------------------------------


def test_throttled_twice_then_success_takes_three_attempts(client: Any, stubber: Stubber) -> None:
    add_error(stubber, "ThrottlingException", 400)
    add_error(stubber, "ThrottlingException", 400)
    stubber.add_response("synthesize_speech", ok_response(), expected_params())
    time = VirtualTime()
    result = synthesizer(client, time).synthesize(REQUEST)
    assert result.attempts == 3
    assert result.audio == AUDIO
    assert len(time.sleeps) == 2
    assert 0.1 <= time.sleeps[0] <= 0.1  # retry 0: uniform(base, base)
    assert 0.1 <= time.sleeps[1] <= 0.2  # retry 1: uniform(base, 2 * base)


@pytest.mark.parametrize(
    ("code", "status"),
    [("ServiceFailureException", 500), ("InternalFailure", 500), ("ServiceUnavailable", 503)],
)
def test_5xx_is_retried(client: Any, stubber: Stubber, code: str, status: int) -> None:
    add_error(stubber, code, status)
    stubber.add_response("synthesize_speech", ok_response(), expected_params())
    assert synthesizer(client, VirtualTime()).synthesize(REQUEST).attempts == 2


def test_exhausted_retries_give_503_naming_code_and_attempts(client: Any, stubber: Stubber) -> None:
    for _ in range(CONFIG.max_retries + 1):
        add_error(stubber, "ServiceFailureException", 500)
    time = VirtualTime()
    with pytest.raises(SynthesisUnavailableError) as caught:
        synthesizer(client, time).synthesize(REQUEST)
    assert caught.value.status == 503
    assert "ServiceFailureException" in caught.value.message
    assert f"after {CONFIG.max_retries + 1} attempts" in caught.value.message
    assert TEXT not in str(caught.value)
    assert len(time.sleeps) == CONFIG.max_retries


@pytest.mark.parametrize("max_retries", [0, 1, 5])
def test_attempts_are_max_retries_plus_one(client: Any, stubber: Stubber, max_retries: int) -> None:
    for _ in range(max_retries + 1):
        add_error(stubber, "ThrottlingException", 400)
    config = make_config(max_retries=max_retries)
    with pytest.raises(SynthesisUnavailableError, match=f"after {max_retries + 1} attempts"):
        synthesizer(client, VirtualTime(), config).synthesize(REQUEST)


def test_backoff_delays_are_full_jitter_within_bounds(client: Any, stubber: Stubber) -> None:
    config = make_config(max_retries=10, retry_base_delay_s=0.1, retry_max_delay_s=1.0)
    for _ in range(11):
        add_error(stubber, "ThrottlingException", 400)
    time = VirtualTime()
    with pytest.raises(SynthesisUnavailableError):
        synthesizer(client, time, config).synthesize(REQUEST)
    assert len(time.sleeps) == 10
    for n, delay in enumerate(time.sleeps):
        assert 0.1 <= delay <= min(1.0, 0.1 * 2**n), (n, delay)
    assert max(time.sleeps) <= 1.0


def test_backoff_bounds_over_many_seeds(client: Any) -> None:
    for seed in range(200):
        polly = PollySynthesizer(
            client, max_retries=3, base_delay_s=0.05, max_delay_s=0.7, connect_timeout_s=0.5, read_timeout_s=1.0,
            rng=random.Random(seed),
        )  # fmt: skip
        for n in range(12):
            assert 0.05 <= polly.backoff_s(n) <= min(0.7, 0.05 * 2**n)


def test_retries_stop_before_the_invocation_runs_out(client: Any, stubber: Stubber) -> None:
    # GIVEN 5 s left, an attempt needing 4.2 s (1 s connect + 3 s read timeout + 0.2 s
    # margin) and 0.5..2 s back-offs: room for exactly one back-off and retry
    config = make_config(
        max_retries=10,
        polly_connect_timeout_s=1.0,
        polly_read_timeout_s=3.0,
        retry_base_delay_s=0.5,
        retry_max_delay_s=2.0,
    )
    for _ in range(2):
        add_error(stubber, "ThrottlingException", 400)
    time = VirtualTime(deadline_s=5.0)
    with pytest.raises(SynthesisUnavailableError, match="no retry") as caught:
        synthesizer(client, time, config).synthesize(REQUEST, remaining_ms=time.remaining_ms)
    # THEN it stopped long before max_retries + 1 attempts, and never slept past the margin
    attempts = int(caught.value.message.split(" after ")[1].split(" ")[0])
    assert attempts == 2 < config.max_retries + 1
    assert attempts == len(time.sleeps) + 1
    assert time.remaining_ms() >= 4200
    assert "ThrottlingException" in caught.value.message


def test_no_attempt_starts_that_could_outlast_the_invocation(client: Any, stubber: Stubber) -> None:
    # GIVEN 4.1 s left and an attempt that may block 4 s (connect 1 s + read 3 s) + 0.2 s margin
    config = make_config(polly_connect_timeout_s=1.0, polly_read_timeout_s=3.0)
    time = VirtualTime(deadline_s=4.1)
    with pytest.raises(SynthesisUnavailableError, match="needs 4200 ms"):
        synthesizer(client, time, config).synthesize(REQUEST, remaining_ms=time.remaining_ms)


def test_retries_continue_while_time_allows(client: Any, stubber: Stubber) -> None:
    add_error(stubber, "ThrottlingException", 400)
    stubber.add_response("synthesize_speech", ok_response(), expected_params())
    time = VirtualTime(deadline_s=10.0)
    result = synthesizer(client, time).synthesize(REQUEST, remaining_ms=time.remaining_ms)
    assert result.attempts == 2


def test_no_call_is_started_when_almost_no_time_is_left(client: Any, stubber: Stubber) -> None:
    time = VirtualTime(deadline_s=0.05)
    with pytest.raises(SynthesisUnavailableError, match="not started"):
        synthesizer(client, time).synthesize(REQUEST, remaining_ms=time.remaining_ms)
    # the stubber fixture asserts that no response was consumed; none was queued either


# --- invalid SSML: one plain-text retry ---------------------------------------------------


@pytest.mark.parametrize(
    "code", ["InvalidSsmlException", "SsmlMarksNotSupportedForTextTypeException"]
)
def test_invalid_ssml_is_retried_once_as_plain_text(
    client: Any, stubber: Stubber, code: str
) -> None:
    stubber.add_client_error(
        "synthesize_speech", code, "bad ssml", 400, expected_params=expected_params()
    )
    stubber.add_response(
        "synthesize_speech", ok_response(), expected_params(text=TEXT, text_type="text")
    )
    time = VirtualTime()
    result = synthesizer(client, time).synthesize(REQUEST)
    assert result.plain_text_fallback is True
    assert result.attempts == 2
    assert time.sleeps == []


def test_invalid_ssml_fallback_is_not_repeated(client: Any, stubber: Stubber) -> None:
    add_error(stubber, "InvalidSsmlException", 400)
    add_error(stubber, "InvalidSsmlException", 400)
    with pytest.raises(SynthesisRejectedError, match="InvalidSsmlException"):
        synthesizer(client, VirtualTime()).synthesize(REQUEST)


def test_plain_text_fallback_is_itself_retried_when_throttled(
    client: Any, stubber: Stubber
) -> None:
    add_error(stubber, "InvalidSsmlException", 400)
    add_error(stubber, "ThrottlingException", 400)
    stubber.add_response(
        "synthesize_speech", ok_response(), expected_params(text=TEXT, text_type="text")
    )
    result = synthesizer(client, VirtualTime()).synthesize(REQUEST)
    assert result.plain_text_fallback is True
    assert result.attempts == 3


# --- other 4xx: rejected at once ----------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "TextLengthExceededException",
        "InvalidSampleRateException",
        "LexiconNotFoundException",
        "EngineNotSupportedException",
        "ValidationException",
        "LanguageNotSupportedException",
        "AccessDeniedException",
    ],
)
def test_other_4xx_is_rejected_without_retry(client: Any, stubber: Stubber, code: str) -> None:
    add_error(stubber, code, 400)
    time = VirtualTime()
    with pytest.raises(SynthesisRejectedError) as caught:
        synthesizer(client, time).synthesize(REQUEST)
    assert not isinstance(caught.value, SynthesisUnavailableError)
    assert caught.value.status == 502
    assert code in caught.value.message
    assert "after 1 attempts" in caught.value.message
    assert TEXT not in str(caught.value)
    assert "Secret" not in str(caught.value)
    assert time.sleeps == []


# --- HTTP-level failures through the real client (botocore must not retry itself) --------


class RawBody(io.BytesIO):
    """Stands in for urllib3's response: botocore reads ``stream()`` or ``read()``."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def failing_then_ok(failures: list[Callable[[Any], Any]]) -> tuple[Callable[..., Any], list[int]]:
    """A before-send hook: the first calls fail as listed, then a 200 with audio."""
    calls: list[int] = []

    def hook(request: Any, **_: Any) -> Any:
        calls.append(1)
        if len(calls) <= len(failures):
            return failures[len(calls) - 1](request)
        headers = HTTPHeaders()
        headers["Content-Type"] = "audio/mpeg"
        return AWSResponse(request.url, 200, headers, RawBody(AUDIO))

    return hook, calls


def raise_(error: Exception) -> Callable[[Any], Any]:
    def fail(_: Any) -> Any:
        raise error

    return fail


@pytest.mark.parametrize(
    "error",
    [
        ConnectTimeoutError(endpoint_url="https://polly"),
        ReadTimeoutError(endpoint_url="https://polly"),
        EndpointConnectionError(endpoint_url="https://polly"),
        ConnectionClosedError(endpoint_url="https://polly"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_connection_errors_are_retried_once_per_attempt(client: Any, error: Exception) -> None:
    hook, calls = failing_then_ok([raise_(error), raise_(error)])
    client.meta.events.register("before-send.polly.SynthesizeSpeech", hook)
    result = synthesizer(client, VirtualTime()).synthesize(REQUEST)
    assert result.attempts == 3
    assert len(calls) == 3  # botocore made exactly one HTTP try per attempt of ours
    assert result.audio == AUDIO


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_bare_http_errors_are_retried(client: Any, status: int) -> None:
    def bare(request: Any) -> Any:
        return AWSResponse(request.url, status, HTTPHeaders(), RawBody(b""))

    hook, calls = failing_then_ok([bare])
    client.meta.events.register("before-send.polly.SynthesizeSpeech", hook)
    result = synthesizer(client, VirtualTime()).synthesize(REQUEST)
    assert result.attempts == 2
    assert len(calls) == 2


def test_timeouts_exhausted_name_the_error(client: Any) -> None:
    error = ReadTimeoutError(endpoint_url="https://polly")
    hook, calls = failing_then_ok([raise_(error)] * 10)
    client.meta.events.register("before-send.polly.SynthesizeSpeech", hook)
    with pytest.raises(SynthesisUnavailableError, match="ReadTimeoutError after 4 attempts"):
        synthesizer(client, VirtualTime()).synthesize(REQUEST)
    assert len(calls) == 4


# --- moto: a real HTTP round trip ---------------------------------------------------------


@pytest.mark.parametrize(
    ("output_format", "sample_rate", "content_type"),
    [("mp3", 22050, "audio/mpeg"), ("ogg_vorbis", 16000, "audio/ogg"), ("pcm", 16000, "audio/pcm")],
)
def test_moto_round_trip_through_from_config(
    moto_polly_env: str, output_format: str, sample_rate: int, content_type: str
) -> None:
    # moto accepts SampleRate 8000, 16000 and 22050 only (real Polly also takes 24000)
    config = make_config(polly_output_format=output_format, polly_sample_rate=sample_rate)
    polly = PollySynthesizer.from_config(config)
    assert polly.client.meta.endpoint_url == moto_polly_env
    request = SynthesisRequest(
        text=TEXT,
        ssml=SSML,
        voice_id=config.voice_id,
        engine=config.polly_engine,
        output_format=output_format,
        sample_rate=sample_rate,
    )
    result = polly.synthesize(request, remaining_ms=lambda: 10_000)
    assert result.audio == b"\x00" * 8
    assert result.content_type == content_type
    assert result.attempts == 1


def test_moto_unknown_voice_is_rejected_without_retry(moto_polly_env: str) -> None:
    polly = PollySynthesizer.from_config(make_config(polly_sample_rate=22050))
    calls: list[int] = []
    polly.client.meta.events.register(
        "before-send.polly.SynthesizeSpeech", lambda **_: calls.append(1)
    )
    request = SynthesisRequest(
        text=TEXT,
        ssml=SSML,
        voice_id="Nobody",
        engine="neural",
        output_format="mp3",
        sample_rate=22050,
    )
    with pytest.raises(SynthesisRejectedError, match="InvalidParameterValue"):
        polly.synthesize(request)
    assert calls == [1]


def test_moto_rejects_24000_hz_which_real_polly_accepts(moto_polly_env: str) -> None:
    polly = PollySynthesizer.from_config(make_config())
    with pytest.raises(SynthesisRejectedError, match="InvalidSampleRateException"):
        polly.synthesize(REQUEST)


def test_boto3_default_session_is_untouched(moto_polly_env: str) -> None:
    # make_polly_client uses boto3's default session; it must pick up the env endpoint
    assert boto3.client("polly").meta.endpoint_url == moto_polly_env
