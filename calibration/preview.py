"""Hear proposed settings: a fixed sentence spoken through the real App after a speaker's clip.

The stack file's Lambda environment (validated as ``pulumi up`` would) is loaded, the tuned
values replace its own, and the speaker's clip goes through :class:`~emotion_dynamics.app.App`
as a Lambda event would, once per prosody mode. The backend is espeak-ng locally
(:mod:`emotion_dynamics_dev.espeak`) or Amazon Polly when the user's AWS credentials exist.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import soundfile as sf

from calibration.tuning import Settings
from emotion_dynamics.app import App
from emotion_dynamics.config import Config, load_config
from emotion_dynamics.contract import PROSODY_MODES
from emotion_dynamics.observability import Telemetry
from emotion_dynamics_dev.backends import synthesizer as make_synthesizer
from emotion_dynamics_infra.stack import validate_stack_file

__all__ = ["PREVIEW_TEXT", "Backend", "Spoken", "choose_backend", "preview_configs", "speak"]

#: The sentence every preview speaks (a Harvard sentence, public domain).
PREVIEW_TEXT: Final = "The birch canoe slid on the smooth planks."
Backend = Literal["espeak", "polly"]


def choose_backend(requested: str | None = None) -> tuple[Backend, str]:
    """The backend to speak with and why: as asked, else Polly when credentials exist."""
    if requested == "espeak":
        return "espeak", "espeak-ng (asked for)"
    if requested == "polly":
        return "polly", "polly (asked for)"
    if requested is not None:
        raise ValueError(f"preview backend must be espeak, polly or None, given {requested!r}")
    import boto3

    if boto3.Session().get_credentials() is not None:
        return "polly", "polly (AWS credentials found)"
    return "espeak", "espeak-ng (no AWS credentials: the local stand-in for Polly)"


def preview_configs(
    stack_file: str | Path, settings: Settings, *, modes: Sequence[str], audio_s: float = 0.0
) -> list[Config]:
    """The stack's Lambda config with ``settings`` in it, one per mode (no metrics, no cache).

    The stack file is read and validated once. The longest accepted segment is raised to
    ``audio_s`` so a whole sample clip can be heard.
    """
    for mode in modes:
        if mode not in PROSODY_MODES:
            raise ValueError(f"mode must be one of {', '.join(PROSODY_MODES)}, given {mode!r}")
    config = load_config(validate_stack_file(stack_file).lambda_env)
    base = dataclasses.replace(
        config,
        volume=settings.volume,
        rate=settings.rate,
        min_stability=settings.min_stability,
        rate_acoustic_scale=settings.acoustic_scale,
        prosody=dataclasses.replace(config.prosody, volume_reference_dbfs=settings.reference_dbfs),
        enable_metrics=False,
        enable_caching=False,
        max_audio_duration_s=max(config.max_audio_duration_s, round(audio_s + 0.05, 2)),
    )
    return [
        dataclasses.replace(base, prosody=dataclasses.replace(base.prosody, mode=mode))
        for mode in modes
    ]


@dataclass(frozen=True, slots=True)
class Spoken:
    """One preview: the mode, the App's response fields and the synthesized audio."""

    mode: str
    status: int
    ssml: str | None
    audio: bytes | None
    content_type: str | None
    volume: dict[str, Any] | None
    rate: dict[str, Any] | None
    fallback: tuple[str, ...]
    error: str | None = None


def speak(
    stack_file: str | Path,
    settings: Settings,
    clip: str | Path,
    *,
    text: str = PREVIEW_TEXT,
    backend: Backend = "espeak",
    modes: Sequence[str] = PROSODY_MODES,
) -> list[Spoken]:
    """Speak ``text`` after the speaker's ``clip`` at ``settings``, once per prosody mode."""
    audio = Path(clip).read_bytes()
    info = sf.info(io.BytesIO(audio))
    event = {"audio_base64": base64.b64encode(audio).decode("ascii"), "text": text}
    out = []
    configs = preview_configs(stack_file, settings, modes=modes, audio_s=info.duration)
    for mode, config in zip(modes, configs, strict=True):
        synthesizer, voices = make_synthesizer(backend, config)
        app = App(config, synthesizer, Telemetry(config, stream=io.StringIO()), voices=voices)
        response = app.handle(event)
        encoded = response.get("audio_base64")
        out.append(
            Spoken(
                mode=mode,
                status=int(response["statusCode"]),
                ssml=response.get("ssml"),
                audio=None if encoded is None else base64.b64decode(encoded),
                content_type=response.get("content_type"),
                volume=response.get("volume"),
                rate=response.get("rate"),
                fallback=tuple((response.get("fallback") or {}).get("reasons", ())),
                error=(response.get("error") or {}).get("message"),
            )
        )
    return out
