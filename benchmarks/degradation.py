"""Speaking rate under noise, a second voice and codecs: the project beside de Jong & Wempe.

speech-dev's 38 clips, clean and degraded by ``calibration/degrade.py`` (white and pink
noise at 20 and 10 dB SNR over the active speech level, a competing talker 10 dB down,
8 kHz telephone band, 8 kHz mu-law, Ogg Opus 24 kbit/s), decoded and resampled to 16 kHz as
the Lambda does; both estimators see the same samples. Per condition: Pearson r of the
syllable rate (the project's ``rate.syllables_per_s``; the peer's nuclei over its speech
time) against dictionary syllables over the manifest's speech span, WPM MAE and bias against
the manifest WPM, and for the project the share of clips whose rate the Lambda applies
(confidence >= the stack's ``minStabilityThreshold``) with the 5-class accuracy of applied
and gated clips. The peer has no confidence: its class accuracy is over all clips. Its WPM is
also given scaled by its own least-squares factor on clean speech-dev, as the project's
``CALIBRATION_SCALE`` scales ours. The project's constants were fitted on these clips: the
held-out (leave-one-talker-out) figures are in ``docs/design/rate-confidence.md``.
"""

from __future__ import annotations

import math
import sys
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from typing import Any, Final

import numpy as np

from benchmarks.common import SPEECH_DEV, NotMeasured

QUICK_CONDITIONS: Final = ("clean", "white_20db", "talker_10db")
PEER: Final = "de Jong & Wempe 2009 (parselmouth)"


@cache
def _clips() -> tuple[Any, ...]:
    from calibration.degrade import load_dev_clips

    return tuple(load_dev_clips(SPEECH_DEV / "manifest.csv"))


def _measure(task: tuple[int, str, float]) -> dict[str, float]:
    from calibration.degrade import degraded_bytes, lambda_view
    from emotion_dynamics.config import default_config
    from emotion_dynamics.detectors.rate import detect_rate

    index, condition, threshold = task
    clips = _clips()
    clip = clips[index]
    x = lambda_view(degraded_bytes(clip, condition, clips)).astype(np.float64)
    ours = detect_rate(x, 16000, thresholds=default_config().rate)
    row = {
        "truth_sps": clip.syllables_per_s,
        "truth_wpm": clip.wpm,
        "sps": math.nan if ours.syllables_per_s is None else ours.syllables_per_s,
        "wpm": math.nan if ours.wpm is None else ours.wpm,
        "applied": float(ours.wpm is not None and ours.confidence >= threshold),
    }
    try:
        from benchmarks.peers.dejong import dejong_syllables

        peer = dejong_syllables(x, 16000)
        row["peer_sps"] = peer.syllables / peer.speech_s if peer.speech_s > 0 else math.nan
        row["peer_wpm"] = math.nan if peer.wpm is None else peer.wpm
    except ImportError:
        row["peer_sps"] = row["peer_wpm"] = math.nan
    return row


def _class(wpm: float, cuts: tuple[float, ...]) -> int:
    return -1 if not math.isfinite(wpm) else int(np.searchsorted(cuts, wpm, side="right"))


def _stats(
    rows: list[dict[str, float]], key: str, cuts: tuple[float, ...], scale: float = 1.0
) -> dict[str, float]:
    sps = np.array([r["sps" if key == "ours" else "peer_sps"] for r in rows])
    wpm = scale * np.array([r["wpm" if key == "ours" else "peer_wpm"] for r in rows])
    truth_sps = np.array([r["truth_sps"] for r in rows])
    truth_wpm = np.array([r["truth_wpm"] for r in rows])
    ok = np.isfinite(sps) & np.isfinite(wpm)
    right = np.array(
        [_class(w, cuts) == _class(t, cuts) for w, t in zip(wpm, truth_wpm, strict=True)]
    )
    out = {
        "n": float(len(rows)),
        "missing": float(np.count_nonzero(~ok)),
        "r": float(np.corrcoef(sps[ok], truth_sps[ok])[0, 1])
        if np.count_nonzero(ok) > 2
        else math.nan,
        "mae": float(np.mean(np.abs(wpm[ok] - truth_wpm[ok]))),
        "bias": float(np.mean(wpm[ok] - truth_wpm[ok])),
        "exact": float(np.mean(right)),
    }
    if key == "ours":
        applied = np.array([r["applied"] > 0 for r in rows])
        out["applied"] = float(np.mean(applied))
        out["right_applied"] = float(np.mean(right[applied])) if applied.any() else math.nan
        out["right_gated"] = float(np.mean(right[~applied])) if (~applied).any() else math.nan
    return out  # fmt: skip


def run(notes: NotMeasured, *, quick: bool, jobs: int = 2) -> dict[str, Any]:
    """Measure every condition with both estimators (``quick``: three conditions)."""
    from benchmarks.fidelity import stack_gate
    from calibration.degrade import CONDITIONS
    from emotion_dynamics.config import default_config

    if not (SPEECH_DEV / "manifest.csv").is_file():
        return {"why": notes.add("degradation", f"speech-dev not found at {SPEECH_DEV}")}
    try:
        import parselmouth  # noqa: F401
    except ImportError as exc:
        notes.add("degradation: de Jong peer", f"praat-parselmouth not importable ({exc})")
    threshold = stack_gate()
    rate = default_config().rate
    cuts = (rate.very_slow_wpm, rate.slow_wpm, rate.medium_wpm, rate.fast_wpm)
    conditions = QUICK_CONDITIONS if quick else CONDITIONS
    tasks = [(i, c, threshold) for c in conditions for i in range(len(_clips()))]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(_measure, tasks, chunksize=4))
    by_condition: dict[str, list[dict[str, float]]] = {}
    for (_, condition, _), row in zip(tasks, rows, strict=True):
        by_condition.setdefault(condition, []).append(row)
    clean = by_condition["clean"]
    peer_wpm = np.array([r["peer_wpm"] for r in clean])
    truth = np.array([r["truth_wpm"] for r in clean])
    ok = np.isfinite(peer_wpm)
    peer_scale = (
        float(peer_wpm[ok] @ truth[ok] / (peer_wpm[ok] @ peer_wpm[ok])) if ok.any() else 1.0
    )
    result = {
        "threshold": threshold,
        "peer_scale": peer_scale,
        "conditions": {
            c: {"ours": _stats(r, "ours", cuts), "peer": _stats(r, "peer", cuts),
                "peer_scaled": _stats(r, "peer", cuts, peer_scale)}
            for c, r in by_condition.items()
        },
    }  # fmt: skip
    return result


def _num(value: float, digits: int = 2) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}f}"


def _pct(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{100 * value:.0f} %"


def degradation_md(result: dict[str, Any]) -> list[str]:
    """The Markdown section of the report."""
    lines = ["## Speaking rate under degradation", ""]
    if "conditions" not in result:
        return [*lines, result.get("why", "not measured"), ""]
    lines += [" ".join((__doc__ or "").split("\n\n", 1)[-1].split()).replace("``", "`"), ""]
    lines += [
        f"Project: applied = confidence >= {result['threshold']:g} (Pulumi.dev.yaml). Peer WPM scaled "
        f"x {result['peer_scale']:.3f} (least squares on clean speech-dev) in brackets.",
        "",
        "| condition | syllable-rate r: project / peer | WPM MAE: project / peer | WPM bias: project / "
        "peer | class right: project / peer | project: applied | project: right when applied / gated |",
        "|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for condition, row in result["conditions"].items():
        ours, peer, scaled = row["ours"], row["peer"], row["peer_scaled"]
        lines.append(
            f"| {condition} | {_num(ours['r'])} / {_num(peer['r'])} | {_num(ours['mae'], 1)} / "
            f"{_num(peer['mae'], 1)} ({_num(scaled['mae'], 1)}) | {_num(ours['bias'], 1)} / "
            f"{_num(peer['bias'], 1)} ({_num(scaled['bias'], 1)}) | {_pct(ours['exact'])} / "
            f"{_pct(peer['exact'])} ({_pct(scaled['exact'])}) | {_pct(ours['applied'])} | "
            f"{_pct(ours['right_applied'])} / {_pct(ours['right_gated'])} |"
        )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    """Run this section alone and print its Markdown (``--quick``: three conditions)."""
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="clean, white_20db, talker_10db only")
    args = parser.parse_args(argv)
    notes = NotMeasured()
    print("\n".join(degradation_md(run(notes, quick=args.quick))))
    for what, why in notes.items:
        print(f"- not measured: {what}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
