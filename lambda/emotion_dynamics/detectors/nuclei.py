"""Syllable nuclei of a speech segment: a soft count of voiced peaks of a band envelope.

One framed FFT pass gives a 250-4000 Hz envelope with its noise floor per sub-band
subtracted, and the frames' spectra for a voicing check. A *reading* of that envelope
(:class:`Reading`: smoothing, peak floor, prominence and voicing ramps) weights every
envelope peak in [0, 1] and sums the weights. Method and figures: ``docs/design/rate.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from emotion_dynamics.detectors.framing import frame_lengths, frame_signal, percentile

__all__ = [
    "DEFAULT_FRONT",
    "SYLLABLE_READING",
    "WORD_READING",
    "Envelope",
    "Front",
    "Nuclei",
    "Reading",
    "analyse",
    "peak_prominences",
    "read_nuclei",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

FRAME_S: Final = 0.025
HOP_S: Final = 0.010
#: Percentile of a sub-band's frame powers taken as its noise floor.
NOISE_PERCENTILE: Final = 10.0
#: Pitch range of the voicing check (Hz); lags are limited to half a frame.
PITCH_MIN_HZ: Final = 50.0
PITCH_MAX_HZ: Final = 400.0
_TINY: Final = 1e-12


@dataclass(frozen=True, slots=True)
class Front:
    """How the envelope and the voicing check are computed (structural, chosen offline).

    The envelope is the power in ``band_low_hz``-``band_high_hz``, summed over
    ``sub_bands`` log-spaced sub-bands after each one's noise floor was subtracted
    (``max(power - noise_subtraction * noise, noise_residue * noise)``). The voicing check
    uses the frame's spectrum up to ``voicing_limit_hz`` (``None``: all of it),
    noise-subtracted when ``voicing_denoise``.
    """

    band_low_hz: float = 250.0
    band_high_hz: float = 4000.0
    sub_bands: int = 4
    noise_subtraction: float = 1.0
    noise_residue: float = 0.3
    voicing_denoise: bool = False
    voicing_limit_hz: float | None = None


DEFAULT_FRONT: Final = Front()


@dataclass(frozen=True, slots=True)
class Reading:
    """How peaks of the envelope are weighted into a count (dB and voicing in [0, 1]).

    A peak's weight is the product of three ramps from 0 to 1: its height over
    ``p99 - floor_db`` (``floor_soft_db`` either side), its prominence from
    ``prominence_low_db`` to ``prominence_high_db``, and its voicing from ``voicing_low`` to
    ``voicing_high`` (with ``voicing_shrink``, both scaled by ``snr / (1 + snr)``, the
    shrinkage noise at the peak's SNR causes). Equal low and high values make a ramp a step.
    """

    smoothing_frames: int
    floor_db: float
    floor_soft_db: float
    prominence_low_db: float
    prominence_high_db: float
    voicing_low: float
    voicing_high: float
    voicing_shrink: bool = False


#: Every syllable, weak ones included: the syllable rate.
SYLLABLE_READING: Final = Reading(
    smoothing_frames=3, floor_db=20.0, floor_soft_db=10.0, prominence_low_db=0.0,
    prominence_high_db=4.0, voicing_low=0.3, voicing_high=0.5, voicing_shrink=True,
)  # fmt: skip
#: Prominent nuclei only (weak syllables of long words merge): tracks words, for WPM.
WORD_READING: Final = Reading(
    smoothing_frames=4, floor_db=30.0, floor_soft_db=0.0, prominence_low_db=0.5,
    prominence_high_db=2.0, voicing_low=0.4, voicing_high=0.4,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Envelope:
    """The noise-subtracted band envelope (dB, one value per 10 ms frame) and what made it.

    ``power`` holds the frames' power spectra up to the highest frequency used, and
    ``noise_density`` each of those bins' noise floor (its sub-band's, per bin).
    """

    db: FloatArray
    noise_db: float
    power: FloatArray
    noise_density: FloatArray
    n_fft: int
    frame_len: int
    sample_rate: int
    front: Front


@dataclass(frozen=True, slots=True)
class Nuclei:
    """A reading's soft count, and the weighted features the confidence uses."""

    count: float
    peaks: IntArray
    weights: FloatArray
    prominence_db: FloatArray
    voiced_share: float


def _ramp(x: FloatArray, low: float | FloatArray, high: float | FloatArray) -> FloatArray:
    width = np.asarray(high, dtype=np.float64) - low
    step = (x > low).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ramp = np.clip((x - low) / np.where(width > 0, width, 1.0), 0.0, 1.0)
    return np.where(width > 0, ramp, step)


def _smooth(x: FloatArray, frames: int) -> FloatArray:
    if frames <= 1 or x.size < frames:
        return x
    padded = np.pad(x, (frames // 2, frames - 1 - frames // 2), mode="edge")
    return np.convolve(padded, np.full(frames, 1.0 / frames), mode="valid")


def _column_percentile(values: FloatArray, q: float) -> FloatArray:
    """``np.percentile(values, q, axis=0)`` (linear), without numpy's slow first-call import."""
    n = values.shape[0]
    position = (n - 1) * q / 100.0
    low = int(np.floor(position))
    high = min(low + 1, n - 1)
    part = np.partition(values, (low, high), axis=0)
    result: FloatArray = part[low] + (part[high] - part[low]) * (position - low)
    return result


def analyse(samples: npt.ArrayLike, sample_rate: int, front: Front = DEFAULT_FRONT) -> Envelope:
    """Frame the segment and build its noise-subtracted band envelope (see :class:`Front`).

    A sub-band's noise floor is the :data:`NOISE_PERCENTILE`-th percentile of its frame
    powers; each floor is subtracted before the sub-bands are summed, so stationary noise
    of any colour no longer fills the dips between syllables.
    """
    frame_len, hop_len = frame_lengths(sample_rate, frame_s=FRAME_S, hop_s=HOP_S)
    frames = frame_signal(samples, frame_len, hop_len)
    frame_len = frames.shape[1]
    window = _window(frame_len)
    n_fft = 1 << int(np.ceil(np.log2(max(frame_len, 2))))
    bin_hz = sample_rate / n_fft
    limit_hz = sample_rate / 2 if front.voicing_limit_hz is None else front.voicing_limit_hz
    top = min(n_fft // 2, int(max(front.band_high_hz, limit_hz) / bin_hz))
    spectra = np.fft.rfft(frames * window, n_fft)[:, : top + 1]
    power = spectra.real**2 + spectra.imag**2
    edges = np.ceil(
        np.geomspace(front.band_low_hz, front.band_high_hz, front.sub_bands + 1) / bin_hz
    )
    starts = np.clip(edges.astype(np.intp), 0, top + 1)  # ascending
    starts = starts[np.concatenate(([True], np.diff(starts) > 0))]  # (np.unique imports numpy.ma)
    if starts.size < 2 or starts[0] > top:  # frames too short to resolve the band: every bin
        starts = np.array([0, top + 1])
    band_power = np.add.reduceat(power, starts[:-1], axis=1)
    band_power[:, -1] -= power[:, starts[-1] :].sum(axis=1)  # reduceat runs to the end
    noise = _column_percentile(band_power, NOISE_PERCENTILE)
    total = np.maximum(
        band_power - front.noise_subtraction * noise, front.noise_residue * noise
    ).sum(axis=1)
    widths = np.diff(starts)
    density = np.repeat(noise / widths, widths)
    noise_density = np.concatenate(
        (np.full(starts[0], density[0]), density, np.full(top + 1 - starts[-1], density[-1]))
    )
    scale = n_fft * float(np.sum(window**2)) + 1e-30  # to power per bin of unit-variance noise
    return Envelope(
        db=10.0 * np.log10(total / scale + _TINY),
        noise_db=float(10.0 * np.log10(noise.sum() / scale + _TINY)),
        power=power,
        noise_density=noise_density,
        n_fft=n_fft,
        frame_len=frame_len,
        sample_rate=sample_rate,
        front=front,
    )


@cache
def _window(frame_len: int) -> FloatArray:
    window: FloatArray = np.hanning(frame_len) if frame_len > 2 else np.ones(frame_len)
    return window


@cache
def _window_acf(frame_len: int, n_fft: int) -> FloatArray:
    spectrum = np.fft.rfft(_window(frame_len), n_fft)
    acf: FloatArray = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, n_fft)
    return acf


def _left_bases(x: FloatArray, peaks: IntArray) -> FloatArray:
    """Lowest point between each peak and the nearest strictly higher peak to its left."""
    heights = x[peaks]
    valleys = np.minimum.reduceat(x, np.concatenate(([0], peaks)))[:-1]  # x[prev peak:peak]
    bases = np.empty(peaks.size)
    stack: list[list[float]] = []  # [height, lowest point since it]
    running = float(valleys[0]) if peaks[0] > 0 else float(heights[0])
    for i in range(peaks.size):
        h = float(heights[i])
        low = float(valleys[i]) if i > 0 else running
        running = min(running, low)
        while stack and stack[-1][0] <= h:
            low = min(low, stack.pop()[1])
        if stack:
            low = min(low, stack[-1][1])
            stack[-1][1] = low
            bases[i] = low
        else:
            bases[i] = running
        stack.append([h, np.inf])
    return bases


def peak_prominences(x: FloatArray, peaks: IntArray) -> FloatArray:
    """Topographic prominence of each peak (as ``scipy.signal.peak_prominences``), O(n)."""
    if peaks.size == 0:
        return np.zeros(0)
    left = _left_bases(x, peaks)
    right = _left_bases(x[::-1], (x.size - 1 - peaks)[::-1])[::-1]
    prominence: FloatArray = x[peaks] - np.maximum(left, right)
    return prominence


def _voicing(envelope: Envelope, peaks: IntArray) -> FloatArray:
    """Peak normalised autocorrelation (lags of 50-400 Hz periods) of the frames at ``peaks``.

    From the frames' power spectra up to ``voicing_limit_hz`` (noise floor subtracted when
    ``voicing_denoise``), divided by the window's own autocorrelation: a periodic frame
    scores near 1, noise near 0. Lags stay under half a frame, where the FFT's circular
    wrap only adds the window's far tails.
    """
    rate, n_fft, frame_len = envelope.sample_rate, envelope.n_fft, envelope.frame_len
    lag_lo = max(1, int(rate / PITCH_MAX_HZ))
    lag_hi = min(int(rate / PITCH_MIN_HZ), frame_len // 2)
    if lag_hi <= lag_lo or peaks.size == 0:
        return np.zeros(peaks.size)
    power = envelope.power[peaks]
    if envelope.front.voicing_denoise:
        power = np.maximum(power - envelope.noise_density, 0.0)
    if envelope.front.voicing_limit_hz is not None:
        power[:, int(envelope.front.voicing_limit_hz * n_fft / rate) + 1 :] = 0.0
    acf = np.fft.irfft(power, n_fft)[:, : lag_hi + 1]
    window_acf = _window_acf(frame_len, n_fft)[: lag_hi + 1]
    energy = np.maximum(acf[:, :1], 1e-30)
    shape = window_acf[lag_lo : lag_hi + 1] / max(float(window_acf[0]), 1e-30)
    corrected = acf[:, lag_lo : lag_hi + 1] / energy / shape
    return np.asarray(np.max(corrected, axis=1), dtype=np.float64)


def read_nuclei(
    envelope: Envelope, reading: Reading, voicing_cache: dict[int, float] | None = None
) -> Nuclei:
    """Weight every peak of the smoothed envelope by ``reading`` and sum the weights.

    ``voicing_cache`` (frame index -> voicing) lets several readings of one envelope share
    the voicing computation.
    """
    db = _smooth(envelope.db, reading.smoothing_frames)
    empty = Nuclei(0.0, np.zeros(0, np.intp), np.zeros(0), np.zeros(0), 0.0)
    if db.size < 3:
        return empty
    inner = db[1:-1]
    peaks = np.flatnonzero((inner > db[:-2]) & (inner >= db[2:])) + 1
    if peaks.size == 0:
        return empty
    prominence = peak_prominences(db, peaks)
    floor = percentile(db, 99) - reading.floor_db
    weight = _ramp(db[peaks], floor - reading.floor_soft_db, floor + reading.floor_soft_db)
    weight *= _ramp(prominence, reading.prominence_low_db, reading.prominence_high_db)
    keep = np.flatnonzero(weight > 0)
    if keep.size == 0:
        return empty
    peaks, weight, prominence = peaks[keep], weight[keep], prominence[keep]
    cache = {} if voicing_cache is None else voicing_cache
    missing = np.array([p for p in peaks.tolist() if p not in cache], dtype=np.intp)
    if missing.size:
        cache.update(zip(missing.tolist(), _voicing(envelope, missing).tolist(), strict=True))
    voicing = np.array([cache[p] for p in peaks.tolist()])
    shrink = np.ones(peaks.size)
    if reading.voicing_shrink:
        snr = 10.0 ** ((db[peaks] - envelope.noise_db) / 10.0)
        shrink = snr / (1.0 + snr)
    voiced = _ramp(voicing, reading.voicing_low * shrink, reading.voicing_high * shrink)
    weighted = weight * voiced
    return Nuclei(
        count=float(np.sum(weighted)),
        peaks=peaks,
        weights=weighted,
        prominence_db=prominence,
        voiced_share=float(np.sum(weighted) / max(float(np.sum(weight)), 1e-12)),
    )
