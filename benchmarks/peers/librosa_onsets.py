"""The seed's approach on librosa: RMS level and onset counting (a peer, bench-only).

- :func:`seed_features` is what the seed computed per segment (``feature.rms`` +
  ``onset.onset_strength`` + ``onset.onset_detect``); it is the latency peer.
- :func:`onset_rate_wpm` turns the onsets into a speaking rate the way a user of librosa
  would: onsets counted over the speech time (``effects.trim`` at 40 dB below the peak, the
  same gate as the speech-dev reference), one onset per syllable, 1.45 syllables per word.
- :func:`librosa_level_dbfs` is the seed's level: mean of the frame RMS values, in dB.

librosa is a bench dependency only; it never goes into the Lambda.
"""

from __future__ import annotations

import math
from typing import Final

import librosa
import numpy as np
import numpy.typing as npt

from emotion_dynamics.detectors.rate import SYLLABLES_PER_WORD  # the same conversion as ours

TRIM_TOP_DB: Final = 40.0


def seed_features(
    y: npt.NDArray[np.float64], sr: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    rms = librosa.feature.rms(y=y)
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    onsets = librosa.onset.onset_detect(onset_envelope=envelope, sr=sr)
    return rms, onsets


def onset_rate_wpm(y: npt.NDArray[np.float64], sr: int) -> float | None:
    x = np.asarray(y, dtype=np.float32)
    if not np.any(x):
        return None
    _, (start, stop) = librosa.effects.trim(x, top_db=TRIM_TOP_DB)
    speech_s = (stop - start) / sr
    if speech_s <= 0:
        return None
    envelope = librosa.onset.onset_strength(y=x, sr=sr)
    onsets = librosa.onset.onset_detect(onset_envelope=envelope, sr=sr)
    return float(len(onsets) / speech_s * 60.0 / SYLLABLES_PER_WORD)


def librosa_level_dbfs(y: npt.NDArray[np.float64], sr: int) -> float | None:
    del sr
    rms = librosa.feature.rms(y=np.asarray(y, dtype=np.float64))[0]
    mean = float(np.mean(rms))
    return 20.0 * math.log10(mean) if mean > 0 else None
