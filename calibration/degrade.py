"""Degraded copies of speech clips: noise, a competing talker, telephone band and codecs.

Each condition turns a clean 16 kHz clip into the bytes of an audio file, the way a caller
would send it; :func:`lambda_view` decodes those bytes and resamples them to 16 kHz with the
Lambda's own code (``emotion_dynamics.audio``), so a detector sees what the Lambda sees.
Everything is seeded per clip and condition (results do not depend on the order clips are
processed in) and cached under ``build/degraded/`` by a hash of this file.

Conditions (:data:`CONDITIONS`): ``clean``; ``white_20db`` / ``white_10db`` and ``pink_20db``
/ ``pink_10db`` (Gaussian noise at that SNR over the clip's active speech level, the speech-dev
manifest's ``rms_dbfs`` definition); ``talker_10db`` (another clip, of a different talker,
looped or cut to length, 10 dB below); ``telephone_8k`` (300-3400 Hz band-pass, 8 kHz PCM16);
``mulaw_8k`` (8 kHz G.711 mu-law WAV); ``opus_24k`` (Ogg Opus at 24 kbit/s, ffmpeg/libopus).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import soundfile as sf

from calibration.errors import CalibrationError
from calibration.stackfile import REPO_ROOT

__all__ = [
    "CONDITIONS",
    "SPEECH_DEV_DIR",
    "DevClip",
    "active_power",
    "degraded_bytes",
    "interferer_for",
    "lambda_view",
    "load_dev_clips",
    "pink_noise",
    "render",
    "telephone_band",
]

FloatArray = npt.NDArray[np.float64]

#: The shared development clips (outside the project; absent on a user's machine).
SPEECH_DEV_DIR: Final = REPO_ROOT.parent / "shared" / "speech-dev"
CACHE_ROOT: Final = REPO_ROOT / "build" / "degraded"
SEED: Final = 13
SAMPLE_RATE: Final = 16000

CONDITIONS: Final = (
    "clean",
    "white_20db",
    "white_10db",
    "pink_20db",
    "pink_10db",
    "talker_10db",
    "telephone_8k",
    "mulaw_8k",
    "opus_24k",
)
_NOISE: Final = {
    "white_20db": ("white", 20.0),
    "white_10db": ("white", 10.0),
    "pink_20db": ("pink", 20.0),
    "pink_10db": ("pink", 10.0),
}
TALKER_SNR_DB: Final = 10.0
TELEPHONE_LOW_HZ: Final = 300.0
TELEPHONE_HIGH_HZ: Final = 3400.0
TELEPHONE_TAPS: Final = 511
OPUS_BITRATE: Final = "24k"
#: Active-level definition of the speech-dev manifest: frames above (loudest - 40 dB).
_GATE_DB: Final = 40.0
_PEAK: Final = 0.99


@dataclass(frozen=True, slots=True)
class DevClip:
    """One row of a speech-dev manifest: audio path, talker and the reference counts."""

    name: str
    path: Path
    speaker: str
    syllables: int
    words: int
    speech_s: float
    wpm: float
    language: str
    style: str
    transcript: str
    rms_dbfs: float

    @property
    def syllables_per_s(self) -> float:
        """The reference syllable rate: dictionary syllables over the manifest's speech span."""
        return self.syllables / self.speech_s


def load_dev_clips(manifest: Path | None = None) -> list[DevClip]:
    """Rows of a speech-dev manifest (default: ``../shared/speech-dev/manifest.csv``)."""
    path = manifest or SPEECH_DEV_DIR / "manifest.csv"
    if not path.is_file():
        raise CalibrationError(f"speech-dev manifest not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        DevClip(
            name=Path(row["file"]).stem,
            path=(path.parent / row["file"]).resolve(),
            speaker=row["speaker"],
            syllables=int(row["syllables"]),
            words=int(row["words"]),
            speech_s=float(row["speech_s"]),
            wpm=float(row["wpm"]),
            language=row.get("language") or "en",
            style=row.get("style") or "read",
            transcript=row["transcript"],
            rms_dbfs=float(row["rms_dbfs"]),
        )
        for row in rows
    ]


def _read(path: Path) -> FloatArray:
    x, sr = sf.read(str(path), dtype="float64", always_2d=True)
    if int(sr) != SAMPLE_RATE:
        raise CalibrationError(f"{path}: expected {SAMPLE_RATE} Hz, found {sr}")
    return np.ascontiguousarray(x.mean(axis=1))


def active_power(x: FloatArray, sample_rate: int = SAMPLE_RATE) -> float:
    """Mean power of the 25 ms frames (10 ms hop) above (loudest - 40 dB): the active level."""
    frame, hop = round(0.025 * sample_rate), round(0.010 * sample_rate)
    n = 1 + max(0, x.size - frame) // hop
    cumsum = np.concatenate(([0.0], np.cumsum(x * x)))
    starts = np.arange(n) * hop
    power = (cumsum[np.minimum(starts + frame, x.size)] - cumsum[starts]) / frame
    loudest = float(np.max(power))
    return float(np.mean(power[power > loudest * 10 ** (-_GATE_DB / 10)]))


def _rng(name: str, condition: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(f"{name}/{condition}".encode())])


def pink_noise(n: int, rng: np.random.Generator) -> FloatArray:
    """Gaussian noise with a 1/f power spectrum (3 dB per octave), unit variance."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = f[1] if f.size > 1 else 1.0
    y = np.fft.irfft(spectrum / np.sqrt(f), n)
    return y / (np.std(y) + 1e-30)


def _mix(x: FloatArray, other: FloatArray, snr_db: float) -> FloatArray:
    """``x`` plus ``other`` scaled to ``snr_db`` below x's active level, kept below full scale."""
    gain = math.sqrt(active_power(x) / (active_power(other) + 1e-30) / 10 ** (snr_db / 10))
    y: FloatArray = x + gain * other
    peak = float(np.max(np.abs(y)))
    return y * (_PEAK / peak) if peak > _PEAK else y


def _bandpass_fir(sample_rate: int, low_hz: float, high_hz: float, taps: int) -> FloatArray:
    """Windowed-sinc (Blackman) band-pass FIR, linear phase."""
    t = np.arange(taps) - (taps - 1) / 2

    def lowpass(cut: float) -> FloatArray:
        kernel: FloatArray = 2 * cut / sample_rate * np.sinc(2 * cut / sample_rate * t)
        return kernel

    fir: FloatArray = (lowpass(high_hz) - lowpass(low_hz)) * np.blackman(taps)
    return fir


def telephone_band(x: FloatArray, sample_rate: int = SAMPLE_RATE) -> tuple[FloatArray, int]:
    """300-3400 Hz band-pass, then every other sample: 8 kHz telephone-band audio."""
    h = _bandpass_fir(sample_rate, TELEPHONE_LOW_HZ, TELEPHONE_HIGH_HZ, TELEPHONE_TAPS)
    y = np.convolve(x, h, mode="same")
    factor = sample_rate // 8000
    return np.clip(y[::factor], -1.0, 1.0), sample_rate // factor


def _wav(x: FloatArray, sample_rate: int, subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(x, -1.0, 1.0), sample_rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def _opus(x: FloatArray, sample_rate: int) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise CalibrationError("ffmpeg not found: needed for the opus_24k condition")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.ogg"
        src.write_bytes(_wav(x, sample_rate))
        subprocess.run(
            [ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", str(src), "-c:a", "libopus",
             "-b:a", OPUS_BITRATE, "-map_metadata", "-1", "-fflags", "+bitexact",
             "-flags:a", "+bitexact", str(dst)],
            check=True,
        )  # fmt: skip
        return dst.read_bytes()


def interferer_for(clip: DevClip, clips: Sequence[DevClip]) -> DevClip:
    """The competing talker of ``clip``: a clip of another talker, picked by a seeded draw."""
    others = sorted((c for c in clips if c.speaker != clip.speaker), key=lambda c: c.name)
    if not others:
        raise CalibrationError(f"no clip of another talker than {clip.speaker!r}")
    return others[int(_rng(clip.name, "talker").integers(len(others)))]


def _looped(x: FloatArray, n: int) -> FloatArray:
    return np.tile(x, -(-n // x.size))[:n]


def render(clip: DevClip, condition: str, clips: Sequence[DevClip]) -> bytes:
    """The file bytes of ``clip`` under ``condition`` (``clips``: where interferers come from)."""
    x = _read(clip.path)
    if condition == "clean":
        return _wav(x, SAMPLE_RATE)
    if condition in _NOISE:
        kind, snr_db = _NOISE[condition]
        rng = _rng(clip.name, condition)
        noise = rng.standard_normal(x.size) if kind == "white" else pink_noise(x.size, rng)
        return _wav(_mix(x, noise, snr_db), SAMPLE_RATE)
    if condition == "talker_10db":
        other = _read(interferer_for(clip, clips).path)
        return _wav(_mix(x, _looped(other, x.size), TALKER_SNR_DB), SAMPLE_RATE)
    if condition == "telephone_8k":
        return _wav(*telephone_band(x))
    if condition == "mulaw_8k":
        from emotion_dynamics.audio import resample

        low = resample(x.astype(np.float32), SAMPLE_RATE, 8000).astype(np.float64)
        return _wav(low, 8000, subtype="ULAW")
    if condition == "opus_24k":
        return _opus(x, SAMPLE_RATE)
    raise CalibrationError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")


def _cache_dir() -> Path:
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return CACHE_ROOT / f"seed{SEED}-{digest}"


def degraded_bytes(clip: DevClip, condition: str, clips: Sequence[DevClip]) -> bytes:
    """:func:`render`, cached under ``build/degraded/`` (keyed by clip file and condition)."""
    ext = "ogg" if condition == "opus_24k" else "wav"
    key = hashlib.sha256(str(clip.path).encode()).hexdigest()[:8]
    path = _cache_dir() / condition / f"{clip.name}-{key}.{ext}"
    if path.is_file():
        return path.read_bytes()
    data = render(clip, condition, clips)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{zlib.crc32(data)}")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


def lambda_view(data: bytes, sample_rate: int = SAMPLE_RATE) -> npt.NDArray[np.float32]:
    """Decode file bytes and resample to ``sample_rate`` as the Lambda does."""
    from emotion_dynamics.audio import DurationPolicy, decode_audio_bytes, resample

    audio = decode_audio_bytes(data, sample_rate=None, channels=1, policy=DurationPolicy(600.0))
    return resample(audio.samples, audio.sample_rate, sample_rate)
