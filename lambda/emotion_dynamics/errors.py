"""Typed errors of the Emotion Dynamics pipeline.

Every error the pipeline raises on purpose derives from :class:`EmotionDynamicsError`
and carries a stable machine-readable ``code`` and the HTTP-style ``status`` it maps to.
The mapping to a response happens in exactly one place (:mod:`emotion_dynamics.response`).
Messages name the offending field or variable and the value's shape, never user data
(the text or the audio).
"""

from __future__ import annotations

__all__ = [
    "AudioDecodeError",
    "AudioTooLongError",
    "ConfigError",
    "EmotionDynamicsError",
    "InvalidEventError",
    "PayloadTooLargeError",
    "ResponseTooLargeError",
    "SynthesisError",
    "SynthesisRejectedError",
    "SynthesisUnavailableError",
    "TextTooLongError",
]


class EmotionDynamicsError(Exception):
    """Root of every error this package raises deliberately."""

    code: str = "INTERNAL_ERROR"
    status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(EmotionDynamicsError):
    """An environment variable (or stack setting) has a bad value; raised at init."""

    code = "CONFIG_ERROR"
    status = 500

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


class InvalidEventError(EmotionDynamicsError):
    """The event is malformed: a field is missing, of the wrong type or out of range."""

    code = "INVALID_EVENT"
    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class AudioDecodeError(InvalidEventError):
    """The audio bytes could not be decoded, or decode to nothing usable."""

    code = "INVALID_AUDIO"


class AudioTooLongError(InvalidEventError):
    """The audio is longer than the longest segment the config accepts."""

    code = "AUDIO_TOO_LONG"


class PayloadTooLargeError(InvalidEventError):
    """The request is larger than Lambda's 6 MB synchronous payload limit."""

    code = "PAYLOAD_TOO_LARGE"
    status = 413


class TextTooLongError(InvalidEventError):
    """The text exceeds Polly's billed-character or total-character limit."""

    code = "TEXT_TOO_LONG"


class SynthesisError(EmotionDynamicsError):
    """Polly (or the local synthesis backend) failed."""

    code = "SYNTHESIS_FAILED"
    status = 502


class SynthesisRejectedError(SynthesisError):
    """Polly rejected the request with a non-retryable 4xx (other than invalid SSML)."""

    code = "SYNTHESIS_REJECTED"
    status = 502


class SynthesisUnavailableError(SynthesisError):
    """Polly stayed unavailable (throttled, 5xx, timeouts) after every allowed retry."""

    code = "SYNTHESIS_UNAVAILABLE"
    status = 503


class ResponseTooLargeError(EmotionDynamicsError):
    """The synthesized audio would not fit in Lambda's 6 MB synchronous response."""

    code = "RESPONSE_TOO_LARGE"
    status = 413
