"""Unit tests of the synthesis cache (virtual clock, in-memory fake synthesizer)."""

from __future__ import annotations

import dataclasses

import pytest

from emotion_dynamics.cache import CachingSynthesizer, SynthesisCache, request_key
from emotion_dynamics.models import SynthesizedAudio
from emotion_dynamics.synthesis import RemainingMs, SynthesisRequest, Synthesizer

REQUEST = SynthesisRequest(
    text="Hello there.",
    ssml='<speak><prosody volume="loud">Hello there.</prosody></speak>',
    voice_id="Joanna",
    engine="neural",
    output_format="mp3",
    sample_rate=24000,
)
AUDIO = SynthesizedAudio(audio=b"ID3fake", content_type="audio/mpeg", attempts=2)


class VirtualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingSynthesizer:
    def __init__(self) -> None:
        self.calls: list[SynthesisRequest] = []

    def synthesize(
        self, request: SynthesisRequest, *, remaining_ms: RemainingMs | None = None
    ) -> SynthesizedAudio:
        self.calls.append(request)
        return SynthesizedAudio(
            audio=f"audio-{len(self.calls)}".encode(), content_type="audio/mpeg", attempts=1
        )


def test_hit_within_ttl() -> None:
    clock = VirtualClock()
    cache = SynthesisCache(ttl_s=300, max_entries=4, clock=clock)
    cache.put(REQUEST, AUDIO)
    clock.now += 299.9
    assert cache.get(REQUEST) == AUDIO


def test_miss_after_ttl() -> None:
    clock = VirtualClock()
    cache = SynthesisCache(ttl_s=300, max_entries=4, clock=clock)
    cache.put(REQUEST, AUDIO)
    clock.now += 300.0
    assert cache.get(REQUEST) is None
    assert len(cache) == 0


def test_lru_eviction_at_max_entries() -> None:
    cache = SynthesisCache(ttl_s=300, max_entries=2, clock=VirtualClock())
    a, b, c = (dataclasses.replace(REQUEST, text=t) for t in "abc")
    cache.put(a, AUDIO)
    cache.put(b, AUDIO)
    assert cache.get(a) == AUDIO  # a is now the most recently used
    cache.put(c, AUDIO)  # evicts b, the least recently used
    assert len(cache) == 2
    assert cache.get(b) is None
    assert cache.get(a) == AUDIO
    assert cache.get(c) == AUDIO


@pytest.mark.parametrize(
    "change",
    [
        {"text": "Hello there!"},
        {"ssml": None},
        {"ssml": '<speak><prosody volume="soft">Hello there.</prosody></speak>'},
        {"voice_id": "Matthew"},
        {"engine": "standard"},
        {"output_format": "ogg_vorbis"},
        {"sample_rate": 16000},
    ],
)
def test_any_field_changes_the_key(change: dict[str, object]) -> None:
    other = dataclasses.replace(REQUEST, **change)  # type: ignore[arg-type]
    assert request_key(other) != request_key(REQUEST)
    cache = SynthesisCache(ttl_s=300, max_entries=4, clock=VirtualClock())
    cache.put(REQUEST, AUDIO)
    assert cache.get(other) is None


def test_key_is_a_sha256_hex_digest_without_the_text() -> None:
    key = request_key(REQUEST)
    assert len(key) == 64
    assert int(key, 16) >= 0
    assert "Hello" not in key
    cache = SynthesisCache(ttl_s=300, max_entries=4, clock=VirtualClock())
    cache.put(REQUEST, AUDIO)
    assert list(cache._entries) == [key]


def test_key_is_unambiguous_across_field_boundaries() -> None:
    one = dataclasses.replace(REQUEST, text="ab", voice_id="c")
    two = dataclasses.replace(REQUEST, text="a", voice_id="bc")
    assert request_key(one) != request_key(two)


def test_key_handles_lone_surrogates() -> None:
    assert len(request_key(dataclasses.replace(REQUEST, text="\ud800"))) == 64


def test_caching_synthesizer_calls_inner_once_for_identical_requests() -> None:
    inner = CountingSynthesizer()
    caching = CachingSynthesizer(inner, SynthesisCache(300, 8, clock=VirtualClock()))
    assert isinstance(caching, Synthesizer)
    first = caching.synthesize(REQUEST)
    second = caching.synthesize(dataclasses.replace(REQUEST))
    assert len(inner.calls) == 1
    assert first.cached is False
    assert second.cached is True
    assert second.attempts == 0
    assert second.audio == first.audio


def test_caching_synthesizer_calls_inner_again_after_ttl_and_for_other_requests() -> None:
    clock = VirtualClock()
    inner = CountingSynthesizer()
    caching = CachingSynthesizer(inner, SynthesisCache(300, 8, clock=clock))
    caching.synthesize(REQUEST)
    caching.synthesize(dataclasses.replace(REQUEST, voice_id="Matthew"))
    assert len(inner.calls) == 2
    clock.now += 301
    assert caching.synthesize(REQUEST).cached is False
    assert len(inner.calls) == 3


def test_caching_synthesizer_does_not_cache_errors() -> None:
    class Failing:
        calls = 0

        def synthesize(
            self, request: SynthesisRequest, *, remaining_ms: RemainingMs | None = None
        ) -> SynthesizedAudio:
            Failing.calls += 1
            raise RuntimeError("boom")

    caching = CachingSynthesizer(Failing(), SynthesisCache(300, 8, clock=VirtualClock()))
    for _ in range(2):
        with pytest.raises(RuntimeError):
            caching.synthesize(REQUEST)
    assert Failing.calls == 2


def test_remaining_ms_is_passed_through() -> None:
    seen: list[int] = []

    class Recording:
        def synthesize(
            self, request: SynthesisRequest, *, remaining_ms: RemainingMs | None = None
        ) -> SynthesizedAudio:
            assert remaining_ms is not None
            seen.append(remaining_ms())
            return AUDIO

    CachingSynthesizer(Recording(), SynthesisCache(300, 8)).synthesize(
        REQUEST, remaining_ms=lambda: 1234
    )
    assert seen == [1234]


@pytest.mark.parametrize(("ttl_s", "max_entries"), [(-1.0, 4), (300.0, 0)])
def test_bad_parameters_are_rejected(ttl_s: float, max_entries: int) -> None:
    with pytest.raises(ValueError, match="given"):
        SynthesisCache(ttl_s, max_entries)


def test_request_repr_does_not_show_the_text() -> None:
    assert "Hello" not in repr(REQUEST)
    assert "Joanna" in repr(REQUEST)
