"""Audio decoding and validation at the boundary: formats, rates, clipping, truncation, length."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from emotion_dynamics.audio import (
    MAX_DECODED_PEAK,
    DecodedAudio,
    DurationPolicy,
    decode_audio_bytes,
    from_sample_list,
    resample,
)
from emotion_dynamics.errors import AudioDecodeError, AudioTooLongError, InvalidEventError
from tests.hardening.hostile import wav_header
from tests.media import buzz, encoded, ffmpeg, sox, write_wav

POLICY = DurationPolicy(3.0)
ACCEPTED_LIST = "accepted: WAV (PCM 8-32 bit, float, mu-law, A-law; RIFF, RIFX or RF64), FLAC"


def tone(seconds: float, rate: int, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def decode(
    data: bytes, policy: DurationPolicy = POLICY, sample_rate: int | None = None
) -> DecodedAudio:
    return decode_audio_bytes(data, sample_rate=sample_rate, channels=1, policy=policy)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


@pytest.fixture(scope="module")
def source_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s of speech-like buzz at 16 kHz, the source the encoders below start from."""
    return write_wav(tmp_path_factory.mktemp("src") / "src.wav", buzz(2.0, 16000), 16000)


# --- formats libsndfile writes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "subtype", "codec"),
    [
        ("WAV", "PCM_U8", "PCM_U8"),
        ("WAV", "PCM_16", "PCM_16"),
        ("WAV", "PCM_24", "PCM_24"),
        ("WAV", "PCM_32", "PCM_32"),
        ("WAV", "FLOAT", "FLOAT"),
        ("WAV", "ULAW", "ULAW"),
        ("WAV", "ALAW", "ALAW"),
        ("RF64", "PCM_16", "PCM_16"),
        ("FLAC", "PCM_24", "PCM_24"),
        ("OGG", "VORBIS", "VORBIS"),
        ("OGG", "OPUS", "OPUS"),
        ("MP3", "MPEG_LAYER_III", "MPEG_LAYER_III"),
    ],
)
def test_every_accepted_codec_decodes_to_mono_at_its_rate(
    fmt: str, subtype: str, codec: str
) -> None:
    rate = 48000 if subtype == "OPUS" else 22050
    data = encoded(tone(1.0, rate), rate, fmt, subtype)
    audio = decode(data)
    assert audio.sample_rate == rate and audio.codec == codec
    assert audio.source_format == ("WAV" if fmt == "RF64" else fmt)
    assert abs(audio.duration_s - 1.0) < 0.06
    assert rms(audio.samples) == pytest.approx(0.5 / np.sqrt(2), rel=0.06)


def test_multichannel_is_mixed_down() -> None:
    left, right = tone(0.5, 16000, amp=0.4), np.zeros(8000, np.float32)
    data = encoded(
        np.stack([left, right, right, right, left, right], axis=1), 16000, "WAV", "FLOAT"
    )
    audio = decode_audio_bytes(data, sample_rate=None, channels=1, policy=POLICY)
    assert audio.channels == 6
    np.testing.assert_allclose(audio.samples, left * 2 / 6, atol=1e-6)


def test_raw_pcm16_needs_sample_rate_and_is_scaled() -> None:
    ints = np.array([0, 16384, -32768, 32767] * 100, dtype="<i2")
    audio = decode_audio_bytes(ints.tobytes(), sample_rate=8000, channels=1, policy=POLICY)
    np.testing.assert_allclose(audio.samples[:4], [0.0, 0.5, -1.0, 32767 / 32768])
    with pytest.raises(AudioDecodeError, match="raw little-endian PCM16 with sample_rate"):
        decode_audio_bytes(ints.tobytes(), sample_rate=None, channels=1, policy=POLICY)


def test_raw_pcm16_that_starts_like_an_mpeg_frame_stays_pcm() -> None:
    # GIVEN raw PCM16 whose first samples are -1, 0 (bytes FF FF 00 00: an MPEG sync word)
    ints = np.array([-1, 0, 3, -7] * 4000, dtype="<i2")
    audio = decode_audio_bytes(ints.tobytes(), sample_rate=16000, channels=1, policy=POLICY)
    # THEN it is decoded as the PCM the caller declared, not refused as a broken MP3
    assert audio.source_format == "PCM16" and len(audio.samples) == 16000


def test_declared_rate_must_match_the_header() -> None:
    data = encoded(tone(0.5, 16000), 16000, "WAV", "PCM_16")
    with pytest.raises(InvalidEventError, match="header says 16000 Hz") as info:
        decode_audio_bytes(data, sample_rate=8000, channels=1, policy=POLICY)
    assert info.value.field == "sample_rate"


@pytest.mark.parametrize("rate", [8000, 11025, 44100, 88200, 96000, 176400, 192000])
def test_every_rate_from_8_to_192_khz_is_accepted(rate: int) -> None:
    audio = decode(encoded(tone(0.5, rate, freq=300), rate, "WAV", "PCM_16"))
    assert audio.sample_rate == rate
    analysed = resample(audio.samples, rate, 16000)
    assert rms(analysed) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


@pytest.mark.parametrize("rate", [4000, 7999, 192001, 384000])
def test_header_rate_outside_range_is_rejected(rate: int) -> None:
    pcm = (tone(0.05, 8000) * 32767).astype("<i2").tobytes()
    data = wav_header(rate=rate, channels=1, data_bytes=len(pcm)) + pcm
    with pytest.raises(
        AudioDecodeError, match=f"sample rate of {rate} Hz in its WAV header"
    ) as info:
        decode(data)
    assert info.value.field == "audio_base64" and "accepted: 8000..192000 Hz" in info.value.message


# --- files made by ffmpeg and sox ------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "args", "expected"),
    [
        (".mp3", ("-c:a", "libmp3lame", "-b:a", "64k"), ("MP3", "MPEG_LAYER_III", 0.08)),
        # without a Xing/LAME header the encoder's delay and padding stay in (about 0.09 s)
        (".mp3", ("-c:a", "libmp3lame", "-write_xing", "0", "-id3v2_version", "0"),
         ("MP3", "MPEG_LAYER_III", 0.12)),
        (".ogg", ("-c:a", "libvorbis"), ("OGG", "VORBIS", 0.08)),
        (".opus", ("-c:a", "libopus", "-b:a", "24k"), ("OGG", "OPUS", 0.08)),
        (".flac", ("-c:a", "flac", "-sample_fmt", "s32"), ("FLAC", "PCM_24", 0.001)),
        (".wav", ("-ar", "96000", "-ac", "2"), ("WAV", "PCM_16", 0.001)),
        (".wav", ("-c:a", "pcm_f32le"), ("WAV", "FLOAT", 0.001)),
    ],
)  # fmt: skip
def test_ffmpeg_files_decode(
    source_wav: Path,
    tmp_path: Path,
    suffix: str,
    args: tuple[str, ...],
    expected: tuple[str, str, float],
) -> None:
    fmt, codec, tolerance_s = expected
    audio = decode(ffmpeg(source_wav, tmp_path / f"out{suffix}", *args).read_bytes())
    assert (audio.source_format, audio.codec) == (fmt, codec)
    assert audio.duration_s == pytest.approx(2.0, abs=tolerance_s)


@pytest.mark.parametrize(
    ("args", "codec"),
    [(("-r", "8000", "-e", "u-law", "-b", "8"), "ULAW"), (("-e", "a-law", "-b", "8"), "ALAW"),
     (("-b", "24"), "PCM_24")],
)  # fmt: skip
def test_sox_files_decode(
    source_wav: Path, tmp_path: Path, args: tuple[str, ...], codec: str
) -> None:
    path = sox(source_wav, tmp_path / "out.wav", *args)
    audio = decode(path.read_bytes())
    assert audio.codec == codec
    assert audio.duration_s == pytest.approx(2.0, abs=0.01)


@pytest.mark.parametrize(
    ("suffix", "args", "label"),
    [
        (".webm", ("-c:a", "libopus"), "WebM/Matroska"),
        (".mka", ("-c:a", "flac"), "WebM/Matroska"),
        (".m4a", ("-c:a", "aac"), "MP4/M4A"),
        (".mp4", ("-c:a", "aac"), "MP4/M4A"),
        (".aac", ("-c:a", "aac", "-f", "adts"), "AAC (ADTS)"),
    ],
)
def test_containers_libsndfile_cannot_decode_are_refused_listing_what_is_accepted(
    source_wav: Path, tmp_path: Path, suffix: str, args: tuple[str, ...], label: str
) -> None:
    data = ffmpeg(source_wav, tmp_path / f"out{suffix}", *args).read_bytes()
    with pytest.raises(AudioDecodeError) as info:
        decode(data, sample_rate=16000)  # a sample_rate does not turn it into raw PCM
    assert info.value.field == "audio_base64"
    assert f"is {label} audio, which is not accepted" in info.value.message
    assert ACCEPTED_LIST in info.value.message and "Ogg Opus, MP3" in info.value.message


def test_unknown_bytes_say_what_was_found_and_what_is_accepted() -> None:
    with pytest.raises(AudioDecodeError, match=r"\(3000 bytes, header 1f 8b 08 00\); accepted"):
        decode(b"\x1f\x8b\x08\x00" + bytes(2996))


# --- clipping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "args"),
    [(".mp3", ("-c:a", "libmp3lame", "-b:a", "64k")), (".ogg", ("-c:a", "libvorbis")),
     (".opus", ("-c:a", "libopus", "-b:a", "24k"))],
)  # fmt: skip
def test_lossy_overshoot_is_clipped_and_counted(
    tmp_path: Path, suffix: str, args: tuple[str, ...]
) -> None:
    # GIVEN a full-scale square wave encoded lossily by ffmpeg (the codec's low-pass rings
    # past full scale, as loud speech does: FACTS.md)
    square = np.sign(tone(2.0, 16000, freq=220.0)) * 0.999
    loud = write_wav(tmp_path / "loud.wav", square, 16000)
    data = ffmpeg(loud, tmp_path / f"loud{suffix}", *args).read_bytes()
    audio = decode_audio_bytes(data, sample_rate=None, channels=1, policy=POLICY)
    # THEN it is accepted, clipped to [-1, 1], and the clipped samples are counted
    assert audio.clipped_samples > 0
    assert float(np.max(np.abs(audio.samples))) <= 1.0


def test_float_file_slightly_over_full_scale_is_clipped() -> None:
    samples = tone(0.5, 16000, amp=1.05)
    audio = decode_audio_bytes(
        encoded(samples, 16000, "WAV", "FLOAT"), sample_rate=None, channels=1, policy=POLICY
    )
    assert audio.clipped_samples == int(np.count_nonzero(np.abs(samples) > 1.0))
    assert float(np.max(audio.samples)) == 1.0


def test_float_file_on_the_wrong_scale_is_refused() -> None:
    samples = tone(0.5, 16000, amp=32767.0)  # PCM integers written as floats
    with pytest.raises(AudioDecodeError, match=r"up to 3\.277e\+04 x full scale"):
        decode(encoded(samples, 16000, "WAV", "FLOAT"))
    assert MAX_DECODED_PEAK == 2.0


def test_sample_list_beyond_full_scale_stays_a_caller_error() -> None:
    with pytest.raises(AudioDecodeError, match=r"beyond full scale \(peak 1\.05\)") as info:
        from_sample_list([0.0, 1.05, -0.5], sample_rate=8000, policy=POLICY)
    assert info.value.field == "audio_data"


def test_non_finite_samples_are_rejected() -> None:
    samples = tone(0.5, 16000)
    samples[10] = np.inf
    with pytest.raises(AudioDecodeError, match="NaN or infinite"):
        decode(encoded(samples, 16000, "WAV", "FLOAT"))


# --- truncation ------------------------------------------------------------------------------


def test_wav_cut_inside_its_data_chunk_names_both_lengths() -> None:
    data = encoded(tone(2.0, 16000), 16000, "WAV", "PCM_16")
    with pytest.raises(AudioDecodeError, match="declares 64000 bytes but only 19156 are present"):
        decode(data[:19200])


@pytest.mark.parametrize("placeholder", [0, 0xFFFFFFFF])
def test_streaming_placeholder_sizes_are_accepted(placeholder: int) -> None:
    pcm = (tone(1.0, 16000) * 32767).astype("<i2").tobytes()
    header = wav_header(rate=16000, channels=1, data_bytes=len(pcm))
    data = header[:40] + struct.pack("<I", placeholder) + pcm
    audio = decode(data)
    assert audio.duration_s == pytest.approx(1.0)


def test_flac_cut_short_names_declared_and_decoded_frames(source_wav: Path) -> None:
    data = encoded(buzz(2.0, 16000), 16000, "FLAC")
    with pytest.raises(AudioDecodeError, match=r"truncated FLAC file: its header declares 32000"):
        decode(data[: len(data) * 3 // 4])


def test_mp3_cut_short_is_refused_by_its_xing_header(source_wav: Path, tmp_path: Path) -> None:
    mp3 = ffmpeg(source_wav, tmp_path / "x.mp3", "-c:a", "libmp3lame").read_bytes()
    with pytest.raises(AudioDecodeError, match=r"truncated MP3 file: its Xing/VBRI header"):
        decode(mp3[: len(mp3) // 2])


def test_corrupt_containers_are_decode_errors() -> None:
    for data in (b"RIFF" + b"\x00" * 40, b"fLaC\x00\x00", b"OggS" + bytes(range(200))):
        with pytest.raises(AudioDecodeError, match=r"could not be decoded|no samples"):
            decode(data)


# --- length: tolerance and LONG_AUDIO --------------------------------------------------------


@pytest.mark.parametrize("seconds", [3.0005, 3.2, 3.25])
def test_a_segmenters_rounding_is_within_the_tolerance(seconds: float) -> None:
    audio = decode(encoded(tone(seconds, 16000), 16000, "WAV", "PCM_16"))
    assert audio.trimmed_from_s is None
    assert audio.duration_s == pytest.approx(seconds, abs=1e-4)


def test_too_long_is_rejected_by_default_saying_how_to_trim() -> None:
    with pytest.raises(
        AudioTooLongError,
        match=r"3\.500 s long; MAX_AUDIO_DURATION_SECONDS allows 3 s \(\+0\.25 s\); "
        r"LONG_AUDIO=last or first",
    ):
        decode(encoded(tone(3.5, 8000), 8000, "WAV", "PCM_16"))


@pytest.mark.parametrize("kept", ["last", "first"])
@pytest.mark.parametrize("form", ["WAV", "OGG", "PCM16", "FLOAT_LIST"])
def test_last_or_first_analyses_that_many_seconds(kept: str, form: str) -> None:
    # GIVEN 5 s whose first 2 s are quiet and last 3 s loud
    x = np.concatenate([tone(2.0, 16000, amp=0.05), tone(3.0, 16000, amp=0.5)])
    policy = DurationPolicy(3.0, kept)
    if form == "FLOAT_LIST":
        audio = from_sample_list([float(v) for v in x], sample_rate=16000, policy=policy)
    elif form == "PCM16":
        pcm = (x * 32767).astype("<i2").tobytes()
        audio = decode_audio_bytes(pcm, sample_rate=16000, channels=1, policy=policy)
    else:
        audio = decode_audio_bytes(
            encoded(x, 16000, form), sample_rate=None, channels=1, policy=policy
        )
    # THEN 3 s are analysed, the response can say which and how long the segment was
    assert audio.duration_s == pytest.approx(3.0)
    assert audio.trimmed_from_s == pytest.approx(5.0, abs=0.01)
    assert audio.kept == kept
    expected = 0.5 if kept == "last" else float(np.sqrt((2 * 0.05**2 + 0.5**2) / 3))
    assert rms(audio.samples) * np.sqrt(2) == pytest.approx(expected, rel=0.05)


def test_trimming_has_a_limit_of_its_own() -> None:
    silence = np.zeros(8000 * 61, np.float32)
    with pytest.raises(
        AudioTooLongError, match="LONG_AUDIO=last analyses the last 3 s of segments up to 60 s"
    ):
        decode(encoded(silence, 8000, "FLAC"), policy=DurationPolicy(3.0, "last"))


def test_sample_list_forms() -> None:
    mono = from_sample_list([0.0, 0.5, -0.5], sample_rate=8000, policy=POLICY)
    np.testing.assert_allclose(mono.samples, [0.0, 0.5, -0.5])
    frames = from_sample_list([[0.5, -0.5], [1.0, 0.0]], sample_rate=8000, policy=POLICY)
    np.testing.assert_allclose(frames.samples, [0.0, 0.5])
    assert frames.channels == 2
    with pytest.raises(InvalidEventError, match="same length"):
        from_sample_list([[0.5, -0.5], [1.0]], sample_rate=8000, policy=POLICY)
    with pytest.raises(InvalidEventError, match="list of numbers"):
        from_sample_list([0.1, True], sample_rate=8000, policy=POLICY)
    with pytest.raises(InvalidEventError, match="too large"):
        from_sample_list([0.1, 10**400], sample_rate=8000, policy=POLICY)


# --- resampling ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "dst", "n"),
    [(8000, 16000, 8000), (48000, 16000, 48000), (22050, 16000, 22050), (16000, 16000, 16000),
     (192000, 16000, 576001), (96000, 16000, 288007), (11025, 16000, 33077)],
)  # fmt: skip
def test_resample_keeps_level_frequency_and_length(src: int, dst: int, n: int) -> None:
    t = np.arange(n) / src
    x = (0.5 * np.sin(2 * np.pi * 300.0 * t)).astype(np.float32)
    y = resample(x, src, dst)
    assert len(y) == round(n * dst / src)
    assert rms(y) == pytest.approx(rms(x), rel=0.01)
    reference = 0.5 * np.sin(2 * np.pi * 300.0 * np.arange(len(y)) / dst)
    middle = slice(dst // 20, -dst // 20)  # away from the edges the padding touches
    np.testing.assert_allclose(y[middle], reference[middle], atol=2e-3)


def test_resample_between_rates_without_a_smooth_ratio_keeps_level_and_length() -> None:
    # 44,101 Hz shares no small factors with 16 kHz: the output length is rounded, as before
    x = tone(3.0, 44101, freq=300.0)
    y = resample(x, 44101, 16000)
    assert len(y) == round(len(x) * 16000 / 44101)
    assert rms(y) == pytest.approx(rms(x), rel=0.01)
