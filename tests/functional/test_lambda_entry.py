"""The real Lambda entry point (``handler.lambda_handler``) over HTTP to moto's Polly.

GIVEN the handler module imported fresh with the environment the Pulumi program sets and
Polly's endpoint pointed at moto's server on 127.0.0.1, WHEN sample events are invoked,
THEN the audio comes back through a real HTTP round trip, identical requests are served from
the cache, and a request Polly rejects still answers with the SSML and the analysis.
"""

from __future__ import annotations

import base64
import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.support import FakeContext, load_event

LAMBDA_ENV = {
    "VOICE_ID": "Joanna",
    "POLLY_ENGINE": "neural",
    "POLLY_OUTPUT_FORMAT": "mp3",
    "POLLY_SAMPLE_RATE": "22050",  # moto accepts 8000, 16000 and 22050 only
    "ENABLE_METRICS": "false",
    "ENABLE_CACHING": "true",
    "CACHE_TTL_SECONDS": "300",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture
def handler_module(moto_polly_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    for key, value in LAMBDA_ENV.items():
        monkeypatch.setenv(key, value)
    sys.modules.pop("handler", None)
    module = importlib.import_module("handler")
    yield module
    sys.modules.pop("handler", None)


def test_round_trip_through_moto(handler_module: ModuleType) -> None:
    response = handler_module.lambda_handler(load_event("valid_wav_base64"), FakeContext())
    assert response["statusCode"] == 200, response
    assert base64.b64decode(response["audio_base64"]) == b"\x00" * 8  # what moto synthesizes
    assert response["content_type"] == "audio/mpeg"
    assert response["synthesis"] == {"attempts": 1, "cached": False}


def test_identical_request_is_served_from_the_cache(handler_module: ModuleType) -> None:
    event = load_event("valid_wav_base64")
    first = handler_module.lambda_handler(event, FakeContext())
    second = handler_module.lambda_handler(event, FakeContext())
    assert first["synthesis"]["cached"] is False
    assert second["synthesis"]["cached"] is True
    assert second["audio_base64"] == first["audio_base64"]
    event["voice_id"] = "Matthew"
    third = handler_module.lambda_handler(event, FakeContext())
    assert third["synthesis"]["cached"] is False


def test_rejected_request_keeps_the_ssml(handler_module: ModuleType) -> None:
    event = load_event("valid_wav_base64")
    event["voice_id"] = "Nobody"  # moto rejects unknown voices with a 400
    response = handler_module.lambda_handler(event, FakeContext())
    assert response["statusCode"] == 502
    assert response["error"]["code"] == "SYNTHESIS_REJECTED"
    assert response["ssml"].startswith("<speak>")
    assert response["volume"] is not None and "audio_base64" not in response
