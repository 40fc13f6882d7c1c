"""Helpers shared by the test tiers: paths, sample events, in-memory fakes (no fixtures here)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emotion_dynamics.config import Config, default_config
from emotion_dynamics.models import SynthesizedAudio
from emotion_dynamics.synthesis import SynthesisRequest

ROOT = Path(__file__).resolve().parents[1]


EVENTS_DIR = ROOT / "tests" / "events"


def make_config(**overrides: Any) -> Config:
    """The default config (every variable at its contract default) with ``overrides``."""
    return dataclasses.replace(default_config(), **overrides)


def load_event(name: str) -> Any:
    """A sample event from tests/events/ by name (without .json)."""
    return json.loads((EVENTS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def event_names(prefix: str = "") -> list[str]:
    return sorted(p.stem for p in EVENTS_DIR.glob(f"{prefix}*.json") if p.stem != "expected")


EXPECTED: dict[str, dict[str, Any]] = json.loads((EVENTS_DIR / "expected.json").read_text())


class FakeSynthesizer:
    """An in-memory Synthesizer: records requests and answers with fixed bytes."""

    def __init__(self, audio: bytes = b"ID3fake-mp3", content_type: str = "audio/mpeg") -> None:
        self.requests: list[SynthesisRequest] = []
        self.audio = audio
        self.content_type = content_type
        self.fail_with: Exception | None = None

    def synthesize(
        self, request: SynthesisRequest, *, remaining_ms: Callable[[], int] | None = None
    ) -> SynthesizedAudio:
        self.requests.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        return SynthesizedAudio(audio=self.audio, content_type=self.content_type)


class FakeContext:
    """The parts of the Lambda context object the handler uses."""

    aws_request_id = "00000000-0000-0000-0000-000000000000"
    function_name = "emotion-dynamics-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:emotion-dynamics-test"

    def __init__(self, remaining_ms: int = 10_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
