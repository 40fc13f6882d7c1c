"""Word timings: the three shapes recognisers hand over, and the ones that contradict themselves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from emotion_dynamics.detectors.rate import detect_rate
from emotion_dynamics.errors import InvalidEventError
from emotion_dynamics.models import RateMethod
from emotion_dynamics.timings import parse_word_timings
from tests.support import make_config

WORDS = [("The", 0.10, 0.25), ("train", 0.30, 0.62), ("leaves", 0.70, 1.05), ("now", 1.20, 1.50)]
#: 4 words over 1.40 s (first start to last end); their own durations sum to 1.12 s.
WPM = 4 / 1.40 * 60
ARTICULATION_WPM = 4 / 1.12 * 60


def transcribe_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for word, start, end in WORDS:
        items.append(
            {
                "type": "pronunciation",
                "start_time": f"{start:.3f}",
                "end_time": f"{end:.3f}",
                "alternatives": [{"confidence": "0.99", "content": word}],
            }
        )
    items.append({"type": "punctuation", "alternatives": [{"confidence": "0.0", "content": "."}]})
    return items


def whisper_words() -> list[dict[str, Any]]:
    return [{"word": f" {w}", "start": s, "end": e, "probability": 0.9} for w, s, e in WORDS]


SHAPES = {
    "transcribe items": transcribe_items(),
    "transcribe result": {
        "jobName": "x",
        "results": {"transcripts": [], "items": transcribe_items()},
    },
    "transcribe streaming": [
        {"Type": "pronunciation", "StartTime": s, "EndTime": e, "Content": w} for w, s, e in WORDS
    ],
    "whisper words": whisper_words(),
    "whisper result": {
        "text": "...",
        "segments": [{"words": whisper_words()[:2]}, {"words": whisper_words()[2:]}],
    },
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_gives_the_exact_rate(shape: str) -> None:
    timings = parse_word_timings(SHAPES[shape], audio_s=2.0)
    assert [w.text for w in timings.words] == [w for w, _, _ in WORDS]
    rate = detect_rate(
        np.zeros(32000), 16000, thresholds=make_config().rate, words=timings, language="en"
    )
    assert rate.method is RateMethod.WORD_TIMINGS
    assert rate.wpm == pytest.approx(WPM)
    assert rate.articulation_wpm == pytest.approx(ARTICULATION_WPM)
    assert rate.syllables == 4
    assert rate.syllables_per_s == pytest.approx(4 / 1.40)
    assert rate.speech_s == pytest.approx(1.40)


def _whisper(*words: tuple[Any, Any, Any]) -> list[dict[str, Any]]:
    return [{"word": w, "start": s, "end": e} for w, s, e in words]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (_whisper(("a", -0.1, 0.2)), "negative"),
        (_whisper(("a", 0.5, 0.2)), "ends (0.2 s) before it starts (0.5 s)"),
        (_whisper(("a", 0.5, 0.9), ("b", 0.2, 0.4)), "time order"),
        (_whisper(("a", 0.1, 2.6)), "past the audio's end"),
        (_whisper(("a", "soon", 0.4)), "must be a number of seconds"),
        (_whisper(("a", float("nan"), 0.4)), "finite"),
        (_whisper(("a", True, 0.4)), "boolean"),
        (_whisper(("", 0.1, 0.4)), "needs the word's text"),
        ([{"type": "pronunciation", "alternatives": [{"content": "a"}]}], "needs start and end"),
        ([{"start_time": "0.1", "alternatives": [{"content": "a"}]}], "not both"),
        ([{"type": "punctuation", "alternatives": [{"content": "."}]}], "no timed word"),
        (_whisper(("a", 0.3, 0.3)), "span no time"),
        ("the words", "must be Transcribe's results.items"),
        ({"segments": [{"text": "no words"}]}, "segments must each hold a list of words"),
        ([1, 2], "must be an object"),
    ],
)
def test_contradictory_timings_are_refused_naming_the_field(raw: object, fragment: str) -> None:
    with pytest.raises(InvalidEventError) as caught:
        parse_word_timings(raw, audio_s=2.0)
    assert caught.value.field == "source_words"
    assert fragment in caught.value.message


def test_a_little_past_the_end_and_a_little_overlap_are_rounding() -> None:
    timings = parse_word_timings(_whisper(("a", 0.1, 0.51), ("b", 0.50, 2.4)), audio_s=2.0)
    assert len(timings.words) == 2


def test_implausible_timings_fall_back_to_the_acoustic_estimate() -> None:
    # 40 words in half a second: not human speech
    words = _whisper(*((f"w{i}", i * 0.0125, i * 0.0125 + 0.01) for i in range(40)))
    timings = parse_word_timings(words, audio_s=2.0)
    rate = detect_rate(np.zeros(32000), 16000, thresholds=make_config().rate, words=timings)
    assert rate.method is RateMethod.ACOUSTIC
    assert rate.notes and "outside human speech" in rate.notes[0]
