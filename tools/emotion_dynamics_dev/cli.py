"""Command line: run the Lambda's pipeline locally on audio files.

``python -m emotion_dynamics_dev process IN.wav --text "..."`` handles one file,
``python -m emotion_dynamics_dev batch DIR`` every audio file of a folder (the text of
``clip.wav`` is read from ``clip.txt``, an optional source transcript from
``clip.transcript.txt``), and ``python -m emotion_dynamics_dev demo`` makes sample speech
with espeak-ng and runs the batch on it. Each file becomes exactly the event the Lambda gets
and goes through the same :class:`~emotion_dynamics.app.App`; the synthesis backend is
espeak-ng by default (no AWS account) or Polly with ``--backend polly``.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final, NamedTuple

from emotion_dynamics.app import App
from emotion_dynamics.config import Config, load_config
from emotion_dynamics.contract import (
    MAX_AUDIO_DURATION_SECONDS,
    POLLY_ENGINE,
    PROSODY_MODE,
    PROSODY_MODES,
    SOURCE_LANGUAGE,
    VOICE_ID,
)
from emotion_dynamics.errors import ConfigError
from emotion_dynamics.observability import Telemetry
from emotion_dynamics.orchestrator import VoiceLookup
from emotion_dynamics.synthesis import Synthesizer
from emotion_dynamics.voices import VoiceProfile, profile_for
from emotion_dynamics_dev.demo import make_demo_inputs

__all__ = ["main"]

AUDIO_SUFFIXES: Final = (".wav", ".flac", ".ogg")
_EXTENSION_BY_CONTENT_TYPE: Final = {
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/pcm": ".pcm",
}


class _Stderr:
    """Writes to whatever ``sys.stderr`` is at the time (it may be replaced after start-up)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _synthesizer(backend: str, config: Config) -> tuple[Synthesizer, VoiceLookup | None]:
    """The backend, and where its voices' measured profiles come from (None: the config's)."""
    if backend == "polly":
        from emotion_dynamics.polly import PollySynthesizer

        return PollySynthesizer.from_config(config), None
    from emotion_dynamics_dev.espeak import EspeakSynthesizer

    espeak = EspeakSynthesizer()
    measured = config.prosody.voice_profiles

    def voices(voice_id: str, engine: str) -> VoiceProfile | None:
        """The stack's profile of the espeak voice (voices --write-back), else the shipped one."""
        own = profile_for(measured, espeak.espeak_voice(voice_id), engine)
        return own or espeak.voice_profile(voice_id, engine)

    return espeak, voices


def _build_app(args: argparse.Namespace, *, mode: str | None = None) -> App:
    config = load_config()
    if args.max_duration is not None:
        config = replace(config, max_audio_duration_s=args.max_duration)
    if mode or args.prosody_mode:
        config = replace(config, prosody=replace(config.prosody, mode=mode or args.prosody_mode))
    config = replace(
        config, enable_metrics=args.metrics, structured_logging=True, log_level=args.log_level
    )
    synthesizer, voices = _synthesizer(args.backend, config)
    return App(config, synthesizer, Telemetry(config, stream=_Stderr()), voices=voices)


class Job(NamedTuple):
    """One file to process: the audio, the text to speak and what the speaker said."""

    audio: Path
    text: str
    transcript: str | None = None
    words: Path | None = None


def _read_words(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(
            f"error: {path}: not a readable JSON file of word timings ({exc})"
        ) from None


def _event_for(job: Job, args: argparse.Namespace) -> dict[str, Any]:
    event: dict[str, Any] = {
        "audio_base64": base64.b64encode(job.audio.read_bytes()).decode("ascii"),
        "text": job.text,
    }
    if job.transcript:
        event["source_transcript"] = job.transcript
    if job.words is not None:
        event["source_words"] = _read_words(job.words)
    if args.language:
        event["source_language"] = args.language
    if args.voice:
        event["voice_id"] = args.voice
    if args.engine:
        event["engine"] = args.engine
    options: dict[str, Any] = {}
    if args.no_synthesis:
        options["synthesize"] = False
    if args.fit_to_source:
        options["fit_to_source"] = True
    if args.max_speech_s is not None:
        options["max_duration_s"] = args.max_speech_s
    if options:
        event["options"] = options
    return event


def _write_outputs(name: str, response: dict[str, Any], out_dir: Path) -> dict[str, str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    if "ssml" in response:
        ssml_path = out_dir / f"{name}.ssml"
        ssml_path.write_text(response["ssml"] + "\n", encoding="utf-8")
        written["ssml"] = str(ssml_path)
    if "audio_base64" in response:
        ext = _EXTENSION_BY_CONTENT_TYPE.get(response.get("content_type", ""), ".bin")
        audio_path = out_dir / f"{name}{ext}"
        audio_path.write_bytes(base64.b64decode(response["audio_base64"]))
        written["audio"] = str(audio_path)
    summary = {k: v for k, v in response.items() if k != "audio_base64"}
    json_path = out_dir / f"{name}.json"
    json_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written["json"] = str(json_path)
    return written


def _row(name: str, response: dict[str, Any], written: dict[str, str]) -> list[str]:
    volume, rate = response.get("volume") or {}, response.get("rate") or {}
    level = volume.get("level_dbfs")
    wpm = rate.get("wpm")
    status = str(response["statusCode"])
    if "error" in response:
        status += f" {response['error']['code']}"
    return [
        name,
        status,
        "-" if level is None else f"{level:.1f}",
        str(volume.get("class", "-"))
        + ("" if volume.get("applied") else " (neutral)" if volume else ""),
        "-" if wpm is None else f"{wpm:.0f}",
        str(rate.get("class", "-")) + ("" if rate.get("applied") else " (neutral)" if rate else ""),
        "-" if rate.get("relative") is None else f"{rate['relative']:.2f}",
        str(rate.get("method", "-")),
        " ".join(
            f"{name}={dim['applied']}"
            for name, dim in (("volume", volume), ("rate", rate))
            if dim.get("applied")
        )
        or "-",
        written.get("ssml", "-"),
        written.get("audio", "-"),
    ]


def _print_table(rows: list[list[str]]) -> None:
    header = [
        "clip", "status", "level dBFS", "volume", "WPM", "rate", "relative", "method", "prosody",
        "SSML", "audio",
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def _run(app: App, jobs: list[Job], args: argparse.Namespace, out: Path | None = None) -> int:
    rows = []
    failures = 0
    for job in jobs:
        name = job.audio.stem
        response = app.handle(_event_for(job, args))
        failures += response["statusCode"] != 200
        rows.append(_row(name, response, _write_outputs(name, response, out or Path(args.out))))
        if response["statusCode"] != 200:
            print(
                f"{name}: {response['error']['code']}: {response['error']['message']}",
                file=sys.stderr,
            )
    _print_table(rows)
    return 1 if failures else 0


def _read_optional(path: Path) -> str | None:
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def _batch_jobs(folder: Path, default_text: str | None) -> list[Job]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise SystemExit(f"error: no {', '.join(AUDIO_SUFFIXES)} files in {folder}")
    jobs = []
    for audio_path in files:
        text = _read_optional(audio_path.with_suffix(".txt")) or default_text
        if text is None:
            raise SystemExit(
                f"error: no text for {audio_path.name}: write {audio_path.with_suffix('.txt').name} or pass --text"
            )
        words = audio_path.with_suffix(".words.json")
        jobs.append(
            Job(
                audio_path,
                text,
                _read_optional(audio_path.with_suffix(".transcript.txt")),
                words if words.is_file() else None,
            )
        )
    return jobs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emotion_dynamics_dev", description=__doc__.split("\n\n")[0]
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--out", default="out", help="folder for the SSML, audio and JSON (default: out)"
    )
    common.add_argument(
        "--backend",
        choices=("espeak", "polly"),
        default="espeak",
        help="espeak: local espeak-ng, no AWS (default); polly: Amazon Polly with your credentials",
    )
    common.add_argument("--voice", help=f"Polly voice id (default: {VOICE_ID.env})")
    common.add_argument("--engine", help=f"Polly engine (default: {POLLY_ENGINE.env})")
    common.add_argument(
        "--max-duration", type=float, help=f"override {MAX_AUDIO_DURATION_SECONDS.env}"
    )
    common.add_argument("--no-synthesis", action="store_true", help="analyse and write SSML only")
    common.add_argument(
        "--language", help=f"the speaker's language, BCP-47 (default: {SOURCE_LANGUAGE.env})"
    )
    common.add_argument(
        "--prosody-mode", choices=PROSODY_MODES, help=f"override {PROSODY_MODE.env}"
    )
    common.add_argument(
        "--max-speech-s", type=float, help="speak the text in at most this many seconds"
    )
    common.add_argument(
        "--fit-to-source", action="store_true", help="fit the speech into the speaker's own"
    )
    common.add_argument("--metrics", action="store_true", help="print EMF metrics to stdout")
    common.add_argument(
        "--log-level", default="ERROR", help="log level of the JSON log on stderr (default ERROR)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    process = sub.add_parser("process", parents=[common], help="one audio file")
    process.add_argument("audio", type=Path)
    process.add_argument("--text", required=True, help="the translated text to speak")
    process.add_argument("--transcript", help="the speaker's own words (rate from the transcript)")
    process.add_argument(
        "--words", type=Path, help="word timings JSON (Transcribe items or whisper words)"
    )
    batch = sub.add_parser("batch", parents=[common], help="every audio file of a folder")
    batch.add_argument("folder", type=Path)
    batch.add_argument("--text", help="text for files without a .txt beside them")
    demo = sub.add_parser(
        "demo", parents=[common], help="synthesize sample speech and run the batch on it"
    )
    demo.set_defaults(out="out/demo")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m emotion_dynamics_dev`` and the ``emotion-dynamics`` script."""
    args = _parser().parse_args(argv)
    try:
        app = _build_app(args)
    except ConfigError as exc:
        print(f"error: invalid configuration: {exc}", file=sys.stderr)
        return 2
    if args.command == "process":
        if not args.audio.is_file():
            print(f"error: no such file: {args.audio}", file=sys.stderr)
            return 2
        return _run(app, [Job(args.audio, args.text, args.transcript, args.words)], args)
    if args.command == "batch":
        return _run(app, _batch_jobs(args.folder, args.text), args)
    inputs = Path(args.out) / "input"
    make_demo_inputs(inputs)
    print(f"demo: source speech rendered with espeak-ng into {inputs}; backend: {args.backend}")
    status = 0
    for mode in (args.prosody_mode,) if args.prosody_mode else PROSODY_MODES:
        print(f"\n{PROSODY_MODE.env}={mode}")
        out = Path(args.out) / mode
        status |= _run(_build_app(args, mode=mode), _batch_jobs(inputs, None), args, out)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
