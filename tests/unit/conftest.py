"""Fixtures of the detector unit tests: seeded randomness, synthetic speech-like signals,
the speech-dev clips and espeak-ng renderings."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests import speech_dev

FloatArray = npt.NDArray[np.float64]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261130)


def voiced_buzz(
    duration_s: float, sample_rate: int, *, f0_hz: float = 120.0, rng: np.random.Generator
) -> FloatArray:
    """A voiced-speech stand-in: harmonics of f0 up to 3.5 kHz with 1/k amplitudes and a
    little jitter-free random phase, normalised to unit peak."""
    t = np.arange(round(duration_s * sample_rate)) / sample_rate
    x = np.zeros_like(t)
    n_harmonics = int(min(3500.0, 0.45 * sample_rate) // f0_hz)
    phases = rng.uniform(0, 2 * np.pi, n_harmonics)
    for k in range(1, n_harmonics + 1):
        x += np.sin(2 * np.pi * k * f0_hz * t + phases[k - 1]) / k
    normalised: FloatArray = x / np.max(np.abs(x))
    return normalised


def syllable_train(
    rate_hz: float,
    duration_s: float,
    sample_rate: int,
    *,
    rng: np.random.Generator,
    peak: float = 0.5,
) -> FloatArray:
    """Voiced buzz amplitude-modulated at ``rate_hz`` (raised-cosine squared bursts):
    ``rate_hz * duration_s`` syllable-like nuclei with deep dips between them."""
    t = np.arange(round(duration_s * sample_rate)) / sample_rate
    envelope = (0.5 - 0.5 * np.cos(2 * np.pi * rate_hz * t)) ** 2
    train: FloatArray = peak * envelope * voiced_buzz(duration_s, sample_rate, rng=rng)
    return train


@pytest.fixture(scope="session")
def clips() -> tuple[speech_dev.Clip, ...]:
    speech_dev.skip_unless_available()
    return speech_dev.load_clips()


@pytest.fixture(scope="session")
def espeak(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str, int], tuple[FloatArray, int]]:
    """Render English text with espeak-ng at ``-s wpm``; skip when espeak-ng is absent."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (Debian package espeak-ng)")
    import soundfile as sf

    out_dir: Path = tmp_path_factory.mktemp("espeak")

    def render(text: str, wpm: int) -> tuple[FloatArray, int]:
        path = out_dir / f"s{wpm}.wav"
        subprocess.run([exe, "-w", str(path), "-s", str(wpm), text], check=True, timeout=60)
        samples, sample_rate = sf.read(path, dtype="float64")
        return samples, int(sample_rate)

    return render
