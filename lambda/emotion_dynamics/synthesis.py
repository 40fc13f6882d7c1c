"""Backend-neutral synthesis types: what is asked of a speech synthesizer, and its interface.

Backends: :class:`emotion_dynamics.polly.PollySynthesizer` (Amazon Polly),
:class:`emotion_dynamics_dev.espeak.EspeakSynthesizer` (local espeak-ng, no AWS; a development tool) and the
:class:`emotion_dynamics.cache.CachingSynthesizer` wrapper around either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from emotion_dynamics.models import SynthesizedAudio

__all__ = ["RemainingMs", "SynthesisRequest", "Synthesizer"]

#: Returns the Lambda invocation's remaining time in milliseconds
#: (``context.get_remaining_time_in_millis``).
RemainingMs = Callable[[], int]


@dataclass(frozen=True, slots=True)
class SynthesisRequest:
    """One synthesis: the text, how to send it, and the voice and output wanted.

    ``text`` is the plain, unescaped text. ``ssml`` is the SSML document built from it
    (:func:`emotion_dynamics.ssml.build_ssml`), or ``None`` to send the plain text.
    ``sample_rate`` is in Hz.
    """

    text: str
    ssml: str | None
    voice_id: str
    engine: str
    output_format: str
    sample_rate: int

    @property
    def text_type(self) -> str:
        """Polly's ``TextType`` for this request: ``"ssml"`` or ``"text"``."""
        return "text" if self.ssml is None else "ssml"

    def __repr__(self) -> str:
        """Describe the request without its text (user data stays out of logs)."""
        return (
            f"SynthesisRequest(text=<{len(self.text)} chars>, "
            f"ssml={'None' if self.ssml is None else f'<{len(self.ssml)} chars>'}, "
            f"voice_id={self.voice_id!r}, engine={self.engine!r}, "
            f"output_format={self.output_format!r}, sample_rate={self.sample_rate})"
        )


@runtime_checkable
class Synthesizer(Protocol):
    """Turns a :class:`SynthesisRequest` into audio."""

    def synthesize(
        self, request: SynthesisRequest, *, remaining_ms: RemainingMs | None = None
    ) -> SynthesizedAudio:
        """Synthesize ``request``.

        ``remaining_ms`` returns the invocation's remaining time in ms; ``None`` means no
        deadline. Raises a :class:`~emotion_dynamics.errors.SynthesisError` subclass.
        """
        ...
