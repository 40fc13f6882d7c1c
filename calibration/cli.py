"""Command line of the calibration: ``python -m calibration <command> ...``.

Commands
--------
generate    build a labelled corpus with espeak-ng and flite (same as datasets/generate.py)
measure     fill blank reference columns (words, speech_s, wpm, rms_dbfs) of a manifest
features    extract the production detectors' features of manifests into a CSV
fit         fit thresholds to a features CSV, print agreement before/after, save them as JSON
write-back  write thresholds (JSON from ``fit``) into ``Pulumi.<stack>.yaml``; print the diff
calibrate   all of it end to end: features, fit, report and (with --write-back) write-back
norms       measure the languages' pace norms (true and acoustic) on real read speech
voices      measure a synthesis voice at 100 % and at each rate (its profile)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

from calibration.degrade import SPEECH_DEV_DIR
from calibration.errors import CalibrationError
from calibration.features import ClipFeatures, extract_features, read_features, write_features
from calibration.fit import empty_classes
from calibration.manifest import MANIFEST_COLUMNS, Clip, complete_row, read_manifest
from calibration.pipeline import Calibration, calibrate, summary_rows
from calibration.stackfile import (
    REPO_ROOT,
    VOLUME_KEYS,
    format_threshold,
    read_numbers,
    read_thresholds,
    read_value,
    stack_file_path,
    threshold_values,
    write_thresholds,
    write_values,
)
from emotion_dynamics import contract
from emotion_dynamics.config import RateThresholds, VolumeThresholds

__all__ = ["DEFAULT_MANIFESTS", "default_manifests", "format_report", "load_clips", "main"]

#: Manifests used when none is given: the small generated corpus and the shared speech-dev.
DEFAULT_MANIFESTS: Final = (
    REPO_ROOT / "datasets" / "generated" / "small" / "manifest.csv",
    SPEECH_DEV_DIR / "manifest.csv",
)


#: Real read speech in nine languages, for the pace norms (outside the repository).
SPEECH_DEV_MANIFESTS: Final = [
    SPEECH_DEV_DIR / "manifest.csv",
    SPEECH_DEV_DIR / "extra" / "manifest.csv",
]


def default_manifests() -> list[Path]:
    """The :data:`DEFAULT_MANIFESTS` that exist (speech-dev lives outside the repository)."""
    return [m for m in DEFAULT_MANIFESTS if m.is_file()]


def load_clips(manifests: Sequence[str | Path], *, volume_rule: str = "medium") -> list[Clip]:
    """Clips of every manifest; a corpus is named after its manifest's folder."""
    clips: list[Clip] = []
    for manifest in manifests:
        clips.extend(read_manifest(manifest, volume_rule=volume_rule))  # type: ignore[arg-type]
    return clips


def _thresholds_json(volume: VolumeThresholds, rate: RateThresholds) -> dict[str, dict[str, float]]:
    return {"volume": asdict(volume), "rate": asdict(rate)}


def _thresholds_from_json(path: str | Path) -> tuple[VolumeThresholds, RateThresholds]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return VolumeThresholds(**data["volume"]), RateThresholds(**data["rate"])


def format_report(result: Calibration) -> str:
    """Plain-text report: thresholds, agreement table, confusion matrices."""
    lines = []
    for report in (result.volume, result.rate):
        unit = "dBFS" if report.name == "volume" else f"WPM ({result.rate_feature})"
        lines.append(f"{report.name} thresholds [{unit}]")
        for key, old in asdict(report.current).items():
            lines.append(f"  {key:>14}: {old:8.1f} -> {getattr(report.proposed, key):8.1f}")
        if report.n_missing:
            lines.append(f"  ({report.n_missing} clips without a measurement left out)")
    rows = summary_rows(result)
    header = list(rows[0])
    lines.append("")
    lines.append(" | ".join(header))
    lines.extend(" | ".join(str(row[h]) for h in header) for row in rows)
    for report in (result.volume, result.rate):
        for title, agreement in (("before", report.before), ("after", report.after)):
            lines.append("")
            lines.append(f"{report.name} confusion {title} (rows: label, columns: predicted)")
            width = max(len(c) for c in agreement.classes) + 1
            lines.append(" " * width + "".join(f"{c:>{width}}" for c in agreement.classes))
            for name, counts in zip(agreement.classes, agreement.confusion, strict=True):
                lines.append(f"{name:>{width}}" + "".join(f"{int(n):>{width}}" for n in counts))
    return "\n".join(lines)


def _stack_path(args: argparse.Namespace) -> Path:
    return Path(args.stack_file) if args.stack_file else stack_file_path(args.stack)


def _features(args: argparse.Namespace) -> list[ClipFeatures]:
    manifests = args.manifest or default_manifests()
    if not manifests:
        raise CalibrationError(
            "no manifest given and none of the defaults exists; run `make datasets` first"
        )
    clips = load_clips(manifests, volume_rule=args.volume_rule)
    return extract_features(clips, n_jobs=args.jobs, progress=not args.quiet)


def _cmd_generate(args: argparse.Namespace) -> int:
    from calibration.generator import generate_corpus

    size: str | int = int(args.size) if args.size.isdigit() else args.size
    manifest = generate_corpus(
        args.out, size=size, seed=args.seed, n_jobs=args.jobs, progress=not args.quiet
    )
    print(f"wrote {manifest}")
    return 0


def _cmd_measure(args: argparse.Namespace) -> int:
    source = Path(args.manifest)
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    completed = [complete_row(row, source.parent / row["file"]) for row in rows]
    target = Path(args.out) if args.out else source
    columns = list(MANIFEST_COLUMNS) + [
        c for c in (rows[0] if rows else {}) if c not in MANIFEST_COLUMNS
    ]
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(completed)
    read_manifest(target)  # validate what was written
    print(f"wrote {target} ({len(completed)} rows)")
    return 0


def _cmd_features(args: argparse.Namespace) -> int:
    out = write_features(args.out, _features(args))
    print(f"wrote {out}")
    return 0


def _fit_and_report(args: argparse.Namespace, features: list[ClipFeatures]) -> Calibration:
    volume, rate = read_thresholds(_stack_path(args))
    result = calibrate(
        features, volume, rate, rate_feature=args.rate_feature, min_class_size=args.min_class_size
    )
    print(format_report(result))
    return result


def _cmd_fit(args: argparse.Namespace) -> int:
    result = _fit_and_report(args, read_features(args.features))
    if args.out:
        payload = _thresholds_json(result.proposed_volume, result.proposed_rate)
        Path(args.out).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.out}")
    return 0


def _cmd_write_back(args: argparse.Namespace) -> int:
    volume, rate = _thresholds_from_json(args.thresholds)
    diff = write_thresholds(_stack_path(args), volume, rate, dry_run=args.dry_run)
    print(diff or "no change")
    return 0


def _refuse_contradiction(args: argparse.Namespace) -> None:
    if getattr(args, "write_back", False) and getattr(args, "dry_run", False):
        raise CalibrationError(
            "--write-back and --dry-run contradict each other: give one (nothing was written)"
        )


def _show_or_write(path: Path, values: dict[str, str | list[str]], *, write: bool) -> None:
    if not values:
        print("\nnothing to write")
        return
    diff = write_values(path, values, dry_run=not write)
    if not diff:
        print(f"\nno change to {path}")
    elif write:
        print(f"\nwrote {path}:\n{diff}")
    else:
        print(f"\nwould change {path} (not written: pass --write-back):\n{diff}")


def _labelled_warnings(features: Sequence[ClipFeatures], manifests: Sequence[Path]) -> list[str]:
    warnings = [
        f"default corpus {m} is missing (run `make datasets`): not used"
        for m in DEFAULT_MANIFESTS
        if m not in manifests and not m.is_file()
    ]
    for dimension, empty in empty_classes(features).items():
        if empty:
            warnings.append(
                f"{dimension}: no clip labelled {', '.join(empty)}; those classes do not steer the fit"
            )
    return warnings


def _calibrate_labelled(args: argparse.Namespace, path: Path) -> dict[str, str | list[str]]:
    manifests = [Path(m) for m in args.manifest] if args.manifest else default_manifests()
    if not manifests:
        raise CalibrationError(
            "no manifest given and none of the defaults exists; run `make datasets` first"
        )
    clips = load_clips(manifests, volume_rule=args.volume_rule)
    features = extract_features(clips, n_jobs=args.jobs, progress=not args.quiet)
    if args.features_out:
        write_features(args.features_out, features)
    result = _fit_and_report(args, features)
    for warning in _labelled_warnings(features, manifests):
        print(f"warning: {warning}")
    current_volume, current_rate = read_thresholds(path)
    return dict(
        threshold_values(
            current_volume if args.only == "rate" else result.proposed_volume,
            current_rate if args.only == "volume" else result.proposed_rate,
        )
    )


def _calibrate_sample(args: argparse.Namespace, path: Path) -> dict[str, str | list[str]]:
    from calibration.sample import load_sample
    from calibration.unlabelled import calibrate_sample, format_sample_report, measure_sample

    current_volume, _ = read_thresholds(path)
    (scale,) = read_numbers(path, (contract.RATE_ACOUSTIC_SCALE,))
    features = measure_sample(load_sample(args.audio), n_jobs=args.jobs)
    result = calibrate_sample(features, current_scale=scale, mix=args.volume_mix)
    print(format_sample_report(result, current_volume))
    values: dict[str, str | list[str]] = {}
    if args.only != "rate":
        values.update(
            {
                key: format_threshold(getattr(result.volume, name))
                for key, name in VOLUME_KEYS.items()
            }
        )
        values[contract.VOLUME_REFERENCE_DBFS.full_key] = format_threshold(result.reference_dbfs)
    if args.only != "volume" and result.rate is not None:
        values[contract.RATE_ACOUSTIC_SCALE.full_key] = f"{result.rate.scale:g}"
    return values


def _cmd_calibrate(args: argparse.Namespace) -> int:
    _refuse_contradiction(args)
    path = _stack_path(args)
    values = _calibrate_sample(args, path) if args.audio else _calibrate_labelled(args, path)
    _show_or_write(path, values, write=args.write_back)
    return 0


def _mix(text: str) -> tuple[float, ...]:
    try:
        shares = tuple(float(part) / 100.0 for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected four percentages such as 10,15,50,25, given {text!r}"
        ) from None
    if len(shares) != 4 or min(shares) < 0 or abs(sum(shares) - 1.0) > 1e-6:
        raise argparse.ArgumentTypeError(
            f"expected four percentages summing to 100, given {text!r}"
        )
    return shares


def _cmd_voices(args: argparse.Namespace) -> int:
    from calibration import voices

    _refuse_contradiction(args)
    if args.backend == "polly":
        import boto3

        engine = args.engine or "neural"
        client = boto3.client("polly")
        language = args.language or voices.polly_language(
            client, voice_id=args.voice, engine=engine
        )
        render = voices.polly_renderer(client, voice_id=args.voice, engine=engine)
    else:
        engine = None
        language = args.language or args.voice.split("-")[0]
        render = voices.espeak_renderer(args.voice)
    try:
        measurement = voices.measure_voice(render, voice_id=args.voice, language=language)
    except ValueError as exc:
        raise CalibrationError(f"{args.backend} voice {args.voice}: {exc}") from None
    print(voices.format_measurement(measurement))
    if args.write_back or args.dry_run or args.stack_file or args.stack:
        path = Path(args.stack_file) if args.stack_file else stack_file_path(args.stack or "dev")
        key = voices.profile_key(args.voice, args.engine)
        current = read_value(path, contract.VOICE_PROFILES.full_key) or []
        merged = voices.merge_profile([str(item) for item in current], key, measurement.profile)
        _show_or_write(path, {contract.VOICE_PROFILES.full_key: merged}, write=args.write_back)
    return 0


def _cmd_norms(args: argparse.Namespace) -> int:
    from calibration.norms import format_norms, measure_norms

    manifests = [Path(m) for m in args.manifest] if args.manifest else SPEECH_DEV_MANIFESTS
    missing = [str(m) for m in manifests if not m.is_file()]
    if missing:
        raise CalibrationError(f"no such manifest: {', '.join(missing)}")
    print(format_norms(measure_norms(manifests)))
    return 0


def _measurement_commands(sub: Any) -> None:
    """``voices`` and ``norms``: measurements of the synthesis voices and of the languages."""
    p = sub.add_parser("voices", help="measure a synthesis voice's pace and level at 100 %%")
    p.add_argument(
        "--backend",
        choices=("espeak", "polly"),
        default="espeak",
        help="espeak: local espeak-ng; polly: Amazon Polly with your credentials (PCM output)",
    )
    p.add_argument("--voice", required=True, help="espeak-ng voice (en-us) or Polly voice (Joanna)")
    p.add_argument("--engine", default=None, help="Polly engine (default neural; keys the profile)")
    p.add_argument("--language", default=None, help="the voice's language (default: detected)")
    p.add_argument("--stack", default=None, help="write into Pulumi.<stack>.yaml's voiceProfiles")
    p.add_argument("--stack-file", default=None, help="explicit stack file path")
    p.add_argument("--write-back", action="store_true", help="write the profile")
    p.add_argument("--dry-run", action="store_true", help="show the diff, write nothing")
    p.set_defaults(func=_cmd_voices)

    p = sub.add_parser("norms", help="measure the languages' pace norms on read speech")
    p.add_argument(
        "--manifest", action="append", help="a manifest CSV (default: speech-dev and its extra/)"
    )
    p.set_defaults(func=_cmd_norms)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m calibration", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, *, stack: bool = False, manifests: bool = False) -> None:
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument(
            "--jobs", type=int, default=None, help="worker processes (default: all cores)"
        )
        if manifests:
            p.add_argument(
                "--manifest",
                action="append",
                help="a manifest CSV (repeatable; default: generated small + speech-dev)",
            )
            p.add_argument(
                "--volume-rule",
                default="medium",
                choices=("medium", "reference"),
                help="label for rows with a blank volume_label",
            )
        if stack:
            p.add_argument(
                "--stack",
                default="dev",
                help="stack name: Pulumi.<stack>.yaml at the repository root",
            )
            p.add_argument(
                "--stack-file", default=None, help="explicit stack file path (overrides --stack)"
            )
            p.add_argument("--rate-feature", default="wpm", choices=("wpm", "wpm_transcript"))
            p.add_argument("--min-class-size", type=int, default=3)

    p = sub.add_parser("generate", help="generate a labelled corpus")
    p.add_argument("--out", required=True)
    p.add_argument("--size", default="small", help="small, large or a number of clips")
    p.add_argument("--seed", type=int, default=0)
    common(p)
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("measure", help="fill blank reference columns of a manifest")
    p.add_argument("manifest")
    p.add_argument("--out", default=None, help="write here instead of in place")
    p.set_defaults(func=_cmd_measure)

    p = sub.add_parser("features", help="extract features into a CSV")
    p.add_argument("--out", required=True)
    common(p, manifests=True)
    p.set_defaults(func=_cmd_features)

    p = sub.add_parser("fit", help="fit thresholds to a features CSV")
    p.add_argument("--features", required=True)
    p.add_argument("--out", default=None, help="save proposed thresholds as JSON")
    common(p, stack=True)
    p.set_defaults(func=_cmd_fit)

    p = sub.add_parser("write-back", help="write thresholds (JSON from fit) into the stack file")
    p.add_argument("--thresholds", required=True)
    p.add_argument("--dry-run", action="store_true", help="print the diff only")
    common(p, stack=True)
    p.set_defaults(func=_cmd_write_back)

    _measurement_commands(sub)

    p = sub.add_parser("calibrate", help="features + fit + report (+ write-back)")
    p.add_argument(
        "--audio",
        action="append",
        help="the deployment's own sample audio: a folder (WAV, FLAC, OGG, MP3; clip.txt or "
        "clip.transcript.txt and clip.words.json beside a clip) or a label-free manifest CSV; "
        "repeatable. Volume from its level quantiles, rate scale from its transcripts",
    )
    p.add_argument(
        "--volume-mix",
        type=_mix,
        default="10,15,50,25",
        help="with --audio: percent of the sample in x-soft, soft, medium, loud (default 10,15,50,25)",
    )
    p.add_argument(
        "--write-back", action="store_true", help="write the proposal into the stack file"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="show the diff, write nothing (the default)"
    )
    p.add_argument("--features-out", default=None, help="also save the features CSV")
    p.add_argument(
        "--only",
        choices=("volume", "rate"),
        default=None,
        help="write one dimension and keep the other's settings (default: both)",
    )
    common(p, stack=True, manifests=True)
    p.set_defaults(func=_cmd_calibrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (2 on a calibration error)."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CalibrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
