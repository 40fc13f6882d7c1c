"""Local synthesis backend with espeak-ng: no AWS, for the CLI, demos and functional tests.

espeak-ng renders SSML with ``-m``. Measured here (espeak-ng 1.51, ``en-us``): prosody rate
keywords and percentages work (percentages linearly, ``docs/design/prosody.md``), volume
keywords work, dB offsets are ignored, ``amazon:max-duration`` is unknown to it, and a prosody
change is reliable only within ``<s>``. So :meth:`EspeakSynthesizer.synthesize` adapts the
Polly SSML first (:func:`adapt_ssml_for_espeak`): the content of every ``<prosody>`` is
wrapped in ``<s>`` unless it already holds one, and a ``volume="+NdB"`` offset is taken out
and applied exactly as a gain to the rendered samples (written as 32-bit float WAV, so a
positive gain cannot clip). The backend also knows its voices' measured pace
(:data:`ESPEAK_PROFILES`) and reports each rendering's speech span.

The text goes to espeak-ng through stdin (``--stdin``), never on the command line where
``ps`` would show it; the WAV is written to a file in a private temporary directory that is
deleted afterwards. The output is always WAV at espeak's own rate (22,050 Hz mono 16-bit):
the request's ``output_format`` and ``sample_rate`` are Polly's and are ignored here.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Final

import numpy as np
import soundfile as sf

from emotion_dynamics.detectors.framing import speech_span_s
from emotion_dynamics.errors import SynthesisError, SynthesisUnavailableError
from emotion_dynamics.models import SynthesizedAudio
from emotion_dynamics.synthesis import RemainingMs, SynthesisRequest
from emotion_dynamics.voices import VoiceProfile

__all__ = [
    "DEFAULT_ESPEAK_VOICE",
    "ESPEAK_PROFILES",
    "ESPEAK_VOLUME_DB",
    "EspeakNotInstalledError",
    "EspeakSynthesizer",
    "adapt_ssml_for_espeak",
]

logger = logging.getLogger(__name__)

DEFAULT_ESPEAK_VOICE: Final = "en-us"
#: Level of each espeak-ng volume keyword relative to medium, dB (measured, en-us).
ESPEAK_VOLUME_DB: Final[Mapping[str, float]] = {
    "x-soft": -10.8,
    "soft": -4.0,
    "medium": 0.0,
    "loud": 3.5,
    "x-loud": 6.4,
}
#: espeak-ng's voices measured at 100 % by ``python -m calibration voices --backend espeak``
#: (syllables per speech-second over a fixed set of sentences, active-speech level).
ESPEAK_PROFILES: Final[Mapping[str, VoiceProfile]] = {
    "en-us": VoiceProfile("en", 4.57, -20.7, seconds_per_letter=0.0630, seconds_per_pause=0.1963),
}
_DB_OFFSET: Final = re.compile(r"([+-]\d+(?:\.\d+)?)dB")
_MAX_DURATION: Final = re.compile(r'\s+amazon:max-duration="[^"]*"')
_SENTENCE_TAGS: Final = frozenset({"s", "p"})
#: Time kept free for reading the WAV back once espeak-ng has finished (seconds).
_DEADLINE_MARGIN_S: Final = 0.1


class EspeakNotInstalledError(SynthesisError):
    """The espeak-ng executable was not found."""


def adapt_ssml_for_espeak(ssml: str) -> tuple[str, float]:
    """Rewrite Polly SSML so that espeak-ng renders its prosody; return it and the gain (dB).

    Wraps the content of each ``<prosody>`` in ``<s>`` (unless it holds an ``<s>`` or
    ``<p>``), takes ``volume`` dB offsets out (the caller applies them as a gain) and drops
    ``amazon:max-duration``. Raises :class:`SynthesisError` if ``ssml`` is not well-formed XML.
    """
    try:
        root = ET.fromstring(_MAX_DURATION.sub("", ssml))
    except ET.ParseError as error:
        raise SynthesisError(f"SSML is not well-formed XML: {error.code}") from None
    gain_db = 0.0
    for prosody in root.iter("prosody"):
        volume = prosody.get("volume")
        match = None if volume is None else _DB_OFFSET.fullmatch(volume)
        if match is not None:
            gain_db += float(match.group(1))
            del prosody.attrib["volume"]
        if any(child.tag in _SENTENCE_TAGS for child in prosody):
            continue
        sentence = ET.Element("s")
        sentence.text = prosody.text
        prosody.text = None
        for child in list(prosody):
            prosody.remove(child)
            sentence.append(child)
        prosody.append(sentence)
    return ET.tostring(root, encoding="unicode"), gain_db


def _finish(wav: bytes, gain_db: float) -> tuple[bytes, float]:
    """The WAV with ``gain_db`` applied (float WAV when a gain is), and its speech span (s)."""
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    span_s = speech_span_s(samples, int(rate)) if samples.size else 0.0
    if gain_db == 0.0:
        return wav, span_s
    out = io.BytesIO()
    sf.write(
        out, samples * np.float32(10.0 ** (gain_db / 20.0)), rate, format="WAV", subtype="FLOAT"
    )
    return out.getvalue(), span_s


class EspeakSynthesizer:
    """Synthesizes with the local espeak-ng.

    Implements :class:`~emotion_dynamics.synthesis.Synthesizer`.

    Parameters
    ----------
    executable : str
        Name or path of the espeak-ng binary.
    voice : str
        espeak-ng voice used for every Polly voice not in ``voice_map``.
    voice_map : mapping, optional
        Polly voice id -> espeak-ng voice (e.g. ``{"Hans": "de"}``).
    timeout_s : float
        Longest a render may take (also capped by the invocation's remaining time).

    """

    def __init__(
        self,
        *,
        executable: str = "espeak-ng",
        voice: str = DEFAULT_ESPEAK_VOICE,
        voice_map: Mapping[str, str] | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.executable = executable
        self.voice = voice
        self.voice_map = dict(voice_map or {})
        self.timeout_s = timeout_s

    def espeak_voice(self, voice_id: str) -> str:
        """Return the espeak-ng voice used for Polly's ``voice_id``."""
        return self.voice_map.get(voice_id, self.voice)

    def voice_profile(self, voice_id: str, engine: str) -> VoiceProfile | None:
        """The measured profile of the espeak-ng voice that speaks for ``voice_id``."""
        del engine  # espeak-ng has one engine
        return ESPEAK_PROFILES.get(self.espeak_voice(voice_id))

    def _resolve_executable(self) -> str:
        path = shutil.which(self.executable)
        if path is None:
            raise EspeakNotInstalledError(
                f"espeak-ng executable {self.executable!r} not found: install it with "
                "`apt-get install espeak-ng` (Debian/Ubuntu) or give its path"
            )
        return path

    def synthesize(
        self, request: SynthesisRequest, *, remaining_ms: RemainingMs | None = None
    ) -> SynthesizedAudio:
        """Render ``request`` to WAV with espeak-ng (SSML with ``-m``, else plain text).

        Raises
        ------
        EspeakNotInstalledError
            espeak-ng is not installed (or not at the given path).
        SynthesisUnavailableError
            The render did not finish within the timeout or the invocation's remaining time.
        SynthesisError
            espeak-ng failed (its exit status is reported, not its output).

        """
        executable = self._resolve_executable()
        timeout_s = self.timeout_s
        if remaining_ms is not None:
            timeout_s = min(timeout_s, remaining_ms() / 1000.0 - _DEADLINE_MARGIN_S)
            if timeout_s <= 0:
                raise SynthesisUnavailableError(
                    "espeak-ng not started: no time left in the invocation"
                )
        gain_db = 0.0
        if request.ssml is None:
            stdin_text, markup = request.text, []
        else:
            (stdin_text, gain_db), markup = adapt_ssml_for_espeak(request.ssml), ["-m"]

        with tempfile.TemporaryDirectory(prefix="espeak-") as folder:
            wav_path = os.path.join(folder, "out.wav")
            command = [
                executable,
                *markup,
                "-v",
                self.espeak_voice(request.voice_id),
                "-w",
                wav_path,
                "--stdin",
            ]
            try:
                completed = subprocess.run(
                    command,
                    input=stdin_text.encode("utf-8", errors="ignore"),
                    capture_output=True,
                    timeout=timeout_s,
                    check=False,
                )
            except FileNotFoundError:
                raise EspeakNotInstalledError(
                    f"espeak-ng executable {executable!r} could not be run: install it with "
                    "`apt-get install espeak-ng`"
                ) from None
            except subprocess.TimeoutExpired:
                raise SynthesisUnavailableError(
                    f"espeak-ng did not finish within {timeout_s:.2f} s"
                ) from None
            if completed.returncode != 0:
                raise SynthesisError(f"espeak-ng failed with exit status {completed.returncode}")
            try:
                with open(wav_path, "rb") as wav:
                    audio = wav.read()
            except FileNotFoundError:
                raise SynthesisError("espeak-ng wrote no audio") from None
        logger.debug("espeak-ng rendered %d bytes", len(audio))
        if not audio:
            raise SynthesisError("espeak-ng wrote no audio")
        audio, speech_s = _finish(audio, gain_db)
        return SynthesizedAudio(audio=audio, content_type="audio/wav", speech_s=speech_s)
