"""Syllable-nuclei speech rate after de Jong & Wempe (2009), on praat-parselmouth.

An independent implementation written from the method's description in N. H. de Jong and
T. Wempe, "Praat script to detect syllable nuclei and measure speech rate automatically",
Behavior Research Methods 41(2), 385-390 (2009). It is not a copy of the authors' GPL Praat
script. Steps, as the paper describes them:

1. Intensity contour (Praat ``To Intensity``, pitch floor 50 Hz, mean subtracted).
2. Silence threshold ``-25 dB`` relative to the 99th percentile of the intensity (clipped so
   that it is never below the contour's minimum); pauses are stretches under the threshold
   of at least 0.3 s (Praat ``To TextGrid (silences)``).
3. Candidate nuclei: local maxima of the intensity above the threshold, inside sounding
   stretches.
4. Dip test: a peak is kept only if the intensity falls by more than 2 dB between it and the
   next peak (the last peak of the contour is tested against the dip down to the end of its
   sounding stretch).
5. Voicing: Praat's autocorrelation pitch tracker must report a pitch at the peak.

Speech rate: ``syllables / speech_s * 60 / 1.45`` words per minute, where ``speech_s`` is
the time from the start of the first sounding stretch to the end of the last one (comparable
to the speech-dev manifest's span) and 1.45 is the English syllables-per-word average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import parselmouth
from parselmouth.praat import call

from emotion_dynamics.detectors.rate import SYLLABLES_PER_WORD  # the same conversion as ours

__all__ = ["DeJongResult", "dejong_rate", "dejong_syllables"]

SILENCE_DB: Final = -25.0
MIN_DIP_DB: Final = 2.0
MIN_PAUSE_S: Final = 0.3
MIN_SOUNDING_S: Final = 0.1
PITCH_FLOOR_HZ: Final = 50.0


@dataclass(frozen=True, slots=True)
class DeJongResult:
    """Syllable nuclei found, the speech time they were found in and the implied rate."""

    syllables: int
    speech_s: float
    phonation_s: float
    wpm: float | None


def _sounding_intervals(
    intensity: parselmouth.Intensity, threshold_db: float, max_db: float
) -> list[tuple[float, float]]:
    # "To TextGrid (silences)" takes the threshold relative to the contour's maximum.
    relative = threshold_db - max_db
    grid = call(
        intensity,
        "To TextGrid (silences)",
        relative,
        MIN_PAUSE_S,
        MIN_SOUNDING_S,
        "silent",
        "sounding",
    )
    n = int(call(grid, "Get number of intervals", 1))
    out: list[tuple[float, float]] = []
    for i in range(1, n + 1):
        if call(grid, "Get label of interval", 1, i) == "sounding":
            out.append(
                (
                    float(call(grid, "Get starting point", 1, i)),
                    float(call(grid, "Get end point", 1, i)),
                )
            )
    return out


def dejong_syllables(samples: npt.ArrayLike, sample_rate: int) -> DeJongResult:
    """Count syllable nuclei in mono ``samples`` at ``sample_rate`` Hz (see module docstring)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    empty = DeJongResult(syllables=0, speech_s=0.0, phonation_s=0.0, wpm=None)
    # Praat's intensity needs a few pitch periods of signal.
    if x.size < int(0.2 * sample_rate) or not np.any(x):
        return empty
    sound = parselmouth.Sound(x, sampling_frequency=float(sample_rate))
    intensity = sound.to_intensity(minimum_pitch=PITCH_FLOOR_HZ, subtract_mean=True)
    values = np.asarray(intensity.values[0], dtype=np.float64)
    times = np.asarray(intensity.xs(), dtype=np.float64)
    finite = np.isfinite(values)
    if values.size < 3 or not np.any(finite):
        return empty
    values = np.where(finite, values, np.nanmin(values[finite]))
    max_db = float(np.max(values))
    max99_db = float(np.quantile(values, 0.99))
    threshold_db = max(max99_db + SILENCE_DB, float(np.min(values)))

    sounding = _sounding_intervals(intensity, threshold_db, max_db)
    if not sounding:
        return empty
    speech_s = sounding[-1][1] - sounding[0][0]
    phonation_s = sum(b - a for a, b in sounding)

    # Local maxima (plateaus count once, at their first sample) above the threshold.
    left = values[1:-1] > values[:-2]
    right = values[1:-1] >= values[2:]
    peaks = np.flatnonzero(left & right) + 1
    peaks = peaks[values[peaks] > threshold_db]

    def in_sounding(t: float) -> tuple[float, float] | None:
        for a, b in sounding:
            if a <= t <= b:
                return (a, b)
        return None

    peaks = np.array([p for p in peaks if in_sounding(float(times[p])) is not None], dtype=np.int64)

    kept: list[int] = []
    peak_list = [int(p) for p in peaks]
    for k, p in enumerate(peak_list):
        if k + 1 < len(peak_list):
            dip = float(np.min(values[p : peak_list[k + 1] + 1]))
        else:
            interval = in_sounding(float(times[p]))
            end = interval[1] if interval is not None else float(times[-1])
            stop = int(np.searchsorted(times, end, side="right"))
            dip = float(np.min(values[p : max(stop, p + 1)]))
        if values[p] - dip > MIN_DIP_DB:
            kept.append(p)

    pitch = sound.to_pitch_ac(
        time_step=0.02,
        pitch_floor=30.0,
        max_number_of_candidates=4,
        very_accurate=False,
        silence_threshold=0.03,
        voicing_threshold=0.25,
        octave_cost=0.01,
        octave_jump_cost=0.35,
        voiced_unvoiced_cost=0.25,
        pitch_ceiling=450.0,
    )
    syllables = 0
    for p in kept:
        f0 = pitch.get_value_at_time(float(times[p]))
        if f0 is not None and math.isfinite(f0):
            syllables += 1

    wpm = syllables / speech_s * 60.0 / SYLLABLES_PER_WORD if speech_s > 0 else None
    return DeJongResult(
        syllables=syllables, speech_s=float(speech_s), phonation_s=float(phonation_s), wpm=wpm
    )


def dejong_rate(samples: npt.ArrayLike, sample_rate: int) -> float | None:
    """Speaking rate in words per minute by the syllable-nuclei method (``None``: no speech)."""
    return dejong_syllables(samples, sample_rate).wpm
