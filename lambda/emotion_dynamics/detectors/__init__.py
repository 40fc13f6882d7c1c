"""Speech detectors: active-speech level (volume) and speaking rate, in pure numpy.

The public API others code against; see :mod:`.volume` and :mod:`.rate` for the methods
and :mod:`.framing` for the shared framing and speech-span helpers.
"""

from __future__ import annotations

from emotion_dynamics.detectors.framing import frame_power, power_to_dbfs, speech_span_s
from emotion_dynamics.detectors.rate import (
    MAX_PLAUSIBLE_SYLLABLES_PER_S,
    MIN_PLAUSIBLE_SYLLABLES_PER_S,
    SyllableEstimate,
    classify_rate,
    count_words,
    detect_rate,
    estimate_syllables,
    implausible,
)
from emotion_dynamics.detectors.volume import classify_volume, detect_volume

__all__ = [
    "MAX_PLAUSIBLE_SYLLABLES_PER_S",
    "MIN_PLAUSIBLE_SYLLABLES_PER_S",
    "SyllableEstimate",
    "classify_rate",
    "classify_volume",
    "count_words",
    "detect_rate",
    "detect_volume",
    "estimate_syllables",
    "frame_power",
    "implausible",
    "power_to_dbfs",
    "speech_span_s",
]
