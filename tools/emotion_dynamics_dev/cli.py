"""Command line: run the Lambda's pipeline locally on audio files and on event files.

``python -m emotion_dynamics_dev process IN.wav --text "..."`` handles one file,
``python -m emotion_dynamics_dev batch DIR`` every audio file of a folder (the text of
``clip.wav`` is read from ``clip.txt``, an optional source transcript from
``clip.transcript.txt``), ``python -m emotion_dynamics_dev demo`` makes sample speech with
espeak-ng and runs the batch on it, and ``python -m emotion_dynamics_dev events DIR`` runs
the handler on Lambda event files and compares the answers with ``DIR/expected.json``. Each
file becomes exactly the event the Lambda gets and goes through the same
:class:`~emotion_dynamics.app.App`, configured like the function of a stack
(``--stack``, default dev); the synthesis backend is espeak-ng by default (no AWS account)
or Polly with ``--backend polly``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from emotion_dynamics.app import App
from emotion_dynamics.audio import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from emotion_dynamics.config import Config, load_config
from emotion_dynamics.contract import (
    LOG_LEVELS,
    LONG_AUDIO,
    LONG_AUDIO_CHOICES,
    MAX_AUDIO_DURATION_SECONDS,
    POLLY_ENGINE,
    PROSODY_MODE,
    PROSODY_MODES,
    SOURCE_LANGUAGE,
    VOICE_ID,
)
from emotion_dynamics.errors import ConfigError
from emotion_dynamics.observability import Telemetry
from emotion_dynamics_dev import events as event_files
from emotion_dynamics_dev.backends import synthesizer as make_synthesizer
from emotion_dynamics_dev.demo import make_demo_inputs
from emotion_dynamics_dev.jobs import (
    InputError,
    Job,
    batch_jobs,
    check_outputs,
    file_job,
    output_paths,
    prepare_out_dir,
    read_words,
    skipped_files,
)
from emotion_dynamics_dev.table import TABLE_SUFFIXES, Row, format_table, render_table_file

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "main"]

EXIT_OK: Final = 0
#: Something failed that is not the input's fault: synthesis, a 5xx, writing a result,
#: or (``events``) an answer that differs from its expectation.
EXIT_FAILED: Final = 1
#: Bad input: a usage error, a missing or unusable path, an invalid stack or setting, or a
#: file the handler refused with a 4xx.
EXIT_BAD_INPUT: Final = 2

_EPILOG: Final = f"""\
settings: the Lambda environment of Pulumi.<stack>.yaml (--stack, default dev; --defaults
for the contract's defaults), then environment variables, then these flags. The log level,
metrics and log format are the command's own (--log-level, --metrics).

exit status: {EXIT_OK} every file answered 200 (events: every answer as expected);
{EXIT_FAILED} a failure (synthesis or another 5xx, a result that could not be written, an
event answered otherwise than expected); {EXIT_BAD_INPUT} bad input (usage, a missing or
unusable path, an invalid setting, a file without text or refused with a 4xx).
"""
#: The speech file a result writes, by backend and Polly output format.
_AUDIO_SUFFIX: Final = {"mp3": ".mp3", "ogg_vorbis": ".ogg", "pcm": ".pcm"}
#: Event fields the command line fills from a flag, for error messages.
_FLAG_OF_FIELD: Final = {
    "voice_id": "--voice",
    "engine": "--engine",
    "sample_rate": "--sample-rate",
    "channels": "--channels",
}


class _Stderr:
    """Writes to whatever ``sys.stderr`` is at the time (it may be replaced after start-up)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The stack's Lambda environment (unless ``--defaults``), overridden by the process's."""
    if args.defaults:
        return dict(os.environ)
    from emotion_dynamics_dev.stack_env import ROOT, stack_environment
    from emotion_dynamics_infra.stack import StackConfigError

    stack_file = ROOT / f"Pulumi.{args.stack}.yaml"
    if not stack_file.is_file():
        stacks = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))
        raise InputError(
            f"--stack {args.stack}: no {stack_file.name} in {ROOT} (stacks: "
            f"{', '.join(stacks)}); --defaults runs with the contract's defaults"
        )
    try:
        return {**stack_environment(args.stack), **os.environ}
    except StackConfigError as exc:
        raise InputError(f"{stack_file.name}: {exc}") from None


def _config(args: argparse.Namespace) -> Config:
    try:
        config = load_config(_environment(args))
    except ConfigError as exc:
        raise InputError(f"invalid setting {exc}") from None
    if getattr(args, "max_duration", None) is not None:
        config = replace(config, max_audio_duration_s=args.max_duration)
    if getattr(args, "long_audio", None) is not None:
        config = replace(config, long_audio=args.long_audio)
    return replace(
        config, enable_metrics=args.metrics, structured_logging=True, log_level=args.log_level
    )


def _build_app(args: argparse.Namespace, *, mode: str | None = None) -> App:
    config = _config(args)
    if mode or getattr(args, "prosody_mode", None):
        config = replace(config, prosody=replace(config.prosody, mode=mode or args.prosody_mode))
    synthesizer, voices = make_synthesizer(args.backend, config)
    return App(config, synthesizer, Telemetry(config, stream=_Stderr()), voices=voices)


def _audio_suffix(args: argparse.Namespace, config: Config) -> str | None:
    if args.no_synthesis:
        return None
    return ".wav" if args.backend == "espeak" else _AUDIO_SUFFIX[config.polly_output_format]


def _event_for(job: Job, args: argparse.Namespace) -> dict[str, Any]:
    event: dict[str, Any] = {
        "audio_base64": base64.b64encode(job.audio).decode("ascii"),
        "text": job.text,
    }
    if job.raw:
        event["sample_rate"] = args.sample_rate
        event["channels"] = args.channels
    if job.transcript:
        event["source_transcript"] = job.transcript
    if job.words is not None:
        event["source_words"] = job.words
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


def _write_outputs(
    name: str, response: Mapping[str, Any], out: Path, audio_suffix: str | None
) -> list[str]:
    """Write the response (without its audio), the SSML and the speech; return their paths."""
    json_path, ssml_path, *audio_path = output_paths(name, out, audio_suffix)
    written = []
    if "ssml" in response:
        ssml_path.write_text(response["ssml"] + "\n", encoding="utf-8")
        written.append(str(ssml_path))
    if "audio_base64" in response and audio_path:
        audio_path[0].write_bytes(base64.b64decode(response["audio_base64"]))
        written.append(str(audio_path[0]))
    summary = {k: v for k, v in response.items() if k != "audio_base64"}
    json_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [str(json_path), *written]


def _worded_for_flags(row: Row, response: Mapping[str, Any]) -> Row:
    field = (response.get("error") or {}).get("field")
    if row.error and field in _FLAG_OF_FIELD:
        row.error = f"{_FLAG_OF_FIELD[field]}: {row.error.removeprefix(f'{field}: ')}"
    return row


def _is_failure(row: Row) -> bool:
    return row.status >= 500 or row.error_code in ("RESPONSE_TOO_LARGE", "WRITE_FAILED")


def _run(
    app: App, jobs: Sequence[Job], args: argparse.Namespace, *, out: Path | None = None
) -> int:
    out = prepare_out_dir(out or Path(args.out))
    audio_suffix = _audio_suffix(args, app.config)
    table_out = Path(args.table_out) if getattr(args, "table_out", None) else None
    check_outputs(jobs, out, audio_suffix, table_out)
    rows = []
    for job in jobs:
        if job.problem is not None:
            row = Row.problem(job.path.name, job.name, job.problem)
        else:
            response = app.handle(_event_for(job, args))
            row = Row.from_response(job.path.name, job.name, response, path=str(job.path))
            row = _worded_for_flags(row, response)
            try:
                row.outputs = _write_outputs(job.name, response, out, audio_suffix)
            except OSError as exc:
                row.error_code = "WRITE_FAILED"
                row.error = f"results cannot be written to {out}: {exc.strerror or exc}"
        if row.error:
            where = "" if row.error.startswith(str(job.path)) else f"{job.path}: "
            print(f"{row.error_code}: {where}{row.error}", file=sys.stderr)
        rows.append(row)
    print(format_table(rows))
    if table_out is not None:
        try:
            table_out.write_text(
                render_table_file(rows, table_out.suffix.lower()), encoding="utf-8"
            )
        except OSError as exc:
            print(f"error: --table-out {table_out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
        print(f"table written to {table_out}")
    if any(_is_failure(r) for r in rows):
        return EXIT_FAILED
    return EXIT_OK if all(r.ok for r in rows) else EXIT_BAD_INPUT


def _process_job(args: argparse.Namespace) -> Job:
    path: Path = args.audio
    if path.is_dir():
        raise InputError(f"{path} is a folder: use `batch {path}` for a folder of clips")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    words = read_words(args.words) if args.words is not None else None
    job = file_job(
        path,
        path.stem,
        text=args.text,
        transcript=args.transcript,
        sample_rate=args.sample_rate,
        words=words,
    )
    if job.problem is not None:
        raise InputError(job.problem)
    return job


def _events(args: argparse.Namespace) -> int:
    for path in args.paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
    try:
        events, expected = event_files.load_events(args.paths)
    except (OSError, ValueError) as exc:
        raise InputError(str(exc)) from None
    if not events:
        raise InputError(f"no event files (*.json) in {', '.join(map(str, args.paths))}")
    results = event_files.run_events(_build_app(args), events, expected)
    print(event_files.format_results(results))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def _sample_rate(text: str) -> int:
    value = int(text)
    if not MIN_SAMPLE_RATE <= value <= MAX_SAMPLE_RATE:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} Hz, given {value}"
        )
    return value


def _table_path(text: str) -> str:
    if Path(text).suffix.lower() not in TABLE_SUFFIXES:
        raise argparse.ArgumentTypeError(f"must end in {' or '.join(TABLE_SUFFIXES)}, given {text}")
    return text


def _settings_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    stack = options.add_mutually_exclusive_group()
    stack.add_argument(
        "--stack", default="dev", help="take the settings of Pulumi.STACK.yaml (default: dev)"
    )
    stack.add_argument(
        "--defaults", action="store_true", help="the contract's defaults, no stack file"
    )
    options.add_argument(
        "--backend",
        choices=("espeak", "polly"),
        default="espeak",
        help="espeak: local espeak-ng, no AWS (default); polly: Amazon Polly with your credentials",
    )
    options.add_argument("--metrics", action="store_true", help="print EMF metrics to stdout")
    options.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="ERROR",
        help="level of the JSON log on stderr (default ERROR)",
    )
    return options


def _file_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--out",
        default="out",
        help="folder for each file's response (.json), SSML and speech (default: out); "
        "files of the same name from an earlier run are replaced",
    )
    options.add_argument("--voice", help=f"Polly voice id (default: the stack's {VOICE_ID.env})")
    options.add_argument("--engine", help=f"Polly engine (default: the stack's {POLLY_ENGINE.env})")
    options.add_argument(
        "--max-duration", type=float, help=f"override {MAX_AUDIO_DURATION_SECONDS.env} (s)"
    )
    options.add_argument(
        "--long-audio", choices=LONG_AUDIO_CHOICES, help=f"override {LONG_AUDIO.env}"
    )
    options.add_argument(
        "--sample-rate", type=_sample_rate, help="sample rate of raw PCM16 files (.raw, .pcm), Hz"
    )
    options.add_argument(
        "--channels", type=int, default=1, help="channels of raw PCM16 files (default 1)"
    )
    options.add_argument("--no-synthesis", action="store_true", help="analyse and write SSML only")
    options.add_argument(
        "--language",
        help=f"the speaker's language, BCP-47 (default: the stack's {SOURCE_LANGUAGE.env})",
    )
    options.add_argument(
        "--prosody-mode", choices=PROSODY_MODES, help=f"override {PROSODY_MODE.env} (demo: both)"
    )
    options.add_argument(
        "--max-speech-s", type=float, help="speak the text in at most this many seconds"
    )
    options.add_argument(
        "--fit-to-source", action="store_true", help="fit the speech into the speaker's own span"
    )
    return options


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emotion_dynamics_dev",
        description=__doc__.split("\n\n")[0],
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    settings, files = _settings_options(), _file_options()
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, helptext: str, *parents: argparse.ArgumentParser) -> Any:
        return sub.add_parser(
            name,
            parents=list(parents),
            help=helptext,
            epilog=_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    process = command("process", "one audio file", settings, files)
    process.add_argument("audio", type=Path)
    process.add_argument("--text", required=True, help="the translated text to speak")
    process.add_argument("--transcript", help="the speaker's own words (rate from the transcript)")
    process.add_argument(
        "--words", type=Path, help="word timings JSON (Transcribe items or whisper words)"
    )
    batch = command("batch", "every audio file of a folder", settings, files)
    batch.add_argument("folder", type=Path)
    batch.add_argument("--text", help="text for files without a .txt beside them")
    for sub_parser in (process, batch):
        sub_parser.add_argument(
            "--table-out", type=_table_path, help="also write the table to PATH.json or PATH.csv"
        )
    demo = command("demo", "synthesize sample speech and run the batch on it", settings, files)
    demo.set_defaults(out="out/demo")
    events = command(
        "events", "run the handler on Lambda event files (compared with expected.json)", settings
    )
    events.add_argument("paths", type=Path, nargs="+", help="event files or folders of them")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "events":
        return _events(args)
    app = _build_app(args)
    if args.command == "process":
        return _run(app, [_process_job(args)], args)
    if args.command == "batch":
        jobs = batch_jobs(args.folder, default_text=args.text, sample_rate=args.sample_rate)
        skipped = skipped_files(args.folder)
        if skipped:
            names = ", ".join(p.name for p in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            print(f"note: {len(skipped)} other file(s) left alone: {names}", file=sys.stderr)
        return _run(app, jobs, args)
    out = prepare_out_dir(Path(args.out))
    inputs = out / "input"
    make_demo_inputs(inputs)
    print(f"demo: source speech rendered with espeak-ng into {inputs}; backend: {args.backend}")
    status = EXIT_OK
    for mode in (args.prosody_mode,) if args.prosody_mode else PROSODY_MODES:
        print(f"\n{PROSODY_MODE.env}={mode}")
        jobs = batch_jobs(inputs, default_text=None, sample_rate=None)
        status = max(status, _run(_build_app(args, mode=mode), jobs, args, out=out / mode))
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m emotion_dynamics_dev`` and the ``emotion-dynamics`` script."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # the last line of defence: a file problem is one line, no traceback
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
