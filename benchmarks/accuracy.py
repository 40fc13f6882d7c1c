"""Accuracy of the speaking-rate and level estimates on real and generated speech, with peers.

Rate rows: the project's acoustic estimate (no transcript: what the Lambda does when the
event carries none), the project's transcript estimate (the upper bound when a transcript
exists), the de Jong & Wempe (2009) syllable-nuclei peer on praat-parselmouth
(``benchmarks/peers/dejong.py``) and librosa onset counting
(``benchmarks/peers/librosa_onsets.py``). Metrics: mean absolute error in WPM against the
manifest's reference, Pearson r, exact and within-one-class agreement of the 5 rate classes.
The reference class is the manifest's ``rate_label`` (the product's target bands
100/130/160/190 WPM); a clip with no estimate counts as a miss.

The project's acoustic estimator multiplies its raw rate by ``CALIBRATION_SCALE``, a
least-squares factor fitted on speech-dev, so on speech-dev its MAE is partly in-sample
(Pearson r is not affected by a scale). For a like-for-like MAE, each peer also gets a row
scaled by its own least-squares factor fitted on speech-dev, applied unchanged to the
generated corpus.

Level rows: the project's gated level (``detect_volume``) and, for context, the seed's
level (mean of librosa's frame RMS, in dB): invariance to 1 s of appended digital silence
and to +6 dB of gain (applied in floating point, unclipped), and the error against the
manifest's ``rms_dbfs``. The generated corpus measures ``rms_dbfs`` on the clean clip before
its background noise is mixed in, so part of the error there is the noise's own power.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numpy as np

from benchmarks.common import BUILD_DIR, REPO_ROOT, SEED, SPEECH_DEV, FloatArray, NotMeasured

GAIN_DB: Final = 6.0
SILENCE_S: Final = 1.0
CORPUS_SIZE: Final = "small"

Estimator = Callable[[FloatArray, int, Any], "float | None"]


def current_thresholds() -> tuple[Any, Any, str]:
    """The thresholds the Lambda would use: Pulumi.dev.yaml if it holds them, else the defaults."""
    from emotion_dynamics.config import default_config

    stack = REPO_ROOT / "Pulumi.dev.yaml"
    if stack.is_file():
        try:
            from calibration.stackfile import read_thresholds

            volume, rate = read_thresholds(stack)
            return volume, rate, "Pulumi.dev.yaml"
        except Exception as exc:
            defaults = default_config()
            return (
                defaults.volume,
                defaults.rate,
                f"config defaults (Pulumi.dev.yaml unreadable: {exc})",
            )
    defaults = default_config()
    return defaults.volume, defaults.rate, "config defaults (no Pulumi.dev.yaml)"


def generated_manifest(notes: NotMeasured, *, progress: bool = False) -> Path | None:
    """The generated small corpus (seed 0), cached by a hash of the generator's sources."""
    sources = [REPO_ROOT / "calibration" / "generator.py", REPO_ROOT / "datasets" / "sentences.txt",
               REPO_ROOT / "calibration" / "manifest.py"]  # fmt: skip
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources if p.is_file())).hexdigest()[
        :12
    ]
    out = BUILD_DIR / "bench-corpus" / f"{CORPUS_SIZE}-seed{SEED}-{digest}"
    manifest = out / "manifest.csv"
    if manifest.is_file():
        return manifest
    try:
        from calibration.generator import generate_corpus

        return Path(generate_corpus(out, size=CORPUS_SIZE, seed=SEED, progress=progress))
    except Exception as exc:
        notes.add("generated corpus", f"{type(exc).__name__}: {exc}")
        return None


def _load(path: Path) -> tuple[FloatArray, int]:
    import soundfile as sf

    x, sr = sf.read(str(path), dtype="float64", always_2d=True)
    return np.ascontiguousarray(x.mean(axis=1)), int(sr)


def _rate_estimators(notes: NotMeasured, thresholds: Any) -> dict[str, Estimator | str]:
    out: dict[str, Estimator | str] = {}
    try:
        from emotion_dynamics.detectors.rate import detect_rate

        out["emotion_dynamics acoustic"] = lambda x, sr, clip: (
            detect_rate(x, sr, thresholds=thresholds).wpm
        )
        out["emotion_dynamics transcript (upper bound)"] = lambda x, sr, clip: (
            detect_rate(x, sr, thresholds=thresholds, transcript=clip.transcript).wpm
        )
    except ImportError as exc:
        why = notes.add("emotion_dynamics rate rows", f"rate detector not importable ({exc})")
        out["emotion_dynamics acoustic"] = out["emotion_dynamics transcript (upper bound)"] = why
    try:
        from benchmarks.peers.dejong import dejong_rate

        out["de Jong & Wempe 2009 (parselmouth)"] = lambda x, sr, clip: dejong_rate(x, sr)
    except ImportError as exc:
        out["de Jong & Wempe 2009 (parselmouth)"] = notes.add(
            "de Jong peer", f"not importable ({exc})"
        )
    try:
        from benchmarks.peers.librosa_onsets import onset_rate_wpm

        out["librosa onset counting"] = lambda x, sr, clip: onset_rate_wpm(x, sr)
    except ImportError as exc:
        out["librosa onset counting"] = notes.add("librosa onset peer", f"not importable ({exc})")
    return out


def _class_index(wpm: float, cuts: tuple[float, ...]) -> int:
    return int(np.searchsorted(np.asarray(cuts), wpm, side="right"))


def _rate_metrics(
    refs: list[float], labels: list[int], est: list[float | None], cuts: tuple[float, ...]
) -> dict[str, float]:
    have = [i for i, e in enumerate(est) if e is not None and np.isfinite(e)]
    r = np.asarray([refs[i] for i in have])
    e = np.asarray([est[i] for i in have], dtype=np.float64)
    predicted = [(_class_index(v, cuts) if v is not None and np.isfinite(v) else None) for v in est]
    exact = sum(1 for p, t in zip(predicted, labels, strict=True) if p is not None and p == t)
    within = sum(
        1 for p, t in zip(predicted, labels, strict=True) if p is not None and abs(p - t) <= 1
    )
    n = len(refs)
    return {
        "n": float(n),
        "covered": float(len(have)),
        "mae": float(np.mean(np.abs(e - r))) if have else float("nan"),
        "bias": float(np.mean(e - r)) if have else float("nan"),
        "r": float(np.corrcoef(e, r)[0, 1]) if len(have) > 2 and np.std(e) > 0 else float("nan"),
        "exact": exact / n,
        "within_one": within / n,
    }


#: Peers that get a least-squares scale fitted on speech-dev, as the project's rate estimator's
#: ``CALIBRATION_SCALE`` was: the scaled rows remove that in-sample advantage from the MAE.
SCALED_PEERS: Final = ("de Jong & Wempe 2009 (parselmouth)", "librosa onset counting")


def least_squares_scale(refs: list[float], est: list[float | None]) -> float | None:
    """The ``k`` minimising ``sum (k * est - ref) ** 2`` over clips with an estimate."""
    pairs = [(e, r) for e, r in zip(est, refs, strict=True) if e is not None and np.isfinite(e)]
    denominator = sum(e * e for e, _ in pairs)
    return sum(e * r for e, r in pairs) / denominator if denominator > 0 else None


def rate_table(
    clips: list[Any],
    notes: NotMeasured,
    rate_thresholds: Any,
    scales: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Rate metrics of every estimator; ``scales`` (peer -> factor) adds scaled peer rows.

    Without ``scales`` (speech-dev) the factors are fitted here and returned.
    """
    from calibration.manifest import TARGET_RATE_BANDS
    from emotion_dynamics.models import RateClass

    order = list(RateClass)
    current = (
        rate_thresholds.very_slow_wpm,
        rate_thresholds.slow_wpm,
        rate_thresholds.medium_wpm,
        rate_thresholds.fast_wpm,
    )
    target = (
        TARGET_RATE_BANDS.very_slow_wpm,
        TARGET_RATE_BANDS.slow_wpm,
        TARGET_RATE_BANDS.medium_wpm,
        TARGET_RATE_BANDS.fast_wpm,
    )
    audio = [_load(c.path) for c in clips]
    refs = [c.wpm for c in clips]
    labels = [order.index(c.rate_label) for c in clips]
    rows: dict[str, Any] = {}
    fitted: dict[str, float] = {}
    for name, estimator in _rate_estimators(notes, rate_thresholds).items():
        if isinstance(estimator, str):
            rows[name] = estimator
            continue
        try:
            start = time.perf_counter()
            est = [estimator(x, sr, clip) for (x, sr), clip in zip(audio, clips, strict=True)]
            per_clip_ms = (time.perf_counter() - start) * 1000 / len(clips)
        except Exception as exc:
            rows[name] = notes.add(f"rate: {name}", f"{type(exc).__name__}: {exc}")
            continue
        row = _rate_metrics(refs, labels, est, current)
        at_target = _rate_metrics(refs, labels, est, target)
        row["exact_target"], row["within_one_target"] = at_target["exact"], at_target["within_one"]
        row["ms_per_clip"] = per_clip_ms
        rows[name] = row
        if name not in SCALED_PEERS:
            continue
        scale = (scales or {}).get(name) if scales is not None else least_squares_scale(refs, est)
        if scale is None:
            continue
        fitted[name] = scale
        scaled_est = [None if e is None else e * scale for e in est]
        scaled = _rate_metrics(refs, labels, scaled_est, current)
        at_target = _rate_metrics(refs, labels, scaled_est, target)
        scaled["exact_target"], scaled["within_one_target"] = (
            at_target["exact"],
            at_target["within_one"],
        )
        scaled["ms_per_clip"] = per_clip_ms
        rows[f"{name} x {scale:.3f} (least squares on speech-dev)"] = scaled
    return {"rows": rows, "n": len(clips), "ref_wpm": (min(refs), float(np.median(refs)), max(refs)),
            "same_cuts": current == target, "scales": fitted}  # fmt: skip


def _level_estimators(
    notes: NotMeasured,
) -> dict[str, Callable[[FloatArray, int], float | None] | str]:
    out: dict[str, Callable[[FloatArray, int], float | None] | str] = {}
    try:
        from emotion_dynamics.config import default_config
        from emotion_dynamics.detectors.volume import detect_volume

        thresholds = default_config().volume
        out["emotion_dynamics gated level"] = lambda x, sr: (
            detect_volume(x, sr, thresholds=thresholds).level_dbfs
        )
    except ImportError as exc:
        out["emotion_dynamics gated level"] = notes.add(
            "level rows", f"volume detector not importable ({exc})"
        )
    try:
        from benchmarks.peers.librosa_onsets import librosa_level_dbfs

        out["seed: mean librosa frame RMS"] = librosa_level_dbfs
    except ImportError as exc:
        out["seed: mean librosa frame RMS"] = notes.add(
            "seed level row", f"librosa missing ({exc})"
        )
    return out


def level_table(clips: list[Any], notes: NotMeasured) -> dict[str, Any]:
    gain = 10 ** (GAIN_DB / 20)
    rows: dict[str, Any] = {}
    audio = [_load(c.path) for c in clips]
    for name, estimator in _level_estimators(notes).items():
        if isinstance(estimator, str):
            rows[name] = estimator
            continue
        try:
            silence_d, gain_d, errors, missing = [], [], [], 0
            for (x, sr), clip in zip(audio, clips, strict=True):
                base = estimator(x, sr)
                padded = estimator(np.concatenate([x, np.zeros(int(SILENCE_S * sr))]), sr)
                louder = estimator(x * gain, sr)
                if base is None or padded is None or louder is None:
                    missing += 1
                    continue
                silence_d.append(abs(padded - base))
                gain_d.append(abs(louder - base - GAIN_DB))
                errors.append(base - clip.rms_dbfs)
        except Exception as exc:
            rows[name] = notes.add(f"level: {name}", f"{type(exc).__name__}: {exc}")
            continue
        rows[name] = {
            "silence_max": max(silence_d), "silence_mean": float(np.mean(silence_d)),
            "gain_max": max(gain_d), "gain_mean": float(np.mean(gain_d)),
            "mae": float(np.mean(np.abs(errors))), "bias": float(np.mean(errors)),
            "missing": missing,
        }  # fmt: skip
    return {"rows": rows, "n": len(clips)}


def run(notes: NotMeasured, *, quick: bool) -> dict[str, Any]:
    from calibration.manifest import read_manifest

    volume_thresholds, rate_thresholds, source = current_thresholds()
    corpora: dict[str, Any] = {}
    scales: dict[str, float] | None = None
    manifests: list[tuple[str, Path | None, str]] = [
        (
            "speech-dev",
            SPEECH_DEV / "manifest.csv",
            "../shared/speech-dev (38 clips of real read speech)",
        ),
        (
            "generated",
            generated_manifest(notes),
            f"generated corpus ({CORPUS_SIZE}, seed {SEED}; espeak-ng + flite)",
        ),
    ]
    for name, manifest, label in manifests:
        if manifest is None or not manifest.is_file():
            corpora[name] = notes.add(f"accuracy on {name}", "manifest missing")
            continue
        clips = read_manifest(
            manifest, corpus=name, volume_rule="reference" if name == "generated" else "medium"
        )
        if quick:
            clips = clips[:: max(1, len(clips) // 10)]
        rate = rate_table(clips, notes, rate_thresholds, scales)
        if name == "speech-dev":
            scales = rate["scales"]
        corpora[name] = {
            "label": label,
            "manifest": str(manifest),
            "rate": rate,
            "level": level_table(clips, notes),
        }
    return {
        "corpora": corpora,
        "thresholds": {"rate": rate_thresholds, "volume": volume_thresholds, "source": source},
    }
