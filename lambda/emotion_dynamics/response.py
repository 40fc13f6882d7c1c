"""Responses: a processing result or an error, as the JSON-ready dict the handler returns.

This is the one place where errors become responses (``{"statusCode", "error": {...}}``).
"""

from __future__ import annotations

import base64
from typing import Any, Final

from emotion_dynamics.errors import EmotionDynamicsError, InvalidEventError, ResponseTooLargeError
from emotion_dynamics.models import DurationFit, ProcessingResult, RateResult, VolumeResult

__all__ = ["MAX_RESPONSE_BYTES", "error_response", "internal_error_response", "result_response"]

#: Lambda's synchronous response limit (6 MB); leave room for the JSON around the audio.
MAX_RESPONSE_BYTES: Final = 6 * 1024 * 1024
_ENVELOPE_RESERVE_BYTES: Final = 64 * 1024


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _volume(volume: VolumeResult, result: ProcessingResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "level_dbfs": _round(volume.level_dbfs, 2),
        "class": volume.volume_class.value,
        "confidence": round(volume.confidence, 3),
        "active_speech_s": round(volume.active_speech_s, 3),
        "applied": result.applied_volume,
    }
    if result.volume_note:
        out["note"] = result.volume_note
    return out


def _rate(rate: RateResult, result: ProcessingResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "wpm": _round(rate.wpm, 1),
        "class": rate.rate_class.value,
        "method": rate.method.value,
        "confidence": round(rate.confidence, 3),
        "speech_s": round(rate.speech_s, 3),
        "syllables_per_s": _round(rate.syllables_per_s, 2),
        "relative": _round(rate.relative, 3),
        "relative_confidence": round(rate.gate_confidence("relative"), 3),
        "applied": result.applied_rate,
    }
    if rate.articulation_wpm is not None:
        out["articulation_wpm"] = round(rate.articulation_wpm, 1)
    if rate.pace is not None:
        out["language"] = {
            "code": rate.pace.language,
            "given": rate.pace.given,
            "norm_syllables_per_s": rate.pace.norm_syllables_per_s,
            "norm_known": rate.pace.known,
        }
    if result.rate_note:
        out["note"] = result.rate_note
    return out


def _duration(duration: DurationFit) -> dict[str, Any]:
    return {
        "predicted_s": round(duration.predicted_s, 2),
        "limit_s": _round(duration.limit_s, 2),
        "actual_s": _round(duration.actual_s, 2),
        "text_syllables": duration.text_syllables,
        "voice_syllables_per_s": round(duration.voice_syllables_per_s, 2),
    }


def result_response(result: ProcessingResult) -> dict[str, Any]:
    """Build the response for ``result``: 200, or an error's status with the analysis.

    When synthesis failed after the analysis succeeded, or its audio is too large for
    Lambda's response, nothing else is lost: the response has the error *and* the SSML and
    measurements, so the caller can retry or speak it elsewhere.
    """
    dyn = result.dynamics
    body: dict[str, Any] = {
        "statusCode": 200,
        "ssml": result.ssml,
        "text_type": result.text_type,
        "voice_id": result.voice_id,
        "engine": result.engine,
        "prosody_mode": result.prosody_mode,
        "volume": None if dyn.volume is None else _volume(dyn.volume, result),
        "rate": None if dyn.rate is None else _rate(dyn.rate, result),
        "audio": {
            "duration_s": round(dyn.duration_s, 3),
            "sample_rate": dyn.sample_rate,
            "format": dyn.source_format,
            "codec": dyn.codec,
            "channels": dyn.channels,
            "clipped_samples": dyn.clipped_samples,
            "trimmed_from_s": _round(dyn.trimmed_from_s, 3),
            "kept": dyn.kept,
        },
        "fallback": {"used": result.fallback.used, "reasons": list(result.fallback.reasons)},
        "timings_ms": result.timings_ms,
    }
    if result.duration is not None:
        body["duration"] = _duration(result.duration)
    error: EmotionDynamicsError | None = result.synthesis_error
    if result.synthesis is not None:
        encoded = base64.b64encode(result.synthesis.audio).decode("ascii")
        if len(encoded) > MAX_RESPONSE_BYTES - _ENVELOPE_RESERVE_BYTES - len(result.ssml) * 2:
            error = ResponseTooLargeError(
                f"the synthesized audio is {len(result.synthesis.audio)} bytes and does not fit in "
                "Lambda's 6 MB response; shorten the text or use a compressed output format (mp3); "
                "the analysis and the SSML are in this response"
            )
        else:
            body["audio_base64"] = encoded
        body["content_type"] = result.synthesis.content_type
        body["synthesis"] = {
            "attempts": result.synthesis.attempts,
            "cached": result.synthesis.cached,
        }
    if error is not None:
        body["statusCode"] = error.status
        body["error"] = _detail(error)
    return body


def error_response(error: EmotionDynamicsError) -> dict[str, Any]:
    """Build the error response for an error raised before any result existed."""
    return {"statusCode": error.status, "error": _detail(error)}


def internal_error_response(exc: BaseException) -> dict[str, Any]:
    """The 500 of an unexpected exception: its type only (a message could quote user data)."""
    return {
        "statusCode": 500,
        "error": {
            "code": "INTERNAL_ERROR",
            "message": f"unexpected {type(exc).__name__}; see the function's logs",
        },
    }


def _detail(error: EmotionDynamicsError) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    if isinstance(error, InvalidEventError):
        detail["field"] = error.field
    return detail
