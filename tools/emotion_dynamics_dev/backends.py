"""The synthesis backend of the local tools: real Polly, or espeak-ng with its measured voices."""

from __future__ import annotations

from emotion_dynamics.config import Config
from emotion_dynamics.orchestrator import VoiceLookup
from emotion_dynamics.synthesis import Synthesizer
from emotion_dynamics.voices import VoiceProfile, profile_for

__all__ = ["synthesizer"]


def synthesizer(backend: str, config: Config) -> tuple[Synthesizer, VoiceLookup | None]:
    """The backend (``polly`` or ``espeak``), and where its voices' profiles come from.

    ``None`` for Polly: the config's voice profiles. For espeak-ng: the stack's profile
    of the espeak voice (``calibration voices --write-back``), else the one it ships.
    """
    if backend == "polly":
        from emotion_dynamics.polly import PollySynthesizer

        return PollySynthesizer.from_config(config), None
    from emotion_dynamics_dev.espeak import EspeakSynthesizer

    espeak = EspeakSynthesizer()
    measured = config.prosody.voice_profiles

    def voices(voice_id: str, engine: str) -> VoiceProfile | None:
        own = profile_for(measured, espeak.espeak_voice(voice_id), engine)
        return own or espeak.voice_profile(voice_id, engine)

    return espeak, voices
