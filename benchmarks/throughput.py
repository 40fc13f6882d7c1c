"""Calibration throughput: clips per second of the calibration package's feature extraction.

``calibration.features.extract_features`` runs the production detectors over every clip on a
process pool; here on 2 workers (and on 1 for comparison), over the generated corpus and
speech-dev together, the list repeated ``PASSES`` times so the pool's start-up (included, as
in ``make calibrate``, with audio decoding) does not dominate a run of about a second.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.common import SPEECH_DEV, NotMeasured

PASSES = 4


def run(generated: Path | None, notes: NotMeasured, *, repeats: int) -> dict[str, Any]:
    try:
        from calibration.features import extract_features
        from calibration.manifest import read_manifest
    except ImportError as exc:
        return {
            "why": notes.add(
                "calibration throughput", f"calibration package not importable ({exc})"
            )
        }
    clips = read_manifest(SPEECH_DEV / "manifest.csv", corpus="speech-dev")
    if generated is not None and generated.is_file():
        clips += read_manifest(generated, corpus="generated", volume_rule="reference")
    import soundfile as sf

    clips = clips * PASSES
    audio_s = sum(sf.info(str(c.path)).duration for c in clips)
    rows: dict[str, Any] = {}
    for workers, runs in ((2, repeats), (1, 1)):
        try:
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                extract_features(clips, n_jobs=workers, progress=False)
                times.append(time.perf_counter() - start)
        except Exception as exc:
            rows[f"{workers} worker(s)"] = notes.add(
                f"throughput on {workers}", f"{type(exc).__name__}: {exc}"
            )
            continue
        median = statistics.median(times)
        rows[f"{workers} worker(s)"] = {
            "seconds": median,
            "clips_per_s": len(clips) / median,
            "audio_x_realtime": audio_s / median,
            "runs": runs,
        }
    return {"rows": rows, "clips": len(clips), "audio_s": audio_s, "passes": PASSES}
