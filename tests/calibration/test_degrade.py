"""Degraded copies: each condition does what it says, reproducibly, as the Lambda decodes it."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import soundfile as sf

from calibration import degrade


@pytest.fixture(scope="module")
def clips() -> list[degrade.DevClip]:
    if not (degrade.SPEECH_DEV_DIR / "manifest.csv").is_file():
        pytest.skip(f"speech-dev is not available at {degrade.SPEECH_DEV_DIR}")
    return degrade.load_dev_clips()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(13)


def _snr_db(clean: np.ndarray, degraded: np.ndarray, *, active_noise: bool = False) -> float:
    """Active speech level over the added signal's level (its active level for a talker)."""
    noise = degraded - clean
    level = degrade.active_power(noise) if active_noise else float(np.mean(noise**2))
    return 10 * math.log10(degrade.active_power(clean) / level)


@pytest.mark.parametrize(
    ("condition", "snr_db"), [("white_20db", 20), ("white_10db", 10), ("pink_20db", 20), ("pink_10db", 10)]
)  # fmt: skip
def test_noise_is_added_at_the_stated_snr(
    clips: list[degrade.DevClip], condition: str, snr_db: float
) -> None:
    clip = clips[0]
    clean = degrade.lambda_view(degrade.degraded_bytes(clip, "clean", clips)).astype(np.float64)
    noisy = degrade.lambda_view(degrade.degraded_bytes(clip, condition, clips)).astype(np.float64)
    # PCM16 quantisation and a peak-limiting rescale (never above 0.99) stay under 0.5 dB.
    assert _snr_db(clean, noisy) == pytest.approx(snr_db, abs=0.5)


def test_pink_noise_falls_3_db_per_octave(rng: np.random.Generator) -> None:
    noise = degrade.pink_noise(2**16, rng)
    power = np.abs(np.fft.rfft(noise)) ** 2
    freqs = np.fft.rfftfreq(noise.size, 1 / 16000)

    def band_density(low: float) -> float:
        mask = (freqs >= low) & (freqs < 2 * low)
        return float(np.mean(power[mask]))

    assert 10 * math.log10(band_density(500) / band_density(1000)) == pytest.approx(3.0, abs=0.3)
    assert np.std(noise) == pytest.approx(1.0)


def test_competing_talker_is_another_talker_10_db_down(clips: list[degrade.DevClip]) -> None:
    for clip in clips[:6]:
        other = degrade.interferer_for(clip, clips)
        assert other.speaker != clip.speaker
    clip = clips[0]
    clean = degrade.lambda_view(degrade.degraded_bytes(clip, "clean", clips)).astype(np.float64)
    mixed = degrade.lambda_view(degrade.degraded_bytes(clip, "talker_10db", clips)).astype(
        np.float64
    )
    assert mixed.size == clean.size
    assert _snr_db(clean, mixed, active_noise=True) == pytest.approx(10.0, abs=0.5)


def test_telephone_band_is_300_to_3400_hz_at_8_khz(rng: np.random.Generator) -> None:
    x = rng.standard_normal(32000) * 0.1
    y, rate = degrade.telephone_band(x)
    assert rate == 8000 and y.size == 16000
    power = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(y.size, 1 / rate)

    def level(low: float, high: float) -> float:
        return float(np.mean(power[(freqs >= low) & (freqs < high)]))

    passband = level(500, 3000)
    assert 10 * math.log10(level(50, 150) / passband) < -20
    assert 10 * math.log10(level(3700, 4000) / passband) < -20


@pytest.mark.parametrize(
    ("condition", "container", "rate", "subtype"),
    [("clean", "WAV", 16000, "PCM_16"), ("telephone_8k", "WAV", 8000, "PCM_16"),
     ("mulaw_8k", "WAV", 8000, "ULAW"), ("opus_24k", "OGG", None, "OPUS")],
)  # fmt: skip
def test_each_condition_is_the_file_a_caller_would_send(
    clips: list[degrade.DevClip], condition: str, container: str, rate: int | None, subtype: str
) -> None:
    clip = clips[0]
    data = degrade.degraded_bytes(clip, condition, clips)
    info = sf.info(io.BytesIO(data))
    assert info.format == container and info.subtype == subtype
    if rate is not None:
        assert info.samplerate == rate
    view = degrade.lambda_view(data)
    assert view.dtype == np.float32
    clean_n = len(degrade.lambda_view(degrade.degraded_bytes(clip, "clean", clips)))
    assert abs(view.size - clean_n) <= 0.05 * clean_n  # Opus pads a few ms


def test_rendering_is_reproducible(clips: list[degrade.DevClip]) -> None:
    for condition in ("white_10db", "pink_20db", "talker_10db", "telephone_8k", "mulaw_8k"):
        assert degrade.render(clips[1], condition, clips) == degrade.render(
            clips[1], condition, clips
        )
