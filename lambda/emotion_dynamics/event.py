"""The event boundary: validate a raw Lambda event into a typed :class:`Request`.

This is the only place that looks at the raw event. Every problem raises an
:class:`~emotion_dynamics.errors.InvalidEventError` (or a subclass) naming the field and
describing what was wrong with the value given (its type or size, never the user's text).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from emotion_dynamics.audio import (
    DecodedAudio,
    DurationPolicy,
    check_sample_rate,
    decode_audio_bytes,
    from_sample_list,
)
from emotion_dynamics.config import ENGINES, Config
from emotion_dynamics.contract import SOURCE_LANGUAGE, VOICE_ID
from emotion_dynamics.errors import InvalidEventError, PayloadTooLargeError, TextTooLongError
from emotion_dynamics.models import ProcessingOptions
from emotion_dynamics.ssml import (
    MAX_BILLED_CHARS,
    MAX_TOTAL_CHARS,
    ssml_length,
    strip_invalid_xml_chars,
)
from emotion_dynamics.timings import WordTimings, parse_word_timings

__all__ = ["MAX_EVENT_BYTES", "Request", "parse_event"]

#: Lambda's synchronous invocation payload limit (6 MB).
MAX_EVENT_BYTES: Final = 6 * 1024 * 1024
MAX_REQUEST_ID_CHARS: Final = 128

_FIELDS: Final = frozenset(
    {
        "audio_base64",
        "audio_data",
        "sample_rate",
        "channels",
        "text",
        "voice_id",
        "engine",
        "source_transcript",
        "source_language",
        "source_words",
        "options",
        "request_id",
    }
)
#: Line breaks and spaces that base64 writers insert (GNU base64 wraps at 76 columns, Python's
#: ``base64.encodebytes`` too); removed before the strict decode, which refuses anything else.
_BASE64_WHITESPACE: Final = {ord(c): None for c in " \t\n\r\v\f"}
_FLAG_OPTIONS: Final = frozenset(
    {
        "enable_ssml",
        "enable_volume_detection",
        "enable_rate_detection",
        "synthesize",
        "fit_to_source",
    }
)
_OPTION_FIELDS: Final = _FLAG_OPTIONS | {"max_duration_s"}
#: Longest speech a caller may ask to fit into (s); Polly's own limit is far longer.
MAX_DURATION_LIMIT_S: Final = 600.0


@dataclass(frozen=True, slots=True)
class Request:
    """A validated request: everything past this point trusts these values."""

    audio: DecodedAudio
    text: str
    voice_id: str
    engine: str
    source_transcript: str | None
    options: ProcessingOptions
    request_id: str | None = None
    source_language: str = "en"
    language_given: bool = False
    source_words: WordTimings | None = None


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _string(event: Mapping[str, Any], field: str, *, required: bool) -> str | None:
    value = event.get(field)
    if value is None:
        if required:
            raise InvalidEventError(field, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidEventError(field, f"must be a string, given {_type_name(value)}")
    return value


def _integer(event: Mapping[str, Any], field: str) -> int | None:
    value = event.get(field)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not int:
        raise InvalidEventError(field, f"must be an integer, given {_type_name(value)}")
    return value


def _check_text(text: str, field: str) -> str:
    """A text of at most Polly's billed characters once the characters XML forbids are dropped."""
    clean = strip_invalid_xml_chars(text)
    if not clean.strip():
        raise InvalidEventError(
            field,
            "must contain at least one non-blank character that XML can carry "
            "(control characters and U+FFFE/U+FFFF are dropped)",
        )
    if len(clean) > MAX_BILLED_CHARS:
        raise TextTooLongError(
            field,
            f"has {len(clean)} characters; Polly allows at most {MAX_BILLED_CHARS} billed "
            "characters",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEventError(field, "contains invalid Unicode (a lone surrogate)") from None
    return text


def _check_speakable(text: str) -> str:
    """The text to speak must also fit Polly's total of characters once escaped into SSML."""
    _check_text(text, "text")
    length = ssml_length(text)
    if length > MAX_TOTAL_CHARS:
        raise TextTooLongError(
            "text",
            f"makes up to {length} characters of SSML once escaped; Polly allows at most "
            f"{MAX_TOTAL_CHARS} characters in all",
        )
    return text


def _options(event: Mapping[str, Any], config: Config) -> ProcessingOptions:
    raw = event.get("options")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidEventError("options", f"must be an object, given {_type_name(raw)}")
    unknown = sorted(set(raw) - _OPTION_FIELDS)
    if unknown:
        raise InvalidEventError(
            "options",
            f"unknown option(s) {', '.join(map(str, unknown))[:200]}; "
            f"allowed: {', '.join(sorted(_OPTION_FIELDS))}",
        )
    flags: dict[str, bool] = {
        "enable_ssml": config.enable_ssml,
        "enable_volume_detection": config.enable_volume_detection,
        "enable_rate_detection": config.enable_rate_detection,
        "synthesize": True,
        "fit_to_source": False,
    }
    for name, value in raw.items():
        if value is None or name not in _FLAG_OPTIONS:
            continue
        if not isinstance(value, bool):
            raise InvalidEventError(
                f"options.{name}", f"must be true or false, given {_type_name(value)}"
            )
        flags[name] = value
    max_duration = raw.get("max_duration_s")
    if max_duration is not None and (
        isinstance(max_duration, bool)
        or not isinstance(max_duration, (int, float))
        or not 0.1 <= max_duration <= MAX_DURATION_LIMIT_S
    ):
        raise InvalidEventError(
            "options.max_duration_s",
            f"must be a number of seconds in [0.1, {MAX_DURATION_LIMIT_S:g}], "
            f"given {_type_name(max_duration)}",
        )
    return ProcessingOptions(
        **flags, max_duration_s=None if max_duration is None else float(max_duration)
    )


def _language(event: Mapping[str, Any], config: Config) -> tuple[str, bool]:
    given = _string(event, "source_language", required=False)
    if given is None:
        return config.prosody.source_language, False
    if not SOURCE_LANGUAGE.matches(given):
        raise InvalidEventError(
            "source_language",
            f"must be a BCP-47 language tag such as es or pt-BR ({len(given)} characters given)",
        )
    return given, True


def _audio(event: Mapping[str, Any], config: Config) -> DecodedAudio:
    policy = DurationPolicy(config.max_audio_duration_s, config.long_audio)
    sample_rate = _integer(event, "sample_rate")
    if sample_rate is not None:
        check_sample_rate(sample_rate)
    channels = _integer(event, "channels")
    if channels is not None and not 1 <= channels <= 8:
        raise InvalidEventError("channels", f"must be between 1 and 8, given {channels}")
    has_b64, has_list = event.get("audio_base64") is not None, event.get("audio_data") is not None
    if has_b64 == has_list:
        raise InvalidEventError(
            "audio_base64",
            "give exactly one of audio_base64 (file or raw PCM16 bytes) and audio_data",
        )
    if has_list:
        values = event["audio_data"]
        if not isinstance(values, list):
            raise InvalidEventError(
                "audio_data", f"must be a list of numbers, given {_type_name(values)}"
            )
        if sample_rate is None:
            raise InvalidEventError("sample_rate", "is required with audio_data")
        if channels is not None:
            raise InvalidEventError(
                "channels", "applies to raw PCM16 only; give audio_data as frames"
            )
        if not values:
            raise InvalidEventError("audio_data", "is empty")
        return from_sample_list(values, sample_rate=sample_rate, policy=policy)
    encoded = _string(event, "audio_base64", required=True) or ""
    try:
        data = base64.b64decode(encoded.translate(_BASE64_WHITESPACE), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidEventError(
            "audio_base64",
            f"is not valid base64 ({len(encoded)} characters; only the base64 alphabet, '=' "
            "padding and whitespace may appear)",
        ) from None
    return decode_audio_bytes(data, sample_rate=sample_rate, channels=channels or 1, policy=policy)


def _event_size(event: Mapping[str, Any]) -> int:
    try:
        return len(
            json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "replace")
        )
    except (TypeError, ValueError):
        raise InvalidEventError("event", "is not a JSON document") from None


def parse_event(event: object, config: Config) -> Request:
    """Validate ``event`` against the contract and decode its audio.

    Raises
    ------
    InvalidEventError
        Naming the first field that is missing, of the wrong type or out of range.

    """
    if not isinstance(event, dict):
        raise InvalidEventError("event", f"must be a JSON object, given {_type_name(event)}")
    unknown = sorted(str(k) for k in set(event) - _FIELDS)
    if unknown:
        raise InvalidEventError(
            "event",
            f"unknown field(s) {', '.join(unknown)[:200]}; allowed: {', '.join(sorted(_FIELDS))}",
        )
    size = _event_size(event)
    if size > MAX_EVENT_BYTES:
        raise PayloadTooLargeError(
            "event",
            f"is {size} bytes; Lambda accepts at most {MAX_EVENT_BYTES} bytes synchronously",
        )
    text = _check_speakable(_string(event, "text", required=True) or "")
    transcript = _string(event, "source_transcript", required=False)
    if transcript is not None:
        transcript = _check_text(transcript, "source_transcript")
    voice_id = _string(event, "voice_id", required=False) or config.voice_id
    if not VOICE_ID.matches(voice_id):
        raise InvalidEventError(
            "voice_id",
            f"must be a Polly voice name such as Joanna ({len(voice_id)} characters given)",
        )
    engine = _string(event, "engine", required=False) or config.polly_engine
    if engine not in ENGINES:
        raise InvalidEventError("engine", f"must be one of {', '.join(ENGINES)}")
    request_id = _string(event, "request_id", required=False)
    if request_id is not None and (
        len(request_id) > MAX_REQUEST_ID_CHARS or not request_id.isprintable()
    ):
        raise InvalidEventError(
            "request_id", f"must be at most {MAX_REQUEST_ID_CHARS} printable characters"
        )
    options = _options(event, config)
    language, language_given = _language(event, config)
    audio = _audio(event, config)
    words = event.get("source_words")
    # Word timings are times in the whole segment, also when LONG_AUDIO analyses part of it.
    segment_s = audio.trimmed_from_s if audio.trimmed_from_s is not None else audio.duration_s
    timings = None if words is None else parse_word_timings(words, audio_s=segment_s)
    return Request(
        audio=audio,
        text=text,
        voice_id=voice_id,
        engine=engine,
        source_transcript=transcript,
        options=options,
        request_id=request_id,
        source_language=language,
        language_given=language_given,
        source_words=timings,
    )
