"""Generate a labelled calibration corpus with espeak-ng and flite (seeded, deterministic).

Every clip is planned in the parent process from ``numpy.random.default_rng((seed, index))``
(so a clip does not depend on the worker that renders it), rendered by a TTS engine at a
controlled rate, given natural pauses, scaled to a controlled active-speech level and mixed
with seeded background noise at a given SNR. Labels:

- ``volume_label`` is the gain step used (:data:`LEVEL_STEPS_DBFS`: a simulated microphone
  chain where normal effort sits at -20 dBFS, 7 dB per class, +-2.5 dB jitter);
- ``rate_label`` is the class of the *measured* reference WPM (words over the speech span
  of the clean clip) under the product's target bands; the rate planned for a clip only
  aims it at a class (two-pass render: the engine's setting is corrected by the WPM
  measured on the first pass).

Reference measurements (``speech_s``, ``wpm``, ``rms_dbfs``) are taken on the clean clip
after gain and before noise (see :mod:`calibration.manifest`). Audio is 16 kHz mono PCM16
WAV; espeak-ng's 22.05 kHz output is resampled with the Lambda's own FFT resampler.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, TypeVar, cast

import numpy as np
import numpy.typing as npt
import soundfile as sf

from calibration.manifest import (
    TARGET_RATE_BANDS,
    rate_band,
    reference_measurements,
    write_manifest,
)
from calibration.parallel import process_pool
from emotion_dynamics.audio import resample
from emotion_dynamics.models import RateClass, VolumeClass

__all__ = [
    "LEVEL_JITTER_DB",
    "LEVEL_STEPS_DBFS",
    "RATE_TARGETS_WPM",
    "SAMPLE_RATE",
    "SIZES",
    "SNRS_DB",
    "VOICES",
    "ClipPlan",
    "Voice",
    "generate_corpus",
    "load_sentences",
    "plan_corpus",
    "render_clip",
]

SAMPLE_RATE: Final = 16000
#: Number of clips per named size.
SIZES: Final = {"small": 60, "large": 1000}
#: Active-speech level (dBFS) of each volume class's gain step, before jitter.
LEVEL_STEPS_DBFS: Final = {
    VolumeClass.X_SOFT: -34.0,
    VolumeClass.SOFT: -27.0,
    VolumeClass.MEDIUM: -20.0,
    VolumeClass.LOUD: -13.0,
}
LEVEL_JITTER_DB: Final = 2.5
#: Measured-WPM range aimed at for each rate class (the label comes from the measured WPM).
RATE_TARGETS_WPM: Final = {
    RateClass.X_SLOW: (72.0, 98.0),
    RateClass.SLOW: (102.0, 128.0),
    RateClass.MEDIUM: (132.0, 158.0),
    RateClass.FAST: (162.0, 188.0),
    RateClass.X_FAST: (192.0, 240.0),
}
#: Background noise SNRs in dB (``None``: clean).
SNRS_DB: Final = (None, 30.0, 20.0, 10.0)
NOISE_KINDS: Final = ("white", "pink")
ESPEAK_MIN_WPM: Final = 80
ESPEAK_MAX_WPM: Final = 450
ESPEAK_WPM_FACTOR: Final = 1.18  # measured WPM / nominal -s (measured here)
FLITE_BASE_WPM: Final = 180.0  # measured WPM at duration_stretch=1 (slt, kal16; rough)
SENTENCES: Final = Path(__file__).resolve().parents[1] / "datasets" / "sentences.txt"

Engine = Literal["espeak-ng", "flite"]
FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Voice:
    """A TTS engine and one of its voices."""

    engine: Engine
    name: str


VOICES: Final = (
    Voice("espeak-ng", "en-us"),
    Voice("espeak-ng", "en-gb+f3"),
    Voice("flite", "slt"),
    Voice("flite", "kal16"),
)


@dataclass(frozen=True, slots=True)
class ClipPlan:
    """Everything needed to render one clip (all randomness already drawn)."""

    index: int
    file: str
    sentence: str
    engine: Engine
    voice: str
    target_wpm: float
    volume_label: str
    level_dbfs: float
    pause_s: float  # silence inserted between two phrases (0: none)
    lead_s: float
    trail_s: float
    noise: str  # "none", "white" or "pink"
    snr_db: float | None
    noise_seed: int
    seed: int


def load_sentences(path: str | Path = SENTENCES) -> list[str]:
    """Sentences of a text file, one a line, ``#`` comments and blank lines skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def plan_corpus(
    n_clips: int, *, seed: int = 0, sentences: Sequence[str] | None = None
) -> list[ClipPlan]:
    """Plan ``n_clips`` clips: the volume and rate classes cycle so every class is covered."""
    texts = list(sentences) if sentences is not None else load_sentences()
    counts = np.array([len(t.split()) for t in texts])
    volumes = list(LEVEL_STEPS_DBFS)
    rates = list(RATE_TARGETS_WPM)
    plans = []
    for index in range(n_clips):
        rng = np.random.default_rng((seed, index))
        volume = volumes[index % len(volumes)]
        rate = rates[(index // len(volumes)) % len(rates)]
        low, high = RATE_TARGETS_WPM[rate]
        target_wpm = float(rng.uniform(low, high))
        speech_budget_s = float(rng.uniform(1.6, 2.3))
        wanted_words = target_wpm * speech_budget_s / 60.0
        distance = np.abs(counts - wanted_words)
        choices = np.flatnonzero(distance == distance.min())
        sentence = texts[int(rng.choice(choices))]
        voice = VOICES[int(rng.integers(len(VOICES)))]
        pause_s = (
            float(rng.uniform(0.15, 0.45))
            if rng.random() < 0.5 and len(sentence.split()) >= 4
            else 0.0
        )
        snr = SNRS_DB[int(rng.integers(len(SNRS_DB)))]
        noise = "none" if snr is None else NOISE_KINDS[int(rng.integers(len(NOISE_KINDS)))]
        plans.append(
            ClipPlan(
                index=index,
                file=f"clips/gen_{index:05d}.wav",
                sentence=sentence,
                engine=voice.engine,
                voice=voice.name,
                target_wpm=round(target_wpm, 1),
                volume_label=volume.value,
                level_dbfs=round(
                    LEVEL_STEPS_DBFS[volume]
                    + float(rng.uniform(-LEVEL_JITTER_DB, LEVEL_JITTER_DB)),
                    2,
                ),
                pause_s=round(pause_s, 3),
                lead_s=round(float(rng.uniform(0.08, 0.3)), 3),
                trail_s=round(float(rng.uniform(0.08, 0.3)), 3),
                noise=noise,
                snr_db=snr,
                noise_seed=int(rng.integers(2**31)),
                seed=seed,
            )
        )
    return plans


def _tts(
    engine: Engine, voice: str, text: str, *, setting: float, word_gap: int, workdir: Path
) -> FloatArray:
    out = workdir / "tts.wav"
    if engine == "espeak-ng":
        cmd = [
            "espeak-ng",
            "-v",
            voice,
            "-s",
            str(round(setting)),
            "-g",
            str(word_gap),
            "-w",
            str(out),
            text,
        ]
    else:  # flite: plain text only (its SSML mode hangs)
        cmd = [
            "flite",
            "-voice",
            voice,
            "--setf",
            f"duration_stretch={setting:.4f}",
            "-t",
            text,
            "-o",
            str(out),
        ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    samples, rate = sf.read(str(out), dtype="float64", always_2d=True)
    mono = samples.mean(axis=1).astype(np.float32)
    return resample(mono, int(rate), SAMPLE_RATE).astype(np.float64)


def _phrases(sentence: str, pause_s: float) -> list[str]:
    if pause_s <= 0:
        return [sentence]
    if "," in sentence:
        head, tail = sentence.split(",", 1)
        return [head.strip() + ",", tail.strip()]
    words = sentence.split()
    middle = len(words) // 2
    return [" ".join(words[:middle]), " ".join(words[middle:])]


def _assemble(plan: ClipPlan, setting: float, word_gap: int, workdir: Path) -> FloatArray:
    parts: list[FloatArray] = [np.zeros(round(plan.lead_s * SAMPLE_RATE))]
    for i, phrase in enumerate(_phrases(plan.sentence, plan.pause_s)):
        if i:
            parts.append(np.zeros(round(plan.pause_s * SAMPLE_RATE)))
        parts.append(
            _trim(
                _tts(
                    plan.engine,
                    plan.voice,
                    phrase,
                    setting=setting,
                    word_gap=word_gap,
                    workdir=workdir,
                )
            )
        )
    parts.append(np.zeros(round(plan.trail_s * SAMPLE_RATE)))
    return np.concatenate(parts)


def _trim(x: FloatArray) -> FloatArray:
    """Cut the engine's own leading and trailing near-silence (below -60 dB re peak)."""
    loud = (
        np.flatnonzero(np.abs(x) > np.abs(x).max() * 1e-3)
        if x.size
        else np.array([], dtype=np.int64)
    )
    return x[loud[0] : loud[-1] + 1] if loud.size else x


def _measured_wpm(x: FloatArray, words: int) -> float:
    speech_s, _ = reference_measurements(x, SAMPLE_RATE)
    return words / speech_s * 60.0 if speech_s > 0 else 0.0


def _render_at_rate(plan: ClipPlan, workdir: Path) -> tuple[FloatArray, str]:
    """Render twice: a first guess of the engine setting, then a correction by measured WPM."""
    words = len(plan.sentence.split())
    gap = 0
    if plan.engine == "espeak-ng":
        setting = float(
            np.clip(plan.target_wpm / ESPEAK_WPM_FACTOR, ESPEAK_MIN_WPM, ESPEAK_MAX_WPM)
        )
    else:
        setting = FLITE_BASE_WPM / plan.target_wpm
    x = _assemble(plan, setting, gap, workdir)
    measured = _measured_wpm(x, words)
    ratio = plan.target_wpm / measured
    if plan.engine == "flite":
        setting = float(np.clip(setting / ratio, 0.3, 4.0))
    else:
        wanted = setting * ratio
        if wanted < ESPEAK_MIN_WPM:  # slower than espeak-ng allows: add gaps between words
            speech_s = words * 60.0 / measured
            missing_s = words * 60.0 / plan.target_wpm - speech_s * setting / ESPEAK_MIN_WPM
            gap = max(0, round(missing_s / max(words - 1, 1) / 0.010))
        setting = float(np.clip(wanted, ESPEAK_MIN_WPM, ESPEAK_MAX_WPM))
    x = _assemble(plan, setting, gap, workdir)
    if gap > 0:  # the gap's unit depends on the speed: correct it once by what it achieved
        without_s = words * 60.0 / _measured_wpm(_assemble(plan, setting, 0, workdir), words)
        achieved_s = words * 60.0 / _measured_wpm(x, words) - without_s
        needed_s = words * 60.0 / plan.target_wpm - without_s
        if achieved_s > 0:
            gap = max(0, round(gap * needed_s / achieved_s))
            x = _assemble(plan, setting, gap, workdir)
    described = (
        f"s={round(setting)} g={gap}"
        if plan.engine == "espeak-ng"
        else f"duration_stretch={setting:.4f}"
    )
    return x, described


def _noise(kind: str, n: int, seed: int) -> FloatArray:
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    if kind == "white":
        return white
    spectrum = np.fft.rfft(white)
    freqs = np.arange(spectrum.size, dtype=np.float64)
    freqs[0] = 1.0
    pink = np.fft.irfft(spectrum / np.sqrt(freqs), n)
    return np.asarray(pink / np.sqrt(np.mean(pink**2)), dtype=np.float64)


def render_clip(plan: ClipPlan, out_dir: str | Path) -> dict[str, object]:
    """Render one planned clip into ``out_dir`` and return its manifest row."""
    out = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="calgen-") as tmp:
        speech, described = _render_at_rate(plan, Path(tmp))
    # Scale to the planned active-speech level, then clip like a saturating input would.
    _, level = reference_measurements(speech, SAMPLE_RATE)
    clean = np.clip(speech * 10.0 ** ((plan.level_dbfs - level) / 20.0), -1.0, 1.0)
    speech_s, rms_dbfs = reference_measurements(clean, SAMPLE_RATE)
    mixed = clean
    if plan.snr_db is not None:
        noise = _noise(plan.noise, clean.size, plan.noise_seed)
        mixed = np.clip(clean + noise * 10.0 ** ((rms_dbfs - plan.snr_db) / 20.0), -1.0, 1.0)
    path = out / plan.file
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), mixed, SAMPLE_RATE, subtype="PCM_16", format="WAV")
    words = len(plan.sentence.split())
    wpm = words / speech_s * 60.0
    source = "espeak-ng 1.51" if plan.engine == "espeak-ng" else "flite 2.2"
    return {
        "file": plan.file,
        "source": f"generated by datasets/generate.py with {source}",
        "license": "CC0-1.0",
        "speaker": f"{plan.engine}:{plan.voice}",
        "transcript": plan.sentence,
        "words": words,
        "syllables": "",
        "duration_s": f"{mixed.size / SAMPLE_RATE:.3f}",
        "speech_s": f"{speech_s:.3f}",
        "wpm": f"{wpm:.1f}",
        "rms_dbfs": f"{rms_dbfs:.2f}",
        "volume_label": plan.volume_label,
        "rate_label": rate_band(round(wpm, 1), TARGET_RATE_BANDS).value,
        "gen_engine": plan.engine,
        "gen_voice": plan.voice,
        "gen_rate_setting": described,
        "gen_target_wpm": plan.target_wpm,
        "gen_level_dbfs": plan.level_dbfs,
        "gen_pause_s": plan.pause_s,
        "gen_noise": plan.noise,
        "gen_snr_db": "" if plan.snr_db is None else plan.snr_db,
        "gen_seed": plan.seed,
    }


def _render_star(args: tuple[ClipPlan, str]) -> dict[str, object]:
    return render_clip(*args)


def generate_corpus(
    out_dir: str | Path,
    *,
    size: str | int = "small",
    seed: int = 0,
    n_jobs: int | None = None,
    progress: bool = True,
) -> Path:
    """Generate a corpus into ``out_dir`` (``clips/*.wav`` + ``manifest.csv``); return the manifest.

    ``size`` is a name in :data:`SIZES` or a number of clips. Same seed and size give the
    same bytes. Needs ``espeak-ng`` and ``flite`` on the PATH.
    """
    for tool in ("espeak-ng", "flite"):
        if shutil.which(tool) is None:
            raise FileNotFoundError(f"{tool} is not installed (needed to generate the corpus)")
    n_clips = SIZES[size] if isinstance(size, str) else int(size)
    plans = plan_corpus(n_clips, seed=seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    workers = n_jobs or os.cpu_count() or 1
    jobs = [(plan, str(out)) for plan in plans]
    if workers == 1:
        rows = [_render_star(job) for job in _progress(jobs, progress, "render")]
    else:
        with process_pool(workers) as pool:
            rows = list(
                _progress(
                    pool.map(_render_star, jobs, chunksize=4), progress, "render", total=len(jobs)
                )
            )
    return write_manifest(out / "manifest.csv", rows)


def _progress(
    items: Iterable[T], enabled: bool, desc: str, total: int | None = None
) -> Iterable[T]:
    from tqdm.auto import tqdm

    return cast("Iterable[T]", tqdm(items, total=total, desc=desc, disable=not enabled))
