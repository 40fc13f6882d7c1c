"""Voice profiles: how fast and how loud a synthesis voice speaks at 100 %, measured.

The relative prosody mode needs them to turn "the speaker talks 1.2x their language's pace"
into a rate percentage for *this* voice: a voice already faster than its language's norm gets
a lower percentage. A profile may also carry the voice's duration model (seconds per letter
and per pause mark, fitted on the measurement sentences), which predicts the voice's pace on
a given text far better than its average syllable rate does (docs/design/prosody.md). A voice
never measured has no profile, and its factor is 1.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from emotion_dynamics.languages import norm_for

__all__ = ["VoiceProfile", "parse_profiles", "profile_for", "rate_factor", "text_features"]

_PAUSE: Final = re.compile(r"[,;:\u2013\u2014]|[.!?\u3002](?=\s*\S)|\s-\s")


@dataclass(frozen=True, slots=True)
class VoiceProfile:
    """A voice measured at 100 % rate: its language, syllables per speech-second and level."""

    language: str
    syllables_per_s: float
    level_dbfs: float
    seconds_per_letter: float | None = None
    seconds_per_pause: float | None = None

    def render(self, voice_id: str) -> str:
        """The profile as a stack value (the contract's voice profile format)."""
        text = f"{voice_id}={self.language}:{self.syllables_per_s:.2f}:{self.level_dbfs:.1f}"
        if self.seconds_per_letter is not None and self.seconds_per_pause is not None:
            text += f":{1000 * self.seconds_per_letter:.1f}:{1000 * self.seconds_per_pause:.1f}"
        return text

    def seconds_at_100(self, text: str, syllables: int) -> float:
        """How long the voice takes to say ``text`` (``syllables`` of it) at 100 %."""
        if self.seconds_per_letter is None or self.seconds_per_pause is None:
            return syllables / self.syllables_per_s
        letters, pauses = text_features(text)
        return letters * self.seconds_per_letter + pauses * self.seconds_per_pause


def parse_profiles(items: Iterable[str]) -> dict[str, VoiceProfile]:
    """``{"Joanna": profile, "Joanna@standard": profile}`` from validated stack values.

    Raises ``ValueError`` naming the voice when one is given twice or its rate is zero.
    """
    profiles: dict[str, VoiceProfile] = {}
    for item in items:
        voice, _, figures = item.partition("=")
        language, rate, level, *model = figures.split(":")
        if voice in profiles:
            raise ValueError(f"voice {voice} is profiled twice")
        if float(rate) <= 0:
            raise ValueError(f"voice {voice}: syllables_per_s must be positive, given {rate}")
        letter_s, pause_s = (
            (float(model[0]) / 1000, float(model[1]) / 1000) if model else (None, None)
        )
        if letter_s == 0:
            raise ValueError(f"voice {voice}: ms_per_letter must be positive, given 0")
        profiles[voice] = VoiceProfile(language, float(rate), float(level), letter_s, pause_s)
    return profiles


def text_features(text: str) -> tuple[int, int]:
    """Letters and pause marks of ``text``: what a voice's duration model counts.

    Pause marks are the punctuation inside the text where voices pause (commas, colons,
    semicolons, dashes, and sentence ends followed by more text).
    """
    letters = sum(1 for char in text if char.isalpha())
    pauses = len(_PAUSE.findall(text.strip()))
    return letters, pauses


def profile_for(
    profiles: Mapping[str, VoiceProfile], voice_id: str, engine: str
) -> VoiceProfile | None:
    """The profile of ``voice_id`` on ``engine`` (``Voice@engine`` wins over ``Voice``)."""
    return profiles.get(f"{voice_id}@{engine}") or profiles.get(voice_id)


def rate_factor(profile: VoiceProfile | None, text: str = "", syllables: int = 0) -> float:
    """The typical pace of the voice's language over the voice's own pace at 100 %.

    With ``text`` (of ``syllables`` syllables) and a duration model, the voice's pace on that
    text; else its average pace.
    """
    if profile is None:
        return 1.0
    _, norm, _ = norm_for(profile.language)
    if syllables > 0:
        return norm.exact_syllables_per_s * profile.seconds_at_100(text, syllables) / syllables
    return norm.exact_syllables_per_s / profile.syllables_per_s
