"""Framing, dBFS convention and the manifest's speech-span definition."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_dynamics.detectors.framing import (
    FLOOR_DBFS,
    frame_power,
    frame_signal,
    percentile,
    power_to_dbfs,
    speech_span_frames,
    speech_span_s,
)
from tests.speech_dev import Clip


def test_frame_signal_shape_and_content() -> None:
    x = np.arange(1000, dtype=np.float64)
    frames = frame_signal(x, 400, 160)
    assert frames.shape == (1 + (1000 - 400) // 160, 400)
    np.testing.assert_array_equal(frames[2], x[320:720])


def test_frame_signal_shorter_than_a_frame_gives_one_frame() -> None:
    frames = frame_signal(np.array([0.5]), 400, 160)
    assert frames.shape == (1, 1)


def test_frame_power_matches_direct_computation(rng: np.random.Generator) -> None:
    x = rng.uniform(-1, 1, 16000)
    power = frame_power(x, 16000)
    direct = np.mean(frame_signal(x, 400, 160) ** 2, axis=1)
    np.testing.assert_allclose(power, direct, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("sample_rate", [8000, 16000, 22050, 48000])
def test_dbfs_convention_square_zero_sine_minus_3(sample_rate: int) -> None:
    t = np.arange(sample_rate) / sample_rate
    square = np.sign(np.sin(2 * np.pi * 100 * t + 0.1))
    sine = np.sin(2 * np.pi * 100 * t)
    np.testing.assert_allclose(
        power_to_dbfs(np.mean(frame_power(square, sample_rate))), 0.0, atol=0.01
    )
    np.testing.assert_allclose(
        power_to_dbfs(np.mean(frame_power(sine, sample_rate))), -3.01, atol=0.02
    )


def test_digital_silence_is_floored_not_infinite() -> None:
    assert power_to_dbfs(0.0) == pytest.approx(FLOOR_DBFS)
    assert speech_span_frames(np.zeros(10)) is None
    assert speech_span_s(np.zeros(16000), 16000) == 0.0


def test_speech_span_matches_manifest_definition() -> None:
    sr = 16000
    x = np.zeros(3 * sr)
    x[sr : 2 * sr] = 0.1 * np.sin(2 * np.pi * 200 * np.arange(sr) / sr)
    # Frames overlapping the burst (25 ms frames, 10 ms hop): span = (last - first) hop + frame.
    span = speech_span_s(x, sr)
    first = (sr - 400) // 160 + 1
    last = (2 * sr - 1) // 160
    np.testing.assert_allclose(span, ((last - first) * 160 + 400) / sr, atol=1e-9)


def test_speech_span_equals_manifest_on_speech_dev(clips: tuple[Clip, ...]) -> None:
    for clip in clips:
        np.testing.assert_allclose(
            speech_span_s(clip.samples, clip.sample_rate),
            clip.speech_s,
            atol=1e-6,
            err_msg=clip.name,
        )


@pytest.mark.parametrize("q", [0, 5, 37.5, 50, 99, 100])
@pytest.mark.parametrize("n", [1, 2, 7, 300])
def test_percentile_matches_numpy(q: float, n: int) -> None:
    values = np.random.default_rng(n).standard_normal(n) * 20 - 40
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-12)
