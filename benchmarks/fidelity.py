"""Prosody-transfer fidelity: does the voice follow the speaker? (espeak-ng backend, real speech)

On ../shared/speech-dev, each clip goes through the real App (the Lambda's pipeline) with the
espeak-ng backend, in three ways (plain text; classes mode; relative mode) and two rate methods
(acoustic; with the clip's transcript), and is spoken twice:

- same text: the clip's own words; the synthesized speech span over the speaker's
  (``speech_s``): median ratio, and the share of clips within +-15 % and +-25 %;
- fixed text: one unrelated sentence for every clip (as a translation is); the Spearman
  correlation of the speaker's true syllable rate (manifest syllables over speech_s) with the
  output's (the sentence's syllables over its speech span), and of the speaker's level with
  the output's (SeamlessExpressive's rate metric, with the dead bands at 0).

The language table runs the analysis alone on the read clips of speech-dev/extra (real speech
in nine languages): each language's median relative rate, with and without ``source_language``,
acoustic and with the transcript, and the rate classes it gives.
"""

from __future__ import annotations

import base64
import functools
import io
import statistics
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import soundfile as sf

from benchmarks.common import SPEECH_DEV, NotMeasured
from calibration.degrade import DevClip, load_dev_clips

FIXED_TEXT: Final = "Please remember to bring the blue folder to the meeting tomorrow morning."
#: Syllables of FIXED_TEXT (CMU dictionary): please1 re-mem-ber3 to1 bring1 the1 blue1
#: fol-der2 to1 the1 meet-ing2 to-mor-row3 mor-ning2.
FIXED_SYLLABLES: Final = 19
#: "classes@stack" is classes mode at the dev stack's confidence gate (Pulumi.dev.yaml).
WAYS: Final = ("plain", "classes", "classes@stack", "relative")
METHODS: Final = ("acoustic", "transcript")


def speech_dev_clips(manifest: Path = SPEECH_DEV / "manifest.csv") -> list[DevClip]:
    """The clips of a speech-dev manifest (read speech only)."""
    return [clip for clip in load_dev_clips(manifest) if clip.style == "read"]


@functools.cache
def stack_gate() -> float:
    """The dev stack's ``minStabilityThreshold`` (read once)."""
    from calibration.stackfile import REPO_ROOT, read_min_stability

    return read_min_stability(REPO_ROOT / "Pulumi.dev.yaml")


def _app(mode: str, env: Mapping[str, str] | None = None) -> Any:
    from emotion_dynamics.app import App
    from emotion_dynamics.config import load_config
    from emotion_dynamics.observability import Telemetry
    from emotion_dynamics_dev.espeak import EspeakSynthesizer

    if mode == "classes@stack":
        env = {"MIN_STABILITY_THRESHOLD": f"{stack_gate():g}", **(env or {})}

    config = load_config(
        {
            "ENABLE_METRICS": "false",
            "LOG_LEVEL": "ERROR",
            "MAX_AUDIO_DURATION_SECONDS": "15",  # whole clips, up to 11.4 s
            "PROSODY_MODE": "relative" if mode == "relative" else "classes",
            "RATE_DEAD_BAND_PERCENT": "0",
            "VOLUME_DEAD_BAND_DB": "0",
            **(env or {}),
        }
    )
    espeak = EspeakSynthesizer()
    return App(config, espeak, Telemetry(config, stream=io.StringIO()), voices=espeak.voice_profile)


def _output(response: Mapping[str, Any]) -> tuple[float, float | None]:
    """Speech span (s) and level (dBFS) of a response's synthesized audio."""
    from emotion_dynamics.config import default_config
    from emotion_dynamics.detectors.framing import speech_span_s
    from emotion_dynamics.detectors.volume import detect_volume

    samples, rate = sf.read(io.BytesIO(base64.b64decode(response["audio_base64"])), dtype="float32")
    level = detect_volume(samples, int(rate), thresholds=default_config().volume).level_dbfs
    return speech_span_s(samples, int(rate)), level


def _event(clip: DevClip, text: str, method: str, way: str, language: bool) -> dict[str, Any]:
    event: dict[str, Any] = {
        "audio_base64": base64.b64encode(clip.path.read_bytes()).decode("ascii"),
        "text": text,
    }
    if method == "transcript":
        event["source_transcript"] = clip.transcript
    if language:
        event["source_language"] = clip.language
    if way == "plain":
        event["options"] = {"enable_ssml": False}
    return event


def _spearman(a: Iterable[float], b: Iterable[float]) -> float:
    x, y = np.asarray(list(a), float), np.asarray(list(b), float)
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def evaluate(
    clips: list[DevClip], *, ways: Iterable[str] = WAYS, methods: Iterable[str] = METHODS
) -> dict[str, dict[str, float]]:
    """Fidelity metrics per ``"way/method"`` (plain text has one row)."""
    out: dict[str, dict[str, float]] = {}
    true_rate = [c.syllables_per_s for c in clips]
    true_level = [c.rms_dbfs for c in clips]
    for way in ways:
        app = _app(way)
        for method in ("text",) if way == "plain" else methods:
            ratios, rates, levels, applied = [], [], [], 0
            for clip in clips:
                same = app.handle(_event(clip, clip.transcript, method, way, False))
                fixed = app.handle(_event(clip, FIXED_TEXT, method, way, False))
                ratios.append(_output(same)[0] / clip.speech_s)
                span_s, level = _output(fixed)
                rates.append(FIXED_SYLLABLES / span_s)
                levels.append(level if level is not None else float("nan"))
                reasons = fixed.get("fallback", {}).get("reasons", [])
                applied += way != "plain" and not any(r.startswith("rate:") for r in reasons)
            r = np.asarray(ratios)
            out[f"{way}/{method}"] = {
                "same_text_median_ratio": float(np.median(r)),
                "within_15": float(np.mean(np.abs(r - 1) <= 0.15)),
                "within_25": float(np.mean(np.abs(r - 1) <= 0.25)),
                "rate_spearman": _spearman(true_rate, rates),
                "level_spearman": _spearman(true_level, levels),
                "rate_applied": applied / len(clips),
                "clips": float(len(clips)),
            }
    return out


def language_table(clips: list[DevClip]) -> dict[str, dict[str, Any]]:
    """Per language: median relative rate and the classes, acoustic and with the transcript,
    with and without ``source_language`` (analysis only)."""
    app = _app("relative")
    rows: dict[str, dict[str, Any]] = {}
    for language in sorted({c.language for c in clips}):
        members = [c for c in clips if c.language == language]
        row: dict[str, Any] = {"clips": len(members)}
        for method in METHODS:
            for given in (False, True):
                relatives, classes = [], []
                for clip in members:
                    event = _event(clip, "x", method, "relative", given)
                    event["options"] = {"synthesize": False}
                    rate = app.handle(event)["rate"]
                    if rate["relative"] is not None:
                        relatives.append(rate["relative"])
                    classes.append(rate["class"])
                key = f"{method}{'+lang' if given else ''}"
                row[key] = statistics.median(relatives) if relatives else float("nan")
                row[f"{key} classes"] = ", ".join(classes)
        rows[language] = row
    return rows


def run(notes: NotMeasured, *, quick: bool = False) -> dict[str, Any]:
    """Both tables for the report (``quick``: 10 clips)."""
    manifest = SPEECH_DEV / "manifest.csv"
    if not manifest.is_file():
        return {"why": notes.add("fidelity", f"speech-dev is not at {SPEECH_DEV}")}
    clips = speech_dev_clips(manifest)
    if quick:
        clips = clips[::4]
    extra = SPEECH_DEV / "extra" / "manifest.csv"
    return {
        "fidelity": evaluate(clips),
        "languages": language_table(speech_dev_clips(extra)) if extra.is_file() else {},
        "clips": len(clips),
        "stack_gate": stack_gate(),
    }


def markdown(result: Mapping[str, Any]) -> list[str]:
    """The report section."""
    lines = ["## Prosody-transfer fidelity (espeak-ng backend, speech-dev)", ""]
    if "why" in result:
        return [*lines, result["why"], ""]
    lines += [
        f"{result['clips']} clips through the real App with the espeak-ng backend (voice en-us, "
        "its measured profile), dead bands at 0, the contract's defaults otherwise: "
        "`MIN_STABILITY_THRESHOLD` 0.85, compared in classes mode with the probability that the "
        "class is right and in relative mode with the probability that the relative rate is "
        "within 15 % (a rate that fails it is the typical pace); `classes@stack` is classes mode "
        f"at the dev stack's gate ({result.get('stack_gate', float('nan')):g}). Same text: the "
        "clip's own words, output speech span over the speaker's. Fixed "
        f'text: "{FIXED_TEXT}" for every clip; Spearman of the speaker\'s true syllable rate '
        'and level with the output\'s. "rate applied": share of clips whose rate passed the '
        "gate.",
        "",
        "| way / rate method | same-text ratio (median) | within +-15 % | within +-25 % "
        "| fixed-text rate Spearman | fixed-text level Spearman | rate applied |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in result["fidelity"].items():
        lines.append(
            f"| {name} | {m['same_text_median_ratio']:.2f} | {100 * m['within_15']:.0f} % "
            f"| {100 * m['within_25']:.0f} % | {m['rate_spearman']:.2f} | {m['level_spearman']:.2f} "
            f"| {100 * m['rate_applied']:.0f} % |"
        )
    languages = result.get("languages") or {}
    if languages:
        lines += [
            "",
            "### Relative rate per language (speech-dev/extra read clips, analysis only)",
            "",
            "Median `rate.relative` (speaker's syllable rate over the language's norm); without "
            "`source_language` every reader is judged against English's norm.",
            "",
            "| language | clips | acoustic | acoustic + language | transcript | transcript + "
            "language | classes (transcript + language) |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for language, row in languages.items():
            lines.append(
                f"| {language} | {row['clips']} | {row['acoustic']:.2f} | {row['acoustic+lang']:.2f} "
                f"| {row['transcript']:.2f} | {row['transcript+lang']:.2f} "
                f"| {row['transcript+lang classes']} |"
            )
    return [*lines, ""]


__all__ = [
    "FIXED_TEXT",
    "evaluate",
    "language_table",
    "markdown",
    "run",
    "speech_dev_clips",
    "stack_gate",
]
