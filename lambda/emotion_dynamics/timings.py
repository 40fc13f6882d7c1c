"""Word timings from an upstream recogniser, validated at the event boundary.

Accepted shapes of the event's ``source_words``:

- Amazon Transcribe's ``results.items``: a list of ``{"type": "pronunciation", "start_time":
  "0.12", "end_time": "0.45", "alternatives": [{"content": "word"}]}`` (punctuation items,
  which have no times, are skipped); also the streaming form with ``StartTime``/``EndTime``
  numbers and ``Content``/``Alternatives``;
- a whole Transcribe result, ``{"results": {"items": [...]}}``;
- whisper's words: ``[{"word": " word", "start": 0.12, "end": 0.45}, ...]`` (or its whole
  result, ``{"segments": [{"words": [...]}]}``).

Times are seconds. Anything that contradicts itself is an :class:`InvalidEventError` naming
``source_words``: non-numbers, negative times, an end before its start, words out of order
(overlapping by more than :data:`OVERLAP_TOLERANCE_S`), or words ending more than
:data:`PAST_AUDIO_TOLERANCE_S` after the audio.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from emotion_dynamics.errors import InvalidEventError

__all__ = ["FIELD", "MAX_WORDS", "TimedWord", "WordTimings", "parse_word_timings"]

FIELD: Final = "source_words"
#: Most words accepted (a 3 s segment holds a few dozen; this bounds the parse's work).
MAX_WORDS: Final = 2000
#: How far a word may end after the audio does (recognisers round and pad), seconds.
PAST_AUDIO_TOLERANCE_S: Final = 0.5
#: How much consecutive words may overlap (rounding to 0.01 s), seconds.
OVERLAP_TOLERANCE_S: Final = 0.02
_MAX_WORD_CHARS: Final = 200


@dataclass(frozen=True, slots=True)
class TimedWord:
    """One spoken word and its start and end in the audio (seconds)."""

    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class WordTimings:
    """Validated words in time order; ``shape`` names the format they came in."""

    words: tuple[TimedWord, ...]
    shape: str

    @property
    def span_s(self) -> float:
        """From the first word's start to the last word's end."""
        return self.words[-1].end_s - self.words[0].start_s

    @property
    def articulation_s(self) -> float:
        """The words' own durations, summed (pauses between words left out)."""
        return sum(w.end_s - w.start_s for w in self.words)

    @property
    def text(self) -> str:
        """The words joined by spaces (for the syllable counter)."""
        return " ".join(w.text for w in self.words)


def _fail(message: str) -> InvalidEventError:
    return InvalidEventError(FIELD, message)


def _seconds(value: object, what: str, index: int) -> float:
    if isinstance(value, bool):
        raise _fail(f"item {index}: {what} must be a number of seconds, given a boolean")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _fail(f"item {index}: {what} must be a number of seconds") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(f"item {index}: {what} must be a finite number of seconds")
    if value < 0:
        raise _fail(f"item {index}: {what} is negative ({value:g} s)")
    return float(value)


def _content(item: Mapping[str, Any]) -> str | None:
    if "word" in item:
        return item["word"] if isinstance(item["word"], str) else None
    for key in ("alternatives", "Alternatives"):
        alternatives = item.get(key)
        if isinstance(alternatives, list) and alternatives and isinstance(alternatives[0], Mapping):
            content = alternatives[0].get("content", alternatives[0].get("Content"))
            return content if isinstance(content, str) else None
    content = item.get("content", item.get("Content"))
    return content if isinstance(content, str) else None


def _items(raw: object) -> tuple[Sequence[Any], str]:
    """The list of word items and the name of the shape they came in."""
    if isinstance(raw, list):
        first = next((i for i in raw if isinstance(i, Mapping)), {})
        return raw, "whisper" if "word" in first else "transcribe"
    if isinstance(raw, Mapping):
        results = raw.get("results")
        if isinstance(results, Mapping) and isinstance(results.get("items"), list):
            return results["items"], "transcribe"
        if isinstance(raw.get("items"), list):
            return raw["items"], "transcribe"
        segments = raw.get("segments")
        if isinstance(segments, list):
            words: list[Any] = []
            for segment in segments:
                if not isinstance(segment, Mapping) or not isinstance(segment.get("words"), list):
                    raise _fail("whisper segments must each hold a list of words")
                words.extend(segment["words"])
            return words, "whisper"
    raise _fail(
        'must be Transcribe\'s results.items (a list, or {"results": {"items": [...]}}) or '
        'whisper\'s words (a list of {word, start, end}, or {"segments": [...]})'
    )


def _times(item: Mapping[str, Any], index: int) -> tuple[float, float] | None:
    """(start, end), or None for an item without times (Transcribe punctuation)."""
    for start_key, end_key in (
        ("start", "end"),
        ("start_time", "end_time"),
        ("StartTime", "EndTime"),
    ):
        if start_key in item or end_key in item:
            if start_key not in item or end_key not in item:
                raise _fail(f"item {index}: has {start_key} or {end_key} but not both")
            start = _seconds(item[start_key], start_key, index)
            end = _seconds(item[end_key], end_key, index)
            return start, end
    kind = item.get("type", item.get("Type"))
    if kind in ("punctuation", "Punctuation") or (kind is None and "word" not in item):
        return None
    raise _fail(f"item {index}: a pronunciation item needs start and end times")


def parse_word_timings(raw: object, *, audio_s: float) -> WordTimings:
    """Validate ``source_words`` against the audio's duration (seconds)."""
    items, shape = _items(raw)
    if len(items) > MAX_WORDS:
        raise _fail(f"has {len(items)} items; at most {MAX_WORDS} are accepted")
    words: list[TimedWord] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _fail(f"item {index}: must be an object, given {type(item).__name__}")
        times = _times(item, index)
        if times is None:
            continue
        text = _content(item)
        if text is None or not text.strip() or len(text) > _MAX_WORD_CHARS:
            raise _fail(f"item {index}: needs the word's text (1..{_MAX_WORD_CHARS} characters)")
        start, end = times
        if end < start:
            raise _fail(f"item {index}: ends ({end:g} s) before it starts ({start:g} s)")
        if words and start < words[-1].end_s - OVERLAP_TOLERANCE_S:
            raise _fail(
                f"item {index}: starts at {start:g} s, before the previous word ends "
                f"({words[-1].end_s:g} s): words must be in time order"
            )
        if end > audio_s + PAST_AUDIO_TOLERANCE_S:
            raise _fail(
                f"item {index}: ends at {end:g} s, past the audio's end ({audio_s:.3f} s) by more "
                f"than {PAST_AUDIO_TOLERANCE_S:g} s"
            )
        words.append(TimedWord(text.strip(), start, end))
    if not words:
        raise _fail("holds no timed word")
    if words[-1].end_s - words[0].start_s <= 0:
        raise _fail("the words span no time (last end equals first start)")
    return WordTimings(tuple(words), shape)
